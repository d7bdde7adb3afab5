#!/usr/bin/env bash
# scan each project: bandit (python), semgrep (local rules), checkov; reports in /tmp/h47/reports/<p>/<tool>/
S=/tmp/scanv/bin
for p in "$@"; do
  src=/tmp/h47/src/$p; out=/tmp/h47/reports/$p; mkdir -p $out/bandit $out/semgrep $out/checkov
  cd $src
  if git ls-files '*.py' | grep -q .; then $S/bandit -r . -f json -o $out/bandit/bandit.json -q >/dev/null 2>&1; fi
  $S/semgrep scan --metrics=off --disable-version-check --config /tmp/h47/rulesel --json -o $out/semgrep/semgrep.json --timeout 20 -j 1 . >/tmp/h47/semgrep_$p.log 2>&1
  $S/checkov -d . -o json --quiet --skip-download > $out/checkov/checkov.json 2>/tmp/h47/checkov_$p.log
  echo "$p done $(date +%T)"
done
