/*-------------------------------------------------------------------------
 *
 * hnsw.c
 *	  HNSW access method: handler, reloptions, GUCs, cost estimate and the
 *	  operator class validator.
 *
 * Names, ranges and texts follow pgvector (../shared/reference/pgvector.md
 * 1.9, 1.10) so that existing DDL and settings work unchanged.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/hnsw/hnsw.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_am.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "hnsw.h"
#include "hnsw/hnswfilter.h"

int			hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int			hnsw_rerank_candidates = 0;
int			hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int			hnsw_max_scan_tuples = 20000;
double		hnsw_scan_mem_multiplier = 1;
#ifdef USE_ASSERT_CHECKING
char	   *vecdb_debug_vacuum_crash = NULL;
#endif

static relopt_kind hnsw_relopt_kind;

static relopt_enum_elt_def hnsw_quantization_values[] = {
	{"none", HNSW_QUANT_NONE},
	{"int8", HNSW_QUANT_INT8},
	{"binary", HNSW_QUANT_BINARY},
	{"pq", HNSW_QUANT_PQ},
	{NULL}
};

static const struct config_enum_entry hnsw_iterative_scan_options[] = {
	{"off", HNSW_ITERATIVE_SCAN_OFF, false},
	{"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
	{"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
	{NULL, 0, false}
};

/* Registers reloptions and the hnsw.* settings; called from _PG_init. */
void
HnswInitGucs(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Max number of connections",
					  HNSW_DEFAULT_M, HNSW_MIN_M, HNSW_MAX_M,
					  AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction",
					  "Size of the dynamic candidate list for construction",
					  HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_MIN_EF_CONSTRUCTION,
					  HNSW_MAX_EF_CONSTRUCTION, AccessExclusiveLock);
	add_enum_reloption(hnsw_relopt_kind, "quantization",
					   "How the graph stores vectors: none (as they are), int8 (8-bit codes), "
					   "binary (1-bit codes) or pq (product quantization)",
					   hnsw_quantization_values, HNSW_QUANT_NONE,
					   "Valid values are \"none\", \"int8\", \"binary\" and \"pq\".",
					   AccessExclusiveLock);
	add_string_reloption(hnsw_relopt_kind, "tenant",
						 "Filter column whose values are tenants: each node also links to "
						 "its nearest nodes of the same value",
						 NULL, NULL, AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search",
							"Sets the size of the dynamic candidate list for search",
							"Valid range is 1..1000.",
							&hnsw_ef_search, HNSW_DEFAULT_EF_SEARCH,
							HNSW_MIN_EF_SEARCH, HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.rerank_candidates",
							"Sets the least number of candidates a scan of a quantized index re-ranks",
							"A walk of a quantized index keeps the larger of this and "
							"hnsw.ef_search candidates; 0 keeps hnsw.ef_search.",
							&hnsw_rerank_candidates, 0, 0, HNSW_MAX_RERANK_CANDIDATES,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan",
							 "Sets the mode for iterative scans",
							 NULL, &hnsw_iterative_scan, HNSW_ITERATIVE_SCAN_OFF,
							 hnsw_iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.max_scan_tuples",
							"Sets the max number of tuples to visit for iterative scans",
							NULL, &hnsw_max_scan_tuples, 20000, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier",
							 "Sets the multiple of work_mem to use for iterative scans",
							 NULL, &hnsw_scan_mem_multiplier, 1, 1, 1000,
							 PGC_USERSET, 0, NULL, NULL, NULL);
#ifdef USE_ASSERT_CHECKING
	DefineCustomStringVariable("vecdb.debug_vacuum_crash",
							   "Debugging builds: crash VACUUM of an hnsw index at a pass and step.",
							   "pass:step; passes 1 remove, 2 relink, 3 repair, 4 free, "
							   "5 settling.  For recovery tests only.",
							   &vecdb_debug_vacuum_crash, "",
							   PGC_SUSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
#endif
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("hnsw");
#else
	EmitWarningsOnPlaceholders("hnsw");
#endif
}

static bytea *
hnswoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
		{"quantization", RELOPT_TYPE_ENUM, offsetof(HnswOptions, quantization)},
		{"tenant", RELOPT_TYPE_STRING, offsetof(HnswOptions, tenant)},
	};

	return (bytea *) build_reloptions(reloptions, validate, hnsw_relopt_kind,
									  sizeof(HnswOptions), tab, lengthof(tab));
}

int
HnswGetM(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->m : HNSW_DEFAULT_M;
}

