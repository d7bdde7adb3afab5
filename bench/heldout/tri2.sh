#!/usr/bin/env bash
# re-triage every project with the current code (/work/main) in a copy of its workspace; then key2.jsonl
# the code: a frozen copy (`rm -rf /tmp/code_retri; mkdir /tmp/code_retri; git archive HEAD | tar -x -C /tmp/code_retri`), so /work/main may change meanwhile
PY=/work/main/.venv/bin/python
for p in linkwarden Radicale ArchiveBox vaultwarden terraform-aws-vpc; do
  ws=/tmp/h47/build2/$p; rm -rf $ws; mkdir -p $ws/data
  cp -r /tmp/h47/build/$p/data/artifacts /tmp/h47/build/$p/data/advisories /tmp/h47/build/$p/data/corpus $ws/data/
  sha=$(git -C /tmp/h47/src/$p rev-parse HEAD)
  ( cd /tmp/code_retri && PYTHONPATH=/tmp/code_retri SECFT_SOURCE_REPO=/tmp/h47/src/$p HF_HUB_OFFLINE=1 $PY -m doit -f dodo.py workspace=$ws commit=$sha branch=main triage > /tmp/h47/tri2_$p.log 2>&1 || echo "$p FAILED" ) &
done
wait
python3 - <<'PY'
import json
out = open('/tmp/h47/labels/key2.jsonl', 'w')
tri = {}
for p in ['linkwarden', 'Radicale', 'ArchiveBox', 'vaultwarden', 'terraform-aws-vpc']:
    for l in open(f'/tmp/h47/build2/{p}/data/findings/triage.jsonl'):
        t = json.loads(l); tri[(p, t['finding_id'])] = t
for l in open('/tmp/h47/labels/key.jsonl'):
    k = json.loads(l); t = tri.get((k['project'], k['finding_id']))
    if t is None: print('missing', k['n'])
    k['verdict'], k['reasons'] = (t['verdict'], t['reasons']) if t else ('missing', [])
    out.write(json.dumps(k) + '\n')
PY
