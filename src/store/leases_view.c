/* leases_view: the lease table's view (src/store/leases.h, "The lease
 * table"): its schema migrations, pages, a lease's place and the counts,
 * read through the sort and group indexes so that their cost does not grow
 * with the store. */
#include "store/leases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/leases_priv.h"
#include "util/i18n.h"
#include "util/strbuf.h"

/* ---- the lease table's view ------------------------------------------------ */

const char store_lease_schema_v5[] =
    /* one index per order of the lease table, ties newest first */
    "DROP INDEX leases_secret;"
    "CREATE INDEX leases_by_secret ON leases(secret, created_at DESC);"
    "CREATE INDEX leases_by_mode ON leases(mode, created_at DESC);"
    "CREATE INDEX leases_by_namespace ON leases(namespace, created_at DESC);"
    "CREATE INDEX leases_by_sa ON leases(service_account, created_at DESC);"
    "CREATE INDEX leases_by_expiry ON leases(lease_expiry, created_at DESC);"
    "CREATE INDEX leases_by_token_expiry ON leases(token_expiry, created_at DESC);"
    "CREATE INDEX leases_by_state ON leases(state, created_at DESC);"
    /* COUNT(*) walks a whole index: keep the totals per state instead */
    "CREATE TABLE lease_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO lease_counts SELECT state, count(*) FROM leases GROUP BY state;"
    "CREATE TRIGGER lease_counts_insert AFTER INSERT ON leases BEGIN"
    " INSERT INTO lease_counts VALUES (NEW.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;"
    " END;"
    "CREATE TRIGGER lease_counts_delete AFTER DELETE ON leases BEGIN"
    " UPDATE lease_counts SET n = n - 1 WHERE state = OLD.state;"
    " END;"
    "CREATE TRIGGER lease_counts_state AFTER UPDATE OF state ON leases"
    " WHEN OLD.state IS NOT NEW.state BEGIN"
    " UPDATE lease_counts SET n = n - 1 WHERE state = OLD.state;"
    " INSERT INTO lease_counts VALUES (NEW.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;"
    " END;";

/* v7: the counts per (secret, namespace, mode, state) instead of per state,
 * so that a filtered count is a sum over a few hundred groups, not a scan. */
const char store_lease_schema_v7[] =
    "DROP TRIGGER lease_counts_insert;"
    "DROP TRIGGER lease_counts_delete;"
    "DROP TRIGGER lease_counts_state;"
    "DROP TABLE lease_counts;"
    "CREATE TABLE lease_groups (secret TEXT NOT NULL, namespace TEXT NOT NULL, mode TEXT NOT NULL,"
    " state TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (secret, namespace, mode, state)) WITHOUT ROWID;"
    "INSERT INTO lease_groups SELECT secret, namespace, mode, state, count(*) FROM leases GROUP BY 1, 2, 3, "
    "4;"
    "CREATE TRIGGER lease_groups_insert AFTER INSERT ON leases BEGIN"
    " INSERT INTO lease_groups VALUES (NEW.secret, NEW.namespace, NEW.mode, NEW.state, 1)"
    "  ON CONFLICT DO UPDATE SET n = n + 1;"
    " END;"
    "CREATE TRIGGER lease_groups_delete AFTER DELETE ON leases BEGIN"
    " UPDATE lease_groups SET n = n - 1 WHERE secret = OLD.secret AND namespace = OLD.namespace"
    "  AND mode = OLD.mode AND state = OLD.state;"
    " END;"
    "CREATE TRIGGER lease_groups_update AFTER UPDATE OF secret, namespace, mode, state ON leases BEGIN"
    " UPDATE lease_groups SET n = n - 1 WHERE secret = OLD.secret AND namespace = OLD.namespace"
    "  AND mode = OLD.mode AND state = OLD.state;"
    " INSERT INTO lease_groups VALUES (NEW.secret, NEW.namespace, NEW.mode, NEW.state, 1)"
    "  ON CONFLICT DO UPDATE SET n = n + 1;"
    " END;";

