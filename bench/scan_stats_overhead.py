#!/usr/bin/env python3
"""bench/scan_stats_overhead.py: what vecdb.track_scans costs in query rate.

The cumulative scan counters (vecdb_stat_indexes) are added once per scan,
at its end: with vecdb in shared_preload_libraries, under a shared LWLock
and the index entry's spinlock.  This measures k-NN queries per second with
vecdb.track_scans on and off on the same index, at a small ef_search where
a scan is cheapest and the fixed cost per scan weighs most.

Data: --rows random vectors of --dims dimensions (uniform in [0, 1), seeded),
L2, an hnsw index with the default m and ef_construction.  Queries: LIMIT
--k at hnsw.ef_search --ef, each a prepared statement with the vector a
bound parameter (psycopg 3), --clients processes each with its own
connection, all on the same index.  The two settings alternate in blocks of
--seconds (the order swapped every round) for --rounds rounds; the report
gives each setting's median rate over the rounds, the ratio of medians, and
the median of the per-round ratios (on / off of the two adjacent blocks of
a round, which cancels drift in the machine's load between rounds).  On a
shared machine the rate follows the other load more than anything a scan
does, so each block also reads the server backends' own CPU time
(/proc/PID/schedstat, nanoseconds on a CPU: run on the server's machine, as
root or postgres) and reports backend CPU microseconds per query, which
waiting for a CPU does not inflate.

Connects to PGHOST/PGPORT as PGUSER (a superuser: vecdb.track_scans is
PGC_SUSET); creates and drops the database scanstats_bench.

  python3 bench/scan_stats_overhead.py --clients 1 2 --rounds 9
"""

import argparse
import json
import multiprocessing as mp
import statistics
import time

import numpy as np
import psycopg

DB = 'scanstats_bench'


def vec_text(v):
    return '[' + ','.join('%.6f' % x for x in v) + ']'


def setup(rows, dims, seed):
    with psycopg.connect(dbname='postgres', autocommit=True) as c:
        c.execute('DROP DATABASE IF EXISTS ' + DB)
        c.execute('CREATE DATABASE ' + DB)
    rng = np.random.default_rng(seed)
    data = rng.random((rows, dims), dtype=np.float32)
    with psycopg.connect(dbname=DB, autocommit=True) as c:
        c.execute('CREATE EXTENSION vecdb')
        c.execute('CREATE TABLE t (id int, v vector(%d))' % dims)
        with c.cursor().copy('COPY t (id, v) FROM STDIN') as cp:
            for i, r in enumerate(data):
                cp.write_row((i + 1, vec_text(r)))
        c.execute('CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops)')
        c.execute('VACUUM ANALYZE t')
    return rng.random((2000, dims), dtype=np.float32)


def backend_cpu_ns(pid):
    with open('/proc/%d/schedstat' % pid) as f:
        return int(f.read().split()[0])


def worker(schedule, seconds, ef, k, queries, barrier, out):
    """Runs each block of schedule ('on'/'off') for seconds; puts counts."""
    with psycopg.connect(dbname=DB, autocommit=True) as c:
        c.execute('SET hnsw.ef_search = %d' % ef)
        c.execute('SET enable_seqscan = off')
        sql = 'SELECT id FROM t ORDER BY v <-> %s::vector LIMIT ' + str(k)
        texts = [vec_text(q) for q in queries]
        for t in texts[:50]:
            c.execute(sql, (t,), prepare=True).fetchall()
        pid = c.execute('SELECT pg_backend_pid()').fetchone()[0]
        counts = []
        for mode in schedule:
            c.execute('SET vecdb.track_scans = ' + mode)
            barrier.wait()
            n = 0
            cpu = backend_cpu_ns(pid)
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                c.execute(sql, (texts[n % len(texts)],), prepare=True).fetchall()
                n += 1
            counts.append((n, backend_cpu_ns(pid) - cpu))
        out.put(counts)


