#!/usr/bin/python3
"""bench/vacuum_clusters.py: recall after DELETE and VACUUM on clustered 768-d data.

Clustered unit vectors of low contrast (--clusters random centres,
uniform noise, cosine; fixed seed), the shape of embeddings: a row's cluster
mates are almost equidistant.  `prepare` loads --rows of them into the
template database vc_tpl (extension vecdb) and builds
`hnsw (v vector_cosine_ops)` once; `run` copies the template, deletes a
random --deleted fraction of the rows, runs VACUUM and prints its wall time,
recall@10 at ef_search 10, 20 and 40 over --queries queries (prepared, the
vector a bound parameter; exact answers by brute force over the rows kept)
and vecdb_index_check's unreachable nodes, as one JSON line.  Run it once
per build of the extension to compare VACUUM rules on one graph.

  python3 bench/vacuum_clusters.py prepare --rows 20000
  python3 bench/vacuum_clusters.py run --rows 20000 --deleted 0.5

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER.
"""
import argparse
import json
import time

import numpy as np
import psycopg


def data(rows, clusters, queries, dim=768):
    rng = np.random.default_rng(4242)
    ctr = rng.random((clusters, dim)) - 0.5
    ctr /= np.linalg.norm(ctr, axis=1, keepdims=True)

    def draw(n):
        v = ctr[rng.integers(0, clusters, n)] + (rng.random((n, dim)) - 0.5) * 0.0866
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    return draw(rows), draw(queries), rng


def text(v):
    return '[' + ','.join('%.6g' % x for x in v) + ']'


def connect(db):
    return psycopg.connect(dbname=db, autocommit=True)


def prepare(x):
    with connect('postgres') as c:
        c.execute('DROP DATABASE IF EXISTS vc_tpl')
        c.execute('CREATE DATABASE vc_tpl')
    with connect('vc_tpl') as c:
        c.execute('CREATE EXTENSION vecdb')
        c.execute('CREATE TABLE t (id int, v vector(%d))' % x.shape[1])
        with c.cursor().copy('COPY t FROM STDIN') as cp:
            for i, v in enumerate(x):
                cp.write_row((i, text(v)))
        c.execute("SET maintenance_work_mem = '1GB'")
        t0 = time.time()
        c.execute('CREATE INDEX t_idx ON t USING hnsw (v vector_cosine_ops)')
        print(json.dumps({'build_s': round(time.time() - t0, 2)}))
        c.execute('VACUUM ANALYZE t')


def recall(c, x, q, keep, ef):
    exact = [set(keep[np.argsort(-s)[:10]]) for s in q @ x[keep].T]
    c.execute('SET hnsw.ef_search = %d' % ef)
    hits = 0
    for e, v in zip(exact, q):
        cur = c.execute('SELECT id FROM t ORDER BY v <=> %s::vector LIMIT 10', (text(v),),
                        prepare=True)
        hits += len(e & {r[0] for r in cur})
    return hits / (10 * len(q))


def run(x, q, rng, frac):
    with connect('postgres') as c:
        c.execute('DROP DATABASE IF EXISTS vc_run')
        c.execute('CREATE DATABASE vc_run TEMPLATE vc_tpl')
    dead = rng.random(len(x)) < frac
    with connect('vc_run') as c:
        c.execute('CREATE TEMP TABLE d (id int)')
        with c.cursor().copy('COPY d FROM STDIN') as cp:
            for i in np.where(dead)[0]:
                cp.write_row((int(i),))
        c.execute('DELETE FROM t USING d WHERE t.id = d.id')
        t0 = time.time()
        c.execute('VACUUM t')
        out = {'deleted': frac, 'vacuum_s': round(time.time() - t0, 2)}
        c.execute('SET enable_seqscan = off')
        for ef in (10, 20, 40):
            out['ef%d' % ef] = recall(c, x, q, np.where(~dead)[0], ef)
        out['unreachable'] = c.execute(
            "SELECT unreachable_nodes FROM vecdb_index_check('t_idx')").fetchone()[0]
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', choices=['prepare', 'run'])
    ap.add_argument('--rows', type=int, default=20000)
    ap.add_argument('--clusters', type=int, default=200)
    ap.add_argument('--queries', type=int, default=200)
    ap.add_argument('--deleted', type=float, default=0.5)
    a = ap.parse_args()
    x, q, rng = data(a.rows, a.clusters, a.queries)
    if a.what == 'prepare':
        prepare(x)
    else:
        run(x, q, rng, a.deleted)


if __name__ == '__main__':
    main()
