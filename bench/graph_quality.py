#!/usr/bin/env python3
"""bench/graph_quality.py: graph quality at the edges, vecdb beside a peer.

Measures what recall and reachability look like where HNSW graphs are known
to degrade, with the same data and settings for vecdb and (with --peer) a
pgvector-compatible peer extension installed in the same server, runs
interleaved per seed:

  vacuum     10,000 random 3-d rows, m = 4, ef_construction = 8; delete 75%,
             VACUUM; recall@20 at ef_search 20 over 20 random queries (or
             --vacuum-queries), per seed (pgvector's vacuum-recall scenario).
  bitvacuum  pgvector's VACUUM recall test on bits: 10,000 random 52-bit
             strings (bit_hamming_ops), m = 4, ef_construction = 8; delete
             75%, VACUUM; recall@20 at ef_search 100 over 20 random queries
             (or --vacuum-queries), a hit being any row within the 20th
             exact distance (the test's rule: Hamming distances tie).
  ip         rows with lognormal norms and random directions (inner product):
             recall@10 at several ef_search values, per seed.
  ipins      the same rows inserted one by one by 4 clients into an empty
             index.
  dups       identical vectors: rows an iterative scan returns for 10,000
             copies, rows returned at ef_search 1 and 2 for 20 copies.
  repair     vecdb only: the build's reachability repair per metric (its
             DEBUG line) and vecdb_index_check's counts.
  reach      vecdb builds only: unreachable nodes after 8,000 x 128 builds
             at maintenance_work_mem 1MB (serial, parallel), and after
             --churn-seconds of 6 inserters, 3 searchers and a DELETE/VACUUM
             loop (then after one more VACUUM).
  fashion    Fashion-MNIST (60,000 x 784, L2), m = 16, ef_construction 64:
             delete 10% or 50%, VACUUM (timed); recall@10 over 200 test
             queries (or --fashion-queries) at ef_search 10/20/40 after, and
             unreachable nodes after (vecdb); the VACUUM backend's CPU time
             too when the server runs on this machine.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; creates and drops the
databases gq_vecdb and gq_<peer>.  Queries are prepared, the vector a bound
parameter.  Prints a markdown report; --json writes every figure.

  python3 bench/graph_quality.py --peer vector --seeds 11 vacuum ip dups
"""

import argparse
import json
import os
import random
import re
import statistics
import struct
import time

import numpy as np
import psycopg

FASHION_DIR = '/usr/share/datasets/fashion-mnist'


def connect(db):
    return psycopg.connect(dbname=db, autocommit=True)


def setup_db(ext, prefix='gq_'):
    """A new database prefix + ext with the extension ext created in it."""
    db = prefix + ext
    with connect('postgres') as c:
        c.execute('DROP DATABASE IF EXISTS ' + db)
        c.execute('CREATE DATABASE ' + db)
    with connect(db) as c:
        c.execute('CREATE EXTENSION ' + ext)
    return db


def vec_text(v):
    return '[' + ','.join('%.8g' % x for x in v) + ']'


def load(c, table, rows, dim):
    c.execute('DROP TABLE IF EXISTS %s' % table)
    c.execute('CREATE TABLE %s (i int4, v vector(%d))' % (table, dim))
    c.execute('ALTER TABLE %s SET (autovacuum_enabled = false)' % table)
    with c.cursor() as cur:
        with cur.copy('COPY %s (i, v) FROM STDIN' % table) as cp:
            for i, r in enumerate(rows, 1):
                cp.write_row((i, vec_text(r)))


def knn(c, table, op, q, k, ef=None, exact=False):
    # a plan is made for each execution (the settings differ between the
    # exact and the index query, and a cached plan would not notice)
    sets = ['SET plan_cache_mode = force_custom_plan',
            'SET enable_seqscan = %s' % ('on' if exact else 'off'),
            'SET enable_indexscan = %s' % ('off' if exact else 'on')]
    if ef is not None:
        sets.append('SET hnsw.ef_search = %d' % ef)
    for s in sets:
        c.execute(s)
    sql = 'SELECT i FROM {} ORDER BY v {} %s::vector LIMIT {}{}'.format(
        table, op, k, ' -- exact' if exact else '')
    rows = c.execute(sql, (vec_text(q),), prepare=True).fetchall()
    return [r[0] for r in rows]