def run(clients, rounds, seconds, ef, k, queries):
    schedule = []
    for r in range(rounds):
        schedule += ['on', 'off'] if r % 2 == 0 else ['off', 'on']
    barrier = mp.Barrier(clients)
    out = mp.Queue()
    procs = [mp.Process(target=worker,
                        args=(schedule, seconds, ef, k, queries[i::clients], barrier, out))
             for i in range(clients)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    rates = {'on': [], 'off': [], 'cpu_us_on': [], 'cpu_us_off': []}
    for b, mode in enumerate(schedule):
        n = sum(r[b][0] for r in results)
        rates[mode].append(n / seconds)
        rates['cpu_us_' + mode].append(sum(r[b][1] for r in results) / 1000.0 / n)
    rates['paired'] = [on / off for on, off in zip(rates['on'], rates['off'])]
    rates['cpu_paired'] = [on / off for on, off in zip(rates['cpu_us_on'], rates['cpu_us_off'])]
    return rates


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rows', type=int, default=20000)
    ap.add_argument('--dims', type=int, default=32)
    ap.add_argument('--ef', type=int, default=10)
    ap.add_argument('--k', type=int, default=10)
    ap.add_argument('--clients', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--rounds', type=int, default=9)
    ap.add_argument('--seconds', type=float, default=3.0)
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--json')
    a = ap.parse_args()
    queries = setup(a.rows, a.dims, a.seed)
    with psycopg.connect(dbname=DB, autocommit=True) as c:
        c.execute('SELECT vecdb_stat_reset()')
        sp = c.execute('SHOW shared_preload_libraries').fetchone()[0]
        version = c.execute('SELECT vecdb_version()').fetchone()[0]
    report = {'rows': a.rows, 'dims': a.dims, 'ef_search': a.ef, 'k': a.k,
              'rounds': a.rounds, 'seconds': a.seconds,
              'shared_preload_libraries': sp, 'vecdb_version': version, 'runs': []}
    print('%d x %d, ef_search %d, LIMIT %d, %d rounds of %.0f s per setting, '
          'shared_preload_libraries = %r'
          % (a.rows, a.dims, a.ef, a.k, a.rounds, a.seconds, sp))
    print()
    print('| clients | QPS track_scans on | QPS off | QPS on / off | per-round QPS ratio '
          '| backend CPU us/query on | off | on / off | per-round CPU ratio |')
    print('|---|---|---|---|---|---|---|---|---|')
    for n in a.clients:
        rates = run(n, a.rounds, a.seconds, a.ef, a.k, queries)
        on, off = statistics.median(rates['on']), statistics.median(rates['off'])
        paired = statistics.median(rates['paired'])
        con, coff = statistics.median(rates['cpu_us_on']), statistics.median(rates['cpu_us_off'])
        cpaired = statistics.median(rates['cpu_paired'])
        report['runs'].append({'clients': n, 'on': rates['on'], 'off': rates['off'],
                               'median_on': on, 'median_off': off, 'ratio': on / off,
                               'paired_ratios': rates['paired'], 'median_paired_ratio': paired,
                               'cpu_us_on': rates['cpu_us_on'], 'cpu_us_off': rates['cpu_us_off'],
                               'median_cpu_us_on': con, 'median_cpu_us_off': coff,
                               'cpu_ratio': con / coff, 'cpu_paired_ratios': rates['cpu_paired'],
                               'median_cpu_paired_ratio': cpaired})
        print('| %d | %.0f | %.0f | %.3f | %.3f | %.1f | %.1f | %.3f | %.3f |'
              % (n, on, off, on / off, paired, con, coff, con / coff, cpaired), flush=True)
    with psycopg.connect(dbname=DB, autocommit=True) as c:
        row = c.execute('SELECT scans, scope FROM vecdb_stat_indexes()').fetchall()
        report['counted'] = [list(r) for r in row]
        print()
        print('scans counted with track_scans on (vecdb_stat_indexes):', row)
    with psycopg.connect(dbname='postgres', autocommit=True) as c:
        c.execute('DROP DATABASE ' + DB)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(report, f, indent=1)


if __name__ == '__main__':
    main()
