#!/usr/bin/env bash
# build each project's workspace from the frozen code (/tmp/h47/code) up to build_datasets, default config
PY=/work/main/.venv/bin/python
for p in "$@"; do
  ws=/tmp/h47/build/$p; rm -rf $ws; mkdir -p $ws/data/artifacts/run1
  cp -r /tmp/h47/reports/$p/* $ws/data/artifacts/run1/
  cp -r /tmp/h47/code/data/advisories $ws/data/advisories
  cp -r /tmp/h47/code/data/corpus $ws/data/corpus
  sha=$(git -C /tmp/h47/src/$p rev-parse HEAD)
  ( cd /tmp/h47/code && PYTHONPATH=/tmp/h47/code SECFT_SOURCE_REPO=/tmp/h47/src/$p HF_HUB_OFFLINE=1 \
      $PY -m doit -f dodo.py workspace=$ws commit=$sha branch=main build_datasets > /tmp/h47/build_$p.log 2>&1; echo "$p rc=$? $(date +%T)" )
done
