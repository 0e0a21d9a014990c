#!/usr/bin/python3
"""bench/plot_recall_qps.py: recall@10 against queries per second, one curve a target.

Reads the JSON that bench/quantized.py writes (--json; either one result with
"runs", or a dict of such results under names, e.g. one per shared_buffers
setting, chosen with --keys and joined per target) and, optionally, the JSON of
bench/hnswlib_ceiling.py, and draws one client's QPS (log scale) against
recall@10, a point per ef_search, labelled with it.

  python3 bench/plot_recall_qps.py out.png --quantized results.json \\
      --keys 8GB,8GB_high_ef --hnswlib hnswlib.json --rename vector=pgvector \\
      --title '1M x 768, cosine'
"""

import argparse
import json

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def quantized_curves(path, keys):
    """{target: {ef: (recall, qps)}} from a quantized.py JSON file."""
    with open(path) as f:
        data = json.load(f)
    parts = [data[k] for k in keys] if keys else [data]
    curves = {}
    for part in parts:
        for run in part['runs']:
            for target, per_ef in run['search'].items():
                for ef, r in per_ef.items():
                    curves.setdefault(target, {})[int(ef)] = (r['recall'], r['qps'])
    return curves


def hnswlib_curve(path):
    with open(path) as f:
        data = json.load(f)
    return {int(ef): (r['recall'], r['qps']) for ef, r in data['search'].items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--quantized', required=True)
    ap.add_argument('--keys', help='comma-separated names of results in the file')
    ap.add_argument('--hnswlib')
    ap.add_argument('--title', default='')
    ap.add_argument('--rename', action='append', default=[], metavar='TARGET=LABEL')
    args = ap.parse_args()
    curves = quantized_curves(args.quantized, args.keys.split(',') if args.keys else None)
    for pair in args.rename:
        old, new = pair.split('=', 1)
        curves[new] = curves.pop(old)
    if args.hnswlib:
        curves['hnswlib (in-process, -march=native)'] = hnswlib_curve(args.hnswlib)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for target, per_ef in sorted(curves.items()):
        efs = sorted(per_ef)
        xs = [per_ef[e][0] for e in efs]
        ys = [per_ef[e][1] for e in efs]
        ax.plot(xs, ys, marker='o', label=target)
        for e, x, y in zip(efs, xs, ys):
            ax.annotate(str(e), (x, y), textcoords='offset points', xytext=(3, 3), fontsize=7)
    ax.set_yscale('log')
    ax.set_xlabel('recall@10')
    ax.set_ylabel('queries per second, one client (log)')
    ax.set_title(args.title)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)


if __name__ == '__main__':
    main()
