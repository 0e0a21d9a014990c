// pgvector_types.test.js: the npm pgvector package's halfvec, sparsevec and
// bit support against the extension named "vector".
//
// pgvector-node's node-postgres helpers (registerTypes, toSql, fromSql,
// SparseVector) round-trip halfvec and sparsevec values; its knex helpers
// declare a halfvec column and order by distances, including the bit
// operators <~> (Hamming) and <%> (Jaccard).  Expected values are computed
// in the test.  Runs in a database of its own, with CREATE EXTENSION vector
// (vecdb installed as vector, or pgvector itself: the test passes against
// pgvector 0.8).
//
// vecdb is getting these types one at a time: each group (halfvec,
// sparsevec, bit) is skipped, with a note, while the server's vector
// extension lacks its type (bit: the <~> and <%> operators); nothing else is
// skipped.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import knexFactory from 'knex';
import pgvector from 'pgvector/pg';
import { SparseVector, fromSql } from 'pgvector';
import pgvectorKnex from 'pgvector/knex';

const DB = 'vecdb_client_types';

// CREATE DATABASE + CREATE EXTENSION vector here, at load time, so that
// describe() knows whether to skip.
async function setUp() {
	const admin = new pg.Client({ database: 'postgres' });
	await admin.connect();
	try {
		await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
		await admin.query(`CREATE DATABASE ${DB}`);
	} finally {
		await admin.end();
	}
	const c = new pg.Client({ database: DB });
	await c.connect();
	try {
		await c.query('CREATE EXTENSION vector');
		const { rows } = await c.query(
			`SELECT to_regtype('halfvec') IS NOT NULL AS halfvec,
			        to_regtype('sparsevec') IS NOT NULL AS sparsevec,
			        to_regoperator('<~>(bit,bit)') IS NOT NULL
			          AND to_regoperator('<%>(bit,bit)') IS NOT NULL AS bit,
			        to_regprocedure('vecdb_version()') IS NOT NULL AS vecdb,
			        (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS version`);
		return rows[0];
	} finally {
		await c.end();
	}
}

async function dropDatabase() {
	const admin = new pg.Client({ database: 'postgres' });
	await admin.connect();
	try {
		await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
	} finally {
		await admin.end();
	}
}

const server = await setUp();
const impl = `${server.vecdb ? 'vecdb' : 'pgvector'} as vector ${server.version}`;
// skipReason(kind, what): false if the server has it, else a note
function skipReason(kind, what) {
	if (server[kind]) return false;
	const note = `the server's vector extension (${impl}) has no ${what} yet: ${kind} client checks skipped`;
	console.log(`NOTE: ${note}`);
	return note;
}
const skip = {
	halfvec: skipReason('halfvec', 'halfvec type'),
	sparsevec: skipReason('sparsevec', 'sparsevec type'),
	bit: skipReason('bit', '<~> and <%> operators on bit'),
};

const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const l2 = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
const cosine = (a, b) => 1 - dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
const l1 = (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);

function assertClose(actual, expected, what, tol = 1e-6) {
	assert.equal(typeof actual, 'number', `${what}: ${typeof actual}`);
	assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
		`${what}: got ${actual}, expected ${expected}`);
}

// bit strings: Hamming distance and Jaccard distance (1 - |a&b| / |a|b|)
const hamming = (a, b) => [...a].filter((c, i) => c !== b[i]).length;
function jaccard(a, b) {
	let both = 0;
	let either = 0;
	for (let i = 0; i < a.length; i++) {
		both += a[i] === '1' && b[i] === '1';
		either += a[i] === '1' || b[i] === '1';
	}
	return either === 0 ? 0 : 1 - both / either;
}

let client = null;
let knex = null;

before(async () => {
	client = new pg.Client({ database: DB });
	await client.connect();
	await pgvector.registerTypes(client);
	knex = knexFactory({ client: 'pg', connection: { database: DB }, pool: { min: 0, max: 1 } });
});

after(async () => {
	try {
		if (knex) await knex.destroy();
		if (client) await client.end();
	} finally {
		await dropDatabase();
	}
});

