#!/usr/bin/python3
"""bench/filtered_builds.py: two builds of vecdb on bench/filtered.py's data, interleaved.

Compares two vecdb shared libraries of the same on-disk format (say, main's
and a branch's) on the database bench/filtered.py left behind
(filtered_vecdb: 100,000 x 768 clustered rows, the index on every filter
column), without rebuilding anything: for each case and round it installs
one library as $libdir/vecdb.so (a new file, so backends already running
keep theirs), opens a new connection, which loads it, and runs the case's
queries (a warm-up pass, then a timed pass, as bench/filtered.py does);
then the other library, the order alternating by round.  Recall, rows,
p50 and the median nodes measured (vecdb_last_scan, 20 queries) per build,
the medians over the rounds.  Must run as a user who may write $libdir;
the library installed last is --new's.

    python3 bench/filtered_builds.py --old old/vecdb.so --new vecdb.so \\
        --pg-config /path/to/pg_config [--rounds 3] [--queries 100]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filtered import FILTERS, SEED, columns, generate, last_nodes, run_queries, truth_for  # noqa


def install(lib, libdir):
    dest = os.path.join(libdir, 'vecdb.so')
    tmp = dest + '.new'
    shutil.copyfile(lib, tmp)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dest)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--old', required=True)
    ap.add_argument('--new', required=True)
    ap.add_argument('--pg-config', default='pg_config')
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--cases', nargs='+',
                    default=['none', 'c10', 'k10', 'c100', 'k100', 'c1000', 'k1000'])
    ap.add_argument('--json')
    a = ap.parse_args()
    libdir = subprocess.check_output([a.pg_config, '--pkglibdir'], text=True).strip()
    base, bcl, queries, qcl, ncl = generate(a.rows, a.queries)
    cols = columns(a.rows, bcl)
    rng = np.random.default_rng(SEED + 2)
    values = {'none': [0] * a.queries}
    for name, k in FILTERS:
        values[name] = rng.integers(0, k, a.queries)
        values['k' + name[1:]] = (qcl + (ncl // 2)) % k
    builds = [('old', a.old), ('new', a.new)]
    out = {'rows': a.rows, 'queries': a.queries, 'rounds': a.rounds, 'results': {}}
    for case in a.cases:
        col = None if case == 'none' else case
        truth = truth_for(base, cols, queries, col, values[case])
        runs = {b: [] for b, _ in builds}
        for rnd in range(a.rounds):
            for label, lib in (builds if rnd % 2 == 0 else builds[::-1]):
                install(lib, libdir)
                r = run_queries('filtered_vecdb', 'vecdb', col, values[case], queries, truth, 40)
                r['nodes'] = (last_nodes('filtered_vecdb', col, values[case], queries)
                              if r['plan'] == 'hnsw' else None)
                runs[label].append(r)
                print(case, label, rnd, r, flush=True)
        out['results'][case] = {
            label: {'recall': statistics.median(x['recall'] for x in rs),
                    'rows': statistics.median(x['rows'] for x in rs),
                    'p50_ms': statistics.median(x['p50_ms'] for x in rs),
                    'p50_ms_runs': [x['p50_ms'] for x in rs],
                    'nodes': rs[0]['nodes'], 'plan': rs[0]['plan']}
            for label, rs in runs.items()}
    install(a.new, libdir)
    print('\n| filter | old recall | rows | p50 ms | nodes | plan '
          '| new recall | rows | p50 ms | nodes | plan | new/old p50 |')
    print('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for case, r in out['results'].items():
        o, n = r['old'], r['new']
        print('| %s | ' % case + ' | '.join(
            '%.3f | %.1f | %.2f | %s | %s' % (x['recall'], x['rows'], x['p50_ms'],
                                              '-' if x['nodes'] is None else '%.0f' % x['nodes'],
                                              x['plan']) for x in (o, n))
              + ' | %.2f |' % (n['p50_ms'] / o['p50_ms']))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
