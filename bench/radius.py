#!/usr/bin/python3
"""bench/radius.py: radius queries, vecdb's bounded walk beside a peer.

Generates clustered unit vectors (cosine, fixed seed; filtered.py's
generator: 100 points a cluster, so a radius holds about as many rows at
every table size) at each --sizes, loads them by binary COPY into one
database per extension, builds `hnsw (v vector_cosine_ops)` and runs
`SELECT id FROM items WHERE v <=> $1 < $2 ORDER BY v <=> $1 LIMIT 100`
as a prepared statement with bound parameters, one client (the LIMIT is
above every answer's size; without one, the planner, which expects a third
of the table within any radius, sorts a sequential scan).  Each query's
radius lies halfway between its exact --k-th and (k+1)-th nearest
distances (numpy, float64), so the exact answer is its k nearest rows.
Every engine runs with hnsw.iterative_scan = relaxed_order (without it an
ordered scan returns at most ef_search rows): vecdb with the bound
(vecdb.radius_stop = on, the default), vecdb without it, and the peer.
Reported per size and engine: rows returned, recall against the exact k,
queries answered exactly, nodes measured (vecdb_last_scan; vecdb only) and
latency (median of the second of two passes).  vecdb with the bound also
runs radii holding --more-k rows, to show its cost follows the answer, and
the main radius at --more-ef (the walk finds the rows within as well as a
k-NN search at the same ef_search finds as many nearest rows).

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; prints markdown and
writes every figure with --json.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filtered import copy_payload, generate  # noqa: E402
from graph_quality import connect, setup_db, vec_text  # noqa: E402

SQL = 'SELECT id FROM items WHERE v <=> %(q)s < %(r)s ORDER BY v <=> %(q)s LIMIT 100'


def setup(ext, base):
    """A database with the rows and their hnsw index; load and build times."""
    db = setup_db(ext, 'radius_')
    with connect(db) as c:
        c.execute('CREATE TABLE items (id int PRIMARY KEY, v vector(%d))' % base.shape[1])
        c.execute('ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN')
        t0 = time.time()
        with c.cursor().copy('COPY items (id, v) FROM STDIN (FORMAT binary)') as cp:
            cp.write(copy_payload(base, {}, ()))
        load = time.time() - t0
        c.execute("SET maintenance_work_mem = '2GB'")
        t0 = time.time()
        c.execute('CREATE INDEX items_idx ON items USING hnsw (v vector_cosine_ops)')
        build = time.time() - t0
        c.execute('VACUUM ANALYZE items')
        size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
    return db, {'load_s': load, 'build_s': build, 'index_bytes': size}


def radii(base, queries, k):
    """Per query: a radius between the k-th and (k+1)-th exact distances, and
    the ids of the k nearest rows."""
    b = base.astype(np.float64)
    out = []
    for q in queries.astype(np.float64):
        d = 1 - (b @ q) / (np.linalg.norm(b, axis=1) * np.linalg.norm(q))
        order = np.argsort(d, kind='stable')[:k + 1]
        out.append(((d[order[k - 1]] + d[order[k]]) / 2, set((order[:k] + 1).tolist())))
    return out


def run(db, engine, queries, truth, ef):
    """Runs every query twice; figures of the second pass.  engine: vecdb,
    vecdb-nobound or the peer, with @ef (ef_search) after it, if not ef."""
    if '@' in engine:
        engine, ef = engine.split('@')[0], int(engine.split('@ef')[1])
    with connect(db) as c:
        c.execute('SET hnsw.ef_search = %d' % ef)
        c.execute('SET hnsw.iterative_scan = relaxed_order')
        if engine.startswith('vecdb'):
            c.execute('SET vecdb.radius_stop = %s' % ('on' if engine == 'vecdb' else 'off'))
        q0 = vec_text(queries[0])
        plan = '\n'.join(r[0] for r in c.execute(
            'EXPLAIN ' + SQL, {'q': q0, 'r': float(truth[0][0])}, prepare=False).fetchall())
        lat, hits, rows, exact, nodes = [], 0, 0, 0, []
        for rep in range(2):
            for q, (r, want) in zip(queries, truth):
                qt = vec_text(q)
                t0 = time.perf_counter()
                got = [x[0] for x in c.execute(SQL, {'q': qt, 'r': float(r)},
                                               prepare=True).fetchall()]
                dt = time.perf_counter() - t0
                if rep == 0:
                    continue
                lat.append(dt)
                hits += len(set(got) & want)
                rows += len(got)
                exact += set(got) == want
                if engine.startswith('vecdb'):
                    nodes.append(c.execute('SELECT coalesce(nodes_measured, 0) '
                                           'FROM vecdb_last_scan()').fetchone()[0])
    nq = len(queries)
    return {'rows': rows / nq, 'recall': hits / sum(len(w) for _, w in truth),
            'exact_share': exact / nq,
            'nodes': statistics.mean(nodes) if nodes else None,
            'p50_ms': statistics.median(lat) * 1000,
            'plan': 'hnsw' if 'items_idx' in plan else 'other'}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--sizes', default='10000,100000')
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--k', type=int, default=50, help='rows within each radius')
    ap.add_argument('--more-k', default='10,90',
                    help='more answer sizes, for vecdb with the bound only')
    ap.add_argument('--more-ef', default='100',
                    help='more ef_search values, for vecdb with the bound only')
    ap.add_argument('--peer', default='vector')
    ap.add_argument('--ef', type=int, default=40)
    ap.add_argument('--json')
    a = ap.parse_args()
    engines = (['vecdb'] + ['vecdb@ef' + e for e in a.more_ef.split(',') if e] +
               ['vecdb-nobound'] + ([a.peer] if a.peer else []))
    more = [int(k) for k in a.more_k.split(',') if k]
    out = {'queries': a.queries, 'k': a.k, 'ef_search': a.ef, 'sizes': {}}
    for n in [int(s) for s in a.sizes.split(',')]:
        base, _, queries, _, _ = generate(n, a.queries)
        res = out['sizes'][n] = {}
        dbs = {}
        for ext in ['vecdb'] + ([a.peer] if a.peer else []):
            dbs[ext], res['setup_' + ext] = setup(ext, base)
            print(n, ext, res['setup_' + ext], flush=True)
        for k in sorted(more + [a.k]):
            truth = radii(base, queries, k)
            res['radius_median_k%d' % k] = statistics.median(r for r, _ in truth)
            for e in engines if k == a.k else ['vecdb']:
                key = '%s k%d' % (e, k)
                res[key] = run(dbs['vecdb' if e.startswith('vecdb') else e], e, queries,
                               truth, a.ef)
                print(n, key, res[key], flush=True)
    print('\n| table rows | rows within | engine | rows returned | recall | exact answers '
          '| nodes measured | p50 ms | plan |')
    print('|---|---|---|---|---|---|---|---|---|')
    for n, res in out['sizes'].items():
        for key, r in res.items():
            if not isinstance(r, dict) or 'rows' not in r:
                continue
            e, k = key.split(' ')
            e = e if '@' in e else e + '@ef%d' % a.ef
            print('| %s | %s | %s | %.1f | %.3f | %.0f%% | %s | %.2f | %s |' % (
                '{:,}'.format(n), k[1:], e.replace('@ef', ', ef_search '), r['rows'], r['recall'], 100 * r['exact_share'],
                '%.0f' % r['nodes'] if r['nodes'] is not None else 'n/a',
                r['p50_ms'], r['plan']))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