describe(`pgvector (npm) halfvec against ${impl}`, { skip: skip.halfvec }, () => {
	// values exact in IEEE half precision, and 0.1 (which is not)
	const HALF_ROWS = [
		[1, [1, 2, 3]],
		[2, [1.5, -2, 0.25]],
		[3, [-0.5, 0.125, 65504]],
		[4, [0.1, 0.2, -0.3]],
	];
	// nearest half-precision values of the inexact inputs
	const HALF = new Map([[0.1, 0.0999755859375], [0.2, 0.199951171875], [-0.3, -0.300048828125]]);
	const toHalf = (v) => v.map((x) => (HALF.has(x) ? HALF.get(x) : x));

	it('halfvec: toSql in, registerTypes parser out', async () => {
		await client.query('CREATE TABLE h (id int PRIMARY KEY, v halfvec(3))');
		for (const [id, v] of HALF_ROWS)
			await client.query('INSERT INTO h VALUES ($1, $2)', [id, pgvector.toSql(v)]);
		const { rows } = await client.query('SELECT id, v FROM h ORDER BY id');
		assert.equal(rows.length, HALF_ROWS.length);
		for (let i = 0; i < rows.length; i++) {
			assert.ok(Array.isArray(rows[i].v), `row ${rows[i].id}: ${typeof rows[i].v}, not an array (registerTypes did not find halfvec)`);
			const want = toHalf(HALF_ROWS[i][1]);
			for (let j = 0; j < 3; j++)
				assertClose(rows[i].v[j], want[j], `row ${rows[i].id}[${j}]`, 1e-7);
		}
		const n = await client.query('SELECT NULL::halfvec AS v');
		assert.equal(n.rows[0].v, null);
	});

	it('halfvec: distances agree with the half-precision values', async () => {
		const q = [1, 1, 1];
		const { rows } = await client.query(
			`SELECT id, v <-> $1 AS l2, v <#> $1 AS nip, v <=> $1 AS cos, v <+> $1 AS l1
			   FROM h ORDER BY id`, [pgvector.toSql(q)]);
		for (let i = 0; i < rows.length; i++) {
			const a = toHalf(HALF_ROWS[i][1]);
			assertClose(rows[i].l2, l2(a, q), `row ${i + 1} <->`);
			assertClose(rows[i].nip, -dot(a, q), `row ${i + 1} <#>`);
			assertClose(rows[i].cos, cosine(a, q), `row ${i + 1} <=>`);
			assertClose(rows[i].l1, l1(a, q), `row ${i + 1} <+>`);
		}
	});

	it('knex: a halfvec column from table.halfvec(), ordered by l2Distance and cosineDistance', async () => {
		await knex.schema.createTable('items', (t) => {
			t.increments('id');
			t.halfvec('embedding', 3);
		});
		const col = await knex.raw(
			`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
			  WHERE attrelid = 'items'::regclass AND attname = 'embedding'`);
		assert.equal(col.rows[0].t, 'halfvec(3)');
		const vecs = [[1, 1, 1], [2, 2, 1], [1, 1, 2.25], [-1, 0.5, 4]];
		await knex('items').insert(vecs.map((v) => ({ embedding: pgvectorKnex.toSql(v) })));
		const q = [1, 1, 1.5];
		const byL2 = await knex('items').select('id', 'embedding').orderBy(knex.l2Distance('embedding', q)).limit(4);
		const wantL2 = vecs.map((v, i) => [i + 1, l2(v, q)]).sort((a, b) => a[1] - b[1]).map(([id]) => id);
		assert.deepEqual(byL2.map((r) => r.id), wantL2);
		for (const r of byL2)
			assert.deepEqual(pgvectorKnex.fromSql(r.embedding), vecs[r.id - 1], `row ${r.id} read back`);
		const byCos = await knex('items').select('id').orderBy(knex.cosineDistance('embedding', q)).limit(2);
		const wantCos = vecs.map((v, i) => [i + 1, cosine(v, q)]).sort((a, b) => a[1] - b[1]).slice(0, 2).map(([id]) => id);
		assert.deepEqual(byCos.map((r) => r.id), wantCos);
	});
});

