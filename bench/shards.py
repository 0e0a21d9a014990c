#!/usr/bin/python3
"""bench/shards.py: k-NN on one server against three postgres_fdw shards.

Generates clustered unit vectors (cosine, fixed seed; bench/filtered.py's
generator), starts four throwaway clusters on this machine (initdb in
--workdir, ports --port .. --port+3): "single" holds every row in one table
and, in a second database, the coordinator of "shard1".."shard3", which hold
a third of the rows each, placed where the coordinator's hash partitioning
on id puts them (README, "Scale-out with postgres_fdw": servers with
extensions 'vecdb', async_capable, the partitions as foreign tables).
Builds `hnsw (v vector_cosine_ops)` on the single table and on each shard,
then runs `SELECT id FROM items ORDER BY v <=> $1 LIMIT 10` as a prepared
statement (the vector a bound parameter, psycopg 3) at each ef_search, with
1 and 2 clients, against:

  single         the one server's table
  shards         the coordinator, vecdb's defaults: the LIMIT and the
                 settings sent to each shard, the shards asked at once
  shards-serial  the same with enable_async_append = off (a Merge Append:
                 the shards asked one after another)
  shards-fdw     vecdb.fdw_limit_pushdown = off (postgres_fdw alone: no
                 LIMIT sent, shards asked one after another)

Each client runs every query twice; the second pass is measured: recall@10
against brute force, QPS (all clients' measured queries over the longest
client's measured time), p50 and p99 latency.  The sweep over every
configuration runs --rounds times; the table gives each round's figure.  The
coordinator's EXPLAIN VERBOSE of one query per configuration (Remote SQL) is
recorded.  Run as a user that can initdb (postgres); prints markdown and
writes every figure with --json.

  su postgres -c 'python3 bench/shards.py --json /tmp/shards.json'
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filtered import COPY_HEADER, COPY_TRAILER, copy_records, generate  # noqa: E402
from graph_quality import vec_text  # noqa: E402

BIN = '/usr/lib/postgresql/15/bin'
K = 10


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def start_cluster(workdir, name, port, shared_buffers):
    data = os.path.join(workdir, name)
    if not os.path.exists(data):
        sh(BIN + '/initdb', '-D', data, '-A', 'trust', '-U', 'postgres')
        with open(os.path.join(data, 'postgresql.conf'), 'a') as f:
            f.write("""