/* v10: the same orders within each group of lease_groups (secret,
 * namespace, mode, state), so that a filter, which always selects whole
 * groups, reads each matching group already in the table's order and
 * merges them (read_merged()), instead of walking an order's index past
 * rows that do not match or sorting every match.  Within a group the
 * secret, namespace, mode and state are equal, so one index serves the
 * newest-first order and the orders by those four columns. */
const char store_lease_schema_v10[] =
    "CREATE INDEX leases_group ON leases(secret, namespace, mode, state, created_at DESC);"
    "CREATE INDEX leases_group_sa ON leases(secret, namespace, mode, state, service_account,"
    " created_at DESC);"
    "CREATE INDEX leases_group_expiry ON leases(secret, namespace, mode, state, lease_expiry,"
    " created_at DESC);"
    "CREATE INDEX leases_group_token_expiry ON leases(secret, namespace, mode, state, token_expiry,"
    " created_at DESC);";

/* The sort key and indexes of each order; key NULL = created_at alone.
 * `group` is the key's column in lease_groups (0-3: secret, namespace,
 * mode, state; -1: not a group column), `integer` whether the key is a
 * number. */
static const struct {
	const char *key, *index, *group_index;
	int group, integer;
} orders[LEASE_ORDER_COUNT] = {
    [LEASE_ORDER_NEWEST] = {NULL, "leases_created", "leases_group", -1, 1},
    [LEASE_ORDER_SECRET] = {"secret", "leases_by_secret", "leases_group", 0, 0},
    [LEASE_ORDER_MODE] = {"mode", "leases_by_mode", "leases_group", 2, 0},
    [LEASE_ORDER_NAMESPACE] = {"namespace", "leases_by_namespace", "leases_group", 1, 0},
    [LEASE_ORDER_SERVICE_ACCOUNT] = {"service_account", "leases_by_sa", "leases_group_sa", -1, 0},
    [LEASE_ORDER_EXPIRY] = {"lease_expiry", "leases_by_expiry", "leases_group_expiry", -1, 1},
    [LEASE_ORDER_TOKEN_EXPIRY] = {"token_expiry", "leases_by_token_expiry", "leases_group_token_expiry", -1,
                                  1},
    [LEASE_ORDER_STATE] = {"state", "leases_by_state", "leases_group", 3, 0},
};

/* A filter merges its matching groups (read_merged()): each group is read
 * from its group index alone, in order, and only the page's rows are
 * looked up in the table.  Walking an order's index instead and testing
 * each row costs a table look-up per row tested, on a page of its own
 * (the rows of one secret are spread over the whole table), and when the
 * matches gather away from where the walk starts ("team-7" sorted by
 * state, whose leases are all revoked, after 500,000 expired ones) it
 * tests most of the store.  A merge costs a statement per group, about as
 * much as MERGE_ROWS_PER_GROUP look-ups (measured at 1,000,000 leases:
 * 25 us against 5 us).  So a filtered page is walked first only when an
 * even spread of the matches would need fewer look-ups than the merge
 * costs (a dense filter over many groups), or when there are more groups
 * than MERGE_MAX_GROUPS (a statement each is too many to prepare); the
 * walk gives up past twice that spread's rows or the merge's cost,
 * whichever is more, and the page is merged instead. */
#define MERGE_ROWS_PER_GROUP 5
#define MERGE_MAX_GROUPS     256
/* The cursor keeps its lease across a sort or filter change when the lease
 * is among this many first rows of the new order (else it goes to the
 * top): finding a lease's place walks or counts the rows before it, and it
 * must stay short however large the store. */
#define FIND_LIMIT 10000

static int view_order(const struct lease_view *v)
{
	return v->order >= 0 && v->order < LEASE_ORDER_COUNT ? (int)v->order : LEASE_ORDER_NEWEST;
}

static int has_text(const struct lease_view *v)
{
	return v->text && v->text[0];
}

