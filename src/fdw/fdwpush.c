/*-------------------------------------------------------------------------
 *
 * fdwpush.c
 *	  What a coordinator adds to the queries it sends its postgres_fdw
 *	  shards: the LIMIT, the session's hnsw settings, and an asynchronous
 *	  fan-out in place of a Merge Append.
 *
 * A k-NN query on a table partitioned over shard servers with
 * postgres_fdw is planned as
 *
 *	 Limit
 *	   -> Merge Append                  (sort key: the distance)
 *			-> Foreign Scan on part_1   (Remote SQL: ... ORDER BY dist)
 *			-> Foreign Scan on part_2   ...
 *
 * postgres_fdw sends the ORDER BY (with the server option extensions
 * 'vecdb') but never the LIMIT: it pushes a LIMIT only into a query on one
 * foreign table, and even there only when its cost estimate favours it,
 * which it does not when the ORDER BY is a vector distance (README,
 * "Scale-out with postgres_fdw").  Without the LIMIT each shard plans its
 * cursor for an open-ended ordered read and sends up to fetch_size rows
 * (100 by default; an HNSW scan without iterative scan stops at
 * ef_search) in the first round trip, where the coordinator uses at most
 * k.
 *
 * After the planner has finished, this file walks the plan tree and, under
 * every Limit node whose input is a postgres_fdw Foreign Scan or a Merge
 * Append or Append of them, appends " LIMIT n" to each such scan's remote
 * query, n being the Limit's count plus its offset.  That is exact: a
 * Limit takes at most count + offset rows from its input, a Merge Append
 * or Append returns only rows of its children, and no child can
 * contribute more rows than that.  A scan is changed only when
 *	 - it is a postgres_fdw scan of one foreign table (not a pushed-down
 *	   join or aggregate) that applies no condition locally, so every row
 *	   the remote query returns reaches the Limit;
 *	 - it is a direct child: with a Sort or anything else between, rows
 *	   could be reordered or dropped;
 *	 - its remote query has no LIMIT, OFFSET, FETCH or FOR clause yet;
 *	 - the Limit is a plain count (not WITH TIES), and its count is a
 *	   constant, or, with no offset, an expression of constants and query
 *	   parameters ($1), which the scan sends as a parameter of its own.
 * Anything else is left as the planner made it.
 *
 * A Merge Append reads its children one after another: each shard's
 * cursor is opened, and its first rows awaited, only when the previous
 * shard has answered.  PostgreSQL runs foreign scans asynchronously only
 * under an Append.  So when every child of a Merge Append took a constant
 * LIMIT n, every child is async_capable by its options, n is at most each
 * child's fetch_size (so each shard sends its n rows in one round trip,
 * the rows the Merge Append would have read anyway) and
 * enable_async_append is on, the Merge Append is replaced by a Sort (the
 * Merge Append's sort keys; the Limit makes it keep only the best n) over
 * an Append whose children are marked async_capable: all shards are asked
 * at once, and the Sort merges at most n rows from each.
 *
 * This relies on one detail of postgres_fdw's plans, the same in
 * PostgreSQL 13 to 18: the first element of a Foreign Scan's fdw_private
 * is the remote SELECT as a string, whose parameters $1..$n are the scan's
 * fdw_exprs in order; postgres_fdw reads both only at execution.  A
 * server's wrapper is taken to be postgres_fdw when its handler function
 * is named postgres_fdw_handler.
 *
 * The Sort and Append are made from the Merge Append's fields, which are
 * the same in 14 to 18 but for run-time pruning (a PartitionPruneInfo up
 * to 17, an index into the PlannedStmt's list from 18); 13 has no
 * asynchronous Append, and keeps the Merge Append.
 *
 * Settings.  postgres_fdw opens sessions of its own on the shards, which
 * a SET on the coordinator never reaches.  Every postgres_fdw scan whose
 * remote query has an ORDER BY (what a shard answers with an HNSW index)
 * gets a condition that sets, for the remote transaction, the
 * coordinator session's hnsw search settings before the shard's scan
 * starts; the values are parameters evaluated when the scan opens its
 * cursor (fdw_settings_push).
 *
 * vecdb.fdw_limit_pushdown (on by default) turns off the LIMIT and with
 * it the fan-out, enable_async_append the fan-out alone, and
 * vecdb.fdw_send_settings (on by default) the settings.  They are read
 * when a query is planned: a cached plan keeps what it was planned with,
 * but takes the hnsw settings' values when it runs.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/fdw/fdwpush.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <string.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/int.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "fdw/fdwpush.h"

static bool vecdb_fdw_limit_pushdown = true;
static bool vecdb_fdw_send_settings = true;
static planner_hook_type prev_planner_hook = NULL;

/* what a Limit node lets through: a constant, or an int8 expression */
typedef struct FdwLimitBound
{
	Expr	   *expr;			/* NULL: the constant below */
	int64		value;
} FdwLimitBound;

