"""Keep only Semgrep's security-category results (what a security team runs), in place; the original kept under reports_all/ (outside the artifacts folder: a copy beside it would be parsed too)."""
import json, sys, shutil, os
for p in sys.argv[1:]:
    f = f'/tmp/h47/reports/{p}/semgrep/semgrep.json'
    all_ = f'/tmp/h47/reports_all/{p}/semgrep.json'
    os.makedirs(os.path.dirname(all_), exist_ok=True)
    if not os.path.exists(all_):
        shutil.move(f, all_)
    d = json.load(open(all_))
    d['results'] = [r for r in d['results'] if r['extra'].get('metadata', {}).get('category') == 'security']
    json.dump(d, open(f, 'w'))
    print(p, len(d['results']))