/* " ORDER BY ...": the order its index gives walked forwards or backwards. */
static void add_order(kj_buf *q, const struct lease_view *v, int reverse)
{
	const char *k = orders[view_order(v)].key;

	if (!k)
		kj_buf_adds(q, reverse ? " ORDER BY created_at ASC, rowid ASC"
		                       : " ORDER BY created_at DESC, rowid DESC");
	else if (!reverse)
		kj_buf_printf(q, " ORDER BY %s ASC, created_at DESC, rowid ASC", k);
	else
		kj_buf_printf(q, " ORDER BY %s DESC, created_at ASC, rowid DESC", k);
}

/* The view's text test on columns of `t` (a table or alias).  ?1 is the
 * text in lower case. */
static void add_match(kj_buf *q, const struct lease_view *v, const char *t)
{
	int s, any = 0;

	kj_buf_printf(q, "(instr(lower(%1$s.secret), ?1) > 0 OR instr(lower(%1$s.namespace), ?1) > 0", t);
	for (s = 0; s < LEASE_STATE_COUNT; s++)
		if (v->state_bits & (1u << s)) {
			if (!any)
				kj_buf_printf(q, " OR %s.state IN (", t);
			kj_buf_printf(q, "%s'%s'", any ? ", " : "", lease_state_name((enum lease_state)s));
			any = 1;
		}
	if (any)
		kj_buf_adds(q, ")");
	any = 0;
	for (s = 0; s <= SECRET_DYNAMIC; s++)
		if (v->mode_bits & (1u << s)) {
			if (!any)
				kj_buf_printf(q, " OR %s.mode IN (", t);
			kj_buf_printf(q, "%s'%s'", any ? ", " : "", secret_mode_name((enum secret_mode)s));
			any = 1;
		}
	if (any)
		kj_buf_adds(q, ")");
	kj_buf_adds(q, ")");
}

static void bind_text(sqlite3_stmt *st, const struct lease_view *v)
{
	char *low;
	size_t i;

	if (!has_text(v))
		return;
	low = kj_xstrdup(v->text);
	for (i = 0; low[i]; i++)
		if (low[i] >= 'A' && low[i] <= 'Z')
			low[i] = (char)(low[i] - 'A' + 'a');
	sqlite3_bind_text(st, 1, low, -1, SQLITE_TRANSIENT);
	free(low);
}

int store_lease_view_count(kj_db *db, const struct lease_view *v, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	*n = 0;
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT coalesce(sum(n), 0) FROM lease_groups g");
	if (has_text(v)) {
		kj_buf_adds(&q, " WHERE ");
		add_match(&q, v, "g");
	}
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("counting leases"));
	bind_text(st, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, e, _("counting leases"));
}

/* How many leases the view shows (`matches`), how many the store holds
 * (`total`) and in how many groups the matches are (`groups`). */
static int view_stats(kj_db *db, const struct lease_view *v, size_t *matches, size_t *total, size_t *groups,
                      kj_err *e)
{
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	*matches = *total = *groups = 0;
	kj_buf_init(&q);
	if (has_text(v)) {
		kj_buf_adds(&q, "SELECT coalesce(sum(CASE WHEN ");
		add_match(&q, v, "g");
		kj_buf_adds(&q, " THEN n END), 0), coalesce(sum(n), 0), count(CASE WHEN ");
		add_match(&q, v, "g");
		kj_buf_adds(&q, " THEN 1 END) FROM lease_groups g WHERE n > 0");
	} else {
		kj_buf_adds(&q,
		            "SELECT coalesce(sum(n), 0), coalesce(sum(n), 0), count(*) FROM lease_groups g"
		            " WHERE n > 0");
	}
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("counting leases"));
	bind_text(st, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*matches = (size_t)sqlite3_column_int64(st, 0);
		*total = (size_t)sqlite3_column_int64(st, 1);
		*groups = (size_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, e, _("counting leases"));
}

/* Whether the view's text leaves any lease out (a filter every lease
 * matches shows what no filter shows). */
