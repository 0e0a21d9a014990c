#!/usr/bin/python3
"""bench/build_time.py: CREATE INDEX time on Fashion-MNIST, vecdb beside a peer.

`prepare EXT...` loads Fashion-MNIST (60,000 training images x 784, L2) into
one database per extension (bt_EXT: table items, column v SET STORAGE
PLAIN, binary COPY, VACUUM ANALYZE).

`run EXT...` then times `CREATE INDEX ... USING hnsw (v vector_l2_ops) WITH
(m = 16, ef_construction = E [, quantization = Q])` for every
ef_construction of --efc and every target, at maintenance_work_mem --mwm
and the server's max_parallel_maintenance_workers, --runs times, the
targets interleaved within each run (each index dropped before the next
build).  A target is an extension name, optionally with a quantization:
`vecdb`, `vecdb:int8`, `vecdb:binary`, `vector`.  With --recall, after each
build of an extension that has vecdb_index_check (vecdb and copies of it
under other names), also recall@10 over the first --queries test images at
each --ef-search (prepared statement, the vector a bound parameter; exact
answers by brute force in numpy; a returned row counts when its exact
distance is within the 10th true one, relative 1e-5) and the checker's
unreachable count; pgvector's recall is measured the same way.

Connects with psycopg 3 to PGHOST/PGPORT as PGUSER.  Prints markdown (every
build's seconds and the medians, ratios to --ref); --json writes every
figure.

  python3 bench/build_time.py prepare vecdb vector
  flock /tmp/notes/bench.lock python3 bench/build_time.py run --runs 3 \\
      --json out.json vecdb vecdb:int8 vector
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_quality import connect, fashion, setup_db, vec_text  # noqa: E402
from filtered import copy_payload  # noqa: E402

K = 10


def prepare(ext, base):
    db = setup_db(ext, 'bt_')
    with connect(db) as c:
        c.execute('CREATE TABLE items (id int PRIMARY KEY, v vector(%d))' % base.shape[1])
        c.execute('ALTER TABLE items ALTER COLUMN v SET STORAGE PLAIN')
        with c.cursor().copy('COPY items (id, v) FROM STDIN (FORMAT binary)') as cp:
            cp.write(copy_payload(base, {}, []))
        c.execute('VACUUM ANALYZE items')


def exact(base, queries):
    """Per query: the 10th smallest squared distance (float64)."""
    b = base.astype(np.float64)
    bn = (b * b).sum(axis=1)
    out = []
    for q in queries.astype(np.float64):
        d = bn - 2 * (b @ q) + q @ q
        out.append(np.partition(d, K - 1)[K - 1])
    return out


def recall(c, base, queries, kth, efs):
    sql = 'SELECT id FROM items ORDER BY v <-> %s::vector LIMIT 10'
    res = {}
    for ef in efs:
        c.execute('SET hnsw.ef_search = %d' % ef)
        hits = 0
        for q, t in zip(queries, kth):
            ids = [r[0] for r in c.execute(sql, (vec_text(q),), prepare=True)]
            d = ((base[np.array(ids) - 1].astype(np.float64) - q) ** 2).sum(axis=1)
            hits += int((d <= t * (1 + 1e-5)).sum())
        res[ef] = hits / (K * len(queries))
    return res


def build_once(target, efc, mwm):
    ext, _, quant = target.partition(':')
    with connect('bt_' + ext) as c:
        c.execute('DROP INDEX IF EXISTS items_idx')
        c.execute("SET maintenance_work_mem = '%s'" % mwm)
        t0 = time.perf_counter()
        c.execute('CREATE INDEX items_idx ON items USING hnsw (v vector_l2_ops) '
                  'WITH (m = 16, ef_construction = %d%s)'
                  % (efc, ', quantization = %s' % quant if quant else ''))
        secs = time.perf_counter() - t0
        size = c.execute("SELECT pg_relation_size('items_idx')").fetchone()[0]
    return {'build_s': secs, 'index_bytes': size}


def quality(target, base, queries, kth, efs):
    ext = target.partition(':')[0]
    with connect('bt_' + ext) as c:
        out = {'recall': recall(c, base, queries, kth, efs)}
        if c.execute("SELECT 1 FROM pg_proc WHERE proname = 'vecdb_index_check'").fetchone():
            r = c.execute("SELECT unreachable_nodes FROM vecdb_index_check('items_idx')")
            out['unreachable'] = r.fetchone()[0]
        c.execute('DROP INDEX items_idx')
    return out


def report(rows, targets, efcs, ref, efs):
    print('| ef_construction | target | CREATE INDEX s (runs) | median | / %s (median of per-run ratios) |'
          % ref + ''.join(' recall@10 ef %d (runs) |' % e for e in efs) + ' unreachable |')
    print('|---|---|---|---|---|' + '---|' * len(efs) + '---|')
    for efc in efcs:
        for t in targets:
            mine = [r for r in rows if r['efc'] == efc and r['target'] == t]
            secs = [r['build_s'] for r in mine]
            ratios = []
            for r in mine:
                peer = [x for x in rows if x['efc'] == efc and x['target'] == ref
                        and x['run'] == r['run']]
                if peer:
                    ratios.append(r['build_s'] / peer[0]['build_s'])
            line = '| %d | %s | %s | %.1f | %s |' % (
                efc, t, ', '.join('%.1f' % s for s in secs), statistics.median(secs),
                '%.3f (%s)' % (statistics.median(ratios), ', '.join('%.3f' % x for x in ratios))
                if ratios else '-')
            for e in efs:
                rec = [r['recall'][e] for r in mine if 'recall' in r]
                line += ' %s |' % (', '.join('%.4f' % x for x in rec) if rec else '-')
            un = [str(r['unreachable']) for r in mine if 'unreachable' in r]
            print(line + ' %s |' % (', '.join(un) if un else '-'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('cmd', choices=['prepare', 'run'])
    ap.add_argument('targets', nargs='+')
    ap.add_argument('--efc', type=int, nargs='+', default=[64, 200])
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--mwm', default='1GB')
    ap.add_argument('--recall', action='store_true')
    ap.add_argument('--queries', type=int, default=1000)
    ap.add_argument('--ef-search', type=int, nargs='+', default=[10, 20, 40])
    ap.add_argument('--ref', default='vector')
    ap.add_argument('--json')
    a = ap.parse_args()
    base, queries = fashion(a.queries)
    if a.cmd == 'prepare':
        for ext in a.targets:
            prepare(ext, base)
        return
    kth = exact(base, queries) if a.recall else None
    rows = []
    for run in range(1, a.runs + 1):
        for efc in a.efc:
            for t in a.targets:
                r = {'run': run, 'efc': efc, 'target': t}
                r.update(build_once(t, efc, a.mwm))
                if a.recall:
                    r.update(quality(t, base, queries, kth, a.ef_search))
                print('run %d efc %d %s: %.2f s' % (run, efc, t, r['build_s']), file=sys.stderr,
                      flush=True)
                rows.append(r)
    with connect('bt_' + a.targets[0].partition(':')[0]) as c:
        settings = dict(c.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', "
            "'max_parallel_maintenance_workers', 'server_version')").fetchall())
    report(rows, a.targets, a.efc, a.ref, a.ef_search)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'args': vars(a), 'settings': settings, 'builds': rows}, f, indent=1)


if __name__ == '__main__':
    main()
