"""Agreement of labellers A and B, and secft's key against the agreed labels.  python3 score.py [ws|ws2]"""
import json, sys
from collections import Counter
ROOT = '/tmp/h47'
keyfile = {'ws': 'key.jsonl', 'ws2': 'key2.jsonl'}[sys.argv[1] if len(sys.argv) > 1 else 'ws']
load = lambda p: {r['n']: r for r in map(json.loads, open(p))}
A, B, K = load(f'{ROOT}/labels/A.jsonl'), load(f'{ROOT}/labels/B.jsonl'), load(f'{ROOT}/labels/{keyfile}')
agreed = {n: A[n]['verdict'] for n in K if n in A and n in B and A[n]['verdict'] == B[n]['verdict'] and A[n]['verdict'] != 'needs_review'}
split = [n for n in K if n not in agreed]
fp = [n for n, v in agreed.items() if v == 'false_positive']
tp = [n for n, v in agreed.items() if v == 'true_positive']
ffp = [n for n in fp if K[n]['verdict'] == 'false_positive']
ftp = [n for n in tp if K[n]['verdict'] == 'false_positive']
print(f'findings {len(K)}; agreed {len(agreed)} (FP {len(fp)}, TP {len(tp)}); split/needs_review {len(split)}')
print(f'FP flagged {len(ffp)}/{len(fp)} ({100*len(ffp)/max(1,len(fp)):.1f}%); TP flagged {len(ftp)}/{len(tp)}')
per = Counter(K[n]['project'] for n in fp); perf = Counter(K[n]['project'] for n in ffp)
for p in per: print(f'  {p}: {perf[p]}/{per[p]}')
print('TP:', [(n, K[n]['project'], K[n]['rule_id'], K[n]['verdict']) for n in tp])
print('split:', [(n, A.get(n, {}).get('verdict'), B.get(n, {}).get('verdict'), K[n]['rule_id']) for n in split])
