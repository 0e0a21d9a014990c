#!/usr/bin/env python3
"""bench/fashion_vacuum.py: VACUUM on Fashion-MNIST, one built index per extension.

graph_quality.py's fashion case builds a fresh index for every trial, which
costs more than the VACUUM it measures.  This script builds the index once
per extension (60,000 x 784, L2, m 16, ef_construction 64, STORAGE PLAIN,
maintenance_work_mem 1GB) into a template database fv_tpl_<ext>
(prepare), then for each trial copies it (CREATE DATABASE ... TEMPLATE),
loads table and index into shared buffers (pg_prewarm, as right after a
build), deletes the last --deleted fraction of rows and times VACUUM: wall
time and the backend's CPU time (/proc, server on this machine).  Recall@10
at ef_search 10/20/40 over the first --queries test vectors against exact
answers over the rows kept (graph_quality.exact_l2_top); vecdb_index_check
for vecdb builds.  Every trial of one extension starts from the same graph,
so its recall is the same in every run and only the times vary; each
extension (two vecdb builds installed under two names included) has its
own graph, so part of a recall difference between them is the build's.

  python3 bench/fashion_vacuum.py prepare vecdb vector vecdb_base
  python3 bench/fashion_vacuum.py run --runs 3 --deleted 0.1,0.5 vecdb vector vecdb_base
"""
import argparse
import json
import os
import statistics
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graph_quality as gq  # noqa: E402


def prepare(ext):
    rows, _ = gq.fashion(1)
    db = gq.setup_db(ext, prefix='fv_tpl_')
    with gq.connect(db) as c:
        gq.load(c, 'tf', rows, 784)
        c.execute('ALTER TABLE tf ALTER COLUMN v SET STORAGE PLAIN')
        c.execute("SET maintenance_work_mem = '1GB'")
        t0 = time.time()
        c.execute('CREATE INDEX tf_idx ON tf USING hnsw (v vector_l2_ops)')
        print('%s: built in %.1f s' % (ext, time.time() - t0), flush=True)
        c.execute('VACUUM ANALYZE tf')


def trial(ext, frac, rows, queries, truth, efs):
    keep = int(round(len(rows) * (1 - frac)))
    db = 'fv_run_' + ext
    with gq.connect('postgres') as c:
        c.execute('DROP DATABASE IF EXISTS ' + db)
        c.execute('CREATE DATABASE %s TEMPLATE fv_tpl_%s' % (db, ext))
    with gq.connect(db) as c:
        c.execute('CREATE EXTENSION IF NOT EXISTS pg_prewarm')
        c.execute("SELECT pg_prewarm('tf'), pg_prewarm('tf_idx')")
        c.execute('DELETE FROM tf WHERE i > %d' % keep)
        pid = c.execute('SELECT pg_backend_pid()').fetchone()[0]
        cpu0 = gq.backend_cpu(pid)
        t0 = time.time()
        c.execute('VACUUM tf')
        res = {'ext': ext, 'deleted': frac, 'vacuum_s': time.time() - t0,
               'vacuum_cpu_s': gq.backend_cpu(pid) - cpu0}
        for ef in efs:
            res['ef%d' % ef] = gq.recall(c, 'tf', '<->', queries, truth, 10, ef)
        if ext.startswith('vecdb'):
            res.update(gq.check(c, 'tf_idx'))
    with gq.connect('postgres') as c:
        c.execute('DROP DATABASE ' + db)
    print(json.dumps(res), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', choices=['prepare', 'run'])
    ap.add_argument('exts', nargs='+')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--deleted', default='0.1,0.5')
    ap.add_argument('--queries', type=int, default=1000)
    ap.add_argument('--ef', default='10,20,40')
    ap.add_argument('--json')
    args = ap.parse_args()
    if args.what == 'prepare':
        for e in args.exts:
            prepare(e)
        return
    efs = [int(x) for x in args.ef.split(',')]
    rows, queries = gq.fashion(args.queries)
    fracs = [float(x) for x in args.deleted.split(',')]
    truth = {f: gq.exact_l2_top(rows[:int(round(len(rows) * (1 - f)))], queries, 10)
             for f in fracs}
    results = []
    for run in range(args.runs):
        for f in fracs:
            for e in args.exts:
                r = trial(e, f, rows, queries, truth[f], efs)
                r['run'] = run + 1
                results.append(r)
                if args.json:
                    with open(args.json, 'w') as out:
                        json.dump(results, out, indent=1)


if __name__ == '__main__':
    main()