int
HnswGetEfConstruction(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->ef_construction : HNSW_DEFAULT_EF_CONSTRUCTION;
}

int
HnswGetQuantization(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts ? opts->quantization : HNSW_QUANT_NONE;
}

/* The tenant option's column name, or NULL. */
const char *
HnswGetTenantOption(Relation index)
{
	HnswOptions *opts = (HnswOptions *) index->rd_options;

	return opts && opts->tenant != 0 ? (const char *) opts + opts->tenant : NULL;
}

/*
 * The element kind a new index stores for a column of type source: the
 * column's own, or its codes.  Raises an error when the quantization asked
 * for does not apply to the type.
 */
VecdbElemKind
HnswStoredKind(Relation index, const VecdbElemType *source)
{
	static const VecdbElemKind codes[] = {0, VECDB_ELEM_INT8, VECDB_ELEM_BINARY, VECDB_ELEM_PQ};
	int			quant = HnswGetQuantization(index);

	if (quant == HNSW_QUANT_NONE)
		return source->kind;
	if (source->to_float == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("quantization \"%s\" is not supported for type %s",
						hnsw_quantization_values[quant].string_val, source->name),
				 errhint("Quantize vector or halfvec columns.")));
	if (TupleDescAttr(RelationGetDescr(index), 0)->atttypmod >
		VecdbElemTypeGet(codes[quant])->max_dims)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for hnsw index with quantization \"%s\"",
						VecdbElemTypeGet(codes[quant])->max_dims,
						hnsw_quantization_values[quant].string_val)));
	return codes[quant];
}

/*
 * How many candidates a walk of the index keeps: ef_search, and for a
 * quantized index at least hnsw.rerank_candidates, all re-ranked with
 * exact distances (hnswrerank.c).
 */
int
HnswWalkEf(const HnswIndexInfo *info)
{
	if (HnswQuantized(info))
		return Max(hnsw_ef_search, hnsw_rerank_candidates);
	return hnsw_ef_search;
}

/*
 * Whether an index-only scan can take column attno from the index: the
 * vector when nodes hold it bit for bit (HnswReturnsVector), a filter
 * column whose value a node keeps exactly (integers, booleans), every
 * INCLUDE column (src/README, "HNSW: index-only scans").  Reads the
 * metapage (once per relcache entry): the reloptions may have changed
 * since the build, the metapage says what the nodes hold.
 */
static bool
hnswcanreturn(Relation index, int attno)
{
	HnswIndexInfo *info = HnswGetIndexInfo(index);
	bool		result;

	if (attno == 1)
		result = HnswReturnsVector(info);
	else
		result = HnswFilterReturnable(&info->filter, attno - 2);
	pfree(info);
	return result;
}

static char *
hnswbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case HNSW_PHASE_LOAD:
			return "loading tuples";
		case HNSW_PHASE_WRITE:
			return "writing graph";
		case HNSW_PHASE_INSERT_REST:
			return "inserting remaining tuples";
		default:
			return NULL;
	}
}

static bool
invalid_operator(Form_pg_amop oprform, const char *family, const char *what)
{
	ereport(INFO,
			(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			 errmsg("operator family \"%s\" of access method %s contains operator %s %s",
					family, "hnsw", format_operator(oprform->amopopr), what)));
	return false;
}

/* an ordering operator of a vector opclass: strategy 1, float8 on float_ops */
static bool
validate_order_operator(Form_pg_amop oprform, const char *family)
{
	Oid			float_ops = get_opfamily_oid(BTREE_AM_OID,
											 list_make2(makeString("pg_catalog"),
														makeString("float_ops")),
											 false);

	if (oprform->amopstrategy != 1)
		return invalid_operator(oprform, family, "with invalid strategy number");
	if (oprform->amopsortfamily != float_ops)
		return invalid_operator(oprform, family, "that is not an ordering operator on float_ops");
	if (!check_amop_signature(oprform->amopopr, FLOAT8OID,
							  oprform->amoplefttype, oprform->amoprighttype))
		return invalid_operator(oprform, family, "with wrong signature");
	return true;
}

/* a search operator of a filter opclass: strategies 1 .. 7, boolean */
static bool
validate_filter_operator(Form_pg_amop oprform, const char *family)
{
	if (oprform->amopstrategy < 1 || oprform->amopstrategy > HNSW_FILTER_NSTRATEGIES)
		return invalid_operator(oprform, family, "with invalid strategy number");
	if (!check_amop_signature(oprform->amopopr, BOOLOID,
							  oprform->amoplefttype, oprform->amoprighttype))
		return invalid_operator(oprform, family, "with wrong signature");
	return true;
}

