"""python /tmp/try2.py module:func /tmp/hNN proj... : run check(f, reader[, files]) over each project's findings; print hits."""
import importlib, inspect, json, sys
from pathlib import Path
sys.path.insert(0, '/work/main')
from tasks.repository.source import SourceReader
from tasks.triage.reachability import ImportIndex
mod, func = sys.argv[1].split(':')
fn = getattr(importlib.import_module(mod), func)
root = sys.argv[2]
only = set()
for p in sys.argv[3:]:
    reader = SourceReader(Path(f'{root}/src/{p}')); imports = ImportIndex(reader)
    nargs = len(inspect.signature(fn).parameters)
    hits = 0
    for line in open(f'{root}/build/{p}/data/findings/findings.jsonl'):
        f = json.loads(line)
        args = (f, reader, imports.files)[:nargs]
        r = fn(*args)
        if r:
            hits += 1
            print(p, f['rule_id'].split('.')[-1], f['location']['path'], f['location']['start_line'], '|', r['evidence'][:260])
    print('==', p, hits)
