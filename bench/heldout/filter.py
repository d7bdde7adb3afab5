"""Keep only Semgrep's security-category results (what a security team runs), in place; the original kept as .all."""
import json, sys, shutil, os
for p in sys.argv[1:]:
    f = f'/tmp/h47/reports/{p}/semgrep/semgrep.json'
    if not os.path.exists(f + '.all'):
        shutil.move(f, f + '.all')
    d = json.load(open(f + '.all'))
    d['results'] = [r for r in d['results'] if r['extra'].get('metadata', {}).get('category') == 'security']
    json.dump(d, open(f, 'w'))
    print(p, len(d['results']))
