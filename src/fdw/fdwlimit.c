/*-------------------------------------------------------------------------
 *
 * fdwlimit.c
 *	  LIMIT pushdown into postgres_fdw scans below a Limit node, and
 *	  asynchronous fan-out for the Merge Append of them.
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
 * cursor for an open-ended ordered read and sends fetch_size rows (100 by
 * default) in the first round trip where the coordinator uses at most k.
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
 * vecdb.fdw_limit_pushdown (on by default) turns all this off, and
 * enable_async_append the second part.  They are read when a query is
 * planned: a cached plan keeps what it was planned with.
 *
 * Copyright (c) 2026, vecdb developers
 *
 * src/fdw/fdwlimit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <string.h>

#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/int.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "fdw/fdwlimit.h"

static bool vecdb_fdw_limit_pushdown = true;
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
			pg_add_s64_overflow(DatumGetInt64(c->constvalue), off, &bound->value))
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
 * Whether a remote query, as postgres_fdw deparses the scan of one table,
 * may take a LIMIT at its end: it starts with SELECT and has no LIMIT,
 * OFFSET, FETCH or FOR (row lock) keyword outside string literals and
 * quoted identifiers.  Anything unexpected (an unterminated quote) answers
 * no.
 */
static bool
fdw_sql_takes_limit(const char *sql)
{
	static const char *const tails[] = {" LIMIT ", " OFFSET ", " FETCH ", " FOR "};
	const char *p = sql;

	if (strncmp(sql, "SELECT ", 7) != 0)
		return false;
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
					return false;
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
		for (int i = 0; i < lengthof(tails); i++)
			if (strncmp(p, tails[i], strlen(tails[i])) == 0)
				return false;
		p++;
	}
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
		Plan	   *sort = fdw_merge_to_async((MergeAppend *) input, &bound, cxt);

		if (sort != NULL)
			limit->plan.lefttree = sort;
	}
#endif
}

/* Visits every Limit node of a plan tree (subplans are walked apart). */
static void
fdw_limit_walk(Plan *plan, FdwLimitContext *cxt)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	if (IsA(plan, Limit))
		fdw_limit_apply((Limit *) plan, cxt);
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
		stmt = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		stmt = standard_planner(parse, query_string, cursorOptions, boundParams);

	if (vecdb_fdw_limit_pushdown)
	{
		FdwLimitContext cxt;

		cxt.rtable = stmt->rtable;
		cxt.last_plan_node_id = fdw_max_plan_node_id(stmt->planTree, 0);
		foreach(lc, stmt->subplans)
			cxt.last_plan_node_id =
				fdw_max_plan_node_id((Plan *) lfirst(lc), cxt.last_plan_node_id);
		fdw_limit_walk(stmt->planTree, &cxt);
		foreach(lc, stmt->subplans)
			fdw_limit_walk((Plan *) lfirst(lc), &cxt);
	}
	return stmt;
}

void
VecdbFdwLimitInit(void)
{
	DefineCustomBoolVariable("vecdb.fdw_limit_pushdown",
							 "Sends a query's LIMIT to each postgres_fdw scan below it.",
							 "Also to the foreign partitions below a Merge Append or "
							 "Append, which postgres_fdw does not do.",
							 &vecdb_fdw_limit_pushdown,
							 true,
							 PGC_USERSET,
							 0,
							 NULL,
							 NULL,
							 NULL);
	prev_planner_hook = planner_hook;
	planner_hook = fdw_limit_planner;
}
