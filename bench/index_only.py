#!/usr/bin/python3
"""bench/index_only.py: what a k-NN query costs after the graph walk.

Fashion-MNIST (60,000 x 784, L2; --queries test images as queries) is
loaded by binary COPY, once per column storage (PLAIN: vectors inline in
the heap; default: vectors over 2 KB in TOAST), into one vecdb database
with two tables of the same rows and one database of the peer extension:

  vecdb-scan   items: hnsw (v vector_l2_ops): an Index Scan, each returned
               row's vector fetched from the heap (and TOAST) for the
               executor's ORDER BY expression
  vecdb-ios    items_ios: hnsw (v vector_l2_ops) INCLUDE (id): an Index
               Only Scan after VACUUM, the vector and id from the node
  <peer>       items: the peer's hnsw (v vector_l2_ops) (pgvector)
  floor        SELECT id FROM items WHERE id = $1 (primary key) in the
               vecdb database: the client path without a search

All indexes m = 16, ef_construction 64; every table is VACUUMed (all
visible).  Per hnsw.ef_search, each target runs `SELECT id FROM <table>
ORDER BY v <-> $1 LIMIT 10` for every query as a prepared statement with
the vector a bound parameter (psycopg 3), one client, --reps passes with
the targets interleaved (the order rotated each pass).  Reports recall@10
(exact answers by brute force), QPS (median of the passes), p50 latency
(over all passes), the server backend's own CPU time per query (median of
the passes; /proc/PID/schedstat, so run on the server's machine as root or
postgres: on a shared machine waiting for a CPU inflates latency, not
this), and the plan node each target ran.

Connects to PGHOST/PGPORT as PGUSER; creates the databases ios_*
(dropped at the end unless --keep; --reuse measures kept ones).

  flock /tmp/notes/bench.lock python3 bench/index_only.py --peer vector
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_quality import connect, fashion, setup_db, vec_text  # noqa: E402
from filtered import copy_payload  # noqa: E402
from scan_stats_overhead import backend_cpu_ns  # noqa: E402
from quantized import truth  # noqa: E402

K = 10
SQL = 'SELECT id FROM %s ORDER BY v <-> %%s::vector LIMIT %d'


def load_table(c, table, base, storage, include):
    c.execute('CREATE TABLE %s (id int PRIMARY KEY, v vector(%d))' % (table, base.shape[1]))
    if storage == 'plain':
        c.execute('ALTER TABLE %s ALTER COLUMN v SET STORAGE PLAIN' % table)
    with c.cursor().copy('COPY %s (id, v) FROM STDIN (FORMAT binary)' % table) as cp:
        cp.write(copy_payload(base, {}, [], first_id=1))
    c.execute("SET maintenance_work_mem = '1GB'")
    c.execute('CREATE INDEX ON %s USING hnsw (v vector_l2_ops)%s WITH (m = 16, ef_construction = 64)'
              % (table, ' INCLUDE (id)' if include else ''))
    c.execute('VACUUM ANALYZE %s' % table)


def build(ext, storage, base, reuse):
    """{target: (database, table)} of one extension and storage."""
    db = 'ios_%s_%s' % (storage, ext)
    if ext == 'vecdb':
        targets = {'vecdb-scan': (db, 'items'), 'vecdb-ios': (db, 'items_ios'),
                   'floor': (db, None)}
    else:
        targets = {ext: (db, 'items')}
    if reuse:
        return targets
    setup_db(ext, 'ios_%s_' % storage)
    with connect(db) as c:
        load_table(c, 'items', base, storage, False)
        if ext == 'vecdb':
            load_table(c, 'items_ios', base, storage, True)
    return targets


def plan_node(conn, table, q):
    rows = conn.execute('EXPLAIN (COSTS OFF) ' + SQL % (table, K), (q,)).fetchall()
    return next(r[0].strip().lstrip('-> ').split(' using')[0] for r in rows
                if 'Scan' in r[0])


def run_pass(conn, table, texts, ef):
    """latencies, result id sets, backend CPU microseconds per query"""
    conn.execute('SET hnsw.ef_search = %d' % ef)
    lat, got = [], []
    cpu0 = backend_cpu_ns(conn.info.backend_pid)
    for i, q in enumerate(texts):
        t0 = time.perf_counter()
        if table is None:
            rows = conn.execute('SELECT id FROM items WHERE id = %s', (i + 1,),
                                prepare=True).fetchall()
        else:
            rows = conn.execute(SQL % (table, K), (q,), prepare=True).fetchall()
        lat.append(time.perf_counter() - t0)
        got.append(set(r[0] for r in rows))
    return lat, got, (backend_cpu_ns(conn.info.backend_pid) - cpu0) / 1000 / len(texts)


def measure(targets, queries, gt, efs, reps):
    texts = [vec_text(q) for q in queries]
    conns = {t: connect(db) for t, (db, _) in targets.items()}
    plans = {}
    for t, c in conns.items():
        table = targets[t][1]
        run_pass(c, table, texts, max(efs))       # warm caches, prepare
        plans[t] = plan_node(c, table, texts[0]) if table else 'Index Scan (primary key)'
    out = {t: {'plan': plans[t]} for t in targets}
    order = list(targets)
    for ef in efs:
        res = {t: {'qps': [], 'lat': [], 'cpu': []} for t in targets}
        for rep in range(reps):
            for t in order[rep % len(order):] + order[:rep % len(order)]:
                lat, got, cpu = run_pass(conns[t], targets[t][1], texts, ef)
                res[t]['qps'].append(len(texts) / sum(lat))
                res[t]['cpu'].append(cpu)
                res[t]['lat'] += lat
                if rep == 0 and targets[t][1]:
                    res[t]['recall'] = sum(len(g & e) for g, e in zip(got, gt)) / (K * len(gt))
        for t in targets:
            lat = sorted(res[t]['lat'])
            out[t][ef] = {'recall': res[t].get('recall'), 'qps': statistics.median(res[t]['qps']),
                          'qps_runs': res[t]['qps'], 'p50_ms': 1000 * lat[len(lat) // 2],
                          'cpu_us': statistics.median(res[t]['cpu']), 'cpu_runs': res[t]['cpu']}
    for c in conns.values():
        c.close()
    return out


def report(storage, search, efs):
    targets = list(search)
    print('\n### Fashion-MNIST 60,000, %s storage\n' % storage)
    print('plans: ' + '; '.join('%s: %s' % (t, search[t]['plan']) for t in targets) + '\n')
    print('recall@10 / QPS / p50 ms / backend CPU us per query, one client\n')
    print('| ef_search | ' + ' | '.join(targets) + ' |')
    print('|---' * (len(targets) + 1) + '|')
    for ef in efs:
        cells = []
        for t in targets:
            r = search[t][ef]
            rec = '%.4f' % r['recall'] if r['recall'] is not None else '-'
            cells.append('%s / %.0f / %.3f / %.0f' % (rec, r['qps'], r['p50_ms'], r['cpu_us']))
        print('| %d | %s |' % (ef, ' | '.join(cells)))
    pairs = [(a, b) for a, b in [('vecdb-ios', 'vecdb-scan')] + [(t, p) for t in
             ('vecdb-ios', 'vecdb-scan') for p in targets if p not in
             ('vecdb-ios', 'vecdb-scan', 'floor')] if a in search and b in search]
    print('\nratios: QPS (median of per-pass ratios) / backend CPU per query (ratio of medians)\n')
    print('| ef_search | ' + ' | '.join('%s / %s' % p for p in pairs) + ' |')
    print('|---' * (len(pairs) + 1) + '|')
    for ef in efs:
        cells = []
        for a, b in pairs:
            ra, rb = search[a][ef], search[b][ef]
            q = statistics.median(x / y for x, y in zip(ra['qps_runs'], rb['qps_runs']))
            cells.append('%.2f / %.2f' % (q, ra['cpu_us'] / rb['cpu_us']))
        print('| %d | %s |' % (ef, ' | '.join(cells)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--peer', default=None)
    ap.add_argument('--storage', nargs='+', default=['default', 'plain'])
    ap.add_argument('--queries', type=int, default=500)
    ap.add_argument('--efs', type=int, nargs='+', default=[10, 20, 40])
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--keep', action='store_true', help='leave the databases')
    ap.add_argument('--reuse', action='store_true', help='measure the databases --keep left')
    ap.add_argument('--build-only', action='store_true', help='load and build, do not measure')
    ap.add_argument('--json')
    args = ap.parse_args()
    base, queries = fashion(args.queries)
    gt = truth(base, queries, 'l2')
    results = {'args': vars(args), 'load': os.getloadavg(), 'runs': []}
    for storage in args.storage:
        targets = build('vecdb', storage, base, args.reuse)
        if args.peer:
            targets.update(build(args.peer, storage, base, args.reuse))
        if args.build_only:
            continue
        search = measure(targets, queries, gt, args.efs, args.reps)
        report(storage, search, args.efs)
        results['runs'].append({'storage': storage, 'search': search})
        if args.keep or args.reuse:
            continue
        with connect('postgres') as c:
            for db in set(db for db, _ in targets.values()):
                c.execute('DROP DATABASE ' + db)
    results['load_after'] = os.getloadavg()
    print('\nload average before %s, after %s' % (results['load'], results['load_after']))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
