#!/usr/bin/env python3
"""bench/planner_crossover.py: index scan or sequential scan, measured and planned.

For each dimension count and row count: a table of random vectors (column
storage as created, vectors over 2 KB in TOAST; --plain for SET STORAGE
PLAIN), an HNSW index (m = 16, ef_construction 64 unless
--ef-construction says otherwise), ANALYZE.  Then, with a
prepared statement per plan and the query vector as a bound parameter,
`SELECT id FROM t ORDER BY v <-> $1 LIMIT 10` is timed (median over
--queries queries, after one warm pass) with the index forced
(enable_seqscan = off) and with a sequential scan forced (enable_indexscan
= off), and EXPLAIN says what the planner picks when free.  The report
says, per case, which is faster, what each plan costs in the planner's
units, and whether the planner's choice is the faster plan.

Rows go in by binary COPY, streamed in chunks; the build runs at
--maintenance-work-mem (2GB unless given), and its time and the load's go
to stderr.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; uses database
pc_<extension> (dropped and created).

  python3 bench/planner_crossover.py --dims 384,768,1536,3072 \\
      --rows 500,1000,2000,5000,10000,100000
"""

import argparse
import json
import re
import select
import statistics
import sys
import time

import numpy as np
import psycopg


def vec_text(v):
    return '[' + ','.join('%.6g' % x for x in v) + ']'


def setup(ext):
    db = 'pc_' + ext
    with psycopg.connect(dbname='postgres', autocommit=True) as c:
        c.execute('DROP DATABASE IF EXISTS ' + db)
        c.execute('CREATE DATABASE ' + db)
    with psycopg.connect(dbname=db, autocommit=True) as c:
        c.execute('CREATE EXTENSION ' + ext)
    return db


CHUNK = 10000
PIECE = 128 * 1024


def copy_rows(c, dim, n, rng):
    """COPY n random rows in binary, CHUNK rows at a time (a million rows of
    3,072 dimensions never sit in memory at once).  The vectors are the
    float32 values rng draws, sent exactly; the draws are those one call per
    row would give."""
    row = np.dtype([('nf', '>i2'), ('l1', '>i4'), ('id', '>i4'), ('l2', '>i4'),
                    ('dim', '>i2'), ('unused', '>i2'), ('v', '>f4', (dim,))])
    with c.cursor() as cur:
        with cur.copy('COPY t (id, v) FROM STDIN (FORMAT BINARY)') as cp:
            cp.write(b'PGCOPY\n\xff\r\n\x00' + b'\x00' * 8)
            for start in range(0, n, CHUNK):
                k = min(CHUNK, n - start)
                buf = np.zeros(k, dtype=row)
                buf['nf'] = 2
                buf['l1'] = 4
                buf['id'] = np.arange(start, start + k)
                buf['l2'] = 4 + 4 * dim
                buf['dim'] = dim
                buf['v'] = rng.random((k, dim), dtype=np.float32)
                data = buf.tobytes()
                # libpq queues what the server has not read yet and moves
                # the unsent rest to the front of its buffer after every
                # partial send: write a piece at a time and wait until it
                # is sent, so that buffer stays small
                for i in range(0, len(data), PIECE):
                    cp.write(data[i:i + PIECE])
                    while c.pgconn.flush() == 1:
                        select.select([], [c.pgconn.socket], [])
            cp.write(b'\xff\xff')


def load(c, dim, n, plain, rng, mwm, efc):
    c.execute('DROP TABLE IF EXISTS t')
    c.execute('CREATE TABLE t (id int, v vector(%d))' % dim)
    if plain:
        c.execute('ALTER TABLE t ALTER COLUMN v SET STORAGE PLAIN')
    t0 = time.perf_counter()
    copy_rows(c, dim, n, rng)
    t1 = time.perf_counter()
    c.execute("SET maintenance_work_mem = '%s'" % mwm)
    c.execute('CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops) WITH (ef_construction = %d)'
              % efc)
    t2 = time.perf_counter()
    print('%d dims, %d rows: COPY %.0f s, CREATE INDEX %.0f s' % (dim, n, t1 - t0, t2 - t1),
          file=sys.stderr, flush=True)
    c.execute('VACUUM ANALYZE t')


SQL = 'SELECT id FROM t ORDER BY v <-> %s::vector LIMIT 10'


def plan(c, q, sets):
    for s in sets:
        c.execute(s)
    out = c.execute('EXPLAIN ' + SQL, (q,)).fetchall()
    text = '\n'.join(r[0] for r in out)
    cost = float(re.search(r'cost=[\d.]+\.\.([\d.]+)', text).group(1))
    kind = 'index' if 'Index Scan' in text else 'seq'
    return kind, cost


def timed(c, queries, sets, label):
    for s in sets:
        c.execute(s)
    times = []
    for rep in range(2):
        for q in queries:
            t0 = time.perf_counter()
            # a distinct statement text per plan: each prepares its own plan
            c.execute(SQL + ' -- ' + label, (q,), prepare=True).fetchall()
            if rep == 1:
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


RESET = ['RESET enable_seqscan', 'RESET enable_indexscan', 'SET plan_cache_mode = force_custom_plan']
INDEX = RESET + ['SET enable_seqscan = off']
SEQ = RESET + ['SET enable_indexscan = off']


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--extension', default='vecdb')
    ap.add_argument('--dims', default='384,768,1536,3072')
    ap.add_argument('--rows', default='500,1000,2000,5000,10000,100000')
    ap.add_argument('--queries', type=int, default=20)
    ap.add_argument('--plain', action='store_true', help='SET STORAGE PLAIN on the column')
    ap.add_argument('--maintenance-work-mem', default='2GB',
                    help='maintenance_work_mem for the index build')
    ap.add_argument('--ef-construction', type=int, default=64)
    ap.add_argument('--json')
    args = ap.parse_args()
    db = setup(args.extension)
    rng = np.random.default_rng(31)
    results = []
    print('| dims | rows | index ms | seq ms | faster | index cost | seq cost | planner picks | right |')
    print('|---|---|---|---|---|---|---|---|---|')
    with psycopg.connect(dbname=db, autocommit=True) as c:
        for dim in [int(x) for x in args.dims.split(',')]:
            for n in [int(x) for x in args.rows.split(',')]:
                load(c, dim, n, args.plain, rng, args.maintenance_work_mem, args.ef_construction)
                queries = [vec_text(rng.random(dim, dtype=np.float32)) for _ in range(args.queries)]
                ti = timed(c, queries, INDEX, 'index')
                ts = timed(c, queries, SEQ, 'seq')
                _, ci = plan(c, queries[0], INDEX)
                _, cs = plan(c, queries[0], SEQ)
                picked, _ = plan(c, queries[0], RESET)
                faster = 'index' if ti < ts else 'seq'
                r = dict(dims=dim, rows=n, index_ms=ti, seq_ms=ts, index_cost=ci, seq_cost=cs,
                         picked=picked, faster=faster, plain=args.plain)
                results.append(r)
                print('| %d | %d | %.3f | %.3f | %s | %.1f | %.1f | %s | %s |' % (
                    dim, n, ti, ts, faster, ci, cs, picked, 'yes' if picked == faster else 'NO'),
                    flush=True)
        c.execute('DROP TABLE t')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