/* what the walk needs of the statement */
typedef struct FdwLimitContext
{
	List	   *rtable;			/* the PlannedStmt's range table */
	int			last_plan_node_id;	/* largest plan_node_id in the statement */
} FdwLimitContext;

/*
 * Whether an expression is anything but constants, query parameters
 * ($n, PARAM_EXTERN) and function calls, operators and casts over them.
 * Params of other kinds (subplan outputs, outer references) are refused:
 * the scan evaluates the expression itself and is not told when they
 * change.
 */
static bool
fdw_limit_expr_unsafe(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return ((Param *) node)->paramkind != PARAM_EXTERN;
	if (IsA(node, Const) || IsA(node, FuncExpr) || IsA(node, OpExpr) ||
		IsA(node, RelabelType) || IsA(node, CoerceViaIO))
		return expression_tree_walker(node, fdw_limit_expr_unsafe, context);
	return true;
}

/*
 * Fills *bound with the most rows a Limit node takes from its input
 * (count + offset) and returns true, or returns false when that cannot be
 * pushed: WITH TIES (the ties past the count are needed), no count or
 * LIMIT ALL, a negative or overflowing constant (left to the Limit node to
 * report), a non-constant offset, a non-constant count with an offset, or
 * a count that is volatile or refers to anything but query parameters.
 */
static bool
fdw_limit_bound(Limit *limit, FdwLimitBound *bound)
{
	Node	   *count = limit->limitCount;
	Node	   *offset = limit->limitOffset;
	int64		off = 0;

	if (limit->limitOption != LIMIT_OPTION_COUNT || count == NULL ||
		exprType(count) != INT8OID)
		return false;
	if (offset != NULL)
	{
		if (!IsA(offset, Const) || exprType(offset) != INT8OID)
			return false;
		if (!((Const *) offset)->constisnull)
			off = DatumGetInt64(((Const *) offset)->constvalue);
		if (off < 0)
			return false;
	}
	if (IsA(count, Const))
	{
		Const	   *c = (Const *) count;

		if (c->constisnull)
			return false;
		if (DatumGetInt64(c->constvalue) < 0 ||
			pg_add_s64_overflow(DatumGetInt64(c->constvalue), off,
								&bound->value))
			return false;
		bound->expr = NULL;
		return true;
	}
	if (off != 0 || fdw_limit_expr_unsafe(count, NULL) ||
		contain_volatile_functions(count))
		return false;
	bound->expr = (Expr *) count;
	bound->value = 0;
	return true;
}

/*
 * The offset in a remote query of the first occurrence of word outside
 * string literals (E'' backslash escapes understood) and quoted
 * identifiers, -1 if there is none, -2 if a quote is not closed.  For
 * postgres_fdw's scan of one table (no subqueries), outside quotes is the
 * top level.
 */
static int
fdw_sql_find(const char *sql, const char *word)
{
	size_t		len = strlen(word);
	const char *p = sql;

	while (*p)
	{
		if (*p == '\'' || *p == '"')
		{
			char		quote = *p;
			bool		backslash = (quote == '\'' && p > sql &&
									 (p[-1] == 'E' || p[-1] == 'e'));

			for (p++;; p++)
			{
				if (*p == '\0')
					return -2;
				if (backslash && *p == '\\' && p[1] != '\0')
					p++;
				else if (*p == quote)
				{
					if (p[1] != quote)
						break;
					p++;
				}
			}
			p++;
			continue;
		}
		if (strncmp(p, word, len) == 0)
			return (int) (p - sql);
		p++;
	}
	return -1;
}

