#!/usr/bin/python3
"""bench/backend_profile.py: where a k-NN query's server time goes, by perf.

Runs `SELECT id FROM <table> ORDER BY v <-> $1 LIMIT 10` (a prepared
statement, the vector a bound parameter, psycopg 3) over Fashion-MNIST test
images on one connection for --seconds, after two warm passes, while
`perf record` samples that connection's server backend; then sorts the
samples by symbol into shares:

  walk          vecdb.so (the graph walk, the query's parsing, the scan)
  heap + TOAST  heapam, the TOAST index's btree, detoasting
  buffers       the buffer manager (mapping hash, pins, content locks):
                the walk's and the heap's alike
  kernel        kernel symbols
  other         the executor, parser, protocol, libc

Needs perf and root (or perf_event_paranoid <= 0) on the server's machine.
Meant for the databases bench/index_only.py --keep leaves (ios_<storage>_vecdb,
tables items and items_ios).

  flock /tmp/notes/bench.lock python3 bench/backend_profile.py ios_default_vecdb items 10
"""

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph_quality import connect, fashion, vec_text  # noqa: E402

SHARES = ['walk', 'heap + TOAST', 'buffers', 'kernel', 'other']
HEAP = re.compile(r'^(heap_|heapam_|_bt|bt|toast|detoast|pg_detoast|index_fetch|table_index|'
                  r'PageIsVerified|index_getnext|HeapTupleSatisfies|systable_|slot_deform|'
                  r'tts_buffer|ExecStoreBufferHeapTuple|varsize_any)')
BUFFERS = re.compile(r'^(hash_search_with_hash_value|LWLock|LockBufHdr|PinBuffer|UnpinBuffer|'
                     r'ReleaseBuffer|ReadBuffer|BufTableLookup|ReadRecentBuffer|'
                     r'IncrBufferRefCount|ResourceOwner|GetPrivateRefCount|LockBuffer|'
                     r'UnlockReleaseBuffer|MarkBufferDirtyHint|StartBufferIO|TerminateBufferIO)')


def record(db, table, ef, seconds, out):
    _, queries = fashion(500)
    texts = [vec_text(q) for q in queries]
    sql = 'SELECT id FROM %s ORDER BY v <-> %%s::vector LIMIT 10' % table
    with connect(db) as c:
        c.execute('SET hnsw.ef_search = %d' % ef)
        for q in texts + texts:
            c.execute(sql, (q,), prepare=True).fetchall()
        perf = subprocess.Popen(['perf', 'record', '-q', '-F', '4000', '-o', out,
                                 '-p', str(c.info.backend_pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            c.execute(sql, (texts[n % len(texts)],), prepare=True).fetchall()
            n += 1
        perf.send_signal(2)
        perf.wait()
    return n


def shares(data):
    out = subprocess.run(['perf', 'report', '-i', data, '--sort', 'dso,sym', '--stdio'],
                         capture_output=True, text=True).stdout
    got = dict.fromkeys(SHARES, 0.0)
    for line in out.splitlines():
        m = re.match(r'\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)', line)
        if not m:
            continue
        pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4)
        if dso == 'vecdb.so':
            got['walk'] += pct
        elif kind == 'k':
            got['kernel'] += pct
        elif HEAP.match(sym):
            got['heap + TOAST'] += pct
        elif BUFFERS.match(sym):
            got['buffers'] += pct
        else:
            got['other'] += pct
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('db')
    ap.add_argument('table')
    ap.add_argument('ef', type=int)
    ap.add_argument('--seconds', type=float, default=8)
    ap.add_argument('--out', default=None, help='perf data file (default: /tmp/perf-DB-TABLE-EF.data)')
    args = ap.parse_args()
    out = args.out or '/tmp/perf-%s-%s-%d.data' % (args.db, args.table, args.ef)
    n = record(args.db, args.table, args.ef, args.seconds, out)
    s = shares(out)
    print('| %s | %s | %d | %d | %s |' % (args.db, args.table, args.ef, n,
                                         ' | '.join('%.0f%%' % s[k] for k in SHARES)))


if __name__ == '__main__':
    main()
