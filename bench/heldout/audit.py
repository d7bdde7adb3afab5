"""Items for the reason audit: agreed false positives secft flagged, with both labels and secft's reasons; split in two."""
import json
ROOT = '/tmp/h47'
load = lambda p: {r['n']: r for r in map(json.loads, open(p))}
A, B, K = load(f'{ROOT}/labels/A.jsonl'), load(f'{ROOT}/labels/B.jsonl'), load(f'{ROOT}/labels/key.jsonl')
items = []
inp = load(f'{ROOT}/labels/input.jsonl')
for n, k in K.items():
    if n in A and n in B and A[n]['verdict'] == B[n]['verdict'] == 'false_positive' and k['verdict'] == 'false_positive':
        i = inp[n]
        items.append({'n': n, 'project': k['project'], 'repo_dir': i['repo_dir'], 'tool': k['tool'], 'rule_id': k['rule_id'],
                      'path': k['path'], 'line': k['line'], 'message': i['message'][:600],
                      'labeller_1': {'reason': A[n]['reason'], 'evidence': A[n]['evidence']},
                      'labeller_2': {'reason': B[n]['reason'], 'evidence': B[n]['evidence']},
                      'tool_reasons': [{'check': r['check'], 'evidence': r['evidence']} for r in k['reasons']]})
half = (len(items) + 1) // 2
for j, chunk in ((1, items[:half]), (2, items[half:])):
    with open(f'{ROOT}/audit/items{j}.jsonl', 'w') as fh:
        for it in chunk: fh.write(json.dumps(it) + '\n')
print(len(items), half)