def recall(c, table, op, queries, truth, k, ef):
    hit = 0
    for q, t in zip(queries, truth):
        got = set(knn(c, table, op, q, k, ef))
        hit += len(got & set(t))
    return hit / float(k * len(queries))


def check(c, index):
    r = c.execute('SELECT nodes, unreachable_nodes FROM vecdb_index_check(%s::regclass)',
                  (index,)).fetchone()
    return {'nodes': r[0], 'unreachable': r[1]}


# ---- vacuum: pgvector's scenario ----

def run_vacuum(dbs, seeds, nq):
    out = {e: [] for e in dbs}
    for seed in range(seeds):
        rng = np.random.default_rng(1000 + seed)
        rows = rng.random((10000, 3), dtype=np.float32)
        queries = rng.random((nq, 3), dtype=np.float32)
        for ext, db in dbs.items():
            with connect(db) as c:
                load(c, 'tv', rows, 3)
                c.execute('CREATE INDEX tv_idx ON tv USING hnsw (v vector_l2_ops) '
                          'WITH (m = 4, ef_construction = 8)')
                c.execute('DELETE FROM tv WHERE i > 2500')
                truth = [knn(c, 'tv', '<->', q, 20, exact=True) for q in queries]
                before = recall(c, 'tv', '<->', queries, truth, 20, 20)
                t0 = time.time()
                c.execute('VACUUM tv')
                vac = time.time() - t0
                after = recall(c, 'tv', '<->', queries, truth, 20, 20)
                res = {'seed': seed, 'before': before, 'after': after, 'vacuum_s': vac}
                if ext.startswith('vecdb'):
                    res.update(check(c, 'tv_idx'))
                out[ext].append(res)
                print('vacuum seed %d %-6s recall before %.4f after %.4f' %
                      (seed, ext, before, after), flush=True)
    return out


# ---- bitvacuum: pgvector's bit VACUUM recall test ----

def bit_recall(c, queries, limit, ef):
    c.execute('SET enable_seqscan = off')
    c.execute('SET hnsw.ef_search = %d' % ef)
    hits = 0
    for q, within in queries:
        got = c.execute('SELECT i FROM tb ORDER BY v <~> %s::bit(52) LIMIT %d' % ('%s', limit),
                        (q,), prepare=True).fetchall()
        hits += sum(1 for (i,) in got if i in within)
    c.execute('RESET enable_seqscan')
    return hits / (limit * len(queries))


def run_bitvacuum(dbs, seeds, nq):
    out = {e: [] for e in dbs}
    for seed in range(seeds):
        rng = np.random.default_rng(3000 + seed)
        rows = rng.integers(0, 2, (10000, 52))
        qbits = [''.join(map(str, b)) for b in rng.integers(0, 2, (nq, 52))]
        for ext, db in dbs.items():
            with connect(db) as c:
                c.execute('DROP TABLE IF EXISTS tb')
                c.execute('CREATE TABLE tb (i int, v bit(52)) WITH (autovacuum_enabled = false)')
                with c.cursor().copy('COPY tb (i, v) FROM STDIN') as cp:
                    for i, r in enumerate(rows):
                        cp.write_row((i + 1, ''.join(map(str, r))))
                c.execute('CREATE INDEX tb_idx ON tb USING hnsw (v bit_hamming_ops) '
                          'WITH (m = 4, ef_construction = 8)')
                c.execute('DELETE FROM tb WHERE i > 2500')
                c.execute('SET enable_indexscan = off')
                queries = [(q, {i for (i,) in c.execute(
                    'SELECT i FROM tb WHERE v <~> %s::bit(52) <= (SELECT v <~> %s::bit(52) '
                    'FROM tb ORDER BY 1 OFFSET 19 LIMIT 1)', (q, q))}) for q in qbits]
                c.execute('RESET enable_indexscan')
                before = bit_recall(c, queries, 20, 100)
                t0 = time.time()
                c.execute('VACUUM tb')
                vac = time.time() - t0
                after = bit_recall(c, queries, 20, 100)
                res = {'seed': seed, 'before': before, 'after': after, 'vacuum_s': vac}
                if ext.startswith('vecdb'):
                    res.update(check(c, 'tb_idx'))
                out[ext].append(res)
                print('bitvacuum seed %d %-6s recall before %.4f after %.4f vacuum %.3f s' %
                      (seed, ext, before, after, vac), flush=True)
    return out