describe(`pgvector (npm) sparsevec against ${impl}`, { skip: skip.sparsevec }, () => {
	it('sparsevec: SparseVector via toSql in, registerTypes parser out', async () => {
		await client.query('CREATE TABLE s (id int PRIMARY KEY, v sparsevec(6))');
		const inputs = [
			new SparseVector([1, 0, 0, 2.5, 0, -1]),
			new SparseVector(new Map([[0, 3], [5, 0.5]]), 6),
			new SparseVector({ 2: -4 }, 6),
		];
		for (let i = 0; i < inputs.length; i++)
			await client.query('INSERT INTO s VALUES ($1, $2)', [i + 1, pgvector.toSql(inputs[i])]);
		const { rows } = await client.query('SELECT id, v, v::text AS t FROM s ORDER BY id');
		assert.equal(rows.length, inputs.length);
		for (let i = 0; i < rows.length; i++) {
			assert.ok(rows[i].v instanceof SparseVector, `row ${i + 1}: not a SparseVector`);
			assert.equal(rows[i].v.dimensions, 6);
			assert.deepEqual(rows[i].v.toArray(), inputs[i].toArray(), `row ${i + 1}`);
			assert.deepEqual(fromSql(rows[i].t).toArray(), inputs[i].toArray(), `row ${i + 1} fromSql`);
		}
		assert.equal(rows[0].t, '{1:1,4:2.5,6:-1}/6');
		// no elements: checked as text (pgvector-node 0.3.0 parses '{}/6'
		// into one NaN element)
		const z = await client.query('SELECT $1::sparsevec(6)::text AS t', [pgvector.toSql(new SparseVector([0, 0, 0, 0, 0, 0]))]);
		assert.equal(z.rows[0].t, '{}/6');
	});

	it('sparsevec: distances and nearest neighbours', async () => {
		const q = new SparseVector([1, 1, 0, 0, 0, 1]);
		const { rows } = await client.query(
			'SELECT id, v <-> $1 AS l2, v <#> $1 AS nip, v <+> $1 AS l1 FROM s ORDER BY id',
			[pgvector.toSql(q)]);
		const dense = [[1, 0, 0, 2.5, 0, -1], [3, 0, 0, 0, 0, 0.5], [0, 0, -4, 0, 0, 0]];
		for (let i = 0; i < rows.length; i++) {
			assertClose(rows[i].l2, l2(dense[i], q.toArray()), `row ${i + 1} <->`);
			assertClose(rows[i].nip, -dot(dense[i], q.toArray()), `row ${i + 1} <#>`);
			assertClose(rows[i].l1, l1(dense[i], q.toArray()), `row ${i + 1} <+>`);
		}
		const nn = await client.query('SELECT id FROM s ORDER BY v <-> $1 LIMIT 2', [pgvector.toSql(q)]);
		const want = dense.map((d, i) => [i + 1, l2(d, q.toArray())]).sort((a, b) => a[1] - b[1]).slice(0, 2).map(([id]) => id);
		assert.deepEqual(nn.rows.map((r) => r.id), want);
	});

});

describe(`pgvector (npm) bit against ${impl}`, { skip: skip.bit }, () => {
	const BITS = ['10101010', '11110000', '00000000', '10100000', '01010101'];

	it('bit: <~> (Hamming) and <%> (Jaccard) through knex\'s helpers', async () => {
		await knex.schema.createTable('b', (t) => {
			t.integer('id').primary();
			t.specificType('v', 'bit(8)');
		});
		await knex('b').insert(BITS.map((v, i) => ({ id: i + 1, v })));
		const q = '10100001';
		const rows = await knex('b')
			.select('id', knex.raw('v::text AS t'))
			.select(knex.raw('? AS hamming', [knex.hammingDistance('v', q)]))
			.select(knex.raw('? AS jaccard', [knex.jaccardDistance('v', q)]))
			.orderBy('id');
		assert.equal(rows.length, BITS.length);
		for (let i = 0; i < rows.length; i++) {
			assert.equal(rows[i].t, BITS[i]);
			assertClose(Number(rows[i].hamming), hamming(BITS[i], q), `${BITS[i]} <~> ${q}`);
			assertClose(Number(rows[i].jaccard), jaccard(BITS[i], q), `${BITS[i]} <%> ${q}`);
		}
		const nearest = await knex('b').select('id').orderBy(knex.hammingDistance('v', q)).orderBy('id').limit(3);
		const want = BITS.map((v, i) => [i + 1, hamming(v, q)])
			.sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, 3).map(([id]) => id);
		assert.deepEqual(nearest.map((r) => r.id), want);
	});
});