/*
 * Whether a remote query, as postgres_fdw deparses the scan of one table,
 * may take a LIMIT at its end: it starts with SELECT and has no LIMIT,
 * OFFSET, FETCH or FOR (row lock) keyword outside string literals and
 * quoted identifiers.  Anything unexpected (an unterminated quote) answers
 * no.
 */
static bool
fdw_sql_takes_limit(const char *sql)
{
	static const char *const tails[] = {
		" LIMIT ", " OFFSET ", " FETCH ", " FOR "
	};

	if (strncmp(sql, "SELECT ", 7) != 0)
		return false;
	for (int i = 0; i < lengthof(tails); i++)
		if (fdw_sql_find(sql, tails[i]) != -1)
			return false;
	return true;
}

/* Whether a foreign server's wrapper is postgres_fdw (by handler name). */
static bool
fdw_server_is_postgres_fdw(Oid serverid)
{
	ForeignServer *server = GetForeignServer(serverid);
	ForeignDataWrapper *fdw = GetForeignDataWrapper(server->fdwid);
	char	   *handler;

	if (!OidIsValid(fdw->fdwhandler))
		return false;
	handler = get_func_name(fdw->fdwhandler);
	return handler != NULL && strcmp(handler, "postgres_fdw_handler") == 0;
}

/*
 * Appends the LIMIT to one child of a Limit (or of its Merge Append or
 * Append) if it is a postgres_fdw scan that can take it (file header), and
 * returns whether it did.  Changes the plan node in place: its remote
 * query and, for a non-constant bound, its fdw_exprs.
 */
static bool
fdw_limit_push(Plan *child, const FdwLimitBound *bound)
{
	ForeignScan *fs;
	Node	   *sqlnode;
	StringInfoData sql;

	if (!IsA(child, ForeignScan))
		return false;
	fs = (ForeignScan *) child;
	if (fs->operation != CMD_SELECT || fs->scan.scanrelid == 0 ||
		fs->scan.plan.qual != NIL || fs->fdw_private == NIL)
		return false;
	sqlnode = (Node *) linitial(fs->fdw_private);
	if (sqlnode == NULL || !IsA(sqlnode, String) ||
		!fdw_server_is_postgres_fdw(fs->fs_server) ||
		!fdw_sql_takes_limit(strVal(sqlnode)))
		return false;

	initStringInfo(&sql);
	appendStringInfoString(&sql, strVal(sqlnode));
	if (bound->expr == NULL)
		appendStringInfo(&sql, " LIMIT " INT64_FORMAT, bound->value);
	else
	{
		fs->fdw_exprs = lappend(fs->fdw_exprs, copyObject(bound->expr));
		appendStringInfo(&sql, " LIMIT $%d::pg_catalog.int8",
						 list_length(fs->fdw_exprs));
	}
	linitial(fs->fdw_private) = makeString(sql.data);
	return true;
}

/*
 * The search settings a shard's scan gets from the coordinator's session
 * (vecdb.fdw_send_settings): hnsw.c's settings that change what an index
 * scan returns.
 */
static const char *const fdw_sent_settings[] = {
	"hnsw.ef_search", "hnsw.iterative_scan", "hnsw.max_scan_tuples",
	"hnsw.scan_mem_multiplier"
};

/* pg_proc OID of current_setting(text), named after its C function in 13 */
#if PG_VERSION_NUM >= 140000
#define VECDB_F_CURRENT_SETTING F_CURRENT_SETTING_TEXT
#else
#define VECDB_F_CURRENT_SETTING F_SHOW_CONFIG_BY_NAME
#endif

/*
 * Makes a postgres_fdw scan whose remote query has an ORDER BY (the only
 * remote queries a shard answers with an HNSW index scan) set, on the
 * shard, the coordinator session's values of fdw_sent_settings for the
 * rest of the remote transaction, before the shard's scan starts: a
 * condition
 *	 ((SELECT pg_catalog.set_config('hnsw.ef_search', $n::text, true)
 *			  || ...) IS NOT NULL)
 * is added to the remote WHERE, each $n a current_setting('...') call the
 * scan evaluates when it opens its cursor (appended to its fdw_exprs), so
 * a cached plan sends the values of the moment.  On the shard the
 * uncorrelated subquery is an initPlan, and a condition on nothing but it
 * a one-time filter of a Result node above the scan, evaluated before the
 * scan returns its first row; an HNSW scan reads the settings at its first
 * row.  set_config is parallel-unsafe, so the shard plans no parallel
 * query for it.  Same refusals as fdw_limit_push for the node, and none
 * without a top-level ORDER BY.
 */
