#!/usr/bin/env python3
"""bench/run.py: the vecdb benchmark (normally started by bench/bench.sh).

Loads each dataset into a database of its own per extension on one server,
builds HNSW indexes, and measures load time, CREATE INDEX time and size,
recall@10, QPS with 1 and 2 clients and latency per hnsw.ef_search, the
floor (a trivial prepared primary-key query over the same client path),
single-row INSERT throughput and VACUUM after deleting 10% of the rows.
With --peer, every measurement is taken against vecdb and the peer
extension in turn (A, B, A, B) and the report gives ratios vecdb / peer.

Writes results.json (every measurement and the medians), results.md and
recall_qps.png into --out.  See bench/README.md.
"""

import argparse
import datetime
import gzip
import hashlib
import io
import json
import multiprocessing as mp
import os
import platform
import re
import shlex
import struct
import sys
import threading
import time

import numpy as np
import psycopg2

K = 10                      # recall@K, LIMIT K
M = 16                      # HNSW m, fixed by the issue
FASHION_DIR = '/usr/share/datasets/fashion-mnist'
SYN_DIM = 768
SYN_POINTS_PER_CLUSTER = 100   # 1,000 clusters at the default 100,000 rows
SYN_NOISE = 0.025           # per-coordinate noise around a unit center, scaled per cluster
SYN_SEED = 4242
INSERT_WARM = 10            # untimed inserts per client before the timed ones
TIE_EPS = 1e-5              # relative: a float4 distance rounding is a tie, not a miss
QUERY_WARM = 20             # untimed queries per client connection before timing
GENERATOR_VERSION = 1       # bump when dataset generation changes (cache key)
HERE = os.path.dirname(os.path.abspath(__file__))
T_START = time.time()


def log(msg):
    el = time.time() - T_START
    print('[%s +%4.0fs] %s' % (time.strftime('%H:%M:%S'), el, msg), flush=True)


# ---------------------------------------------------------------- datasets --

class Dataset:
    """base (N x D float32, row i has id i), queries, exact top-K ground truth."""

    def __init__(self, name, metric, base, queries, integral, params, insert_fn):
        self.name = name
        self.metric = metric                       # 'l2' or 'cosine'
        self.op = '<->' if metric == 'l2' else '<=>'
        self.opclass = 'vector_l2_ops' if metric == 'l2' else 'vector_cosine_ops'
        self.base = base
        self.queries = queries
        self.integral = integral                   # values are integers: shorter text
        self.params = params
        self.insert_fn = insert_fn                 # (count, stream) -> vectors
        self.n, self.dim = base.shape
        self.gt_ids = None
        self.gt_dist = None

    def literal(self, row):
        if self.integral:
            return '[' + ','.join(map(str, row.astype(np.int64).tolist())) + ']'
        # %.9g reads back to the same float4
        return '[' + ','.join(['%.9g' % x for x in row.tolist()]) + ']'


def read_idx_images(path, limit=None):
    with gzip.open(path, 'rb') as f:
        magic, n, rows, cols = struct.unpack('>IIII', f.read(16))
        if magic != 2051:
            raise SystemExit('%s: not an IDX image file (magic %d)' % (path, magic))
        if limit is not None:
            n = min(n, limit)
        data = f.read(n * rows * cols)
    return np.frombuffer(data, np.uint8).reshape(n, rows * cols).astype(np.float32)


def load_fashion(n, nq):
    train = os.path.join(FASHION_DIR, 'train-images-idx3-ubyte.gz')
    test = os.path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz')
    for p in (train, test):
        if not os.path.exists(p):
            raise SystemExit('%s missing: install the Debian package dataset-fashion-mnist' % p)
    base = read_idx_images(train, n)
    if len(base) < n:
        log('fashion-mnist: only %d train images, using all of them' % len(base))
    t10k = read_idx_images(test)
    if nq > len(t10k):
        log('fashion-mnist: only %d test images, using them all as queries' % len(t10k))
        nq = len(t10k)
    queries = t10k[:nq].copy()
    # new rows for the insert phase: test images that are not queries (or,
    # if all are queries, training images), each jittered by up to +-8 per
    # pixel so that repeated runs insert new vectors.
    pool = t10k[nq:] if nq < len(t10k) else base

    def insert_fn(count, stream):
        rng = np.random.default_rng([SYN_SEED, 100, stream])
        pick = pool[rng.integers(0, len(pool), count)]
        jitter = rng.integers(-8, 9, pick.shape).astype(np.float32)
        return np.clip(pick + jitter, 0, 255).astype(np.float32)

    params = {'dataset': 'fashion-mnist', 'n': len(base), 'queries': nq, 'metric': 'l2',
              'source': FASHION_DIR, 'v': GENERATOR_VERSION}
    return Dataset('fashion-mnist', 'l2', base, queries, True, params, insert_fn)