port = %d
listen_addresses = ''
unix_socket_directories = '%s'
shared_buffers = %s
maintenance_work_mem = '1500MB'
max_parallel_maintenance_workers = 1
jit = off
autovacuum = off
fsync = off
max_wal_size = '16GB'
session_preload_libraries = 'vecdb'
""" % (port, workdir, shared_buffers))
    sh(BIN + '/pg_ctl', '-D', data, '-l', data + '.log', '-w', 'start')
    return data


def stop_cluster(data):
    sh(BIN + '/pg_ctl', '-D', data, '-m', 'fast', '-w', 'stop')


def conn(workdir, port, db='postgres'):
    return psycopg.connect(host=workdir, port=port, user='postgres', dbname=db,
                           autocommit=True)


def load_table(c, ids, vecs):
    """items (id, v) in database c, loaded by binary COPY, indexed, analyzed."""
    c.execute('DROP TABLE IF EXISTS items')
    c.execute('CREATE TABLE items (id int PRIMARY KEY, v vector(%d))' % vecs.shape[1])
    c.execute('ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN')
    with c.cursor().copy('COPY items (id, v) FROM STDIN (FORMAT binary)') as cp:
        cp.write(COPY_HEADER)
        step = 20000
        for i in range(0, len(ids), step):
            cp.write(copy_records(ids[i:i + step], vecs[i:i + step]))
        cp.write(COPY_TRAILER)
    t0 = time.time()
    c.execute('CREATE INDEX items_idx ON items USING hnsw (v vector_cosine_ops)')
    build = time.time() - t0
    c.execute('VACUUM ANALYZE items')
    size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
    return {'rows': len(ids), 'build_s': build, 'index_bytes': size}


def truth(base, queries):
    out = []
    for q in queries:
        d = 1 - base @ q
        out.append(set((np.argsort(d, kind='stable')[:K] + 1).tolist()))
    return out


SQL = 'SELECT id FROM items ORDER BY v <=> %s LIMIT 10'


def client(workdir, port, db, sets, queries, t, out):
    with conn(workdir, port, db) as c:
        for s in sets:
            c.execute(s)
        lat, hits = [], 0
        for rep in range(2):
            for q, want in zip(queries, t):
                t0 = time.perf_counter()
                got = [r[0] for r in c.execute(SQL, (vec_text(q),), prepare=True).fetchall()]
                dt = time.perf_counter() - t0
                if rep == 1:
                    lat.append(dt)
                    hits += len(set(got) & want)
        out.append((lat, hits))


def measure(workdir, port, db, sets, queries, t, clients):
    """Every client runs all queries twice; the second passes are timed."""
    out = []
    threads = [threading.Thread(target=client, args=(workdir, port, db, sets, queries, t, out))
               for _ in range(clients)]
    # QPS: the measured queries of all clients over the longest client's
    # measured time (the sum of its latencies)
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    lat = sorted(x for l, _ in out for x in l)
    hits = sum(h for _, h in out)
    per_client_wall = [sum(l) for l, _ in out]
    return {'recall': hits / (K * len(queries) * clients),
            'qps': len(lat) / max(per_client_wall),
            'p50_ms': statistics.median(lat) * 1000,
            'p99_ms': lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000}


def uptime():
    with open('/proc/loadavg') as f:
        return f.read().split()[:3]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=300000)
    ap.add_argument('--queries', type=int, default=200)
    ap.add_argument('--ef', default='40,100')
    ap.add_argument('--clients', default='1,2')
    ap.add_argument('--rounds', type=int, default=2,
                    help='sweeps over every configuration, one after another')
    ap.add_argument('--workdir', default='/tmp/vecdb-shards-bench')
    ap.add_argument('--port', type=int, default=56010)
    ap.add_argument('--keep', action='store_true', help='leave the clusters running')
    ap.add_argument('--json')
    a = ap.parse_args()
    efs = [int(x) for x in a.ef.split(',')]
    nclients = [int(x) for x in a.clients.split(',')]
    os.makedirs(a.workdir, exist_ok=True)
    out = {'rows': a.rows, 'queries': a.queries, 'load_before': uptime(), 'setup': {},
           'results': {}, 'plans': {}}

    base, _, queries, _, _ = generate(a.rows, a.queries)
    t = truth(base, queries)
    ids = np.arange(1, a.rows + 1, dtype=np.int32)

    datas = [start_cluster(a.workdir, 'single', a.port, '2GB')]
    datas += [start_cluster(a.workdir, 'shard%d' % i, a.port + i, '1GB') for i in (1, 2, 3)]
    try:
        with conn(a.workdir, a.port) as c:
            c.execute('DROP DATABASE IF EXISTS single')
            c.execute('DROP DATABASE IF EXISTS coord')
            c.execute('CREATE DATABASE single')
            c.execute('CREATE DATABASE coord')
        with conn(a.workdir, a.port, 'single') as c:
            c.execute('CREATE EXTENSION vecdb')
            out['setup']['single'] = load_table(c, ids, base)
            print('single', out['setup']['single'], flush=True)
        with conn(a.workdir, a.port, 'coord') as c:
            c.execute('CREATE EXTENSION vecdb')
            c.execute('CREATE EXTENSION postgres_fdw')
            c.execute('CREATE TABLE items (id int NOT NULL, v vector(%d)) PARTITION BY HASH (id)'
                      % base.shape[1])
            for i in (1, 2, 3):
                c.execute("""CREATE SERVER shard%d FOREIGN DATA WRAPPER postgres_fdw
                    OPTIONS (host '%s', port '%d', dbname 'postgres', extensions 'vecdb',
                             async_capable 'true')""" % (i, a.workdir, a.port + i))
                c.execute('CREATE USER MAPPING FOR CURRENT_USER SERVER shard%d' % i)
                c.execute("""CREATE FOREIGN TABLE items_%d PARTITION OF items
                    FOR VALUES WITH (MODULUS 3, REMAINDER %d) SERVER shard%d
                    OPTIONS (table_name 'items')""" % (i, i - 1, i))
            # where the coordinator's hash puts each id
            part = np.array([r[0] for r in c.execute(
                """SELECT (SELECT r FROM generate_series(0, 2) r
                           WHERE satisfies_hash_partition('items'::regclass, 3, r, i))
                   FROM generate_series(1, %d) i ORDER BY i""" % a.rows).fetchall()])
        for i in (1, 2, 3):
            sel = part == i - 1
            with conn(a.workdir, a.port + i) as c:
                c.execute('CREATE EXTENSION IF NOT EXISTS vecdb')
                out['setup']['shard%d' % i] = load_table(c, ids[sel], base[sel])
                print('shard%d' % i, out['setup']['shard%d' % i], flush=True)
        with conn(a.workdir, a.port, 'coord') as c:
            n = c.execute('SELECT count(*) FROM items').fetchone()[0]
            assert n == a.rows, n

        configs = [('single', 'single', []),
                   ('shards', 'coord', []),
                   ('shards-serial', 'coord', ['SET enable_async_append = off']),
                   ('shards-fdw', 'coord', ['SET vecdb.fdw_limit_pushdown = off'])]
        for name, db, sets in configs:
            if db == 'coord':
                with conn(a.workdir, a.port, db) as c:
                    for s in sets + ['SET hnsw.ef_search = %d' % efs[0]]:
                        c.execute(s)
                    out['plans'][name] = [
                        re.sub(r"'\[[-0-9.e,]*\]'", "'[...]'", r[0]) for r in c.execute(
                            'EXPLAIN (VERBOSE, COSTS OFF) ' + SQL, (vec_text(queries[0]),)
                        ).fetchall()]
        for rnd in range(1, a.rounds + 1):
            for ef in efs:
                for nc in nclients:
                    for name, db, sets in configs:
                        r = measure(a.workdir, a.port, db,
                                    sets + ['SET hnsw.ef_search = %d' % ef], queries, t, nc)
                        r['load'] = uptime()
                        out['results']['%s/ef%d/c%d/r%d' % (name, ef, nc, rnd)] = r
                        print(name, 'ef', ef, 'clients', nc, 'round', rnd, r, flush=True)
    finally:
        if not a.keep:
            for d in datas:
                stop_cluster(d)
    out['load_after'] = uptime()

    print('\n| configuration | ef_search | clients | recall@10 | QPS | p50 ms | p99 ms '
          '| load (1/5/15 min) |')
    print('|---|---|---|---|---|---|---|---|')
    for ef in efs:
        for nc in nclients:
            for name, _, _ in configs:
                rs = [out['results']['%s/ef%d/c%d/r%d' % (name, ef, nc, rnd)]
                      for rnd in range(1, a.rounds + 1)]
                print('| %s | %d | %d | %s | %s | %s | %s | %s |' % (
                    name, ef, nc, ' / '.join('%.4f' % r['recall'] for r in rs),
                    ' / '.join('%.0f' % r['qps'] for r in rs),
                    ' / '.join('%.2f' % r['p50_ms'] for r in rs),
                    ' / '.join('%.2f' % r['p99_ms'] for r in rs),
                    ' / '.join(r['load'][0] for r in rs)))
    for name, plan in out['plans'].items():
        print('\n%s:\n```\n%s\n```' % (name, '\n'.join(plan)))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