static int filtered(const struct lease_view *v, size_t matches, size_t total)
{
	return has_text(v) && matches < total;
}

/* Whether a page is first looked for by walking the order's index. */
/* The rows of the order's index a walk tests to read rows offset ..
 * offset + limit - 1 when the matches are spread evenly. */
static double walk_rows(size_t matches, size_t total, size_t offset, size_t limit)
{
	return (double)(offset + limit) * (double)total / (double)(matches ? matches : 1);
}

static int walk_first(const struct lease_view *v, size_t matches, size_t total, size_t groups, size_t offset,
                      size_t limit)
{
	return !filtered(v, matches, total) || groups > MERGE_MAX_GROUPS ||
	       walk_rows(matches, total, offset, limit) < (double)groups * MERGE_ROWS_PER_GROUP;
}

/* ---- merging the matching groups ---- */

/* One group of lease_groups: secret, namespace, mode, state, and its size. */
struct vgroup {
	char *col[4];
	size_t n;
};

static void groups_free(struct vgroup *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < 4; c++)
			free(g[i].col[c]);
	free(g);
}

/* The groups the view matches, in the order of the order's key when the
 * key is one of their columns (`reverse`: descending). */
static int read_groups(kj_db *db, const struct lease_view *v, int reverse, struct vgroup **out, size_t *n,
                       kj_err *e)
{
	int key = orders[view_order(v)].group;
	sqlite3_stmt *st;
	size_t cap = 0;
	kj_buf q;
	int rc;

	*out = NULL;
	*n = 0;
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT secret, namespace, mode, state, n FROM lease_groups g WHERE n > 0");
	if (has_text(v)) {
		kj_buf_adds(&q, " AND ");
		add_match(&q, v, "g");
	}
	if (key >= 0)
		kj_buf_printf(&q, " ORDER BY %d %s", key + 1, reverse ? "DESC" : "ASC");
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("listing leases"));
	bind_text(st, v);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vgroup *g;

		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = kj_xrealloc(*out, cap * sizeof(**out));
		}
		g = &(*out)[(*n)++];
		for (int c = 0; c < 4; c++)
			g->col[c] = db_column_strdup(st, c);
		g->n = (size_t)sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		groups_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, e, _("listing leases"));
	}
	return 0;
}

/* A k-way merge: one statement per group, each reading its group through
 * the order's group index already in the view's order (rowid, key,
 * created_at from the index alone), and a binary heap of the statements
 * by their current row. */
struct merge {
	sqlite3_stmt **st;
	size_t *heap, n;
	int integer, newest, reverse;
};

/* <0 when the current row of `a` comes first in the view's order; the
 * same comparison as add_order()'s ORDER BY (NULL first, text by bytes as
 * SQLite's BINARY collation, ties newest first and then by rowid). */
static int merge_cmp(const struct merge *m, sqlite3_stmt *a, sqlite3_stmt *b)
{
	int ta = sqlite3_column_type(a, 1), tb = sqlite3_column_type(b, 1), c;
	sqlite3_int64 x, y;

	if (ta == SQLITE_NULL || tb == SQLITE_NULL) {
		c = (ta != SQLITE_NULL) - (tb != SQLITE_NULL);
	} else if (m->integer) {
		x = sqlite3_column_int64(a, 1);
		y = sqlite3_column_int64(b, 1);
		c = x < y ? -1 : x > y;
	} else {
		c = strcmp((const char *)sqlite3_column_text(a, 1), (const char *)sqlite3_column_text(b, 1));
		c = c < 0 ? -1 : c > 0;
	}
	if (!c) {
		x = sqlite3_column_int64(a, 2);
		y = sqlite3_column_int64(b, 2);
		c = x > y ? -1 : x < y;
	}
	if (!c) {
		x = sqlite3_column_int64(a, 0);
		y = sqlite3_column_int64(b, 0);
		c = x < y ? -1 : x > y;
		if (m->newest)
			c = -c;
	}
	return m->reverse ? -c : c;
}

