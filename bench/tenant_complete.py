#!/usr/bin/python3
"""bench/tenant_complete.py: complete tenant walks beside ordinary ones and pgvector.

Runs on databases a `bench/filtered.py --tenant --columns ...` run left
behind (same --rows and --queries: data and queries are regenerated from
the same seeds for the exact answers), without rebuilding anything.  Per
tenant column (c100: 1%, c1000: 0.1%, c10: 10%), interleaved in one run
and repeated --runs times: the unfiltered query and the tenant query on
that column's vecdb tenant index (database tenant_<col>_vecdb), the same
two on a copy of it whose index is of --old-suffix's format (database
tenant_<col><old-suffix>, e.g. an index of format 10, built by an older
vecdb, which the current code reads without node counts: its tenant walks
are the ordinary walks of before), and the peer's iterative scan on the
same filter.  recall@10, rows, p50, QPS and nodes measured as filtered.py
reports them, and medians over the runs.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; prints markdown and
writes every figure with --json.
"""

import argparse
import json
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filtered import (SEED, TENANT_FILTERS, generate, last_nodes,  # noqa: E402
                      run_queries, truth_for)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--ef', type=int, default=40)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--columns', nargs='+', default=['c1000', 'c100', 'c10'])
    ap.add_argument('--old-suffix', default='_f10',
                    help='database suffix of the older-format copies (empty: none)')
    ap.add_argument('--peer', default='vector')
    ap.add_argument('--json')
    a = ap.parse_args()
    base, _, queries, _, _ = generate(a.rows, a.queries)
    rng = np.random.default_rng(SEED + 1)
    cols = {name: rng.integers(0, k, a.rows).astype(np.int32) for name, k in TENANT_FILTERS}
    qrng = np.random.default_rng(SEED + 2)
    values = {name: qrng.integers(0, k, a.queries) for name, k in TENANT_FILTERS}
    none_vals = [0] * a.queries
    none_truth = truth_for(base, cols, queries, None, none_vals)
    truths = {c: truth_for(base, cols, queries, c, values[c]) for c in a.columns}
    cases = []
    for col in a.columns:
        dbs = [('vecdb', 'tenant_%s_vecdb' % col)]
        if a.old_suffix:
            dbs.append(('vecdb old format', 'tenant_%s%s' % (col, a.old_suffix)))
        for label, db in dbs:
            cases.append((col, label, db, None, none_vals, none_truth))
            cases.append((col, label, db, col, values[col], truths[col]))
        if a.peer:
            cases.append((col, a.peer, 'tenant_' + a.peer, col, values[col], truths[col]))
    out = {'rows': a.rows, 'queries': a.queries, 'ef_search': a.ef, 'runs': []}
    for run in range(a.runs):
        res = []
        for col, label, db, c, vals, truth in cases:
            r = run_queries(db, label, c, vals, queries, truth, a.ef)
            r['nodes'] = (last_nodes(db, c, vals, queries, a.ef) if label.startswith('vecdb')
                          else None)
            r.update({'column': col, 'system': label, 'database': db, 'filter': c or 'none'})
            res.append(r)
            print(run, col, label, c or 'none', r, flush=True)
        out['runs'].append(res)
    print('\n| column | system | filter | recall | rows | p50 ms (runs) | p50 median | '
          'x unfiltered | QPS median | nodes |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for i, (col, label, db, c, _, _) in enumerate(cases):
        rs = [run[i] for run in out['runs']]
        p50 = statistics.median(r['p50_ms'] for r in rs)
        ratio = '-'
        if c and label.startswith('vecdb'):
            unf = [run[i - 1]['p50_ms'] for run in out['runs']]
            ratio = '%.2f' % statistics.median(
                r['p50_ms'] / u for r, u in zip(rs, unf))
        print('| %s | %s | %s | %.3f | %.2f | %s | %.2f | %s | %.0f | %s |' % (
            col, label, c or 'none', statistics.median(r['recall'] for r in rs),
            statistics.median(r['rows'] for r in rs),
            ', '.join('%.2f' % r['p50_ms'] for r in rs), p50, ratio,
            statistics.median(r['qps'] for r in rs),
            '-' if rs[0]['nodes'] is None else '%.0f' % statistics.median(
                r['nodes'] for r in rs)))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