# ---- ip: lognormal norms ----

def ip_data(seed, n, dim, nq):
    rng = np.random.default_rng(2000 + seed)
    d = rng.standard_normal((n, dim)).astype(np.float32)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    d *= rng.lognormal(0.0, 1.0, (n, 1)).astype(np.float32)
    q = rng.standard_normal((nq, dim)).astype(np.float32)
    return d, q


def insert_parallel(db, table, rows, clients):
    """Inserts rows (ids 1..n) one statement each from several connections."""
    import concurrent.futures

    def work(part):
        with connect(db) as c:
            for i in range(part, len(rows), clients):
                c.execute('INSERT INTO %s (i, v) VALUES (%%s, %%s::vector)' % table,
                          (i + 1, vec_text(rows[i])), prepare=True)
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        list(ex.map(work, range(clients)))


def run_ip(dbs, seeds, n, dim, efs, inserted=False):
    out = {e: [] for e in dbs}
    for seed in range(seeds):
        rows, queries = ip_data(seed, n, dim, 100)
        # exact top 10 by inner product, computed here
        truth = [list(np.argsort(-(rows @ q), kind='stable')[:10] + 1) for q in queries]
        for ext, db in dbs.items():
            with connect(db) as c:
                t0 = time.time()
                if inserted:
                    load(c, 'tip', rows[:0], dim)
                    c.execute('CREATE INDEX tip_idx ON tip USING hnsw (v vector_ip_ops)')
                    insert_parallel(db, 'tip', rows, 4)
                else:
                    load(c, 'tip', rows, dim)
                    c.execute('CREATE INDEX tip_idx ON tip USING hnsw (v vector_ip_ops)')
                build = time.time() - t0
                res = {'seed': seed, 'build_s': build}
                for ef in efs:
                    res['ef%d' % ef] = recall(c, 'tip', '<#>', queries, truth, 10, ef)
                if ext.startswith('vecdb'):
                    res.update(check(c, 'tip_idx'))
                out[ext].append(res)
                print('ip%s seed %d %-6s %s' % ('ins' if inserted else '', seed, ext, ' '.join(
                    'ef%d %.4f' % (ef, res['ef%d' % ef]) for ef in efs)), flush=True)
    return out


# ---- dups ----

def count_rows(c, sql, *sets):
    for s in sets:
        c.execute(s)
    return c.execute(sql).fetchone()[0]


