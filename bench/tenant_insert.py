#!/usr/bin/python3
"""bench/tenant_insert.py: insert cost of a tenant index, two databases interleaved.

Runs on databases a `bench/filtered.py --tenant` run left behind (table
items (id, v, c10, c100, c1000, c10000), one hnsw tenant index): per round
and database, --rows new rows of bench/filtered.py's distribution (fixed
seed, ids above any there) are staged in an unlogged table, then one
`INSERT INTO items SELECT * FROM staging` is timed; the databases take
turns, --rounds rounds.  Meant for an index of the current format beside an
older-format copy of it (e.g. format 11, whose inserts also update their
tenant's directory entry, beside format 10).  Rows per second per round
and their median.  The inserted rows stay.

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
from filtered import DIM, NOISE, SEED, TENANT_FILTERS, copy_payload  # noqa: E402
from graph_quality import connect  # noqa: E402


def new_rows(n, rnd):
    """n unit vectors near bench/filtered.py's cluster centres, tenant values."""
    rng = np.random.default_rng(SEED)
    centers = rng.standard_normal((1000, DIM), dtype=np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    rng = np.random.default_rng(SEED + 100 + rnd)
    x = rng.standard_normal((n, DIM), dtype=np.float32) * NOISE + \
        centers[rng.integers(0, 1000, n)]
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    cols = {name: rng.integers(0, k, n).astype(np.int32) for name, k in TENANT_FILTERS}
    return x, cols


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--databases', nargs='+', required=True)
    ap.add_argument('--rows', type=int, default=1000)
    ap.add_argument('--rounds', type=int, default=3)
    ap.add_argument('--json')
    a = ap.parse_args()
    names = sorted(n for n, _ in TENANT_FILTERS)
    out = {'rows': a.rows, 'rounds': a.rounds, 'results': {d: [] for d in a.databases}}
    for rnd in range(a.rounds):
        x, cols = new_rows(a.rows, rnd)
        for db in a.databases:
            with connect(db) as c:
                first = c.execute('SELECT max(id) + 1 FROM items').fetchone()[0]
                c.execute('DROP TABLE IF EXISTS staging')
                c.execute('CREATE UNLOGGED TABLE staging (LIKE items)')
                with c.cursor().copy('COPY staging (id, v, %s) FROM STDIN (FORMAT binary)' %
                                     ', '.join(names)) as cp:
                    cp.write(copy_payload(x, cols, names, first))
                c.commit()
                t0 = time.perf_counter()
                c.execute('INSERT INTO items SELECT * FROM staging')
                c.commit()
                dt = time.perf_counter() - t0
                c.execute('DROP TABLE staging')
            out['results'][db].append(a.rows / dt)
            print(rnd, db, '%.1f rows/s' % (a.rows / dt), flush=True)
    print('\n| database | rows/s (rounds) | median |')
    print('|---|---|---|')
    for db, rs in out['results'].items():
        print('| %s | %s | %.1f |' % (db, ', '.join('%.1f' % r for r in rs),
                                      statistics.median(rs)))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
