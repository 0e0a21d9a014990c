#!/usr/bin/python3
"""bench/filtered.py: filtered k-NN, vecdb's filter columns beside a peer.

Generates clustered unit vectors (cosine, fixed seed) with filter columns of
10%, 1% and 0.1% selectivity, both uncorrelated with the vectors (a value
drawn per row) and correlated (a value per cluster; each query asks for the
value of clusters far from its own).  Loads them by binary COPY into one
database per extension, builds `hnsw (v vector_cosine_ops)` -- for vecdb
with the filter columns in the index -- and runs, per filter, the queries
`SELECT id FROM items WHERE <col> = $2 ORDER BY v <=> $1 LIMIT 10` as
prepared statements with bound parameters, one client.  Exact answers by
brute force over the matching rows.  The peer runs with
hnsw.iterative_scan = relaxed_order and its defaults otherwise.

With --tenant, the tenant comparison instead: filter columns c100, c1000,
c10000 and c10 (tenants of 1%, 0.1%, about 10 rows, fewer than ef_search,
and 10%), vecdb's plain filter index on all of them, one vecdb index per
column of --columns (default c100 c1000 c10000)
declared WITH (tenant = column), and the peer; query, recall, rows, p50,
QPS, index size and CREATE INDEX time for each, the queries of one case
interleaved across the systems.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER; prints markdown and
writes every figure with --json.
"""

import argparse
import json
import os
import statistics
import struct
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_quality import connect, setup_db, vec_text  # noqa: E402

DIM = 768
POINTS_PER_CLUSTER = 100
NOISE = 0.025
SEED = 7171
FILTERS = [('c10', 10), ('c100', 100), ('c1000', 1000)]


