#!/usr/bin/python3
"""bench/quantized.py: quantized HNSW indexes beside full-precision ones and a peer.

For each dataset -- Fashion-MNIST (60,000 x 784, L2; 200 test images as
queries) and generated clustered unit vectors (--rows x 768, cosine, fixed
seed) -- and for each column storage (PLAIN: vectors inline in the heap;
default: vectors over 2 KB in TOAST), loads the rows by binary COPY into one
database per target and builds `hnsw (v <opclass>)` with m = 16 and
ef_construction 64:

  vecdb        full-precision vectors in the graph
  vecdb-int8   WITH (quantization = int8): 8-bit codes, re-ranked
  vecdb-binary WITH (quantization = binary): 1-bit codes, re-ranked; one
               target per --binary-rerank factor F, the same index measured
               with hnsw.rerank_candidates = F * ef_search (named
               vecdb-binary-rcF; F = 0 leaves the setting at 0, named
               vecdb-binary)
  vecdb-pq     WITH (quantization = pq): product-quantization codes (a byte
               per 8 dimensions, k-means codebooks), re-ranked; one target
               per --pq-rerank factor, named as for binary (vecdb-pq-rcF)
  <peer>       the peer extension (pgvector), with --peer

Then, per hnsw.ef_search, runs the queries `SELECT id FROM items ORDER BY v
<op> $1 LIMIT 10` as a prepared statement with the vector a bound
parameter, one client, --reps passes per target, the targets interleaved
within each pass.  Reports CREATE INDEX time, index size, recall@10 (exact
answers by brute force in numpy), QPS (median of the passes) and p50/p99
latency (over all passes); with --clients 1 2, also with two clients
running the same queries at once (a pass is both clients' queries).
--keep leaves the databases for a later --reuse run (for instance after a
restart with another shared_buffers), which measures without building.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; creates and drops the
databases quant_*.  Prints markdown; --json writes every figure.

  python3 bench/quantized.py --peer vector --datasets fashion synthetic --rows 100000
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_quality import connect, fashion, setup_db, vec_text  # noqa: E402
from filtered import copy_payload, generate  # noqa: E402

K = 10


def dataset(name, rows, nq):
    """base, queries, metric"""
    if name == 'fashion':
        base, queries = fashion()
        return base, queries[:nq], 'l2'
    base, _, queries, _, _ = generate(rows, nq)
    return base, queries, 'cosine'


def truth(base, queries, metric):
    out = []
    for q in queries:
        if metric == 'l2':
            d = ((base - q) ** 2).sum(axis=1)
        else:
            d = -(base @ q)
        out.append(set((np.argsort(d, kind='stable')[:K] + 1).tolist()))
    return out


def build(target, ext, quant, storage, base, metric, mwm, reuse):
    db = 'quant_%s_%s_%s' % (target.replace('-', '_'), storage, ext)
    if reuse:
        with connect(db) as c:
            size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
        return db, {'build_s': None, 'index_bytes': size}
    db = setup_db(ext, 'quant_%s_%s_' % (target.replace('-', '_'), storage))
    opclass = 'vector_l2_ops' if metric == 'l2' else 'vector_cosine_ops'
    with connect(db) as c:
        c.execute('CREATE TABLE items (id int PRIMARY KEY, v vector(%d))' % base.shape[1])
        if storage == 'plain':
            c.execute('ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN')
        t0 = time.time()
        for lo in range(0, len(base), 100000):
            with c.cursor().copy('COPY items (id, v) FROM STDIN (FORMAT binary)') as cp:
                cp.write(copy_payload(base[lo:lo + 100000], {}, [], first_id=lo + 1))
        load = time.time() - t0
        c.execute('VACUUM ANALYZE items')
        c.execute("SET maintenance_work_mem = '%s'" % mwm)
        t0 = time.time()
        c.execute('CREATE INDEX items_idx ON items USING hnsw (v %s) WITH (m = 16, ef_construction = 64%s)'
                  % (opclass, ', quantization = %s' % quant if quant else ''))
        secs = time.time() - t0
        size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
    return db, {'load_s': load, 'build_s': secs, 'index_bytes': size}


def run_pass(conn, op, queries, ef, rerank=0):
    conn.execute('SET hnsw.ef_search = %d' % ef)
    if rerank:
        conn.execute('SET hnsw.rerank_candidates = %d' % (rerank * ef))
    sql = 'SELECT id FROM items ORDER BY v %s %%s::vector LIMIT %d' % (op, K)
    lat, got = [], []
    for q in queries:
        t0 = time.perf_counter()
        rows = conn.execute(sql, (q,), prepare=True).fetchall()
        lat.append(time.perf_counter() - t0)
        got.append(set(r[0] for r in rows))
    return lat, got


def two_clients(pair, op, texts, ef, rerank=0):
    """Both clients' latencies and the wall time of a pass of two clients,
    on two connections kept (and warmed) for the whole measurement."""
    lats = [None, None]
    start = threading.Barrier(3)

    def work(i):
        start.wait()
        lats[i] = run_pass(pair[i], op, texts, ef, rerank)[0]
    th = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for x in th:
        x.start()
    start.wait()
    t0 = time.perf_counter()
    for x in th:
        x.join()
    return lats[0] + lats[1], time.perf_counter() - t0


def measure(dbs, op, queries, gt, efs, reps, clients, reranks):
    texts = [vec_text(q) for q in queries]
    conns = {t: connect(db) for t, db in dbs.items()}
    pairs = {t: [connect(db), connect(db)] if 2 in clients else [] for t, db in dbs.items()}
    for t, c in conns.items():
        for x in [c] + pairs[t]:
            x.execute('SET enable_seqscan = off')
            run_pass(x, op, texts, max(efs), reranks.get(t, 0))   # warm caches, prepare
    out = {t: {} for t in dbs}
    for ef in efs:
        res = {t: {'qps': [], 'lat': [], 'qps2': [], 'lat2': []} for t in dbs}
        order = list(dbs)
        for rep in range(reps):
            for t in order[rep % len(order):] + order[:rep % len(order)]:
                lat, got = run_pass(conns[t], op, texts, ef, reranks.get(t, 0))
                res[t]['qps'].append(len(texts) / sum(lat))
                res[t]['lat'] += lat
                if rep == 0:
                    res[t]['recall'] = sum(len(g & e) for g, e in zip(got, gt)) / (K * len(gt))
                if 2 in clients:
                    lat2, wall = two_clients(pairs[t], op, texts, ef, reranks.get(t, 0))
                    res[t]['qps2'].append(len(lat2) / wall)
                    res[t]['lat2'] += lat2
        for t in dbs:
            lat = sorted(res[t]['lat'])
            out[t][ef] = {'recall': res[t]['recall'], 'qps': statistics.median(res[t]['qps']),
                          'qps_runs': res[t]['qps'],
                          'p50_ms': 1000 * lat[len(lat) // 2],
                          'p99_ms': 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))]}
            if res[t]['qps2']:
                lat2 = sorted(res[t]['lat2'])
                out[t][ef].update({'qps2': statistics.median(res[t]['qps2']),
                                   'qps2_runs': res[t]['qps2'],
                                   'p50_2_ms': 1000 * lat2[len(lat2) // 2],
                                   'p99_2_ms': 1000 * lat2[min(len(lat2) - 1, int(len(lat2) * 0.99))]})
    for c in list(conns.values()) + [x for p in pairs.values() for x in p]:
        c.close()
    return out


def report(name, storage, builds, search, efs, sb):
    targets = list(builds)
    last = targets[-1]
    print('\n### %s, %s storage, shared_buffers %s\n' % (name, storage, sb))
    print('| target | load s | CREATE INDEX s | index MB | size / %s |' % last)
    print('|---|---|---|---|---|')
    for t in targets:
        b = builds[t]
        print('| %s | %s | %s | %.1f | %.2f |' % (
            t, '%.1f' % b['load_s'] if b.get('load_s') is not None else '-',
            '%.1f' % b['build_s'] if b['build_s'] is not None else '-',
            b['index_bytes'] / 2**20, b['index_bytes'] / builds[last]['index_bytes']))
    print('\nrecall@10 / QPS / p50 / p99 ms, one client' +
          ('; then QPS / p50 / p99 ms with two' if 'qps2' in search[last][efs[0]] else '') + '\n')
    print('| ef_search | ' + ' | '.join(targets) + ' |')
    print('|---' * (len(targets) + 1) + '|')
    for ef in efs:
        cells = []
        for t in targets:
            r = search[t][ef]
            cell = '%.4f / %.0f / %.2f / %.2f' % (r['recall'], r['qps'], r['p50_ms'], r['p99_ms'])
            if 'qps2' in r:
                cell += '; %.0f / %.2f / %.2f' % (r['qps2'], r['p50_2_ms'], r['p99_2_ms'])
            cells.append(cell)
        print('| %d | %s |' % (ef, ' | '.join(cells)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--peer', default=None)
    ap.add_argument('--datasets', nargs='+', default=['fashion'])
    ap.add_argument('--storage', nargs='+', default=['plain', 'default'])
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=200)
    ap.add_argument('--efs', type=int, nargs='+', default=[10, 20, 40, 80])
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--clients', type=int, nargs='+', default=[1])
    ap.add_argument('--mwm', default='4GB', help='maintenance_work_mem of the builds')
    ap.add_argument('--keep', action='store_true', help='leave the databases')
    ap.add_argument('--reuse', action='store_true', help='measure the databases --keep left')
    ap.add_argument('--binary-rerank', type=int, nargs='*', default=[0, 4],
                    help='hnsw.rerank_candidates of the binary index, as multiples of ef_search')
    ap.add_argument('--pq-rerank', type=int, nargs='*', default=[0, 2],
                    help='hnsw.rerank_candidates of the pq index, as multiples of ef_search')
    ap.add_argument('--json')
    args = ap.parse_args()
    targets = [('vecdb', 'vecdb', None), ('vecdb-int8', 'vecdb', 'int8')]
    reranks = {}
    for quant, factors in (('binary', args.binary_rerank), ('pq', args.pq_rerank)):
        for f in factors:
            name = 'vecdb-' + quant + ('-rc%d' % f if f else '')
            targets.append((name, 'vecdb', quant))
            reranks[name] = f
    if args.peer:
        targets.append((args.peer, args.peer, None))
    results = {'args': vars(args), 'load': os.getloadavg(), 'runs': []}
    for name in args.datasets:
        base, queries, metric = dataset(name, args.rows, args.queries)
        gt = truth(base, queries, metric)
        op = '<->' if metric == 'l2' else '<=>'
        for storage in args.storage:
            builds, dbs = {}, {}
            built = {}
            for t, ext, quant in targets:
                if (ext, quant) in built:      # another setting of an index built
                    dbs[t], builds[t] = dbs[built[(ext, quant)]], builds[built[(ext, quant)]]
                    continue
                built[(ext, quant)] = t
                dbs[t], builds[t] = build(t, ext, quant, storage, base, metric, args.mwm, args.reuse)
                print('built %s %s %s: %s' % (name, storage, t, builds[t]), file=sys.stderr, flush=True)
            search = measure(dbs, op, queries, gt, args.efs, args.reps, args.clients, reranks)
            with connect('postgres') as c:
                sb = c.execute('SHOW shared_buffers').fetchone()[0]
            report(name, storage, builds, search, args.efs, sb)
            results['runs'].append({'dataset': name, 'rows': len(base), 'storage': storage,
                                    'shared_buffers': sb, 'builds': builds, 'search': search})
            if args.keep:
                continue
            with connect('postgres') as c:
                for db in set(dbs.values()):
                    c.execute('DROP DATABASE ' + db)
    results['load_after'] = os.getloadavg()
    print('\nload average before %s, after %s' % (results['load'], results['load_after']))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