static int heap_less(const struct merge *m, size_t i, size_t j)
{
	return merge_cmp(m, m->st[m->heap[i]], m->st[m->heap[j]]) < 0;
}

static void heap_down(struct merge *m, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, s = i, t;

		if (l < m->n && heap_less(m, l, s))
			s = l;
		if (r < m->n && heap_less(m, r, s))
			s = r;
		if (s == i)
			return;
		t = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = t;
		i = s;
	}
}

/* Rowids skip .. skip + limit - 1 of the merged groups g[0..n-1] into
 * out[*got..]; stops early at a rowid equal to `stop` (> 0) and says so in
 * *found. */
static int merge_groups(kj_db *db, const struct lease_view *v, int reverse, const struct vgroup *g, size_t n,
                        size_t skip, size_t limit, sqlite3_int64 stop, sqlite3_int64 *out, size_t *got,
                        int *found, kj_err *e)
{
	int o = view_order(v), rc = SQLITE_OK;
	struct merge m = {0};
	size_t i, k = 0;
	kj_buf q;

	kj_buf_init(&q);
	kj_buf_printf(&q,
	              "SELECT rowid, %s, created_at FROM leases INDEXED BY %s"
	              " WHERE secret = ?1 AND namespace = ?2 AND mode = ?3 AND state = ?4",
	              orders[o].key ? orders[o].key : "NULL", orders[o].group_index);
	add_order(&q, v, reverse);
	m.st = kj_xcalloc(n, sizeof(*m.st));
	m.heap = kj_xcalloc(n, sizeof(*m.heap));
	m.integer = orders[o].integer;
	m.newest = !orders[o].key;
	m.reverse = reverse;
	for (i = 0; i < n; i++) {
		if (sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &m.st[i], NULL) != SQLITE_OK) {
			rc = -1;
			break;
		}
		for (int c = 0; c < 4; c++)
			db_bind_text(m.st[i], c + 1, g[i].col[c]);
		rc = sqlite3_step(m.st[i]);
		if (rc == SQLITE_ROW)
			m.heap[m.n++] = i;
		else if (rc != SQLITE_DONE)
			break;
		rc = SQLITE_OK;
	}
	kj_buf_done(&q);
	for (i = m.n / 2; rc == SQLITE_OK && i-- > 0;)
		heap_down(&m, i);
	while (rc == SQLITE_OK && m.n && k < limit) {
		sqlite3_stmt *top = m.st[m.heap[0]];
		sqlite3_int64 id = sqlite3_column_int64(top, 0);

		if (skip)
			skip--;
		else
			out[(*got)++] = id, k++;
		if (stop > 0 && id == stop) {
			*found = 1;
			break;
		}
		rc = sqlite3_step(top);
		if (rc == SQLITE_ROW) {
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
			m.heap[0] = m.heap[--m.n];
		} else {
			break;
		}
		heap_down(&m, 0);
	}
	if (rc != SQLITE_OK)
		db_fail(db, e, _("listing leases"));
	for (i = 0; i < n; i++)
		sqlite3_finalize(m.st[i]);
	free(m.st);
	free(m.heap);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Rowids skip .. skip + limit - 1 of the view in its order (`reverse`
 * flips it), from the matching groups.  When the order's key is a group
 * column the groups come in key order, and a run of groups with one key
 * value is merged only when the rows asked for reach into it (the others
 * are skipped by their counts).  With `stop` > 0 the merge ends at that
 * rowid (*found = 1). */
static int read_merged(kj_db *db, const struct lease_view *v, int reverse, size_t skip, size_t limit,
                       sqlite3_int64 stop, sqlite3_int64 *out, size_t *got, int *found, kj_err *e)
{
	int key = orders[view_order(v)].group;
	struct vgroup *g;
	size_t n, i, j;
	int rc = 0;

	*got = 0;
	*found = 0;
	if (read_groups(db, v, reverse, &g, &n, e) < 0)
		return -1;
	for (i = 0; i < n && *got < limit && !*found && rc == 0; i = j) {
		size_t rows = 0;

		/* groups i .. j - 1: one value of the key (every group when the key
		 * is not a group column) */
		for (j = i; j < n && (key < 0 || !strcmp(g[j].col[key], g[i].col[key])); j++)
			rows += g[j].n;
		if (skip >= rows) {
			skip -= rows;
			continue;
		}
		rc = merge_groups(db, v, reverse, g + i, j - i, skip, limit - *got, stop, out, got, found, e);
		skip = 0;
	}
	groups_free(g, n);
	return rc;
}

