"""Sample 40 rows per stage (seeded) from every project's built datasets; 20 per grader file."""
import json, random, glob
ROOT = '/tmp/h47'
PROJECTS = ['linkwarden', 'Radicale', 'ArchiveBox', 'vaultwarden', 'terraform-aws-vpc']
SEEDS = {1: 20270122, 2: 20270123}
for stage, seed in SEEDS.items():
    pool = []
    for p in PROJECTS:
        for split in ('train', 'valid', 'test'):
            path = f'{ROOT}/build/{p}/fine-tuning/training_data/stage{stage}_{split}.jsonl'
            for line in open(path):
                r = json.loads(line)
                pool.append((p, split, r))
    pool.sort(key=lambda x: (x[0], x[2]['meta']['finding_id'], x[1]))
    pick = random.Random(seed).sample(pool, min(40, len(pool)))  # a small set gives fewer: all of them are graded
    mid = (len(pick) + 1) // 2
    for half in (1, 2):
        with open(f'{ROOT}/rows/stage{stage}_{half}.jsonl', 'w') as fh:
            for i, (p, split, r) in enumerate(pick[:mid] if half == 1 else pick[mid:], start=1 if half == 1 else mid + 1):
                msgs = {m['role']: m['content'] for m in r['messages']}
                fh.write(json.dumps({'n': i, 'project': p, 'repo_dir': f'{ROOT}/src/{p}', 'split': split,
                                     'finding_id': r['meta']['finding_id'], 'tool': r['meta']['tool'], 'rule_id': r['meta']['rule_id'],
                                     'path': r['meta'].get('path'), 'system': msgs.get('system'), 'prompt': msgs.get('user'),
                                     'answer': msgs.get('assistant')}) + '\n')
    print(stage, len(pool))