def run_dups(dbs):
    out = {}
    for ext, db in dbs.items():
        with connect(db) as c:
            res = {}
            c.execute('DROP TABLE IF EXISTS dup')
            c.execute('CREATE TABLE dup (id int, v vector(3))')
            c.execute("INSERT INTO dup SELECT g, '[1,2,3]' FROM generate_series(1, 10000) g")
            c.execute('CREATE INDEX dup_idx ON dup USING hnsw (v vector_l2_ops)')
            res['build_10000_iterative'] = count_rows(
                c, "SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[1,2,3]' LIMIT 100000) s",
                'SET enable_seqscan = off', 'SET hnsw.iterative_scan = relaxed_order',
                'SET hnsw.ef_search = 40')
            if ext.startswith('vecdb'):
                res['build_10000_check'] = check(c, 'dup_idx')
            c.execute('DROP TABLE dup')
            c.execute('CREATE TABLE dup (id int, v vector(3))')
            c.execute('CREATE INDEX dup_idx ON dup USING hnsw (v vector_l2_ops)')
            for g in range(1000):
                c.execute("INSERT INTO dup VALUES (%d, '[0,0,0]')" % g)
            res['insert_1000_iterative'] = count_rows(
                c, "SELECT count(*) FROM (SELECT id FROM dup ORDER BY v <-> '[0,0,0]' LIMIT 100000) s",
                'SET enable_seqscan = off', 'SET hnsw.iterative_scan = relaxed_order')
            if ext.startswith('vecdb'):
                res['insert_1000_check'] = check(c, 'dup_idx')
            c.execute('DROP TABLE dup')
            c.execute('CREATE TABLE t20 (v vector(3))')
            c.execute("INSERT INTO t20 SELECT '[1,1,1]' FROM generate_series(1, 20)")
            c.execute('CREATE INDEX ON t20 USING hnsw (v vector_l2_ops)')
            for ef in (1, 2):
                res['t20_ef%d' % ef] = count_rows(
                    c, "SELECT count(*) FROM (SELECT * FROM t20 ORDER BY v <-> '[1,1,1]') s",
                    'SET enable_seqscan = off', 'SET hnsw.iterative_scan = off',
                    'SET hnsw.ef_search = %d' % ef)
            c.execute('DROP TABLE t20')
            out[ext] = res
            print('dups %-6s %s' % (ext, res), flush=True)
    return out


# ---- reach: builds over memory, concurrent churn (vecdb builds only) ----

def reach_build(c, rows, dim, workers):
    load(c, 'tr', rows, dim)
    c.execute("SET maintenance_work_mem = '1MB'")
    c.execute('SET max_parallel_maintenance_workers = %d' % workers)
    c.execute('ALTER TABLE tr SET (parallel_workers = %d)' % max(workers, 0))
    c.execute('CREATE INDEX tr_idx ON tr USING hnsw (v vector_l2_ops)')
    c.execute('RESET maintenance_work_mem')
    c.execute('RESET max_parallel_maintenance_workers')
    return check(c, 'tr_idx')


def churn_worker(db, kind, dim, seconds, seed, first_id):
    rng = np.random.default_rng(seed)
    end = time.time() + seconds
    n = 0
    with connect(db) as c:
        while time.time() < end:
            if kind == 'insert':
                c.execute('INSERT INTO tr (i, v) VALUES (%s, %s::vector)',
                          (first_id + n, vec_text(rng.random(dim, dtype=np.float32))))
            elif kind == 'search':
                c.execute('SET enable_seqscan = off')
                c.execute('SELECT i FROM tr ORDER BY v <-> %s::vector LIMIT 10',
                          (vec_text(rng.random(dim, dtype=np.float32)),)).fetchall()
            else:
                c.execute('DELETE FROM tr WHERE i IN (SELECT i FROM tr ORDER BY random() LIMIT 200)')
                c.execute('VACUUM tr')
            n += 1
    return n


def run_reach(dbs, seconds):
    """Unreachable nodes after builds over maintenance_work_mem (serial and
    parallel) and after concurrent inserts, searches and DELETE/VACUUM."""
    import concurrent.futures
    out = {}
    rng = np.random.default_rng(77)
    rows = rng.random((8000, 128), dtype=np.float32)
    for ext, db in dbs.items():
        if not ext.startswith('vecdb'):
            continue
        res = {}
        with connect(db) as c:
            res['build_1MB_serial'] = reach_build(c, rows, 128, 0)
            res['build_1MB_parallel'] = reach_build(c, rows, 128, 1)
        kinds = ['insert'] * 6 + ['search'] * 3 + ['vacuum']
        with concurrent.futures.ThreadPoolExecutor(len(kinds)) as ex:
            futs = [ex.submit(churn_worker, db, k, 128, seconds, 100 + j, 1000000 * (j + 1))
                    for j, k in enumerate(kinds)]
            res['churn_ops'] = sum(f.result() for f in futs)
        with connect(db) as c:
            res['churn'] = check(c, 'tr_idx')
            c.execute('VACUUM tr')
            res['churn_then_vacuum'] = check(c, 'tr_idx')
        out[ext] = res
        print('reach %-10s %s' % (ext, res), flush=True)
    return out


# ---- repair (vecdb only) ----