/* The leases with these rowids, in this order, into out[*n..]. */
static int read_rowids(kj_db *db, const sqlite3_int64 *ids, size_t k, struct lease *out, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT " LEASE_COLUMNS " FROM leases WHERE rowid = ?1", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("listing leases"));
	for (size_t i = 0; i < k; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			leases_read_row(st, &out[(*n)++]);
		else if (rc != SQLITE_DONE)
			break;
		rc = SQLITE_DONE;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, e, _("listing leases"));
}

/* ---- walking the order's index ---- */

/* The walk's budget: rows of the order's index stepped over (checked every
 * WALK_CHECK_EVERY VM instructions, a few dozen rows). */
#define WALK_CHECK_EVERY 500

struct walk_budget {
	sqlite3_stmt *st;
	int rows;
};

static int walk_over(void *ud)
{
	struct walk_budget *b = ud;

	return sqlite3_stmt_status(b->st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0) > b->rows;
}

/* 1 when the walk gave up (nothing read), 0 when read, -1 on error. */
static int read_walk(kj_db *db, const struct lease_view *v, size_t matches, size_t total, size_t groups,
                     size_t offset, size_t limit, int reverse, struct lease *out, size_t *n, kj_err *e)
{
	int bounded = filtered(v, matches, total);
	/* twice the rows an even spread of the matches needs, or what the
	 * merge would cost, and at least 1,000 */
	double need = walk_rows(matches, total, offset, limit) * 2.0;
	struct walk_budget budget;

	if (need < (double)groups * MERGE_ROWS_PER_GROUP)
		need = (double)groups * MERGE_ROWS_PER_GROUP;
	budget.st = NULL;
	budget.rows = need > 1e9 ? 1000000000 : need < 1000 ? 1000 : (int)need;
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	kj_buf_init(&q);
	kj_buf_printf(&q, "SELECT " LEASE_COLUMNS " FROM leases INDEXED BY %s WHERE ",
	              orders[view_order(v)].index);
	if (bounded)
		add_match(&q, v, "leases");
	else
		kj_buf_adds(&q, "1");
	add_order(&q, v, reverse);
	kj_buf_adds(&q, " LIMIT ?2 OFFSET ?3");
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("listing leases"));
	if (bounded)
		bind_text(st, v);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
	budget.st = st;
	if (bounded)
		sqlite3_progress_handler(db_sqlite(db), WALK_CHECK_EVERY, walk_over, &budget);
	while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		leases_read_row(st, &out[(*n)++]);
	if (bounded)
		sqlite3_progress_handler(db_sqlite(db), 0, NULL, NULL);
	sqlite3_finalize(st);
	if (bounded && rc == SQLITE_INTERRUPT) {
		for (size_t i = 0; i < *n; i++)
			lease_done(&out[i]);
		memset(out, 0, *n * sizeof(*out));
		*n = 0;
		return 1;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, e, _("listing leases"));
	return 0;
}

static int read_page(kj_db *db, const struct lease_view *v, size_t matches, size_t total, size_t groups,
                     size_t offset, size_t limit, int reverse, struct lease *out, size_t *n, kj_err *e)
{
	sqlite3_int64 *ids;
	size_t got = 0;
	int rc, found;

	if (walk_first(v, matches, total, groups, offset, limit)) {
		rc = read_walk(db, v, matches, total, groups, offset, limit, reverse, out, n, e);
		if (rc <= 0)
			return rc;
	}
	ids = kj_xcalloc(limit, sizeof(*ids));
	rc = read_merged(db, v, reverse, offset, limit, 0, ids, &got, &found, e);
	if (rc == 0)
		rc = read_rowids(db, ids, got, out, n, e);
	free(ids);
	return rc;
}

