"""Sample up to PER findings per project (seeded) into labels/input.jsonl (for labellers) and labels/key.jsonl (secft's verdicts)."""
import json, random, sys
SEED = 20270121
ROOT = '/tmp/h47'
PER = 26
inp_path, key_path = f'{ROOT}/labels/input.jsonl', f'{ROOT}/labels/key.jsonl'
try:
    n = sum(1 for _ in open(inp_path))
except FileNotFoundError:
    n = 0
with open(inp_path, 'a') as fi, open(key_path, 'a') as fk:
    for p in sys.argv[1:]:
        ws = f'{ROOT}/build/{p}'
        fs = {}
        for line in open(f'{ws}/data/findings/findings.jsonl'):
            f = json.loads(line); fs[f['id']] = f
        tri = sorted((json.loads(l) for l in open(f'{ws}/data/findings/triage.jsonl')), key=lambda t: t['finding_id'])
        rng = random.Random(f'{SEED}:{p}')
        for t in rng.sample(tri, min(PER, len(tri))):
            n += 1
            f = fs[t['finding_id']]
            loc = f.get('location') or {}
            fi.write(json.dumps({'n': n, 'project': p, 'repo_dir': f'{ROOT}/src/{p}', 'tool': f['tool'], 'rule_id': f['rule_id'],
                                 'title': f.get('title'), 'message': (f.get('description') or '')[:1500], 'severity': f.get('severity'),
                                 'path': loc.get('path'), 'start_line': loc.get('start_line'), 'end_line': loc.get('end_line'),
                                 'package': f.get('package')}) + '\n')
            fk.write(json.dumps({'n': n, 'project': p, 'finding_id': t['finding_id'], 'tool': f['tool'], 'rule_id': f['rule_id'],
                                 'path': loc.get('path'), 'line': loc.get('start_line'), 'verdict': t['verdict'], 'reasons': t['reasons']}) + '\n')
print(n)