/*
 * Operator class validator.  A vector opclass has ordering operators only
 * (strategy 1, FOR ORDER BY float_ops), support 1 (distance, two args of
 * the opclass type, float8), optional support 2 (norm, one arg, float8)
 * and optional support 3 (type info, internal -> internal).  A filter
 * opclass has search operators only (strategies HNSW_FILTER_*, boolean)
 * and no support function.
 */
static bool
hnswvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	Oid			opfamilyoid;
	Oid			opcintype;
	char	   *opclassname;
	HeapTuple	familytup;
	Form_pg_opfamily familyform;
	char	   *opfamilyname;
	CatCList   *proclist,
			   *oprlist;
	bool		have_distance = false;
	bool		have_order = false;

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opfamilyoid = classform->opcfamily;
	opcintype = classform->opcintype;
	opclassname = NameStr(classform->opcname);

	familytup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamilyoid));
	if (!HeapTupleIsValid(familytup))
		elog(ERROR, "cache lookup failed for operator family %u", opfamilyoid);
	familyform = (Form_pg_opfamily) GETSTRUCT(familytup);
	opfamilyname = NameStr(familyform->opfname);

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));

	for (int i = 0; i < proclist->n_members; i++)
	{
		HeapTuple	proctup = &proclist->members[i]->tuple;
		Form_pg_amproc procform = (Form_pg_amproc) GETSTRUCT(proctup);
		bool		ok;

		if (procform->amproclefttype != opcintype ||
			procform->amprocrighttype != opcintype)
			continue;			/* belongs to another opclass of the family */

		switch (procform->amprocnum)
		{
			case HNSW_DISTANCE_PROC:
				ok = check_amproc_signature(procform->amproc, FLOAT8OID, true,
											2, 2, opcintype, opcintype);
				have_distance = true;
				break;
			case HNSW_NORM_PROC:
				ok = check_amproc_signature(procform->amproc, FLOAT8OID, true,
											1, 1, opcintype);
				break;
			case HNSW_TYPE_INFO_PROC:
				ok = check_amproc_signature(procform->amproc, INTERNALOID, true,
											1, 1, INTERNALOID);
				break;
			default:
				ereport(INFO,
						(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
						 errmsg("operator family \"%s\" of access method %s contains function %s with invalid support number %d",
								opfamilyname, "hnsw",
								format_procedure(procform->amproc),
								procform->amprocnum)));
				result = false;
				continue;
		}
		if (!ok)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator family \"%s\" of access method %s contains function %s with wrong signature for support number %d",
							opfamilyname, "hnsw",
							format_procedure(procform->amproc),
							procform->amprocnum)));
			result = false;
		}
	}

	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);

		if (oprform->amoppurpose == AMOP_SEARCH)
			result &= validate_filter_operator(oprform, opfamilyname);
		else
		{
			result &= validate_order_operator(oprform, opfamilyname);
			have_order = true;
		}
	}

	if (have_order && !have_distance)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("operator class \"%s\" of access method %s is missing support function %d",
						opclassname, "hnsw", HNSW_DISTANCE_PROC)));
		result = false;
	}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(familytup);
	ReleaseSysCache(classtup);
	return result;
}

PG_FUNCTION_INFO_V1(hnswhandler);
Datum
hnswhandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	amroutine->amstrategies = 0;
	amroutine->amsupport = 3;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = true;
	amroutine->amoptionalkey = true;
	amroutine->amsearcharray = true;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = true;
	amroutine->amusemaintenanceworkmem = false;
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = hnswbuild;
	amroutine->ambuildempty = hnswbuildempty;
	amroutine->aminsert = hnswinsert;
	amroutine->ambulkdelete = hnswbulkdelete;
	amroutine->amvacuumcleanup = hnswvacuumcleanup;
	amroutine->amcanreturn = hnswcanreturn;
	amroutine->amcostestimate = hnswcostestimate;
	amroutine->amoptions = hnswoptions;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = hnswbuildphasename;
	amroutine->amvalidate = hnswvalidate;
#if PG_VERSION_NUM >= 140000
	amroutine->amadjustmembers = NULL;
#endif
	amroutine->ambeginscan = hnswbeginscan;
	amroutine->amrescan = hnswrescan;
	amroutine->amgettuple = hnswgettuple;
	amroutine->amgetbitmap = NULL;
	amroutine->amendscan = hnswendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;

	PG_RETURN_POINTER(amroutine);
}
