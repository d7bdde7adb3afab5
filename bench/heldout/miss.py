"""Agreed false positives secft did not flag.  python3 miss.py [ws|ws2] [-v]"""
import json, sys
ROOT = '/tmp/h47'
keyfile = {'ws': 'key.jsonl', 'ws2': 'key2.jsonl'}[sys.argv[1] if len(sys.argv) > 1 else 'ws']
load = lambda p: {r['n']: r for r in map(json.loads, open(p))}
A, B, K = load(f'{ROOT}/labels/A.jsonl'), load(f'{ROOT}/labels/B.jsonl'), load(f'{ROOT}/labels/{keyfile}')
for n, k in K.items():
    if n in A and n in B and A[n]['verdict'] == B[n]['verdict'] == 'false_positive' and k['verdict'] != 'false_positive':
        print(f"#{n} {k['project']} {k['tool']} {k['rule_id']} {k['path']}:{k['line']} -> {k['verdict']}")
        if '-v' in sys.argv:
            print('   A:', A[n]['reason'], '|', A[n]['evidence'][:300])
            print('   B:', B[n]['reason'], '|', B[n]['evidence'][:300])
            for r in k['reasons']: print('   secft:', r['check'], '|', r['evidence'][:200])
