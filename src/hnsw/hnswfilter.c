/*-------------------------------------------------------------------------
 *
 * hnswfilter.c
 *	  Filter columns: the index columns after the vector.  Each node keeps
 *	  one 8-byte slot per filter column (its row's value, a hash of it, or
 *	  a Bloom signature of an array's elements) after 8 bytes of null bits,
 *	  and a scan's conditions on those columns, compiled once, are tested
 *	  on the slots of every node the walk meets (src/README, "HNSW: filter
 *	  columns").
 *
 * Integers and booleans are kept exactly; text and uuid as a 64-bit hash,
 * arrays as a signature: for those a match may be false and is rechecked
 * on the heap, but a row that matches always matches its slot.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnswfilter.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/uuid.h"

#include "hnsw/hnswfilter.h"

#define FILTER_HASH_SEED UINT64CONST(0x76656364625f6631)

static HnswFilterKind
kind_of_type(Oid type, const char *index_name, int attno)
{
	switch (type)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return HNSW_FILTER_INT;
		case BOOLOID:
			return HNSW_FILTER_BOOL;
		case TEXTOID:
		case UUIDOID:
			return HNSW_FILTER_HASH;
		case INT4ARRAYOID:
		case INT8ARRAYOID:
		case TEXTARRAYOID:
			return HNSW_FILTER_SET;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("column %d of hnsw index \"%s\" has type %s, which cannot be a filter column",
					attno, index_name, format_type_be(type)),
			 errhint("Filter columns may be smallint, integer, bigint, boolean, text, uuid, integer[], bigint[] or text[].")));
	return HNSW_FILTER_INT;		/* keep the compiler quiet */
}

/*
 * The kind of INCLUDE column attno of type type: a fixed-size type passed
 * by value, kept as its own bytes; any other is refused.
 */
static HnswFilterKind
kind_of_included(Oid type, const char *index_name, int attno, int16 *typlen)
{
	bool		byval;

	get_typlenbyval(type, typlen, &byval);
	if (!byval || *typlen <= 0 || *typlen > 8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("column %d of hnsw index \"%s\" has type %s, which cannot be an INCLUDE column",
						attno, index_name, format_type_be(type)),
				 errhint("INCLUDE columns may be of a fixed-size type passed by value, such as integer, bigint, real, double precision, boolean, date or timestamp.")));
	return HNSW_FILTER_INCLUDED;
}

/*
 * The columns of index after the first: its filter columns (key columns),
 * then its INCLUDE columns.
 */
void
HnswFilterSpecInit(HnswFilterSpec *spec, Relation index)
{
	int			natts = RelationGetNumberOfAttributes(index);
	const char *name = RelationGetRelationName(index);

	memset(spec, 0, sizeof(*spec));
	if (natts - 1 > HNSW_FILTER_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("hnsw index \"%s\" has %d filter columns, more than the maximum of %d",
						name, natts - 1, HNSW_FILTER_MAX_COLUMNS)));
	spec->ncolumns = natts - 1;
	spec->nfilters = IndexRelationGetNumberOfKeyAttributes(index) - 1;
	for (int i = 0; i < spec->ncolumns; i++)
	{
		Oid			type = TupleDescAttr(RelationGetDescr(index), i + 1)->atttypid;
		Oid			coll;

		spec->types[i] = type;
		if (i >= spec->nfilters)
		{
			spec->kinds[i] = kind_of_included(type, name, i + 2, &spec->typlens[i]);
			continue;
		}
		spec->kinds[i] = kind_of_type(type, name, i + 2);
		coll = index->rd_indcollation[i + 1];
		if (OidIsValid(coll) && !get_collation_isdeterministic(coll))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column %d of hnsw index \"%s\" has a nondeterministic collation",
							i + 2, name),
					 errhint("Give the filter column a deterministic collation, such as \"C\".")));
	}
	spec->payload_bytes = spec->ncolumns == 0 ? 0 : 8 + 8 * (Size) spec->ncolumns;
}

static uint64
hash_bytes64(const void *p, int len)
{
	return DatumGetUInt64(hash_bytes_extended((const unsigned char *) p, len, FILTER_HASH_SEED));
}

