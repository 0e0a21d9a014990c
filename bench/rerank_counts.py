#!/usr/bin/python3
"""bench/rerank_counts.py: rows a quantized index's scans re-rank, and index pages they read.

Runs Fashion-MNIST's first 200 test images against a database holding `items (id, v)` with one
hnsw index on v (for instance one bench/quantized.py --keep left, or one built by hand), at
several hnsw.ef_search / hnsw.rerank_candidates settings, and prints the mean over the queries
of vecdb_last_scan()'s rows_reranked and pages_read.  Counts, not timings: no lock needed.

  python3 bench/rerank_counts.py DATABASE LABEL
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantized import dataset  # noqa: E402
from graph_quality import connect, vec_text  # noqa: E402

SETTINGS = [(10, 0), (20, 0), (40, 0), (80, 0), (10, 40), (10, 80), (40, 160), (40, 320)]


def main():
    db, label = sys.argv[1], sys.argv[2]
    _, queries, _ = dataset('fashion', 0, 200)
    texts = [vec_text(q) for q in queries]
    with connect(db) as c:
        c.execute('SET enable_seqscan = off')
        for ef, rc in SETTINGS:
            c.execute('SET hnsw.ef_search = %d' % ef)
            c.execute('SET hnsw.rerank_candidates = %d' % rc)
            rows = pages = 0
            for t in texts:
                c.execute('SELECT id FROM items ORDER BY v <-> %s::vector LIMIT 10', (t,),
                          prepare=True).fetchall()
                r, p = c.execute('SELECT rows_reranked, pages_read FROM vecdb_last_scan()').fetchone()
                rows += r
                pages += p
            print('%s ef %d rerank_candidates %d: rows re-ranked per query %.1f, index pages read %.1f'
                  % (label, ef, rc, rows / len(texts), pages / len(texts)), flush=True)


if __name__ == '__main__':
    main()