int store_lease_view_page(kj_db *db, const struct lease_view *v, size_t offset, size_t limit,
                          struct lease **out, size_t *n, kj_err *e)
{
	size_t matches = 0, total = 0, groups = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!limit || view_stats(db, v, &matches, &total, &groups, e) < 0)
		return limit ? -1 : 0;
	if (offset >= matches)
		return 0;
	if (limit > matches - offset)
		limit = matches - offset;
	*out = kj_xcalloc(limit, sizeof(**out));
	/* OFFSET walks the rows it skips: the second half of the table is read
	 * from its end, in the reverse order, and turned round */
	if (offset > matches / 2) {
		rc = read_page(db, v, matches, total, groups, matches - offset - limit, limit, !v->reverse,
		               *out, n, e);
		for (i = 0; i < *n / 2; i++) {
			struct lease t = (*out)[i];
			(*out)[i] = (*out)[*n - 1 - i];
			(*out)[*n - 1 - i] = t;
		}
	} else {
		rc = read_page(db, v, matches, total, groups, offset, limit, v->reverse, *out, n, e);
	}
	if (rc < 0) {
		lease_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Where a lease stands in a filtered view, counted instead of merged: the
 * rows before it in each matching group, from the group indexes (a range
 * each), plus whole groups whose key comes first when the key is a group
 * column.  `key` and `created` are the lease's; -1 when a count reaches
 * FIND_LIMIT (each count stops there). */
static int position_counted(kj_db *db, const struct lease_view *v, sqlite3_int64 rowid, sqlite3_value *key,
                            sqlite3_int64 created, long *pos, kj_err *e)
{
	int o = view_order(v), gk = orders[o].group, null_key = sqlite3_value_type(key) == SQLITE_NULL;
	const char *k = orders[o].key, *lt = v->reverse ? ">" : "<", *gt = v->reverse ? "<" : ">";
	char *cond[4] = {NULL};
	int nc = 0, rc;
	sqlite3_stmt *st;
	kj_buf q;

	if (!k) {
		/* newest first, then the higher rowid */
		cond[nc++] = kj_xasprintf("l.created_at %s ?4", gt);
		cond[nc++] = kj_xasprintf("l.created_at = ?4 AND l.rowid %s ?5", gt);
	} else if (gk >= 0) {
		cond[nc++] = kj_xasprintf("g.%s = ?3 AND l.created_at %s ?4", k, gt);
		cond[nc++] = kj_xasprintf("g.%s = ?3 AND l.created_at = ?4 AND l.rowid %s ?5", k, lt);
	} else {
		/* NULL sorts first, so it comes last when reversed */
		const char *is = null_key ? "IS NULL" : "= ?3";

		if (!null_key)
			cond[nc++] = kj_xasprintf("l.%s %s ?3", k, lt);
		if (!null_key && !v->reverse)
			cond[nc++] = kj_xasprintf("l.%s IS NULL", k);
		if (null_key && v->reverse)
			cond[nc++] = kj_xasprintf("l.%s IS NOT NULL", k);
		cond[nc++] = kj_xasprintf("l.%s %s AND l.created_at %s ?4", k, is, gt);
		cond[nc++] = kj_xasprintf("l.%s %s AND l.created_at = ?4 AND l.rowid %s ?5", k, is, lt);
	}
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT ");
	if (gk >= 0) {
		kj_buf_adds(&q, "(SELECT coalesce(sum(n), 0) FROM lease_groups g WHERE n > 0 AND ");
		add_match(&q, v, "g");
		kj_buf_printf(&q, " AND g.%s %s ?3)", k, lt);
	} else {
		kj_buf_adds(&q, "0");
	}
	for (int i = 0; i < nc; i++) {
		kj_buf_printf(&q,
		              ", (SELECT count(*) FROM (SELECT 1 FROM lease_groups g CROSS JOIN leases l"
		              " INDEXED BY %s WHERE g.n > 0 AND ",
		              orders[o].group_index);
		add_match(&q, v, "g");
		kj_buf_printf(&q,
		              " AND l.secret = g.secret AND l.namespace = g.namespace AND l.mode = g.mode"
		              " AND l.state = g.state AND %s LIMIT %d))",
		              cond[i], FIND_LIMIT);
		free(cond[i]);
	}
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("finding a lease"));
	bind_text(st, v);
	sqlite3_bind_value(st, 3, key);
	sqlite3_bind_int64(st, 4, created);
	sqlite3_bind_int64(st, 5, rowid);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		sqlite3_int64 sum = sqlite3_column_int64(st, 0);
		int cut = 0;

		for (int i = 1; i <= nc; i++) {
			sum += sqlite3_column_int64(st, i);
			cut |= sqlite3_column_int64(st, i) >= FIND_LIMIT;
		}
		*pos = cut ? -1 : (long)sum;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, e, _("finding a lease"));
}