def synthetic_centers(nclusters):
    rng = np.random.default_rng([SYN_SEED, 0])
    c = rng.standard_normal((nclusters, SYN_DIM), dtype=np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    scale = rng.uniform(0.5, 1.5, nclusters).astype(np.float32) * SYN_NOISE
    return c, scale


def synthetic_points(centers, scale, count, stream):
    """count points: a random center plus Gaussian noise, L2-normalized."""
    rng = np.random.default_rng([SYN_SEED, stream])
    out = np.empty((count, SYN_DIM), np.float32)
    step = 20000
    for i in range(0, count, step):
        j = min(count, i + step)
        idx = rng.integers(0, len(centers), j - i)
        x = rng.standard_normal((j - i, SYN_DIM), dtype=np.float32)
        x *= scale[idx, None]
        x += centers[idx]
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[i:j] = x
    return out


def load_synthetic(n, nq):
    # the number of clusters grows with n, so that a query's top 10 lie in
    # its own cluster at any size (not among near-equidistant strangers)
    nclusters = max(10, n // SYN_POINTS_PER_CLUSTER)
    centers, scale = synthetic_centers(nclusters)
    base = synthetic_points(centers, scale, n, 1)
    queries = synthetic_points(centers, scale, nq, 2)

    def insert_fn(count, stream):
        return synthetic_points(centers, scale, count, 1000 + stream)

    params = {'dataset': 'synthetic', 'n': n, 'queries': nq, 'metric': 'cosine',
              'dim': SYN_DIM, 'clusters': nclusters, 'noise': SYN_NOISE,
              'seed': SYN_SEED, 'v': GENERATOR_VERSION}
    return Dataset('synthetic', 'cosine', base, queries, False, params, insert_fn)


def exact_distances(metric, q, x):
    """float64 distances between q (D,) or (B, D) and x (..., D)."""
    q = q.astype(np.float64)
    x = x.astype(np.float64)
    if metric == 'l2':
        return np.sqrt(((x - q[..., None, :]) ** 2).sum(-1)) if q.ndim == 2 \
            else np.sqrt(((x - q) ** 2).sum(-1))
    if q.ndim == 2:
        dot = np.einsum('bd,bkd->bk', q, x)
        qn = np.linalg.norm(q, axis=-1)[:, None]
    else:
        dot = x @ q
        qn = np.linalg.norm(q)
    return 1.0 - dot / (qn * np.linalg.norm(x, axis=-1))


def ground_truth(ds, cache_dir):
    key = hashlib.sha1(json.dumps(ds.params, sort_keys=True).encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, 'gt-%s-%s.npz' % (ds.name, key))
    if os.path.exists(path):
        z = np.load(path)
        ds.gt_ids, ds.gt_dist = z['ids'], z['dist']
        log('%s: ground truth from cache %s' % (ds.name, os.path.relpath(path)))
        return
    log('%s: exact top-%d ground truth by brute force (%d queries x %d rows)'
        % (ds.name, K, len(ds.queries), ds.n))
    base = ds.base
    kc = min(ds.n, 100)                    # float32 candidates, refined in float64
    if ds.metric == 'l2':
        bn = (base.astype(np.float64) ** 2).sum(1).astype(np.float32)
    else:
        bn = np.linalg.norm(base, axis=1)
    ids = np.empty((len(ds.queries), K), np.int64)
    dist = np.empty((len(ds.queries), K), np.float64)
    step = 100
    t0 = time.time()
    last = t0
    for i in range(0, len(ds.queries), step):
        q = ds.queries[i:i + step]
        dots = q @ base.T
        approx = bn[None, :] - 2 * dots if ds.metric == 'l2' else -dots / bn[None, :]
        cand = np.argpartition(approx, kc - 1, axis=1)[:, :kc] if kc < ds.n \
            else np.tile(np.arange(ds.n), (len(q), 1))
        d = exact_distances(ds.metric, q, base[cand])
        order = np.lexsort((cand, d), axis=1)[:, :K]
        ids[i:i + step] = np.take_along_axis(cand, order, 1)
        dist[i:i + step] = np.take_along_axis(d, order, 1)
        if time.time() - last > 10:
            last = time.time()
            log('  ground truth: %d/%d queries' % (i + len(q), len(ds.queries)))
    if (dist[:, 0] <= 1e-9).any():
        log('%s: WARNING: %d queries have an exact duplicate in the base set'
            % (ds.name, int((dist[:, 0] <= 1e-9).sum())))
    os.makedirs(cache_dir, exist_ok=True)
    np.savez(path, ids=ids, dist=dist)
    ds.gt_ids, ds.gt_dist = ids, dist
    log('%s: ground truth done in %.1f s, cached in %s' % (ds.name, time.time() - t0, os.path.relpath(path)))


def recall_at_k(ds, results):
    """results[i] = ids returned for query i.  A returned id counts if its
    exact distance is within the K-th true distance (ties count as hits)."""
    hits = 0
    for i, got in enumerate(results):
        got = list(dict.fromkeys(got))[:K]
        if not got:
            continue
        gtset = set(ds.gt_ids[i].tolist())
        rest = [g for g in got if g not in gtset]
        h = len(got) - len(rest)
        if rest:
            rest = [g for g in rest if 0 <= g < ds.n]
            if rest:
                d = exact_distances(ds.metric, ds.queries[i], ds.base[rest])
                thr = ds.gt_dist[i, K - 1]
                h += int((d <= thr + TIE_EPS * max(1.0, abs(thr))).sum())
        hits += min(h, K)
    return hits / (K * len(results))


# ------------------------------------------------------------ copy payload --

def copy_payload(ids, vecs):
    """COPY BINARY stream of (int4 id, vector) rows."""
    d = vecs.shape[1]
    dt = np.dtype([('nf', '>i2'), ('l1', '>i4'), ('id', '>i4'), ('l2', '>i4'),
                   ('dim', '>i2'), ('unused', '>i2'), ('v', '>f4', (d,))])
    rec = np.empty(len(ids), dt)
    rec['nf'] = 2
    rec['l1'] = 4
    rec['id'] = ids
    rec['l2'] = 4 + 4 * d
    rec['dim'] = d
    rec['unused'] = 0
    rec['v'] = vecs
    return b'PGCOPY\n\xff\r\n\0' + struct.pack('>ii', 0, 0) + rec.tobytes() + struct.pack('>h', -1)


def copy_in(conn, payload):
    with conn.cursor() as cur:
        cur.copy_expert('COPY items (id, v) FROM STDIN (FORMAT binary)', io.BytesIO(payload),
                        size=1 << 20)


# ---------------------------------------------------------------- database --

def connect(dsn, dbname=None):
    kw = {'dbname': dbname} if dbname else {}
    conn = psycopg2.connect(dsn, **kw)
    conn.autocommit = True
    return conn


def q1(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


def ex(conn, sql, args=None):
    with conn.cursor() as cur:
        cur.execute(sql, args)


def try_ex(conn, sql):
    try:
        ex(conn, sql)
        return True
    except psycopg2.Error:
        return False


def wal_lsn(conn):
    try:
        return q1(conn, 'SELECT pg_current_wal_lsn()::text')
    except psycopg2.Error:
        return None


def wal_bytes(conn, a, b):
    if a is None or b is None:
        return None
    return int(q1(conn, 'SELECT pg_wal_lsn_diff(%s, %s)', (b, a)))


class Target:
    """One extension in its own database."""

    def __init__(self, label, ext, db, dsn):
        self.label = label
        self.ext = ext
        self.db = db
        self.dsn = dsn
        self.conn = None
        self.version = None
        self.prewarm = False


class Ticker:
    """Prints a progress line every `every` seconds while a long statement runs."""

    def __init__(self, label, every=15.0, poll=None):
        self.label, self.every, self.poll = label, every, poll
        self.stop = threading.Event()

    def __enter__(self):
        self.t0 = time.time()
        self.th = threading.Thread(target=self._run, daemon=True)
        self.th.start()
        return self

    def _run(self):
        while not self.stop.wait(self.every):
            extra = ''
            if self.poll:
                try:
                    extra = self.poll()
                except Exception as e:      # progress is best effort
                    extra = '(%s)' % e.__class__.__name__
            log('    ... %s: %.0f s %s' % (self.label, time.time() - self.t0, extra))

    def __exit__(self, *a):
        self.stop.set()
        self.th.join()


# ----------------------------------------------------------------- clients --

def _client(dsn, db, setup, stmts, order, n_warm, want_rows, barrier, pipe):
    """One client process: own connection, untimed warm-up, then the timed loop.

    Queries (want_rows True or False) warm up on the first n_warm statements
    of `order` and then time all of it; inserts (want_rows None) spend the
    first n_warm statements on the warm-up and time the rest."""
    try:
        conn = connect(dsn, db)
        cur = conn.cursor()
        for s in setup:
            cur.execute(s)
        for i in order[:n_warm]:
            cur.execute(stmts[i])
            if cur.description is not None:
                cur.fetchall()
        order = order[n_warm:] if want_rows is None else order
        barrier.wait(timeout=3600)
        lat = np.empty(len(order))
        rows = [None] * len(order) if want_rows else None
        clk = time.perf_counter
        t0 = clk()
        for j, i in enumerate(order):
            a = clk()
            cur.execute(stmts[i])
            if cur.description is not None:
                r = cur.fetchall()
                if want_rows:
                    rows[j] = [x[0] for x in r]
            lat[j] = clk() - a
        t1 = clk()
        conn.close()
        pipe.send(('ok', t0, t1, lat, list(zip(order, rows)) if want_rows else None))
    except BaseException as e:
        try:
            barrier.abort()
        except Exception:
            pass
        try:
            pipe.send(('error', '%s: %s' % (e.__class__.__name__, str(e).strip())))
        except Exception:
            pass
    finally:
        # no finalizers: the parent's inherited connections must stay untouched
        os._exit(0)


def run_clients(target, setups, stmts, orders, n_warm, want_rows):
    """Runs len(orders) clients at once; returns wall time, latencies, rows."""
    ctx = mp.get_context('fork')
    n = len(orders)
    barrier = ctx.Barrier(n)
    procs = []
    for c in range(n):
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_client, args=(target.dsn, target.db, setups[c], stmts, orders[c],
                                              n_warm, want_rows, barrier, w))
        p.start()
        w.close()
        procs.append((p, r))
    out = []
    for p, r in procs:
        try:
            out.append(r.recv())
        except EOFError:
            out.append(('error', 'client process died'))
        p.join()
    errs = [o[1] for o in out if o[0] != 'ok']
    if errs:
        raise RuntimeError('client failed: %s' % errs[0])
    wall = max(o[2] for o in out) - min(o[1] for o in out)
    lat = np.concatenate([o[3] for o in out])
    rows = None
    if want_rows:
        rows = {}
        for o in out:
            for i, ids in o[4]:
                rows.setdefault(i, ids)
    return wall, lat, rows


# --------------------------------------------------------------- the bench --

class Bench:
    def __init__(self, args):
        self.args = args
        self.raw = []                      # every measurement
        self.notes = []
        self.targets = []

    def record(self, **kw):
        self.raw.append(kw)
        return kw

    # -- setup
    def setup(self):
        a = self.args
        self.admin = connect(a.dsn)
        names = [('vecdb', 'vecdb', 'vecdb_bench')]
        if a.peer:
            names.append((a.peer, a.peer, 'peer_bench'))
        cur_db = self.admin.get_dsn_parameters().get('dbname')
        for label, ext, db in names:
            if db == cur_db:
                raise SystemExit('--dsn must not name %s: the benchmark drops and recreates it' % db)
            ex(self.admin, 'DROP DATABASE IF EXISTS %s WITH (FORCE)' % db)
            ex(self.admin, 'CREATE DATABASE %s' % db)
            t = Target(label, ext, db, a.dsn)
            t.conn = connect(a.dsn, db)
            ex(t.conn, 'CREATE EXTENSION %s' % ext)
            t.version = q1(t.conn, 'SELECT extversion FROM pg_extension WHERE extname = %s', (ext,))
            t.prewarm = try_ex(t.conn, 'CREATE EXTENSION IF NOT EXISTS pg_prewarm')
            t.conn.notices.clear()
            self.targets.append(t)
        if a.peer and a.peer == 'vecdb':
            self.targets[1].label = 'vecdb(peer)'
        self.env = self.environment()

    def environment(self):
        c = self.admin
        settings = {}
        for s in ('shared_buffers', 'maintenance_work_mem', 'max_parallel_maintenance_workers',
                  'max_parallel_workers', 'work_mem', 'jit', 'fsync', 'synchronous_commit',
                  'wal_level', 'max_wal_size', 'autovacuum', 'huge_pages', 'effective_cache_size'):
            try:
                settings[s] = q1(c, 'SHOW %s' % s)
            except psycopg2.Error:
                settings[s] = None
        cpu = None
        try:
            with open('/proc/cpuinfo') as f:
                m = re.search(r'^model name\s*:\s*(.*)$', f.read(), re.M)
                cpu = m.group(1) if m else None
        except OSError:
            pass
        mem = None
        try:
            mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
        except (ValueError, OSError):
            pass
        vecdb_fn = None
        try:
            vecdb_fn = q1(self.targets[0].conn, 'SELECT vecdb_version()')
            kernels = q1(self.targets[0].conn, "SELECT string_agg(family || ' ' || name || CASE WHEN in_use THEN ' (in use)' "
                                               "ELSE '' END, ', ') FROM vecdb_kernels()")
        except psycopg2.Error:
            kernels = None
        return {
            'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
            'host': platform.node(),
            'cpu': cpu,
            'cores': os.cpu_count(),
            'memory_bytes': mem,
            'loadavg_start': os.getloadavg(),
            'server_version': q1(c, 'SHOW server_version'),
            'settings': settings,
            'extensions': {t.label: {'extension': t.ext, 'version': t.version, 'database': t.db}
                           for t in self.targets},
            'vecdb_version': vecdb_fn,
            'vecdb_kernels': kernels,
            'python': platform.python_version(),
            'numpy': np.__version__,
            'psycopg2': psycopg2.__version__.split()[0],
            'command': ' '.join(shlex.quote(x) for x in sys.argv),
        }

    def checkpoint(self, t):
        try_ex(t.conn, 'CHECKPOINT')

    # -- phases
    def create_table(self, t, ds):
        ex(t.conn, 'DROP TABLE IF EXISTS items')
        ex(t.conn, 'CREATE TABLE items (id int, v vector(%d)) WITH (autovacuum_enabled = off)' % ds.dim)

    def finish_table(self, t):
        ex(t.conn, 'ALTER TABLE items ADD PRIMARY KEY (id)')
        ex(t.conn, 'VACUUM (ANALYZE) items')
        self.checkpoint(t)

    def phase_load(self, ds, payload):
        a = self.args
        mb = len(payload) / 1e6
        for r in range(a.runs):
            for t in self.targets:
                self.create_table(t, ds)
                self.checkpoint(t)
                with Ticker('%s load into %s' % (ds.name, t.label)):
                    t0 = time.perf_counter()
                    copy_in(t.conn, payload)
                    s = time.perf_counter() - t0
                self.finish_table(t)
                self.record(dataset=ds.name, target=t.label, phase='load', run=r, seconds=s,
                            rows=ds.n, mb=mb)
                log('%s load run %d/%d %s: %d rows (%.0f MB) in %.2f s'
                    % (ds.name, r + 1, a.runs, t.label, ds.n, mb, s))

    def reload(self, ds, payload):
        for t in self.targets:
            self.create_table(t, ds)
            t0 = time.perf_counter()
            copy_in(t.conn, payload)
            s = time.perf_counter() - t0
            self.finish_table(t)
            self.record(dataset=ds.name, target=t.label, phase='reload', seconds=s, rows=ds.n)
            log('%s reloaded %s (%.2f s): fresh table for the next index' % (ds.name, t.label, s))

    def phase_floor(self, ds):
        a = self.args
        nq = max(10000, 10 * len(ds.queries))
        rng = np.random.default_rng([SYN_SEED, 7])
        ids = rng.integers(0, ds.n, nq)
        stmts = ['EXECUTE f(%d)' % i for i in ids]
        setup = ['PREPARE f(int) AS SELECT id FROM items WHERE id = $1']
        for r in range(a.runs):
            for nc in (1, 2):
                for t in self.targets:
                    orders = [np.roll(np.arange(nq), c * nq // 2) for c in range(nc)]
                    wall, lat, _ = run_clients(t, [setup] * nc, stmts, orders, QUERY_WARM, False)
                    qps = len(lat) / wall
                    self.record(dataset=ds.name, target=t.label, phase='floor', run=r, clients=nc,
                                queries=len(lat), seconds=wall, qps=qps,
                                p50_ms=float(np.percentile(lat, 50) * 1e3),
                                p99_ms=float(np.percentile(lat, 99) * 1e3))
                    log('%s floor run %d/%d %s %dc: %.0f QPS, p50 %.3f ms'
                        % (ds.name, r + 1, a.runs, t.label, nc, qps, np.percentile(lat, 50) * 1e3))

    def build_poll(self, t):
        def poll():
            with self.admin.cursor() as cur:
                cur.execute('SELECT phase, tuples_done, tuples_total, blocks_done, blocks_total '
                            'FROM pg_stat_progress_create_index WHERE datname = %s', (t.db,))
                row = cur.fetchone()
            if not row:
                return ''
            ph, td, tt, bd, bt = row
            if tt:
                return '[%s: %d/%d tuples]' % (ph, td, tt)
            if bt:
                return '[%s: %d/%d blocks]' % (ph, bd, bt)
            return '[%s]' % ph
        return poll

    def build_once(self, t, ds, efc, what, mem=None):
        """One timed CREATE INDEX (after DROP and CHECKPOINT), at maintenance_work_mem
        mem if given; returns (seconds, WAL bytes, notices)."""
        ex(t.conn, 'DROP INDEX IF EXISTS items_v_idx')
        self.checkpoint(t)
        t.conn.notices.clear()
        if mem:
            ex(t.conn, "SET maintenance_work_mem = '%s'" % mem)
        l0 = wal_lsn(t.conn)
        sql = ('CREATE INDEX items_v_idx ON items USING hnsw (v %s) '
               'WITH (m = %d, ef_construction = %d)' % (ds.opclass, M, efc))
        with Ticker('%s build efc=%d %s%s' % (ds.name, efc, t.label, what), poll=self.build_poll(t)):
            t0 = time.perf_counter()
            ex(t.conn, sql)
            sec = time.perf_counter() - t0
        wal = wal_bytes(t.conn, l0, wal_lsn(t.conn))
        if mem:
            ex(t.conn, 'RESET maintenance_work_mem')
        notices = [n.strip() for n in t.conn.notices]
        t.conn.notices.clear()
        return sec, wal, notices

    def phase_build_mem(self, ds, efc):
        """CREATE INDEX at each --build-mem maintenance_work_mem (vecdb only; a
        peer that falls back to row-by-row inserts would take hours), runs
        interleaved with in-memory builds so the ratio sees the same drift."""
        a = self.args
        t = self.targets[0]
        for mem in a.build_mem:
            for r in range(a.runs):
                for label, setting in (('in-memory', None), (mem, mem)):
                    sec, _, notices = self.build_once(t, ds, efc, ' mwm=%s' % label, setting)
                    self.record(dataset=ds.name, target=t.label, phase='build_mem', efc=efc, run=r,
                                mem=label, seconds=sec, notices=notices)
                    log('%s build efc=%d run %d/%d %s maintenance_work_mem=%s: %.2f s%s'
                        % (ds.name, efc, r + 1, a.runs, t.label, label, sec,
                           ('; ' + ' | '.join(notices)) if notices else ''))
        ex(t.conn, 'DROP INDEX IF EXISTS items_v_idx')

    def phase_build(self, ds, efc):
        a = self.args
        if a.build_mem:
            self.phase_build_mem(ds, efc)
        for r in range(a.runs):
            for t in self.targets:
                s, wal, notices = self.build_once(t, ds, efc, '')
                size = int(q1(t.conn, "SELECT pg_relation_size('items_v_idx')"))
                self.record(dataset=ds.name, target=t.label, phase='build', efc=efc, run=r,
                            seconds=s, index_bytes=size, wal_bytes=wal, notices=notices)
                log('%s build efc=%d run %d/%d %s: %.2f s, index %.1f MB%s'
                    % (ds.name, efc, r + 1, a.runs, t.label, s, size / 2**20,
                       ('; ' + ' | '.join(notices)) if notices else ''))
        for t in self.targets:
            ex(t.conn, 'ANALYZE items')
            if t.prewarm:
                try_ex(t.conn, "SELECT pg_prewarm('items'), pg_prewarm('items_v_idx')")
                try_ex(t.conn, "SELECT pg_prewarm(reltoastrelid) FROM pg_class "
                               "WHERE relname = 'items' AND reltoastrelid <> 0")

    def search_setup(self, ds, ef):
        # enable_seqscan = off: small tables with TOASTed vectors can make a
        # sequential scan look cheaper to the planner; we measure the index.
        return ['SET hnsw.ef_search = %d' % ef, 'SET enable_seqscan = off',
                'PREPARE q(vector) AS SELECT id FROM items ORDER BY v %s $1 LIMIT %d' % (ds.op, K)]

    def warm_pass(self, ds, efc, ef, t, stmts):
        """Runs the query set once on the main connection (untimed): warms the
        cache, checks the plan and the setting."""
        c = t.conn
        for s in self.search_setup(ds, ef):
            ex(c, s)
        with c.cursor() as cur:
            cur.execute('EXPLAIN ' + stmts[0])
            plan = '\n'.join(r[0] for r in cur.fetchall())
            rows = []
            for s in stmts:
                cur.execute(s)
                rows.append([x[0] for x in cur.fetchall()])
            cur.execute('SHOW hnsw.ef_search')
            shown = cur.fetchone()[0]
        ex(c, 'DEALLOCATE ALL')
        ex(c, 'RESET ALL')
        plan = re.sub(r"'\[[^']*\]'", "'[...]'", plan)
        uses_index = 'items_v_idx' in plan
        rec = recall_at_k(ds, rows)
        if not uses_index:
            log('WARNING: %s %s: the plan does not use the HNSW index:\n%s' % (ds.name, t.label, plan))
            self.notes.append('%s efc=%d ef=%d %s: plan does not use the index' % (ds.name, efc, ef, t.label))
        if str(shown) != str(ef):
            log('WARNING: %s: hnsw.ef_search shows %s, not %d' % (t.label, shown, ef))
            self.notes.append('%s: hnsw.ef_search shows %s, not %d' % (t.label, shown, ef))
        self.record(dataset=ds.name, target=t.label, phase='warm', efc=efc, ef=ef, recall=rec,
                    uses_index=uses_index, ef_shown=str(shown), plan=plan)
        return rec

    def phase_search(self, ds, efc):
        a = self.args
        nq = len(ds.queries)
        stmts = ["EXECUTE q('%s')" % ds.literal(q) for q in ds.queries]
        for ef in a.ef_search:
            for t in self.targets:
                rec = self.warm_pass(ds, efc, ef, t, stmts)
                log('%s efc=%d ef=%d %s: warm-up pass done, recall@%d %.4f' % (ds.name, efc, ef, t.label, K, rec))
            for r in range(a.runs):
                for nc in (1, 2):
                    for t in self.targets:
                        orders = [np.roll(np.arange(nq), c * nq // 2) for c in range(nc)]
                        setup = self.search_setup(ds, ef)
                        wall, lat, rows = run_clients(t, [setup] * nc, stmts, orders, QUERY_WARM, True)
                        rec = recall_at_k(ds, [rows[i] for i in range(nq)])
                        qps = len(lat) / wall
                        p50 = float(np.percentile(lat, 50) * 1e3)
                        p99 = float(np.percentile(lat, 99) * 1e3)
                        self.record(dataset=ds.name, target=t.label, phase='search', efc=efc, ef=ef,
                                    run=r, clients=nc, queries=len(lat), seconds=wall, qps=qps,
                                    recall=rec, p50_ms=p50, p99_ms=p99)
                        log('%s efc=%d ef=%d run %d/%d %s %dc: recall %.4f, %.0f QPS, p50 %.2f ms, p99 %.2f ms'
                            % (ds.name, efc, ef, r + 1, a.runs, t.label, nc, rec, qps, p50, p99))

    def phase_insert(self, ds, efc, next_id):
        a = self.args
        setup = ['PREPARE ins(int, vector) AS INSERT INTO items (id, v) VALUES ($1, $2)']
        per = a.inserts + INSERT_WARM
        for r in range(a.runs):
            for nc in (1, 2):
                stream = (efc * 100 + r) * 10 + nc
                vecs = ds.insert_fn(per * nc, stream)
                lits = [ds.literal(v) for v in vecs]
                ids = np.arange(next_id, next_id + per * nc)
                next_id += per * nc
                stmts = ["EXECUTE ins(%d, '%s')" % (i, l) for i, l in zip(ids.tolist(), lits)]
                orders = [np.arange(c * per, (c + 1) * per) for c in range(nc)]
                for t in self.targets:
                    l0 = wal_lsn(t.conn)
                    wall, lat, _ = run_clients(t, [setup] * nc, stmts, orders, INSERT_WARM, None)
                    wal = wal_bytes(t.conn, l0, wal_lsn(t.conn))
                    rps = len(lat) / wall
                    self.record(dataset=ds.name, target=t.label, phase='insert', efc=efc, run=r,
                                clients=nc, rows=len(lat), seconds=wall, rows_per_s=rps,
                                p50_ms=float(np.percentile(lat, 50) * 1e3),
                                p99_ms=float(np.percentile(lat, 99) * 1e3), wal_bytes=wal)
                    log('%s efc=%d insert run %d/%d %s %dc: %d rows, %.0f rows/s'
                        % (ds.name, efc, r + 1, a.runs, t.label, nc, len(lat), rps))
        return next_id

    def phase_vacuum(self, ds, efc):
        a = self.args
        for r in range(a.runs):
            live = int(q1(self.targets[0].conn, 'SELECT count(*) FROM items'))
            ndel = max(1, round(live * 0.10))
            rng = np.random.default_rng([SYN_SEED, 300, efc, r])
            del_ids = np.sort(rng.choice(ds.n, size=min(ndel, ds.n), replace=False))
            for t in self.targets:
                ex(t.conn, 'DELETE FROM items WHERE id = ANY(%s)', (del_ids.tolist(),))
                self.checkpoint(t)
                l0 = wal_lsn(t.conn)
                with Ticker('%s vacuum efc=%d %s' % (ds.name, efc, t.label)):
                    t0 = time.perf_counter()
                    ex(t.conn, 'VACUUM (INDEX_CLEANUP ON) items')
                    s = time.perf_counter() - t0
                wal = wal_bytes(t.conn, l0, wal_lsn(t.conn))
                size = int(q1(t.conn, "SELECT pg_relation_size('items_v_idx')"))
                self.record(dataset=ds.name, target=t.label, phase='vacuum', efc=efc, run=r,
                            live_rows=live, deleted=len(del_ids), seconds=s, wal_bytes=wal,
                            index_bytes_after=size)
                log('%s efc=%d vacuum run %d/%d %s: %d of %d rows deleted, VACUUM %.2f s'
                    % (ds.name, efc, r + 1, a.runs, t.label, len(del_ids), live, s))
                if r < a.runs - 1:
                    # put the deleted rows back so the next run starts from the same state
                    t0 = time.perf_counter()
                    copy_in(t.conn, copy_payload(del_ids, ds.base[del_ids]))
                    log('    %s: %d rows re-inserted for the next run (%.1f s, untimed)'
                        % (t.label, len(del_ids), time.perf_counter() - t0))

    def run_dataset(self, ds):
        a = self.args
        log('%s: %d rows x %d dims, %s, %d queries' % (ds.name, ds.n, ds.dim, ds.metric, len(ds.queries)))
        ground_truth(ds, os.path.join(a.out, 'cache'))
        log('%s: building the COPY payload' % ds.name)
        payload = copy_payload(np.arange(ds.n), ds.base)
        self.phase_load(ds, payload)
        self.phase_floor(ds)
        next_id = ds.n
        for k, efc in enumerate(a.efc):
            if k > 0:
                self.reload(ds, payload)
            self.phase_build(ds, efc)
            self.phase_search(ds, efc)
            if 'insert' not in a.skip:
                next_id = self.phase_insert(ds, efc, next_id)
            if 'vacuum' not in a.skip:
                self.phase_vacuum(ds, efc)
        for t in self.targets:
            ex(t.conn, 'DROP TABLE items')

    def teardown(self):
        for t in self.targets:
            t.conn.close()
        if not self.args.keep_db:
            for t in self.targets:
                try_ex(self.admin, 'DROP DATABASE IF EXISTS %s WITH (FORCE)' % t.db)
        self.admin.close()


# ----------------------------------------------------------------- summary --

def median(xs):
    xs = [x for x in xs if x is not None]
    return float(np.median(xs)) if xs else None


def summarize(raw, datasets, targets, efcs, efs):
    s = {}
    for ds in datasets:
        sd = s[ds] = {}
        for t in targets:
            rs = [r for r in raw if r['dataset'] == ds and r['target'] == t]

            def med(phase, key, **f):
                return median([r.get(key) for r in rs if r['phase'] == phase
                               and all(r.get(k) == v for k, v in f.items())])
            st = sd[t] = {
                'load_s': med('load', 'seconds'),
                'floor_qps': {c: med('floor', 'qps', clients=c) for c in (1, 2)},
                'floor_p50_ms': med('floor', 'p50_ms', clients=1),
                'configs': {},
            }
            for efc in efcs:
                cfg = st['configs'][efc] = {
                    'build_s': med('build', 'seconds', efc=efc),
                    'index_bytes': med('build', 'index_bytes', efc=efc),
                    'build_wal_bytes': med('build', 'wal_bytes', efc=efc),
                    'insert_rows_per_s': {c: med('insert', 'rows_per_s', efc=efc, clients=c) for c in (1, 2)},
                    'insert_p50_ms': med('insert', 'p50_ms', efc=efc, clients=1),
                    'vacuum_s': med('vacuum', 'seconds', efc=efc),
                    'build_mem_s': {m: med('build_mem', 'seconds', efc=efc, mem=m)
                                    for m in sorted({r.get('mem') for r in rs if r['phase'] == 'build_mem'})},
                    'search': {},
                }
                for ef in efs:
                    cfg['search'][ef] = {
                        'recall': med('search', 'recall', efc=efc, ef=ef, clients=1),
                        'qps': {c: med('search', 'qps', efc=efc, ef=ef, clients=c) for c in (1, 2)},
                        'p50_ms': med('search', 'p50_ms', efc=efc, ef=ef, clients=1),
                        'p99_ms': med('search', 'p99_ms', efc=efc, ef=ef, clients=1),
                        'p50_ms_2c': med('search', 'p50_ms', efc=efc, ef=ef, clients=2),
                        'p99_ms_2c': med('search', 'p99_ms', efc=efc, ef=ef, clients=2),
                    }
    return s


def first_ef(search, efs, target):
    """The first ef_search (in the order measured) whose median recall >= target."""
    for ef in efs:
        r = search[ef]['recall']
        if r is not None and r >= target:
            return ef
    return None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def compute_ratios(summary, datasets, a_label, b_label, efcs, efs):
    out = []
    for ds in datasets:
        A, B = summary[ds][a_label], summary[ds][b_label]
        for efc in efcs:
            ca, cb = A['configs'][efc], B['configs'][efc]
            row = {'dataset': ds, 'efc': efc,
                   'build_time': ratio(ca['build_s'], cb['build_s']),
                   'index_size': ratio(ca['index_bytes'], cb['index_bytes']),
                   'insert_1c': ratio(ca['insert_rows_per_s'][1], cb['insert_rows_per_s'][1]),
                   'insert_2c': ratio(ca['insert_rows_per_s'][2], cb['insert_rows_per_s'][2]),
                   'vacuum_time': ratio(ca['vacuum_s'], cb['vacuum_s'])}
            for tgt, key in ((0.95, 'qps_at_095'), (0.99, 'qps_at_099')):
                ea, eb = first_ef(ca['search'], efs, tgt), first_ef(cb['search'], efs, tgt)
                row[key + '_ef'] = [ea, eb]
                for c in (1, 2):
                    qa = ca['search'][ea]['qps'][c] if ea is not None else None
                    qb = cb['search'][eb]['qps'][c] if eb is not None else None
                    row['%s_%dc' % (key, c)] = ratio(qa, qb)
                row[key + '_max_recall'] = [max((ca['search'][e]['recall'] or 0) for e in efs),
                                            max((cb['search'][e]['recall'] or 0) for e in efs)]
            out.append(row)
    return out


# ----------------------------------------------------------------- reports --

def fmt(x, f='%.2f'):
    return '–' if x is None else f % x


def fmt_ratio(x):
    return '–' if x is None else '%.2f×' % x


def qps_cell(row, key, c):
    ea, eb = row[key + '_ef']
    if ea is None or eb is None:
        mr = row[key + '_max_recall']
        who = ' and '.join(n for n, e in (('vecdb', ea), ('peer', eb)) if e is None)
        return 'n/a (%s never reached; max %.3f / %.3f)' % (who, mr[0], mr[1])
    return '%s (ef %d vs %d)' % (fmt_ratio(row['%s_%dc' % (key, c)]), ea, eb)


TARGETS = {'build_time': '≤ 0.5', 'qps_at_095_1c': '≥ 1.5 (synthetic)', 'qps_at_099_1c': '≥ 1.5',
           'index_size': '≤ 1.0', 'insert_1c': '≥ 2', 'insert_2c': '≥ 2', 'vacuum_time': '≤ 0.5'}


def ratio_table(ratios, peer):
    L = ['| dataset | ef_construction | build time | QPS @ recall ≥ 0.95 (1 client) | '
         'QPS @ recall ≥ 0.99 (1 client) | index size | insert 1 client | insert 2 clients | VACUUM time |',
         '|---|---|---|---|---|---|---|---|---|']
    for r in ratios:
        L.append('| %s | %d | %s | %s | %s | %s | %s | %s | %s |' % (
            r['dataset'], r['efc'], fmt_ratio(r['build_time']), qps_cell(r, 'qps_at_095', 1),
            qps_cell(r, 'qps_at_099', 1), fmt_ratio(r['index_size']), fmt_ratio(r['insert_1c']),
            fmt_ratio(r['insert_2c']), fmt_ratio(r['vacuum_time'])))
    L.append('| issue 4 target | | %s | %s | %s | %s | %s | %s | %s |' % tuple(
        TARGETS[k] for k in ('build_time', 'qps_at_095_1c', 'qps_at_099_1c', 'index_size',
                             'insert_1c', 'insert_2c', 'vacuum_time')))
    L.append('')
    L.append('Ratios are vecdb / %s of the medians. Lower is better for build time, index size and '
             'VACUUM time; higher is better for QPS and inserts. QPS @ recall ≥ x compares each '
             "extension's 1-client QPS at the first hnsw.ef_search (in the measured list) whose median "
             'recall@10 reaches x (no interpolation); the ef values are given as vecdb vs %s.' % (peer, peer))
    two = []
    for r in ratios:
        two.append('%s efc=%d: %s at 0.95, %s at 0.99' % (
            r['dataset'], r['efc'], fmt_ratio(r['qps_at_095_2c']), fmt_ratio(r['qps_at_099_2c'])))
    L.append('With 2 clients, at the same ef values: ' + '; '.join(two) + '.')
    return L


def markdown(b, summary, ratios, datasets_info):
    a, env = b.args, b.env
    labels = [t.label for t in b.targets]
    L = ['# vecdb benchmark results', '']
    L.append('- date: %s; host: %s; CPU: %s; %s cores; %.0f GiB memory'
             % (env['date'], env['host'], env['cpu'], env['cores'], (env['memory_bytes'] or 0) / 2**30))
    L.append('- PostgreSQL %s; %s' % (env['server_version'], '; '.join(
        '%s %s (database %s)' % (t.ext, t.version, t.db) for t in b.targets)))
    if env.get('vecdb_kernels'):
        L.append('- vecdb kernels: %s' % env['vecdb_kernels'])
    st = env['settings']
    L.append('- settings: ' + ', '.join('%s=%s' % (k, st[k]) for k in (
        'shared_buffers', 'maintenance_work_mem', 'max_parallel_maintenance_workers', 'jit', 'fsync',
        'wal_level') if st.get(k) is not None))
    L.append('- m=%d; ef_construction %s; hnsw.ef_search %s; %d run(s) per measurement, medians shown; '
             '%d inserts per client; load average %.2f at start, %.2f at end'
             % (M, ', '.join(map(str, a.efc)), ', '.join(map(str, a.ef_search)), a.runs, a.inserts,
                env['loadavg_start'][0], env['loadavg_end'][0]))
    L.append('- command: `%s`; total time %.0f s' % (env['command'], env['elapsed_s']))
    if b.notes:
        L.append('- warnings: ' + '; '.join(b.notes))
    L.append('')
    if ratios:
        L.append('## Ratios vecdb / %s' % labels[1])
        L.append('')
        L.extend(ratio_table(ratios, labels[1]))
        L.append('')
    for name, info in datasets_info.items():
        s = summary[name]
        L.append('## %s (%d rows × %d dims, %s, %d queries)' % (name, info['n'], info['dim'],
                                                                 info['metric'], info['queries']))
        L.append('')
        L.append('| | ' + ' | '.join(labels) + ' |')
        L.append('|---|' + '---|' * len(labels))
        L.append('| load (COPY BINARY), s | ' + ' | '.join(fmt(s[t]['load_s']) for t in labels) + ' |')
        L.append('| floor QPS, 1 client | ' + ' | '.join(fmt(s[t]['floor_qps'][1], '%.0f') for t in labels) + ' |')
        L.append('| floor QPS, 2 clients | ' + ' | '.join(fmt(s[t]['floor_qps'][2], '%.0f') for t in labels) + ' |')
        L.append('| floor p50 latency, ms | ' + ' | '.join(fmt(s[t]['floor_p50_ms'], '%.3f') for t in labels) + ' |')
        for efc in a.efc:
            L.append('')
            L.append('### m=%d, ef_construction=%d' % (M, efc))
            L.append('')
            L.append('| | ' + ' | '.join(labels) + ' |')
            L.append('|---|' + '---|' * len(labels))
            cf = {t: s[t]['configs'][efc] for t in labels}
            L.append('| CREATE INDEX, s | ' + ' | '.join(fmt(cf[t]['build_s']) for t in labels) + ' |')
            L.append('| index size, MB | ' + ' | '.join(
                fmt(cf[t]['index_bytes'] / 2**20 if cf[t]['index_bytes'] else None, '%.1f') for t in labels) + ' |')
            L.append('| WAL written by CREATE INDEX, MB | ' + ' | '.join(
                fmt(cf[t]['build_wal_bytes'] / 2**20 if cf[t]['build_wal_bytes'] is not None else None, '%.1f')
                for t in labels) + ' |')
            L.append('| INSERT rows/s, 1 client | ' + ' | '.join(fmt(cf[t]['insert_rows_per_s'][1], '%.0f') for t in labels) + ' |')
            L.append('| INSERT rows/s, 2 clients | ' + ' | '.join(fmt(cf[t]['insert_rows_per_s'][2], '%.0f') for t in labels) + ' |')
            L.append('| VACUUM after deleting 10%, s | ' + ' | '.join(fmt(cf[t]['vacuum_s']) for t in labels) + ' |')
            for mem in a.build_mem or []:
                base = cf[labels[0]]['build_mem_s'].get('in-memory')
                small = cf[labels[0]]['build_mem_s'].get(mem)
                L.append('| CREATE INDEX at maintenance_work_mem=%s, s (vs in-memory %s s, interleaved): %s | %s |'
                         % (mem, fmt(base), fmt_ratio(ratio(small, base)), ' | '.join(
                             [fmt(small)] + ['not run'] * (len(labels) - 1))))
            L.append('')
            L.append('| hnsw.ef_search | extension | recall@10 | QPS 1 client | QPS 2 clients | p50 ms | p99 ms |')
            L.append('|---|---|---|---|---|---|---|')
            for ef in a.ef_search:
                for t in labels:
                    x = cf[t]['search'][ef]
                    L.append('| %d | %s | %s | %s | %s | %s | %s |' % (
                        ef, t, fmt(x['recall'], '%.4f'), fmt(x['qps'][1], '%.0f'), fmt(x['qps'][2], '%.0f'),
                        fmt(x['p50_ms'], '%.3f'), fmt(x['p99_ms'], '%.3f')))
        L.append('')
    L.append('Latencies are per query at the client (1 client); QPS counts every query of every client '
             'over the wall time from the common start to the last finish. See bench/README.md.')
    L.append('')
    return '\n'.join(L)


def plot(path, summary, datasets_info, labels, efcs, efs):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = list(datasets_info)
    fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 5), squeeze=False)
    styles = ['-', '--', ':', '-.']
    colors = {lab: c for lab, c in zip(labels, ['tab:blue', 'tab:orange', 'tab:green'])}
    for ax, name in zip(axes[0], names):
        for t in labels:
            for k, efc in enumerate(efcs):
                sr = summary[name][t]['configs'][efc]['search']
                pts = [(sr[ef]['recall'], sr[ef]['qps'][1], ef) for ef in efs
                       if sr[ef]['recall'] is not None and sr[ef]['qps'][1]]
                if not pts:
                    continue
                ax.plot([p[0] for p in pts], [p[1] for p in pts], styles[k % len(styles)], marker='o',
                        color=colors[t], label='%s, ef_construction=%d' % (t, efc))
                for rc, q, ef in pts:
                    ax.annotate(str(ef), (rc, q), textcoords='offset points', xytext=(3, 3), fontsize=7,
                                color=colors[t])
            fl = summary[name][t]['floor_qps'][1]
            if fl:
                ax.axhline(fl, color=colors[t], linewidth=0.8, alpha=0.5)
                ax.annotate('floor (%s)' % t, (0.0, fl), xycoords=('axes fraction', 'data'),
                            textcoords='offset points', xytext=(3, -10), fontsize=7, color=colors[t])
        info = datasets_info[name]
        ax.set_title('%s: %d × %d, %s (m=%d)' % (name, info['n'], info['dim'], info['metric'], M))
        ax.set_xlabel('recall@10')
        ax.set_ylabel('QPS, 1 client (log)')
        ax.set_yscale('log')
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=8, loc='best')
    fig.suptitle('recall vs QPS (labels: hnsw.ef_search; lines: floor QPS)')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# -------------------------------------------------------------------- main --

def int_list(s):
    try:
        return [int(x) for x in s.split(',') if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('expected comma-separated integers: %r' % s)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description='vecdb benchmark: load, CREATE INDEX, recall/QPS/latency, insert, vacuum, '
                    'optionally against a peer extension. Usually run via bench/bench.sh or make bench.')
    p.add_argument('--dsn', default=os.environ.get('VECDB_BENCH_DSN', ''),
                   help='libpq connection string of the server (a superuser; databases vecdb_bench '
                        'and peer_bench are dropped and recreated)')
    p.add_argument('--datasets', default='fashion-mnist,synthetic', help='comma-separated: fashion-mnist,synthetic')
    p.add_argument('--fashion-n', type=int, help='Fashion-MNIST base rows (default 60000; --quick 10000)')
    p.add_argument('--synthetic-n', type=int, help='synthetic base rows (default 100000; --quick 10000)')
    p.add_argument('--efc', type=int_list, help='ef_construction values (default 64,200; --quick 64)')
    p.add_argument('--ef-search', type=int_list, help='hnsw.ef_search values (default 10,20,40,80,160,320; --quick 20,80)')
    p.add_argument('--queries', type=int, help='queries per dataset (default 1000; --quick 200)')
    p.add_argument('--runs', type=int, help='repetitions of each measurement, medians reported (default 3; --quick 2)')
    p.add_argument('--inserts', type=int, help='timed single-row INSERTs per client (default 2000; --quick 300)')
    p.add_argument('--skip', type=lambda x: [v for v in x.split(',') if v], default=[],
                   help='comma-separated phases to leave out: insert,vacuum (shorter runs)')
    p.add_argument('--peer', help='peer extension with the same SQL surface, e.g. vector')
    p.add_argument('--build-mem', type=lambda x: [v for v in x.split(',') if v],
                   help='also time vecdb CREATE INDEX at these maintenance_work_mem values '
                        '(e.g. 49MB), interleaved with in-memory builds')
    p.add_argument('--out', default=os.path.join(HERE, 'out'), help='output directory (default bench/out)')
    p.add_argument('--quick', action='store_true', help='small sizes for a smoke run')
    p.add_argument('--keep-db', action='store_true', help='keep the benchmark databases at the end')
    a = p.parse_args(argv)
    full = {'fashion_n': 60000, 'synthetic_n': 100000, 'efc': [64, 200], 'ef_search': [10, 20, 40, 80, 160, 320],
            'queries': 1000, 'runs': 3, 'inserts': 2000}
    quick = {'fashion_n': 10000, 'synthetic_n': 10000, 'efc': [64], 'ef_search': [20, 80],
             'queries': 200, 'runs': 2, 'inserts': 300}
    for k, v in (quick if a.quick else full).items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.datasets = [d.strip() for d in a.datasets.split(',') if d.strip()]
    for d in a.datasets:
        if d not in ('fashion-mnist', 'synthetic'):
            p.error('unknown dataset %r' % d)
    if not a.dsn:
        p.error('--dsn is required (bench/bench.sh passes one for its throwaway cluster)')
    for k in ('fashion_n', 'synthetic_n', 'queries', 'runs', 'inserts'):
        if getattr(a, k) < 1:
            p.error('--%s must be positive' % k.replace('_', '-'))
    if not a.efc or not a.ef_search:
        p.error('--efc and --ef-search need at least one value')
    if any(e < 2 * M or e > 1000 for e in a.efc):
        p.error('ef_construction must be in %d..1000' % (2 * M))
    if any(e < 1 or e > 1000 for e in a.ef_search):
        p.error('hnsw.ef_search must be in 1..1000')
    a.out = os.path.abspath(a.out)
    return a


def main(argv):
    a = parse_args(argv)
    ok = False
    os.makedirs(a.out, exist_ok=True)
    log('vecdb benchmark: datasets %s, efc %s, ef_search %s, %d queries, %d runs%s'
        % (','.join(a.datasets), a.efc, a.ef_search, a.queries, a.runs,
           (', peer %s' % a.peer) if a.peer else ''))
    b = Bench(a)
    try:
        b.setup()
    except psycopg2.Error as e:
        raise SystemExit('setup failed: %s' % str(e).strip())
    log('server %s; %s' % (b.env['server_version'], ', '.join('%s %s' % (t.ext, t.version) for t in b.targets)))
    datasets_info = {}
    try:
        for name in a.datasets:
            ds = load_fashion(a.fashion_n, a.queries) if name == 'fashion-mnist' \
                else load_synthetic(a.synthetic_n, a.queries)
            datasets_info[name] = {'n': ds.n, 'dim': ds.dim, 'metric': ds.metric,
                                   'queries': len(ds.queries), 'params': ds.params}
            b.run_dataset(ds)
            del ds
        ok = True
    finally:
        b.env['loadavg_end'] = os.getloadavg()
        b.env['elapsed_s'] = time.time() - T_START
        try:
            b.teardown()
        except psycopg2.Error as e:
            log('teardown: %s' % str(e).strip())
        labels = [t.label for t in b.targets]
        done = list(datasets_info)
        summary = summarize(b.raw, done, labels, a.efc, a.ef_search)
        ratios = compute_ratios(summary, done, labels[0], labels[1], a.efc, a.ef_search) \
            if len(labels) > 1 and done and ok else []
        result = {'environment': b.env, 'config': {k: v for k, v in vars(a).items() if k != 'dsn'},
                  'datasets': datasets_info, 'raw': b.raw, 'medians': summary, 'ratios': ratios,
                  'notes': b.notes, 'complete': ok}
        with open(os.path.join(a.out, 'results.json'), 'w') as f:
            json.dump(result, f, indent=1, default=str)
        if ok:
            md = markdown(b, summary, ratios, datasets_info)
            with open(os.path.join(a.out, 'results.md'), 'w') as f:
                f.write(md)
            plot(os.path.join(a.out, 'recall_qps.png'), summary, datasets_info, labels, a.efc, a.ef_search)
            if ratios:
                print()
                print('\n'.join(ratio_table(ratios, labels[1])))
                print()
            log('wrote %s/results.json, results.md, recall_qps.png (%.0f s in all)'
                % (os.path.relpath(a.out), b.env['elapsed_s']))
        else:
            log('incomplete run: raw measurements so far in %s/results.json' % os.path.relpath(a.out))


if __name__ == '__main__':
    main(sys.argv[1:])