static void
fdw_settings_push(Plan *plan)
{
	ForeignScan *fs;
	Node	   *sqlnode;
	const char *sql;
	int			order_by;
	int			where;
	StringInfoData buf;

	if (!IsA(plan, ForeignScan))
		return;
	fs = (ForeignScan *) plan;
	if (fs->operation != CMD_SELECT || fs->scan.scanrelid == 0 ||
		fs->fdw_private == NIL)
		return;
	sqlnode = (Node *) linitial(fs->fdw_private);
	if (sqlnode == NULL || !IsA(sqlnode, String) ||
		!fdw_server_is_postgres_fdw(fs->fs_server))
		return;
	sql = strVal(sqlnode);
	if (strncmp(sql, "SELECT ", 7) != 0 ||
		(order_by = fdw_sql_find(sql, " ORDER BY ")) < 0)
		return;
	where = fdw_sql_find(sql, " WHERE ");

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, sql, order_by);
	appendStringInfoString(&buf, (where >= 0 && where < order_by) ?
						   " AND ((SELECT " : " WHERE ((SELECT ");
	for (int i = 0; i < lengthof(fdw_sent_settings); i++)
	{
		Const	   *name = makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
									 CStringGetTextDatum(fdw_sent_settings[i]),
									 false, false);
		FuncExpr   *value = makeFuncExpr(VECDB_F_CURRENT_SETTING, TEXTOID,
										 list_make1(name), InvalidOid,
										 DEFAULT_COLLATION_OID,
										 COERCE_EXPLICIT_CALL);

		fs->fdw_exprs = lappend(fs->fdw_exprs, value);
		appendStringInfo(&buf, "%spg_catalog.set_config(%s, $%d::text, true)",
						 i > 0 ? " || " : "",
						 quote_literal_cstr(fdw_sent_settings[i]),
						 list_length(fs->fdw_exprs));
	}
	appendStringInfoString(&buf, ") IS NOT NULL)");
	appendStringInfoString(&buf, sql + order_by);
	linitial(fs->fdw_private) = makeString(buf.data);
}

#if PG_VERSION_NUM >= 140000
/*
 * Whether postgres_fdw would scan a foreign table asynchronously: its
 * async_capable option, else its server's, else false.
 */
static bool
fdw_scan_async_capable(ForeignScan *fs, List *rtable)
{
	RangeTblEntry *rte = rt_fetch(fs->scan.scanrelid, rtable);
	List	   *lists[2];
	bool		result = false;

	lists[0] = GetForeignServer(fs->fs_server)->options;
	lists[1] = GetForeignTable(rte->relid)->options;
	for (int i = 0; i < lengthof(lists); i++)
	{
		ListCell   *lc;

		foreach(lc, lists[i])
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, "async_capable") == 0)
				result = defGetBoolean(def);
		}
	}
	return result;
}

/*
 * The rows a postgres_fdw scan asks for a round trip: its fdw_private's
 * third element (0 if it is not there).
 */
static int
fdw_scan_fetch_size(ForeignScan *fs)
{
	Node	   *n;

	if (list_length(fs->fdw_private) < 3)
		return 0;
	n = (Node *) lthird(fs->fdw_private);
	return (n != NULL && IsA(n, Integer)) ? intVal(n) : 0;
}

/*
 * A Merge Append of postgres_fdw scans, each now asking its shard for at
 * most bound rows, made into a Sort of an asynchronous Append, so that
 * every shard is asked at once instead of one after another; or NULL if
 * not: when enable_async_append is off, when there are fewer than two
 * children, when any child is not a postgres_fdw scan that took the
 * LIMIT, is not async_capable by its options, or asks for fewer than
 * bound rows a round trip (the Merge Append then reads the first batches
 * only, where the Sort would read every row), or when the bound is not a
 * constant.  The Limit above makes the Sort keep its best bound rows.
 * The new nodes take the Merge Append's target list, sort keys, costs and
 * run-time pruning; the Sort its plan_node_id, the Append a new one.
 */