def generate(n, nq):
    """Rows, their cluster ids, and queries with theirs."""
    nclusters = max(10, n // POINTS_PER_CLUSTER)
    rng = np.random.default_rng(SEED)
    centers = rng.standard_normal((nclusters, DIM), dtype=np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)

    def points(count):
        cl = rng.integers(0, nclusters, count)
        x = rng.standard_normal((count, DIM), dtype=np.float32) * NOISE + centers[cl]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x, cl
    base, bcl = points(n)
    queries, qcl = points(nq)
    return base, bcl, queries, qcl, nclusters


def columns(n, bcl):
    """Filter values per row: uncorrelated (drawn) and correlated (by cluster)."""
    rng = np.random.default_rng(SEED + 1)
    cols = {}
    for name, k in FILTERS:
        cols[name] = rng.integers(0, k, n).astype(np.int32)
        cols['k' + name[1:]] = (bcl % k).astype(np.int32)
    return cols


def copy_records(ids, base, cols=None, names=()):
    """Binary COPY tuples (id int, v vector, <names> int), no header or trailer."""
    d = base.shape[1]
    fields = [('nf', '>i2'), ('l0', '>i4'), ('id', '>i4'), ('l1', '>i4'), ('dim', '>i2'),
              ('unused', '>i2'), ('v', '>f4', (d,))]
    for c in names:
        fields += [('l' + c, '>i4'), (c, '>i4')]
    rec = np.empty(len(base), np.dtype(fields))
    rec['nf'] = 2 + len(names)
    rec['l0'] = 4
    rec['id'] = ids
    rec['l1'] = 4 + 4 * d
    rec['dim'] = d
    rec['unused'] = 0
    rec['v'] = base
    for c in names:
        rec['l' + c] = 4
        rec[c] = cols[c]
    return rec.tobytes()


COPY_HEADER = b'PGCOPY\n\xff\r\n\0' + struct.pack('>ii', 0, 0)
COPY_TRAILER = struct.pack('>h', -1)


def copy_payload(base, cols, names, first_id=1):
    """A whole binary COPY of rows with ids first_id, first_id + 1, ..."""
    ids = np.arange(first_id, first_id + len(base))
    return COPY_HEADER + copy_records(ids, base, cols, names) + COPY_TRAILER


def setup(ext, base, cols, names, with_filters, btree, prefix='filtered_', indexed=None,
          options=''):
    """Loads the table into a new database; indexed: the filter columns the
    index takes (default: all names when with_filters), options: its WITH."""
    db = setup_db(ext, prefix)
    indexed = (names if with_filters else []) if indexed is None else indexed
    with connect(db) as c:
        c.execute('CREATE TABLE items (id int PRIMARY KEY, v vector(%d), %s)' %
                  (base.shape[1], ', '.join('%s int' % n for n in names)))
        c.execute('ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN')
        t0 = time.time()
        with c.cursor().copy('COPY items (id, v, %s) FROM STDIN (FORMAT binary)' %
                             ', '.join(names)) as cp:
            cp.write(copy_payload(base, cols, names))
        load = time.time() - t0
        c.execute("SET maintenance_work_mem = '2GB'")
        t0 = time.time()
        c.execute('CREATE INDEX items_idx ON items USING hnsw (v vector_cosine_ops%s)%s' %
                  (''.join(', ' + n for n in indexed), options))
        build = time.time() - t0
        for n in names if btree else []:
            c.execute('CREATE INDEX ON items (%s)' % n)
        c.execute('VACUUM ANALYZE items')
        size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
    return db, {'load_s': load, 'build_s': build, 'index_bytes': size}


def truth_for(base, cols, queries, col, values):
    out = []
    for q, val in zip(queries, values):
        idx = np.nonzero(cols[col] == val)[0] if col else np.arange(len(base))
        d = 1 - base[idx] @ q
        out.append(set((idx[np.argsort(d, kind='stable')[:10]] + 1).tolist()))
    return out


def run_queries(db, ext, col, values, queries, truth, ef):
    with connect(db) as c:
        c.execute('SET hnsw.ef_search = %d' % ef)
        if not ext.startswith('vecdb'):
            c.execute("SET hnsw.iterative_scan = relaxed_order")
        sql = ('SELECT id FROM items WHERE %s = %%s ORDER BY v <=> %%s LIMIT 10' % col
               if col else 'SELECT id FROM items ORDER BY v <=> %s LIMIT 10')
        plan = '\n'.join(r[0] for r in c.execute(
            'EXPLAIN ' + sql, ((int(values[0]), vec_text(queries[0])) if col
                               else (vec_text(queries[0]),)), prepare=False).fetchall())
        lat, hits, rows = [], 0, 0
        for rep in range(2):
            for q, val, t in zip(queries, values, truth):
                args = (int(val), vec_text(q)) if col else (vec_text(q),)
                t0 = time.perf_counter()
                got = [r[0] for r in c.execute(sql, args, prepare=True).fetchall()]
                dt = time.perf_counter() - t0
                if rep == 1:
                    lat.append(dt)
                    hits += len(set(got) & t)
                    rows += len(got)
    nq = len(queries)
    want = sum(min(10, len(t)) for t in truth)
    return {'recall': hits / want if want else 1.0,
            'rows': rows / nq, 'p50_ms': statistics.median(lat) * 1000,
            'qps': nq / sum(lat), 'plan': 'hnsw' if 'items_idx' in plan else
            ('btree' if 'Index' in plan else 'seq')}


# c10 (10%) last: the values of the others are drawn first, as before it was added
TENANT_FILTERS = [('c100', 100), ('c1000', 1000), ('c10000', 10000), ('c10', 10)]


def tenant_main(a):
    """vecdb's filter index, vecdb tenant indexes, the peer: one run."""
    base, bcl, queries, qcl, ncl = generate(a.rows, a.queries)
    rng = np.random.default_rng(SEED + 1)
    cols = {name: rng.integers(0, k, a.rows).astype(np.int32) for name, k in TENANT_FILTERS}
    names = sorted(cols)
    systems = [] if a.no_plain else [('vecdb', 'vecdb', 'tenant_plain_', names, '')]
    for name, _ in TENANT_FILTERS:
        if name not in a.columns:
            continue
        systems.append(('vecdb tenant=' + name, 'vecdb', 'tenant_%s_' % name, [name],
                        " WITH (tenant = '%s')" % name))
    if a.peer:
        systems.append((a.peer, a.peer, 'tenant_', [], ''))
    out = {'rows': a.rows, 'queries': a.queries, 'ef_search': a.ef, 'tenant': True,
           'systems': {}, 'results': {}}
    dbs = {}
    for label, ext, prefix, indexed, options in systems:
        dbs[label], out['systems'][label] = setup(ext, base, cols, names, True, False,
                                                 prefix, indexed, options)
        print(label, out['systems'][label], flush=True)
    qrng = np.random.default_rng(SEED + 2)
    cases = [('none', None, [0] * a.queries)]
    for name, k in TENANT_FILTERS:
        vals = qrng.integers(0, k, a.queries)
        if name in a.columns:
            cases.append((name, name, vals))
    for case, col, values in cases:
        truth = truth_for(base, cols, queries, col, values)
        for label, ext, _, indexed, _ in systems:
            if col and ext == 'vecdb' and col not in indexed:
                continue
            r = run_queries(dbs[label], label, col, values, queries, truth, a.ef)
            r['nodes'] = (last_nodes(dbs[label], col, values, queries, a.ef)
                          if ext == 'vecdb' and r['plan'] == 'hnsw' else None)
            out['results'].setdefault(case, {})[label] = r
            print(case, label, r, flush=True)
    print('\n| filter | system | recall | rows | p50 ms | QPS | plan | nodes measured |')
    print('|---|---|---|---|---|---|---|---|')
    for case, _, _ in cases:
        for label, r in out['results'][case].items():
            print('| %s | %s | %.3f | %.1f | %.2f | %.0f | %s | %s |' % (
                case, label, r['recall'], r['rows'], r['p50_ms'], r['qps'], r['plan'],
                '-' if r['nodes'] is None else '%.0f' % r['nodes']))
    print('\n| system | CREATE INDEX s | index MB |')
    print('|---|---|---|')
    for label, st in out['systems'].items():
        print('| %s | %.1f | %.0f |' % (label, st['build_s'], st['index_bytes'] / 2**20))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


def last_nodes(db, col, values, queries, ef=None):
    """Median nodes measured per query (vecdb_last_scan), 20 queries, at
    hnsw.ef_search ef (None: the default)."""
    sql = ('SELECT id FROM items WHERE %s = %%s ORDER BY v <=> %%s LIMIT 10' % col
           if col else 'SELECT id FROM items ORDER BY v <=> %s LIMIT 10')
    got = []
    with connect(db) as c:
        if ef is not None:
            c.execute('SET hnsw.ef_search = %d' % ef)
        for q, val in list(zip(queries, values))[:20]:
            c.execute(sql, (int(val), vec_text(q)) if col else (vec_text(q),)).fetchall()
            row = c.execute('SELECT nodes_measured FROM vecdb_last_scan()').fetchone()
            got.append(row[0] if row and row[0] is not None else 0)
    return statistics.median(got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--peer', default='vector')
    ap.add_argument('--ef', type=int, default=40)
    ap.add_argument('--btree', action='store_true',
                    help='also a btree index on each filter column (both extensions), '
                    'so that the planner may pick an exact scan of the matching rows')
    ap.add_argument('--tenant', action='store_true',
                    help='the tenant comparison (see above) instead')
    ap.add_argument('--no-plain', action='store_true',
                    help='with --tenant: without vecdb\'s plain filter index (a shorter run)')
    ap.add_argument('--columns', nargs='+', default=['c100', 'c1000', 'c10000'],
                    help='with --tenant: the tenant columns to index and query '
                    '(of c100 c1000 c10000 c10)')
    ap.add_argument('--json')
    a = ap.parse_args()
    if a.tenant:
        return tenant_main(a)
    base, bcl, queries, qcl, ncl = generate(a.rows, a.queries)
    cols = columns(a.rows, bcl)
    names = sorted(cols)
    exts = ['vecdb'] + ([a.peer] if a.peer else [])
    dbs, out = {}, {'rows': a.rows, 'queries': a.queries, 'ef_search': a.ef, 'btree': a.btree,
                    'results': {}}
    for ext in exts:
        dbs[ext], out[ext] = setup(ext, base, cols, names, ext == 'vecdb', a.btree)
        print(ext, out[ext], flush=True)
    rng = np.random.default_rng(SEED + 2)
    cases = [('none', None, [0] * a.queries)]
    for name, k in FILTERS:
        cases.append((name, name, rng.integers(0, k, a.queries)))
        # correlated: the value of clusters half the cluster ring away
        cases.append(('k' + name[1:], 'k' + name[1:], (qcl + (ncl // 2)) % k))
    for case, col, values in cases:
        truth = truth_for(base, cols, queries, col, values)
        for ext in exts:
            r = run_queries(dbs[ext], ext, col, values, queries, truth, a.ef)
            out['results'].setdefault(case, {})[ext] = r
            print(case, ext, r, flush=True)
    print('\n| filter | selectivity | ' + ' | '.join(
        '%s recall | rows | p50 ms | QPS | plan' % e for e in exts) + ' |')
    print('|---|---|' + '---|---|---|---|---|' * len(exts))
    for case, col, _ in cases:
        sel = {'none': '100%', 'c10': '10%', 'c100': '1%', 'c1000': '0.1%',
               'k10': '10% corr', 'k100': '1% corr', 'k1000': '0.1% corr'}[case]
        print('| %s | %s | ' % (case, sel) + ' | '.join(
            '%.3f | %.1f | %.2f | %.0f | %s' % tuple(
                out['results'][case][e][k] for k in ('recall', 'rows', 'p50_ms', 'qps', 'plan'))
            for e in exts) + ' |')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(out, f, indent=1)


if __name__ == '__main__':
    main()
