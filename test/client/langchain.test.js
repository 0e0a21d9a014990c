// langchain.test.js: LangChain.js's PGVectorStore against vecdb installed as
// "vector".
//
// The unchanged @langchain/community PGVectorStore (with node-postgres) runs
// its own `CREATE EXTENSION IF NOT EXISTS vector`, creates its table, adds
// documents and searches them.  The server must have vecdb installed under
// the extension name vector (make install-as-vector; scripts/test.sh does
// it for its client cluster): the test checks that the extension the library
// created is vecdb's, and fails otherwise.  The embeddings are a small
// deterministic class written here, so the expected answers are computed in
// the test.  Connects with PGHOST/PGPORT/PGUSER, works in a database of its
// own and drops it at the end.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Embeddings } from '@langchain/core/embeddings';
import { Document } from '@langchain/core/documents';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';

const DB = 'vecdb_client_langchain';

// A word's axis; other words count toward the last axis, so no text embeds
// to the zero vector (cosine distance would be NaN).
const VOCAB = ['cat', 'dog', 'fish', 'car', 'train', 'plane', 'red', 'blue'];
const DIMS = VOCAB.length + 1;

// Word counts over VOCAB plus one "other words" axis: deterministic, no
// network, and easy to reason about.
class WordCountEmbeddings extends Embeddings {
	constructor() {
		super({});
	}

	static embed(text) {
		const v = new Array(DIMS).fill(0);
		for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
			const i = VOCAB.indexOf(w);
			v[i >= 0 ? i : DIMS - 1] += 1;
		}
		return v;
	}

	async embedDocuments(texts) {
		return texts.map((t) => WordCountEmbeddings.embed(t));
	}

	async embedQuery(text) {
		return WordCountEmbeddings.embed(text);
	}
}

const DOCS = [
	['a red cat', { topic: 'animals', n: 1 }],
	['cat cat dog', { topic: 'animals', n: 2 }],
	['a blue fish swims', { topic: 'animals', n: 3 }],
	['dog and dog and fish', { topic: 'animals', n: 4 }],
	['red car red train', { topic: 'vehicles', n: 5 }],
	['blue plane over the train', { topic: 'vehicles', n: 6 }],
	['the fast car', { topic: 'vehicles', n: 7 }],
	['plane plane plane', { topic: 'vehicles', n: 8 }],
];

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const cosineDistance = (a, b) => 1 - dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

// The k documents nearest to query by cosine distance, computed here; the
// query texts below are chosen so that the k nearest have no ties.
function expectedNearest(query, k, filter = () => true) {
	const q = WordCountEmbeddings.embed(query);
	return DOCS.filter(([, meta]) => filter(meta))
		.map(([text]) => [text, cosineDistance(WordCountEmbeddings.embed(text), q)])
		.sort((x, y) => x[1] - y[1])
		.slice(0, k);
}

function assertNoTies(expected, all) {
	// the k-th and (k+1)-th distances differ, and so do neighbours in the list
	for (let i = 1; i < all.length && i <= expected.length; i++)
		assert.ok(all[i][1] - all[i - 1][1] > 1e-9, `test data has a tie at rank ${i}`);
}