static Plan *
fdw_merge_to_async(MergeAppend *ma, const FdwLimitBound *bound,
				   FdwLimitContext *cxt)
{
	Append	   *append;
	Sort	   *sort;
	ListCell   *lc;

	if (!enable_async_append || bound->expr != NULL ||
		list_length(ma->mergeplans) < 2 || ma->plan.initPlan != NIL)
		return NULL;
	foreach(lc, ma->mergeplans)
	{
		ForeignScan *fs = (ForeignScan *) lfirst(lc);

		/* fdw_limit_apply made sure each is a postgres_fdw ForeignScan */
		if (!fdw_scan_async_capable(fs, cxt->rtable) ||
			fdw_scan_fetch_size(fs) < bound->value)
			return NULL;
	}
	foreach(lc, ma->mergeplans)
		((Plan *) lfirst(lc))->async_capable = true;

	append = makeNode(Append);
	append->plan = ma->plan;
	append->plan.type = T_Append;
	append->plan.plan_node_id = ++cxt->last_plan_node_id;
	append->apprelids = ma->apprelids;
	append->appendplans = ma->mergeplans;
	append->nasyncplans = list_length(ma->mergeplans);
	append->first_partial_plan = list_length(ma->mergeplans);
#if PG_VERSION_NUM >= 180000
	append->part_prune_index = ma->part_prune_index;
#else
	append->part_prune_info = ma->part_prune_info;
#endif

	sort = makeNode(Sort);
	sort->plan = ma->plan;
	sort->plan.type = T_Sort;
	sort->plan.targetlist = copyObject(ma->plan.targetlist);
	sort->plan.lefttree = (Plan *) append;
	sort->plan.righttree = NULL;
	sort->numCols = ma->numCols;
	sort->sortColIdx = ma->sortColIdx;
	sort->sortOperators = ma->sortOperators;
	sort->collations = ma->collations;
	sort->nullsFirst = ma->nullsFirst;
	return (Plan *) sort;
}
#endif

/*
 * Pushes a Limit node's bound into the scans directly below it, and turns
 * a Merge Append whose every child took it into a Sort of an asynchronous
 * Append where that is possible (fdw_merge_to_async).
 */
static void
fdw_limit_apply(Limit *limit, FdwLimitContext *cxt)
{
	FdwLimitBound bound;
	Plan	   *input = limit->plan.lefttree;
	List	   *children = NIL;
	ListCell   *lc;
	bool		all = true;

	if (input == NULL || !fdw_limit_bound(limit, &bound))
		return;
	if (IsA(input, MergeAppend))
		children = ((MergeAppend *) input)->mergeplans;
	else if (IsA(input, Append))
		children = ((Append *) input)->appendplans;
	else
	{
		fdw_limit_push(input, &bound);
		return;
	}
	foreach(lc, children)
	{
		if (!fdw_limit_push((Plan *) lfirst(lc), &bound))
			all = false;
	}
#if PG_VERSION_NUM >= 140000
	if (all && IsA(input, MergeAppend))
	{
		Plan	   *sort;

		sort = fdw_merge_to_async((MergeAppend *) input, &bound, cxt);

		if (sort != NULL)
			limit->plan.lefttree = sort;
	}
#else
	(void) all;					/* 13 has no asynchronous Append */
#endif
}

/*
 * Visits every node of a plan tree (subplans are walked apart): Limit
 * nodes first, then the scans below them, so a scan's LIMIT is appended
 * before its settings are inserted.
 */
static void
fdw_limit_walk(Plan *plan, FdwLimitContext *cxt)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	if (IsA(plan, Limit) && vecdb_fdw_limit_pushdown)
		fdw_limit_apply((Limit *) plan, cxt);
	if (vecdb_fdw_send_settings)
		fdw_settings_push(plan);
	if (IsA(plan, Append))
		foreach(lc, ((Append *) plan)->appendplans)
			fdw_limit_walk((Plan *) lfirst(lc), cxt);
	else if (IsA(plan, MergeAppend))
		foreach(lc, ((MergeAppend *) plan)->mergeplans)
			fdw_limit_walk((Plan *) lfirst(lc), cxt);
	else if (IsA(plan, SubqueryScan))
		fdw_limit_walk(((SubqueryScan *) plan)->subplan, cxt);
	else if (IsA(plan, CustomScan))
		foreach(lc, ((CustomScan *) plan)->custom_plans)
			fdw_limit_walk((Plan *) lfirst(lc), cxt);
	fdw_limit_walk(plan->lefttree, cxt);
	fdw_limit_walk(plan->righttree, cxt);
}