/* 8-byte encoding of one scalar of type (not an array) */
static uint64
encode_scalar(Oid type, Datum d)
{
	switch (type)
	{
		case INT2OID:
			return (uint64) (int64) DatumGetInt16(d);
		case INT4OID:
			return (uint64) (int64) DatumGetInt32(d);
		case INT8OID:
			return (uint64) DatumGetInt64(d);
		case BOOLOID:
			return DatumGetBool(d) ? 1 : 0;
		case UUIDOID:
			return hash_bytes64(DatumGetUUIDP(d)->data, UUID_LEN);
		case TEXTOID:
			{
				text	   *t = DatumGetTextPP(d);

				return hash_bytes64(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			}
	}
	elog(ERROR, "unexpected hnsw filter value type %u", type);
	return 0;
}

/* the two signature bits of an element's encoding */
static inline uint64
element_bits(uint64 enc)
{
	uint64		h = hash_bytes64(&enc, sizeof(enc));

	return (UINT64CONST(1) << (h & 63)) | (UINT64CONST(1) << ((h >> 6) & 63));
}

/*
 * The non-null elements of array d, encoded (encode_scalar); for a
 * signature, as their bits.  Returns how many; *had_null says whether a
 * NULL element was left out.
 */
static int
array_encodings(Datum d, bool as_bits, uint64 **out, bool *had_null)
{
	ArrayType  *a = DatumGetArrayTypeP(d);
	Oid			elemtype = ARR_ELEMTYPE(a);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				k = 0;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	*out = palloc(sizeof(uint64) * Max(n, 1));
	*had_null = false;
	for (int i = 0; i < n; i++)
	{
		uint64		enc;

		if (nulls[i])
		{
			*had_null = true;
			continue;
		}
		enc = encode_scalar(elemtype, elems[i]);
		(*out)[k++] = as_bits ? element_bits(enc) : enc;
	}
	return k;
}

/* Writes the payload of one row's filter values (spec->payload_bytes). */
void
HnswFilterForm(const HnswFilterSpec *spec, const Datum *values, const bool *isnull,
			   char *payload)
{
	uint64		nulls = 0;

	memset(payload, 0, spec->payload_bytes);
	for (int i = 0; i < spec->ncolumns; i++)
	{
		uint64		slot = 0;

		if (isnull[i])
			nulls |= UINT64CONST(1) << i;
		else if (spec->kinds[i] == HNSW_FILTER_INCLUDED)
			store_att_byval(&slot, values[i], spec->typlens[i]);
		else if (spec->kinds[i] == HNSW_FILTER_SET)
		{
			uint64	   *bits;
			bool		had_null;
			int			n = array_encodings(values[i], true, &bits, &had_null);

			for (int k = 0; k < n; k++)
				slot |= bits[k];
			pfree(bits);
		}
		else
			slot = encode_scalar(spec->types[i], values[i]);
		memcpy(payload + 8 + 8 * i, &slot, 8);
	}
	memcpy(payload, &nulls, 8);
}

/*
 * One scan key as a test.  Returns false if no row can pass it (a NULL
 * operand, an empty or all-NULL ANY list, a NULL element that @> asks for).
 */
static bool
compile_key(const HnswFilterSpec *spec, ScanKey key, HnswFilterTest *t)
{
	int			col = key->sk_attno - 2;
	HnswFilterKind kind = spec->kinds[col];
	bool		had_null = false;

	if (key->sk_flags & SK_ISNULL)
		return false;
	t->column = col;
	t->strategy = key->sk_strategy;
	if (kind == HNSW_FILTER_SET && (key->sk_flags & SK_SEARCHARRAY))
	{
		/* an array operator against ANY of several arrays: left to the recheck */
		t->nvalues = 0;
		t->strategy = 0;
		return true;
	}
	if (kind == HNSW_FILTER_SET)
	{
		t->nvalues = array_encodings(key->sk_argument, true, &t->values, &had_null);
		if (t->strategy == HNSW_FILTER_OVERLAP)
			return t->nvalues > 0;
		return !had_null;
	}
	if (key->sk_flags & SK_SEARCHARRAY)
	{
		t->nvalues = array_encodings(key->sk_argument, false, &t->values, &had_null);
		return t->nvalues > 0;
	}
	t->nvalues = 1;
	t->values = palloc(sizeof(uint64));
	t->values[0] = encode_scalar(OidIsValid(key->sk_subtype) ? key->sk_subtype :
								 spec->types[col], key->sk_argument);
	return true;
}

/* Compiles a scan's conditions on filter columns (the keys on column 1 are none). */
HnswFilter *
HnswFilterCompile(const HnswFilterSpec *spec, ScanKey keys, int nkeys)
{
	HnswFilter *f = palloc0(sizeof(HnswFilter));

	f->tests = palloc0(sizeof(HnswFilterTest) * Max(nkeys, 1));
	for (int i = 0; i < nkeys; i++)
	{
		ScanKey		key = &keys[i];
		HnswFilterTest *t = &f->tests[f->ntests];

		if (key->sk_attno < 2 || key->sk_attno - 2 >= spec->nfilters ||
			key->sk_strategy < 1 || key->sk_strategy > HNSW_FILTER_NSTRATEGIES)
			elog(ERROR, "unexpected hnsw scan key: column %d, strategy %d",
				 key->sk_attno, key->sk_strategy);
		if (!compile_key(spec, key, t))
		{
			f->impossible = true;
			continue;
		}
		f->lossy |= spec->kinds[t->column] == HNSW_FILTER_HASH ||
			spec->kinds[t->column] == HNSW_FILTER_SET;
		f->ntests++;
	}
	return f;
}

static inline bool
int_test(int strategy, int64 v, int64 arg)
{
	switch (strategy)
	{
		case HNSW_FILTER_LT:
			return v < arg;
		case HNSW_FILTER_LE:
			return v <= arg;
		case HNSW_FILTER_EQ:
			return v == arg;
		case HNSW_FILTER_GE:
			return v >= arg;
		case HNSW_FILTER_GT:
			return v > arg;
	}
	return false;
}

/* Whether slot passes test t (strategy 0: any slot does). */
static bool
slot_passes(const HnswFilterTest *t, uint64 slot)
{
	if (t->strategy == 0)
		return true;
	if (t->strategy == HNSW_FILTER_OVERLAP || t->strategy == HNSW_FILTER_CONTAINS)
	{
		bool		all = t->strategy == HNSW_FILTER_CONTAINS;

		for (int k = 0; k < t->nvalues; k++)
		{
			bool		in = (slot & t->values[k]) == t->values[k];

			if (in != all)
				return in;
		}
		return all;
	}
	for (int k = 0; k < t->nvalues; k++)
		if (int_test(t->strategy, (int64) slot, (int64) t->values[k]))
			return true;
	return false;
}

/*
 * Whether a node's payload passes every test: exactly for integers and
 * booleans; for hashes and signatures, a row that passes always does, and
 * one that does not may too (f->lossy: recheck).
 */
bool
HnswFilterMatch(const HnswFilter *f, const char *payload)
{
	uint64		nulls;

	if (f->impossible)
		return false;
	memcpy(&nulls, payload, 8);
	for (int i = 0; i < f->ntests; i++)
	{
		const HnswFilterTest *t = &f->tests[i];
		uint64		slot;

		if (nulls & (UINT64CONST(1) << t->column))
			return false;
		memcpy(&slot, payload + 8 + 8 * t->column, 8);
		if (!slot_passes(t, slot))
			return false;
	}
	return true;
}

/*
 * Whether a node keeps column's value exactly (0-based, after the vector):
 * integers, booleans and INCLUDE columns; not hashes or signatures.
 */
bool
HnswFilterReturnable(const HnswFilterSpec *spec, int column)
{
	HnswFilterKind kind;

	if (column < 0 || column >= spec->ncolumns)
		return false;
	kind = spec->kinds[column];
	return kind == HNSW_FILTER_INT || kind == HNSW_FILTER_BOOL ||
		kind == HNSW_FILTER_INCLUDED;
}

/* the datum of a by-value type of typlen bytes kept at p (store_att_byval) */
static Datum
included_datum(const void *p, int16 typlen)
{
	switch (typlen)
	{
		case 1:
			return CharGetDatum(*(const char *) p);
		case 2:
			return Int16GetDatum(*(const int16 *) p);
		case 4:
			return Int32GetDatum(*(const int32 *) p);
		case 8:
			return *(const Datum *) p;
	}
	elog(ERROR, "unexpected hnsw INCLUDE value length %d", typlen);
	return (Datum) 0;			/* keep the compiler quiet */
}

/*
 * The value of column (0-based, after the vector; HnswFilterReturnable) that
 * payload keeps, as its type's datum.
 */
Datum
HnswFilterValue(const HnswFilterSpec *spec, const char *payload, int column, bool *isnull)
{
	uint64		nulls;
	uint64		slot;

	memcpy(&nulls, payload, 8);
	memcpy(&slot, payload + 8 + 8 * column, 8);
	*isnull = (nulls & (UINT64CONST(1) << column)) != 0;
	if (*isnull)
		return (Datum) 0;
	switch (spec->kinds[column])
	{
		case HNSW_FILTER_INCLUDED:
			return included_datum(&slot, spec->typlens[column]);
		case HNSW_FILTER_BOOL:
			return BoolGetDatum(slot != 0);
		case HNSW_FILTER_INT:
			if (spec->types[column] == INT2OID)
				return Int16GetDatum((int16) (int64) slot);
			if (spec->types[column] == INT4OID)
				return Int32GetDatum((int32) (int64) slot);
			return Int64GetDatum((int64) slot);
		default:
			elog(ERROR, "hnsw filter column %d cannot be returned", column + 1);
	}
	return (Datum) 0;			/* keep the compiler quiet */
}
