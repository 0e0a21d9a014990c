#!/usr/bin/python3
"""bench/tuning.py: the figures of the README's tuning guide, on Fashion-MNIST.

For each (m, ef_construction) of a grid: CREATE INDEX time at a generous
maintenance_work_mem, index size, and recall@10 and single-client QPS at
each hnsw.ef_search (prepared statement, vector bound as a parameter, 200
test-set queries, exact answers by brute force).  Then, for m 16 and
ef_construction 64, CREATE INDEX time at smaller maintenance_work_mem.
Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; prints markdown,
--json writes every figure.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graph_quality as g  # noqa: E402  (the Fashion-MNIST reader and loader)


def qps_recall(c, queries, truth, ef):
    c.execute('SET enable_seqscan = off')
    c.execute('SET hnsw.ef_search = %d' % ef)
    sql = 'SELECT i FROM tf ORDER BY v <-> %s::vector LIMIT 10'
    for q in queries[:20]:  # warm the plan and the buffers
        c.execute(sql, (g.vec_text(q),), prepare=True).fetchall()
    hits, t0 = 0, time.perf_counter()
    for q, t in zip(queries, truth):
        got = [r[0] for r in c.execute(sql, (g.vec_text(q),), prepare=True).fetchall()]
        hits += len(set(got) & set(t))
    dt = time.perf_counter() - t0
    return hits / (10.0 * len(queries)), len(queries) / dt


def build(c, m, efc, mem):
    c.execute('DROP INDEX IF EXISTS tf_idx')
    c.execute("SET maintenance_work_mem = '%s'" % mem)
    t0 = time.time()
    c.execute('CREATE INDEX tf_idx ON tf USING hnsw (v vector_l2_ops) '
              'WITH (m = %d, ef_construction = %d)' % (m, efc))
    secs = time.time() - t0
    size = c.execute("SELECT pg_relation_size('tf_idx')").fetchone()[0]
    return secs, size


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--grid', default='8:32,16:64,16:128,32:128',
                    help='m:ef_construction pairs, comma-separated')
    ap.add_argument('--ef', default='10,20,40,80,160')
    ap.add_argument('--mems', default='16MB,64MB,2GB')
    ap.add_argument('--json')
    a = ap.parse_args()
    rows, queries = g.fashion()
    truth = [list(np.argsort(((rows - q) ** 2).sum(axis=1), kind='stable')[:10] + 1)
             for q in queries]
    efs = [int(x) for x in a.ef.split(',')]
    db = g.setup_db('vecdb')
    out = {'grid': [], 'mem': []}
    with g.connect(db) as c:
        g.load(c, 'tf', rows, 784)
        c.execute('ALTER TABLE tf ALTER COLUMN v SET STORAGE PLAIN')
        c.execute('VACUUM ANALYZE tf')
        for pair in a.grid.split(','):
            m, efc = (int(x) for x in pair.split(':'))
            secs, size = build(c, m, efc, '2GB')
            r = {'m': m, 'efc': efc, 'build_s': secs, 'index_mb': size / 1048576.0}
            for ef in efs:
                r['ef%d' % ef] = qps_recall(c, queries, truth, ef)
            out['grid'].append(r)
            print(r, flush=True)
        for mem in a.mems.split(','):
            secs, size = build(c, 16, 64, mem)
            out['mem'].append({'maintenance_work_mem': mem, 'build_s': secs})
            print(out['mem'][-1], flush=True)
    print('\n| m | ef_construction | CREATE INDEX s | index MB | ' +
          ' | '.join('ef_search %d: recall / QPS' % e for e in efs) + ' |')
    print('|---|---|---|---|' + '---|' * len(efs))
    for r in out['grid']:
        print('| %d | %d | %.1f | %.0f | ' % (r['m'], r['efc'], r['build_s'], r['index_mb']) +
              ' | '.join('%.3f / %.0f' % tuple(r['ef%d' % e]) for e in efs) + ' |')
    print('\n| maintenance_work_mem | CREATE INDEX s (m 16, ef_construction 64) |\n|---|---|')
    for r in out['mem']:
        print('| %s | %.1f |' % (r['maintenance_work_mem'], r['build_s']))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
