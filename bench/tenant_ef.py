#!/usr/bin/python3
"""bench/tenant_ef.py: tenant walks at several hnsw.ef_search values.

Runs on the databases a `bench/filtered.py --tenant` run left behind (same
--rows and --queries: the data and queries are regenerated from the same
seeds for the exact answers), without rebuilding anything.  For each
ef_search and each tenant column, the unfiltered query and the tenant
query on that column's tenant index, interleaved, and pgvector's iterative
scan on the same filter; recall@10, rows, p50, QPS and nodes measured as
filtered.py reports them.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; prints markdown and
writes every figure with --json.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filtered import (SEED, TENANT_FILTERS, generate, last_nodes,  # noqa: E402
                      run_queries, truth_for)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--efs', type=int, nargs='+', default=[40, 60, 80])
    ap.add_argument('--columns', nargs='+', default=['c100'])
    ap.add_argument('--peer', default='vector')
    ap.add_argument('--json')
    a = ap.parse_args()
    base, _, queries, _, _ = generate(a.rows, a.queries)
    rng = np.random.default_rng(SEED + 1)
    cols = {name: rng.integers(0, k, a.rows).astype(np.int32) for name, k in TENANT_FILTERS}
    qrng = np.random.default_rng(SEED + 2)
    values = {name: qrng.integers(0, k, a.queries) for name, k in TENANT_FILTERS}
    out = {'rows': a.rows, 'queries': a.queries, 'results': []}
    none_truth = truth_for(base, cols, queries, None, [0] * a.queries)
    print('| ef_search | column | system | filter | recall | rows | p50 ms | QPS | nodes |')
    print('|---|---|---|---|---|---|---|---|---|')
    for ef in a.efs:
        for col in a.columns:
            truth = truth_for(base, cols, queries, col, values[col])
            runs = [('vecdb tenant=' + col, 'tenant_%s_vecdb' % col, None, [0] * a.queries,
                     none_truth),
                    ('vecdb tenant=' + col, 'tenant_%s_vecdb' % col, col, values[col], truth)]
            if a.peer:
                runs.append((a.peer, 'tenant_' + a.peer, col, values[col], truth))
            for label, db, c, vals, t in runs:
                r = run_queries(db, label, c, vals, queries, t, ef)
                r['nodes'] = (last_nodes(db, c, vals, queries, ef) if label.startswith('vecdb')
                              else None)
                r.update({'ef_search': ef, 'column': col, 'system': label,
                          'filter': c or 'none'})
                out['results'].append(r)
                print('| %d | %s | %s | %s | %.3f | %.1f | %.2f | %.0f | %s |' % (
                    ef, col, label, c or 'none', r['recall'], r['rows'], r['p50_ms'],
                    r['qps'], '-' if r['nodes'] is None else '%.0f' % r['nodes']), flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
