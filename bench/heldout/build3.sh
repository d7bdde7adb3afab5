#!/usr/bin/env bash
PY=/work/main/.venv/bin/python
for p in "$@"; do
  ws=/tmp/h47/build3/$p; rm -rf $ws; mkdir -p $ws/data
  cp -r /tmp/h47/build/$p/data/artifacts /tmp/h47/build/$p/data/advisories /tmp/h47/build/$p/data/corpus $ws/data/
  sha=$(git -C /tmp/h47/src/$p rev-parse HEAD)
  ( cd /work/main && SECFT_SOURCE_REPO=/tmp/h47/src/$p HF_HUB_OFFLINE=1 $PY -m doit -f dodo.py workspace=$ws commit=$sha branch=main build_datasets > /tmp/h47/b3_$p.log 2>&1; echo "$p rc=$?" )
done