def run_repair(db, n, dim):
    out = {}
    rows, _ = ip_data(0, n, dim, 1)
    with connect(db) as c:
        load(c, 'trep', rows, dim)
        notices = []
        c.add_notice_handler(lambda d: notices.append(d.message_primary))
        for opclass in ('vector_l2_ops', 'vector_ip_ops', 'vector_cosine_ops', 'vector_l1_ops'):
            notices.clear()
            c.execute('SET client_min_messages = debug1')
            c.execute('CREATE INDEX trep_idx ON trep USING hnsw (v %s)' % opclass)
            c.execute('SET client_min_messages = notice')
            lines = [m for m in notices if 'unreachable' in m]
            out[opclass] = {'debug': lines, **check(c, 'trep_idx')}
            c.execute('DROP INDEX trep_idx')
            print('repair %s %s' % (opclass, out[opclass]), flush=True)
    return out


# ---- fashion ----

def fashion(nq=200):
    import gzip

    def images(path):
        with gzip.open(path) as f:
            magic, n, r, c = struct.unpack('>IIII', f.read(16))
            return np.frombuffer(f.read(), dtype=np.uint8).reshape(n, r * c).astype(np.float32)
    train = images(os.path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz'))
    test = images(os.path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'))
    return train, test[:nq]


def exact_l2_top(rows, queries, k):
    """Row numbers (from 1) of each query's k nearest rows by L2, ties by row.
    Pixel values are whole numbers, so the float64 sums are exact."""
    a = rows.astype(np.float64)
    a2 = (a * a).sum(axis=1)
    out = []
    for b in range(0, len(queries), 100):
        q = queries[b:b + 100].astype(np.float64)
        d = a2[None, :] - 2.0 * (q @ a.T) + (q * q).sum(axis=1)[:, None]
        out.extend(list(np.argsort(r, kind='stable')[:k] + 1) for r in d)
    return out


def backend_cpu(pid):
    """CPU seconds (user + system) of a server process on this machine so far,
    or None where /proc cannot tell: VACUUM's own work, whatever else the
    machine runs."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def run_fashion(dbs, fractions, efs, nq):
    rows, queries = fashion(nq)
    out = {e: [] for e in dbs}
    for frac in fractions:
        keep = int(round(len(rows) * (1 - frac)))
        alive = rows[:keep]
        truth = exact_l2_top(alive, queries, 10)
        for ext, db in dbs.items():
            with connect(db) as c:
                load(c, 'tf', rows, 784)
                c.execute('ALTER TABLE tf ALTER COLUMN v SET STORAGE PLAIN')
                c.execute('SET maintenance_work_mem = \'1GB\'')
                c.execute('CREATE INDEX tf_idx ON tf USING hnsw (v vector_l2_ops)')
                c.execute('DELETE FROM tf WHERE i > %d' % keep)
                res = {'deleted': frac}
                pid = c.execute('SELECT pg_backend_pid()').fetchone()[0]
                cpu0 = backend_cpu(pid)
                t0 = time.time()
                c.execute('VACUUM tf')
                res['vacuum_s'] = time.time() - t0
                if cpu0 is not None:
                    res['vacuum_cpu_s'] = backend_cpu(pid) - cpu0
                for ef in efs:
                    res['ef%d' % ef] = recall(c, 'tf', '<->', queries, truth, 10, ef)
                if ext.startswith('vecdb'):
                    res.update(check(c, 'tf_idx'))
                out[ext].append(res)
                print('fashion %.0f%% %-6s %s' % (frac * 100, ext, res), flush=True)
                c.execute('DROP TABLE tf')
    return out


def summary(results):
    lines = []
    if 'vacuum' in results:
        lines.append('## vacuum (10,000 x 3, m 4, efc 8, 75% deleted; recall@20, ef_search 20)\n')
        lines.append('| extension | seeds | before: mean | after: mean | min | max | below 0.95 |')
        lines.append('|---|---|---|---|---|---|---|')
        for ext, rs in results['vacuum'].items():
            a = [r['after'] for r in rs]
            b = [r['before'] for r in rs]
            lines.append('| %s | %d | %.4f | %.4f | %.4f | %.4f | %d |' % (
                ext, len(rs), statistics.mean(b), statistics.mean(a), min(a), max(a),
                sum(1 for x in a if x < 0.95)))
    if 'bitvacuum' in results:
        lines.append('\n## bitvacuum (10,000 x 52 bits, m 4, efc 8, 75% deleted; '
                     'recall@20, ef_search 100)\n')
        lines.append('| extension | seeds | before: mean | after: mean | min | max | '
                     'below 0.80 | VACUUM s: mean |')
        lines.append('|---|---|---|---|---|---|---|---|')
        for ext, rs in results['bitvacuum'].items():
            a = [r['after'] for r in rs]
            lines.append('| %s | %d | %.4f | %.4f | %.4f | %.4f | %d | %.3f |' % (
                ext, len(rs), statistics.mean(r['before'] for r in rs), statistics.mean(a),
                min(a), max(a), sum(1 for x in a if x < 0.80),
                statistics.mean(r['vacuum_s'] for r in rs)))
    for key, what in (('ip', 'built'), ('ipins', 'inserted by 4 clients')):
        if key not in results:
            continue
        lines.append('\n## inner product, lognormal norms, %s (recall@10, mean over seeds)\n' % what)
        for ext, rs in results[key].items():
            keys = [k for k in rs[0] if k.startswith('ef')]
            lines.append('- %s: ' % ext + ', '.join(
                '%s %.4f' % (k, statistics.mean(r[k] for r in rs)) for k in keys) +
                ', build %.2f s' % statistics.median(r['build_s'] for r in rs))
    for key in ('dups', 'reach', 'repair', 'fashion'):
        if key in results:
            lines.append('\n## %s\n\n```\n%s\n```' % (key, json.dumps(results[key], indent=1)))
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', nargs='+',
                    choices=['vacuum', 'bitvacuum', 'ip', 'ipins', 'dups', 'repair', 'fashion', 'reach'])
    ap.add_argument('--peer', help='peer extensions to run beside vecdb, comma-separated '
                    '(e.g. vector; a vecdb build installed under another name works too)')
    ap.add_argument('--seeds', type=int, default=11)
    ap.add_argument('--vacuum-queries', type=int, default=20,
                    help='queries per seed in the vacuum case (pgvector\'s test: 20)')
    ap.add_argument('--ip-rows', type=int, default=20000)
    ap.add_argument('--ip-dim', type=int, default=64)
    ap.add_argument('--ef', default='10,20,40')
    ap.add_argument('--fashion-deleted', default='0.1,0.5')
    ap.add_argument('--fashion-queries', type=int, default=200,
                    help='test-set queries in the fashion case (the first N of 10,000)')
    ap.add_argument('--churn-seconds', type=int, default=90)
    ap.add_argument('--json')
    args = ap.parse_args()
    efs = [int(x) for x in args.ef.split(',')]
    dbs = {'vecdb': setup_db('vecdb')}
    for peer in (args.peer.split(',') if args.peer else []):
        dbs[peer] = setup_db(peer)
    results = {}
    for w in args.what:
        if w == 'vacuum':
            results[w] = run_vacuum(dbs, args.seeds, args.vacuum_queries)
        elif w == 'bitvacuum':
            results[w] = run_bitvacuum(dbs, args.seeds, args.vacuum_queries)
        elif w == 'ip':
            results[w] = run_ip(dbs, args.seeds, args.ip_rows, args.ip_dim, efs)
        elif w == 'ipins':
            results[w] = run_ip(dbs, args.seeds, args.ip_rows, args.ip_dim, efs, inserted=True)
        elif w == 'dups':
            results[w] = run_dups(dbs)
        elif w == 'repair':
            results[w] = run_repair(dbs['vecdb'], args.ip_rows, args.ip_dim)
        elif w == 'reach':
            results[w] = run_reach(dbs, args.churn_seconds)
        elif w == 'fashion':
            results[w] = run_fashion(dbs, [float(x) for x in args.fashion_deleted.split(',')], efs,
                                     args.fashion_queries)
    print(summary(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