/* The largest plan_node_id of a plan tree, at least max. */
static int
fdw_max_plan_node_id(Plan *plan, int max)
{
	ListCell   *lc;

	if (plan == NULL)
		return max;
	check_stack_depth();
	max = Max(max, plan->plan_node_id);
	if (IsA(plan, Append))
		foreach(lc, ((Append *) plan)->appendplans)
			max = fdw_max_plan_node_id((Plan *) lfirst(lc), max);
	else if (IsA(plan, MergeAppend))
		foreach(lc, ((MergeAppend *) plan)->mergeplans)
			max = fdw_max_plan_node_id((Plan *) lfirst(lc), max);
	else if (IsA(plan, SubqueryScan))
		max = fdw_max_plan_node_id(((SubqueryScan *) plan)->subplan, max);
	else if (IsA(plan, CustomScan))
		foreach(lc, ((CustomScan *) plan)->custom_plans)
			max = fdw_max_plan_node_id((Plan *) lfirst(lc), max);
	else if (IsA(plan, BitmapAnd))
		foreach(lc, ((BitmapAnd *) plan)->bitmapplans)
			max = fdw_max_plan_node_id((Plan *) lfirst(lc), max);
	else if (IsA(plan, BitmapOr))
		foreach(lc, ((BitmapOr *) plan)->bitmapplans)
			max = fdw_max_plan_node_id((Plan *) lfirst(lc), max);
	max = fdw_max_plan_node_id(plan->lefttree, max);
	return fdw_max_plan_node_id(plan->righttree, max);
}

/*
 * The planner hook: plans as before (the previous hook or the standard
 * planner), then pushes LIMITs into the finished plan.
 */
static PlannedStmt *
fdw_limit_planner(Query *parse, const char *query_string, int cursorOptions,
				  ParamListInfo boundParams)
{
	PlannedStmt *stmt;
	ListCell   *lc;

	if (prev_planner_hook)
		stmt = prev_planner_hook(parse, query_string, cursorOptions,
								 boundParams);
	else
		stmt = standard_planner(parse, query_string, cursorOptions,
								boundParams);

	if (vecdb_fdw_limit_pushdown || vecdb_fdw_send_settings)
	{
		FdwLimitContext cxt;
		int			last = fdw_max_plan_node_id(stmt->planTree, 0);

		foreach(lc, stmt->subplans)
			last = fdw_max_plan_node_id((Plan *) lfirst(lc), last);
		cxt.rtable = stmt->rtable;
		cxt.last_plan_node_id = last;
		fdw_limit_walk(stmt->planTree, &cxt);
		foreach(lc, stmt->subplans)
			fdw_limit_walk((Plan *) lfirst(lc), &cxt);
	}
	return stmt;
}

void
VecdbFdwPushInit(void)
{
	DefineCustomBoolVariable("vecdb.fdw_limit_pushdown",
							 "Sends a query's LIMIT to each postgres_fdw scan "
							 "below it.",
							 "Also to the foreign partitions below a Merge "
							 "Append or Append, which postgres_fdw does "
							 "not do.",
							 &vecdb_fdw_limit_pushdown,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
	DefineCustomBoolVariable("vecdb.fdw_send_settings",
							 "Sends the session's hnsw search settings with "
							 "each ordered postgres_fdw scan.",
							 "hnsw.ef_search, hnsw.iterative_scan, "
							 "hnsw.max_scan_tuples and "
							 "hnsw.scan_mem_multiplier, set on the remote "
							 "server for its transaction before its scan "
							 "starts.",
							 &vecdb_fdw_send_settings,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
	prev_planner_hook = planner_hook;
	planner_hook = fdw_limit_planner;
}
