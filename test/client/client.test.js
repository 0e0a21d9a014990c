// client.test.js: the unchanged pgvector Node.js library against vecdb.
//
// Uses node-postgres (`pg`) and pgvector's node-postgres integration exactly
// as pgvector-node's README documents it (registerTypes, toSql), so a user
// switching from pgvector to vecdb keeps their application code.  Connects
// with the usual PGHOST/PGPORT/PGUSER variables (scripts/test.sh exports them
// for its throwaway cluster), works in a database of its own, and drops it at
// the end.
//
// Run: npm install && node --test

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import pgvector from 'pgvector/pg';

const DB = 'vecdb_client_test';

// Rows inserted by the tests: exact float4 values, a fraction, negatives and
// 0.1 (which only reads back as 0.1 if the output is shortest round-trip).
const ROWS = [
	[1, [1, 1, 1]],
	[2, [2, 2, 2]],
	[3, [1, 1, 2]],
	[4, [1.5, -2, 0.25]],
	[5, [-0.1, 0.1, -3]],
];

// Reference distances, computed from the float4 values the server stores.
const f32 = (v) => v.map(Math.fround);
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));
const ref = {
	l2: (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0)),
	negIp: (a, b) => -dot(a, b),
	cosine: (a, b) => 1 - dot(a, b) / (norm(a) * norm(b)),
	l1: (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0),
};

function assertClose(actual, expected, what) {
	assert.equal(typeof actual, 'number', `${what}: expected a number, got ${typeof actual}`);
	const tol = 1e-6 * Math.max(1, Math.abs(expected));
	assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

describe('pgvector (node-postgres) against vecdb', () => {
	let admin = null;
	let client = null;
	let dbCreated = false;

	before(async () => {
		admin = new pg.Client({ database: 'postgres' });
		await admin.connect();
		await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
		await admin.query(`CREATE DATABASE ${DB}`);
		dbCreated = true;

		client = new pg.Client({ database: DB });
		await client.connect();
		await client.query('CREATE EXTENSION vecdb');
		// As documented by pgvector-node; looks up vector (required) and
		// halfvec/sparsevec (optional) in pg_type and installs text parsers.
		await pgvector.registerTypes(client);
	});

	after(async () => {
		try {
			if (client) await client.end();
		} finally {
			try {
				if (admin && dbCreated) await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
			} finally {
				if (admin) await admin.end();
			}
		}
	});

	it('creates a table and inserts with pgvector.toSql', async () => {
		await client.query('CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3))');
		for (const [id, v] of ROWS) {
			const r = await client.query('INSERT INTO items (id, embedding) VALUES ($1, $2)', [id, pgvector.toSql(v)]);
			assert.equal(r.rowCount, 1);
		}
	});

	it('reads vectors back as JS arrays equal to the inputs', async () => {
		const { rows } = await client.query('SELECT id, embedding FROM items ORDER BY id');
		assert.equal(rows.length, ROWS.length);
		for (let i = 0; i < ROWS.length; i++) {
			const [id, v] = ROWS[i];
			assert.equal(Number(rows[i].id), id);
			assert.ok(Array.isArray(rows[i].embedding), `row ${id}: embedding is ${typeof rows[i].embedding}, not an array`);
			for (const x of rows[i].embedding) assert.equal(typeof x, 'number');
			assert.deepEqual(rows[i].embedding, v, `row ${id}`);
		}
	});

	it('parses NULL and computed vectors', async () => {
		const { rows } = await client.query(
			'SELECT NULL::vector AS n, $1::vector + $2::vector AS s',
			[pgvector.toSql([1, 2, 3]), pgvector.toSql([0.5, -2, 1])]);
		assert.equal(rows[0].n, null);
		assert.deepEqual(rows[0].s, [1.5, 0, 4]);
	});

	it('orders by <-> with a parameter (nearest neighbours)', async () => {
		const { rows } = await client.query(
			'SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 2', [pgvector.toSql([1, 1, 1])]);
		assert.deepEqual(rows.map((r) => Number(r.id)), [1, 3]);
	});

	it('computes <->, <#>, <=> and <+> numerically', async () => {
		const q = [1, 2, 3];
		const { rows } = await client.query(
			`SELECT id, embedding <-> $1 AS l2, embedding <#> $1 AS neg_ip,
			        embedding <=> $1 AS cosine, embedding <+> $1 AS l1
			   FROM items ORDER BY id`,
			[pgvector.toSql(q)]);
		assert.equal(rows.length, ROWS.length);
		for (let i = 0; i < ROWS.length; i++) {
			const [id, v] = ROWS[i];
			const a = f32(v);
			assertClose(rows[i].l2, ref.l2(a, q), `row ${id} <->`);
			assertClose(rows[i].neg_ip, ref.negIp(a, q), `row ${id} <#>`);
			assertClose(rows[i].cosine, ref.cosine(a, q), `row ${id} <=>`);
			assertClose(rows[i].l1, ref.l1(a, q), `row ${id} <+>`);
		}
		// Spot checks independent of the reference functions.
		assertClose(rows[1].neg_ip, -12, 'row 2 <#>'); // -(2+4+6)
		assertClose(rows[0].cosine, 1 - 6 / (Math.sqrt(3) * Math.sqrt(14)), 'row 1 <=>');
	});

	it('rejects malformed vector parameters with SQLSTATE 22P02', async () => {
		const bad = ['[1,2', 'not a vector', '[1,,3]', pgvector.toSql([1, NaN, 3]) /* "[1,null,3]" */];
		for (const text of bad) {
			await assert.rejects(
				client.query('INSERT INTO items (id, embedding) VALUES (99, $1)', [text]),
				(err) => {
					assert.equal(err.code, '22P02', `input ${JSON.stringify(text)}: code ${err.code} (${err.message})`);
					return true;
				},
				`input ${JSON.stringify(text)} was accepted`);
		}
		const { rows } = await client.query('SELECT count(*)::int AS n FROM items WHERE id = 99');
		assert.equal(rows[0].n, 0);
	});

	it('vector_send produces pgvector\'s binary layout', async () => {
		const { rows } = await client.query('SELECT vector_send($1::vector) AS b', [pgvector.toSql([1, 2, 3])]);
		const expected = Buffer.alloc(4 + 3 * 4);
		expected.writeInt16BE(3, 0); // dim
		expected.writeInt16BE(0, 2); // unused
		expected.writeFloatBE(1, 4);
		expected.writeFloatBE(2, 8);
		expected.writeFloatBE(3, 12);
		assert.ok(Buffer.isBuffer(rows[0].b), 'bytea should come back as a Buffer');
		assert.equal(rows[0].b.toString('hex'), expected.toString('hex'));
		assert.equal(expected.toString('hex'), '00030000' + '3f800000' + '40000000' + '40400000');
	});
});
