#!/usr/bin/python3
"""bench/hnswlib_ceiling.py: the native in-process library ceiling.

Compiles bench/hnswlib_ceiling.cpp against hnswlib's public source, checked
out outside this repository at HNSWLIB_SRC (for instance
`git clone https://github.com/nmslib/hnswlib /tmp/hnswlib`; never committed
here), with g++ -O3 -march=native, and runs it single-threaded in-process on
the same data, queries, m and ef_construction as bench/quantized.py:
Fashion-MNIST (L2) or the generated clustered 768-d unit vectors (cosine as
inner product of unit vectors).  Prints and optionally writes JSON: build
seconds, and recall@10 and QPS (median of --reps passes) per ef_search.

  HNSWLIB_SRC=/tmp/hnswlib python3 bench/hnswlib_ceiling.py --dataset fashion
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantized import dataset, truth  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dataset', default='fashion')
    ap.add_argument('--rows', type=int, default=100000)
    ap.add_argument('--queries', type=int, default=200)
    ap.add_argument('--efs', type=int, nargs='+', default=[10, 20, 40, 80])
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--json')
    args = ap.parse_args()
    src = os.environ.get('HNSWLIB_SRC')
    if not src or not os.path.exists(os.path.join(src, 'hnswlib', 'hnswlib.h')):
        sys.exit('set HNSWLIB_SRC to a checkout of hnswlib (outside this repository)')
    work = tempfile.mkdtemp(prefix='hnswlib_ceiling_')
    exe = os.path.join(work, 'hnswlib_ceiling')
    subprocess.check_call(['g++', '-O3', '-march=native', '-std=c++17', '-I', src, '-o', exe,
                           os.path.join(HERE, 'hnswlib_ceiling.cpp')])
    base, queries, metric = dataset(args.dataset, args.rows, args.queries)
    gt = truth(base, queries, metric)
    base.astype('<f4').tofile(os.path.join(work, 'base.f32'))
    queries.astype('<f4').tofile(os.path.join(work, 'queries.f32'))
    ids = np.array([sorted(x) for x in gt], dtype='<i4') - 1     # labels are row ids - 1
    ids.astype('<i4').tofile(os.path.join(work, 'truth.i32'))
    np.array([len(base), len(queries), base.shape[1], 10], dtype='<i4').tofile(os.path.join(work, 'dims.i32'))
    out = subprocess.check_output([exe, work, 'l2' if metric == 'l2' else 'ip', '16', '64',
                                   str(args.reps)] + [str(e) for e in args.efs])
    res = json.loads(out)
    res.update({'dataset': args.dataset, 'rows': len(base), 'load': os.getloadavg()})
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=1)


if __name__ == '__main__':
    main()