describe('LangChain.js PGVectorStore against vecdb installed as vector', () => {
	let admin = null;
	let store = null;
	let dbCreated = false;

	before(async () => {
		admin = new pg.Client({ database: 'postgres' });
		await admin.connect();
		await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
		await admin.query(`CREATE DATABASE ${DB}`);
		dbCreated = true;
	});

	after(async () => {
		try {
			if (store) await store.end();
		} finally {
			try {
				if (admin && dbCreated) await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
			} finally {
				if (admin) await admin.end();
			}
		}
	});

	it('initialize creates the extension (vecdb\'s) and the table', async () => {
		store = await PGVectorStore.initialize(new WordCountEmbeddings(), {
			postgresConnectionOptions: { database: DB },
			tableName: 'docs',
			dimensions: DIMS,
			distanceStrategy: 'cosine',
		});
		const ext = await store.pool.query(
			`SELECT e.extversion, p.probin
			   FROM pg_extension e
			   JOIN pg_depend d ON d.refobjid = e.oid AND d.refclassid = 'pg_extension'::regclass
			   JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
			  WHERE e.extname = 'vector' AND p.proname = 'vector_in'`);
		assert.equal(ext.rows.length, 1, 'extension vector with function vector_in');
		assert.equal(ext.rows[0].probin, '$libdir/vecdb',
			'the vector extension loads pgvector\'s library, not vecdb\'s: install vecdb with make install-as-vector');
		const v = await store.pool.query('SELECT vecdb_version() AS v');
		assert.match(v.rows[0].v, /^\d+\.\d+\.\d+/);
		const col = await store.pool.query(
			`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
			  WHERE attrelid = 'docs'::regclass AND attname = 'embedding'`);
		assert.equal(col.rows[0].t, `vector(${DIMS})`);
	});

	it('addDocuments stores every document with its embedding', async () => {
		await store.addDocuments(DOCS.map(([pageContent, metadata]) => new Document({ pageContent, metadata })));
		const { rows } = await store.pool.query('SELECT text, metadata, embedding::text AS e FROM docs ORDER BY (metadata->>\'n\')::int');
		assert.equal(rows.length, DOCS.length);
		for (let i = 0; i < DOCS.length; i++) {
			assert.equal(rows[i].text, DOCS[i][0]);
			assert.deepEqual(rows[i].metadata, DOCS[i][1]);
			assert.equal(rows[i].e, JSON.stringify(WordCountEmbeddings.embed(DOCS[i][0])));
		}
	});

	const queries = [['cat', 2], ['red train', 3], ['plane', 2], ['dog fish', 3], ['cat dog fish', 4],
		['red cat blue plane', 6], ['a car', 6]];

	it('similaritySearch returns the nearest documents in order', async () => {
		for (const [query, k] of queries) {
			const all = expectedNearest(query, DOCS.length);
			assertNoTies(all.slice(0, k), all);
			const got = await store.similaritySearch(query, k);
			assert.deepEqual(got.map((d) => d.pageContent), all.slice(0, k).map(([t]) => t), `query "${query}"`);
			for (const d of got) assert.equal(typeof d.metadata.topic, 'string');
		}
	});

	it('similaritySearchWithScore returns cosine distances', async () => {
		for (const [query, k] of queries) {
			const expected = expectedNearest(query, k);
			const got = await store.similaritySearchWithScore(query, k);
			assert.equal(got.length, k);
			for (let i = 0; i < k; i++) {
				assert.equal(got[i][0].pageContent, expected[i][0]);
				assert.ok(Math.abs(got[i][1] - expected[i][1]) < 1e-6,
					`query "${query}" rank ${i}: distance ${got[i][1]}, expected ${expected[i][1]}`);
			}
		}
	});

	it('similaritySearch with a metadata filter', async () => {
		const vehicles = (m) => m.topic === 'vehicles';
		const all = expectedNearest('a car', DOCS.length, vehicles);
		const expected = all.slice(0, 3);
		assertNoTies(expected, all);
		const got = await store.similaritySearch('a car', 3, { topic: 'vehicles' });
		assert.deepEqual(got.map((d) => d.pageContent), expected.map(([t]) => t));
	});

	it('createHnswIndex builds an hnsw index and searches give the same answers through it', async () => {
		await store.createHnswIndex({ dimensions: DIMS, m: 4, efConstruction: 16 });
		const idx = await store.pool.query(
			`SELECT am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			   JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = 'docs'::regclass AND am.amname = 'hnsw'`);
		assert.equal(idx.rows.length, 1, 'PGVectorStore.createHnswIndex logs errors instead of throwing: no hnsw index');
		// one pooled connection, so the settings apply to the searches below
		const client = await store.pool.connect();
		try {
			await client.query('SET enable_seqscan = off');
			const plan = await client.query(
				`EXPLAIN (COSTS OFF) SELECT * FROM docs ORDER BY embedding <=> $1 LIMIT 3`,
				[JSON.stringify(WordCountEmbeddings.embed('cat'))]);
			assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using .*hnsw/);
			for (const [query, k] of queries) {
				const expected = expectedNearest(query, k).map(([t]) => t);
				const { rows } = await client.query(
					'SELECT text FROM docs ORDER BY embedding <=> $1 LIMIT $2',
					[JSON.stringify(WordCountEmbeddings.embed(query)), k]);
				assert.deepEqual(rows.map((r) => r.text), expected, `query "${query}" through the index`);
			}
		} finally {
			client.release();
		}
	});
});