int store_lease_view_position(kj_db *db, const struct lease_view *v, const char *id, long *pos, kj_err *e)
{
	sqlite3_stmt *st;
	sqlite3_int64 target = 0, created = 0;
	sqlite3_value *key = NULL;
	size_t matches = 0, total = 0, groups = 0;
	long i = 0;
	kj_buf q;
	int rc;

	*pos = -1;
	/* a lease the filter does not match is nowhere in the view */
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT rowid, ");
	if (has_text(v))
		add_match(&q, v, "leases");
	else
		kj_buf_adds(&q, "1");
	kj_buf_printf(&q, ", %s, created_at FROM leases WHERE id = ?2",
	              orders[view_order(v)].key ? orders[view_order(v)].key : "NULL");
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("finding a lease"));
	bind_text(st, v);
	db_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 1)) {
		target = sqlite3_column_int64(st, 0);
		key = sqlite3_value_dup(sqlite3_column_value(st, 2));
		created = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW || !target)
		return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(db, e, _("finding a lease"));
	if (view_stats(db, v, &matches, &total, &groups, e) < 0) {
		sqlite3_value_free(key);
		return -1;
	}
	if (filtered(v, matches, total)) {
		/* counted whatever the number of groups: a walk would look up in
		 * the table each row it tests */
		rc = key ? position_counted(db, v, target, key, created, pos, e)
		         : db_fail(db, e, _("finding a lease"));
		sqlite3_value_free(key);
		return rc;
	}
	sqlite3_value_free(key);
	/* no filter: among the first FIND_LIMIT rows of the order's index */
	kj_buf_init(&q);
	kj_buf_printf(&q, "SELECT rowid FROM leases INDEXED BY %s", orders[view_order(v)].index);
	add_order(&q, v, v->reverse);
	kj_buf_printf(&q, " LIMIT %d", FIND_LIMIT);
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("finding a lease"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) == target) {
			*pos = i;
			break;
		}
		i++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, _("finding a lease"));
}

int store_lease_counts(kj_db *db, struct lease_counts *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT state, sum(n) FROM lease_groups GROUP BY state UNION ALL"
	                       " SELECT 'unrevocable', EXISTS (SELECT 1 FROM leases WHERE"
	                       " state IN ('creating','active','revoking') AND revocable = 0)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("counting leases"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		int64_t k = sqlite3_column_int64(st, 1);
		enum lease_state ls;

		if (!s || k < 0)
			continue;
		if (!strcmp(s, "unrevocable")) {
			out->unrevocable_live = k != 0;
			continue;
		}
		out->total += (size_t)k;
		if (lease_state_parse(s, &ls) == 0 &&
		    (ls == LEASE_CREATING || ls == LEASE_ACTIVE || ls == LEASE_REVOKING))
			out->live += (size_t)k;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, e, _("counting leases"));
}
