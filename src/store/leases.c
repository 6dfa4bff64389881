#include "store/leases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/strbuf.h"

#define LEASE_COLUMNS                                                                                        \
	"id, secret, target, mode, namespace, service_account, state, revocable, created_at, lease_expiry,"  \
	" token_expiry, ended_at, created_by, fingerprint, jti, error"

static void read_lease(sqlite3_stmt *st, struct lease *l)
{
	const unsigned char *s;
	enum lease_state state = LEASE_FAILED;

	memset(l, 0, sizeof(*l));
	s = sqlite3_column_text(st, 0);
	snprintf(l->id, sizeof(l->id), "%s", s ? (const char *)s : "");
	l->secret = db_column_strdup(st, 1);
	l->target = db_column_strdup(st, 2);
	secret_mode_parse((const char *)sqlite3_column_text(st, 3), &l->mode);
	l->ns = db_column_strdup(st, 4);
	l->service_account = db_column_strdup(st, 5);
	lease_state_parse((const char *)sqlite3_column_text(st, 6), &state);
	l->state = state;
	l->revocable = sqlite3_column_int(st, 7);
	l->created_at = sqlite3_column_int64(st, 8);
	l->lease_expiry = sqlite3_column_int64(st, 9);
	l->token_expiry = sqlite3_column_int64(st, 10);
	l->ended_at = sqlite3_column_int64(st, 11);
	l->created_by = db_column_strdup(st, 12);
	s = sqlite3_column_text(st, 13);
	snprintf(l->fingerprint, sizeof(l->fingerprint), "%s", s ? (const char *)s : "");
	l->jti = db_column_strdup(st, 14);
	l->error = db_column_strdup(st, 15);
}

static void bind_lease(sqlite3_stmt *st, const struct lease *l)
{
	db_bind_text(st, 1, l->id);
	db_bind_text(st, 2, l->secret);
	db_bind_text(st, 3, l->target);
	db_bind_text(st, 4, secret_mode_name(l->mode));
	db_bind_text(st, 5, l->ns ? l->ns : "");
	db_bind_text(st, 6, l->service_account);
	db_bind_text(st, 7, lease_state_name(l->state));
	sqlite3_bind_int(st, 8, l->revocable ? 1 : 0);
	sqlite3_bind_int64(st, 9, l->created_at);
	sqlite3_bind_int64(st, 10, l->lease_expiry);
	sqlite3_bind_int64(st, 11, l->token_expiry);
	sqlite3_bind_int64(st, 12, l->ended_at);
	db_bind_text(st, 13, l->created_by ? l->created_by : "");
	db_bind_text(st, 14, l->fingerprint[0] ? l->fingerprint : NULL);
	db_bind_text(st, 15, l->jti);
	db_bind_text(st, 16, l->error);
}

int store_lease_insert(kj_db *db, const struct lease *l, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "INSERT INTO leases (" LEASE_COLUMNS
	                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	                       " ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	                       -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, e, _("recording a lease"));
		db_rollback(db);
		return -1;
	}
	bind_lease(st, l);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(db, e, _("recording a lease"));
		db_rollback(db);
		return -1;
	}
	for (size_t i = 0; i < l->n_objects; i++) {
		if (store_lease_add_object(db, l->id, i, &l->objects[i], e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

int store_lease_update(kj_db *db, const struct lease *l, kj_err *e)
{
	return store_lease_update_from(db, l, l->state, e) < 0 ? -1 : 0;
}

int store_lease_update_from(kj_db *db, const struct lease *l, enum lease_state from, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	/* the state test and the write are one statement, so two processes
	 * cannot both move a lease on from the same state */
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "UPDATE leases SET service_account = ?6, state = ?7, revocable = ?8,"
	                       " lease_expiry = ?10, token_expiry = ?11, ended_at = ?12, fingerprint = ?14,"
	                       " jti = ?15, error = ?16 WHERE id = ?1 AND state = ?17",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("updating a lease"));
	bind_lease(st, l);
	db_bind_text(st, 17, lease_state_name(from));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("updating a lease"));
	return sqlite3_changes(db_sqlite(db)) > 0 ? 0 : 1;
}

int store_lease_add_object(kj_db *db, const char *lease_id, size_t seq, const struct lease_object *o,
                           kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "INSERT OR REPLACE INTO lease_objects (lease_id, seq, kind, namespace, name, uid,"
	        " deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("recording a lease object"));
	db_bind_text(st, 1, lease_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	db_bind_text(st, 3, o->kind);
	db_bind_text(st, 4, o->ns);
	db_bind_text(st, 5, o->name);
	db_bind_text(st, 6, o->uid);
	sqlite3_bind_int(st, 7, o->deleted ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("recording a lease object"));
	return 0;
}

int store_lease_object_deleted(kj_db *db, const char *lease_id, size_t seq, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "UPDATE lease_objects SET deleted = 1 WHERE lease_id = ?1 AND seq = ?2", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("updating a lease object"));
	db_bind_text(st, 1, lease_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("updating a lease object"));
	return 0;
}

static int read_objects(kj_db *db, struct lease *l, kj_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "SELECT kind, namespace, name, uid, deleted FROM lease_objects WHERE lease_id = ?1"
	        " ORDER BY seq",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading lease objects"));
	db_bind_text(st, 1, l->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct lease_object *o;
		if (l->n_objects == cap) {
			cap = cap ? cap * 2 : 4;
			l->objects = kj_xrealloc(l->objects, cap * sizeof(*l->objects));
		}
		o = &l->objects[l->n_objects++];
		o->kind = db_column_strdup(st, 0);
		o->ns = db_column_strdup(st, 1);
		o->name = db_column_strdup(st, 2);
		o->uid = db_column_strdup(st, 3);
		o->deleted = sqlite3_column_int(st, 4);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("reading lease objects"));
	return 0;
}

int store_lease_get(kj_db *db, const char *id, struct lease *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (!id || strlen(id) < 4) {
		kj_err_set(e, KJ_ERR_USAGE, _("lease id \"%s\" is too short"), id ? id : "");
		return kj_err_hint(
		    e, _("give at least 4 characters of the id; list leases with 'kubejit leases'"));
	}
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT " LEASE_COLUMNS
	                       " FROM leases WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1"
	                       " ORDER BY id = ?1 DESC LIMIT 2",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading a lease"));
	db_bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found) {
			/* an exact match sorts first and wins; two prefixes are ambiguous */
			if (strcmp(out->id, id)) {
				sqlite3_finalize(st);
				lease_done(out);
				kj_err_set(e, KJ_ERR_USAGE, _("lease id \"%s\" matches more than one lease"),
				           id);
				return kj_err_hint(e, _("give more characters of the id"));
			}
			break;
		}
		read_lease(st, out);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		lease_done(out);
		return db_fail(db, e, _("reading a lease"));
	}
	if (!found) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("lease %s not found"), id);
		return kj_err_hint(e, _("list leases with 'kubejit leases'"));
	}
	if (read_objects(db, out, e) < 0) {
		lease_done(out);
		return -1;
	}
	return 0;
}

int store_lease_exists(kj_db *db, const char *id, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT 1 FROM leases WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(db, e, _("reading a lease"));
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(db, e, _("reading a lease"));
}

int store_lease_state(kj_db *db, const char *id, enum lease_state *state, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT state FROM leases WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(db, e, _("reading a lease"));
	db_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		if (!s || lease_state_parse(s, state) < 0)
			*state = LEASE_FAILED;
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(db, e, _("reading a lease"));
}

int store_lease_list(kj_db *db, const struct lease_filter *f, int with_objects, int64_t due_before,
                     struct lease **out, size_t *n, kj_err *e)
{
	static const char live[] =
	    "(state IN ('creating','active','revoking') OR (state = 'failed' AND EXISTS"
	    " (SELECT 1 FROM lease_objects o WHERE o.lease_id = leases.id AND o.deleted = 0)))";
	sqlite3_stmt *st;
	kj_buf q;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT " LEASE_COLUMNS " FROM leases WHERE 1");
	if (f && f->secret)
		kj_buf_adds(&q, " AND secret = ?1");
	if (f && f->target)
		kj_buf_adds(&q, " AND target = ?2");
	if (f && f->ns)
		kj_buf_adds(&q, " AND namespace = ?3");
	if (f && f->state >= 0)
		kj_buf_adds(&q, " AND state = ?4");
	if ((f && f->live_only) || due_before > 0)
		kj_buf_printf(&q, " AND %s", live);
	if (due_before > 0)
		kj_buf_adds(&q, " AND lease_expiry <= ?5");
	kj_buf_adds(&q, " ORDER BY created_at DESC, rowid DESC");
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("listing leases"));
	if (f) {
		db_bind_text(st, 1, f->secret);
		db_bind_text(st, 2, f->target);
		db_bind_text(st, 3, f->ns);
		if (f->state >= 0)
			db_bind_text(st, 4, lease_state_name((enum lease_state)f->state));
	}
	if (due_before > 0)
		sqlite3_bind_int64(st, 5, due_before);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = kj_xrealloc(*out, cap * sizeof(**out));
		}
		read_lease(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		lease_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, e, _("listing leases"));
	}
	for (size_t i = 0; with_objects && i < *n; i++) {
		if (read_objects(db, &(*out)[i], e) < 0) {
			lease_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

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

/* The sort key of each order; NULL = created_at alone. */
static const char *const order_key[LEASE_ORDER_COUNT] = {
    [LEASE_ORDER_NEWEST] = NULL,
    [LEASE_ORDER_SECRET] = "secret",
    [LEASE_ORDER_MODE] = "mode",
    [LEASE_ORDER_NAMESPACE] = "namespace",
    [LEASE_ORDER_SERVICE_ACCOUNT] = "service_account",
    [LEASE_ORDER_EXPIRY] = "lease_expiry",
    [LEASE_ORDER_TOKEN_EXPIRY] = "token_expiry",
    [LEASE_ORDER_STATE] = "state",
};

static const char *view_key(const struct lease_view *v)
{
	return v->order >= 0 && v->order < LEASE_ORDER_COUNT ? order_key[v->order] : NULL;
}

/* " ORDER BY ...": the order its index gives walked forwards or backwards. */
static void add_order(kj_buf *q, const struct lease_view *v)
{
	const char *k = view_key(v);

	if (!k)
		kj_buf_adds(q, v->reverse ? " ORDER BY created_at ASC, rowid ASC"
		                          : " ORDER BY created_at DESC, rowid DESC");
	else if (!v->reverse)
		kj_buf_printf(q, " ORDER BY %s ASC, created_at DESC, rowid ASC", k);
	else
		kj_buf_printf(q, " ORDER BY %s DESC, created_at ASC, rowid DESC", k);
}

/* " AND (...)" for the view's text; binds ?1 (the LIKE pattern). */
static void add_filter(kj_buf *q, const struct lease_view *v)
{
	int s, any = 0;

	if (!v->text || !v->text[0])
		return;
	kj_buf_adds(q, " AND (secret LIKE ?1 ESCAPE '\\' OR namespace LIKE ?1 ESCAPE '\\'"
	               " OR service_account LIKE ?1 ESCAPE '\\' OR id LIKE ?1 ESCAPE '\\'");
	for (s = 0; s < LEASE_STATE_COUNT; s++)
		if (v->state_bits & (1u << s)) {
			kj_buf_printf(q, "%s'%s'", any ? ", " : " OR state IN (",
			              lease_state_name((enum lease_state)s));
			any = 1;
		}
	if (any)
		kj_buf_adds(q, ")");
	any = 0;
	for (s = 0; s <= SECRET_DYNAMIC; s++)
		if (v->mode_bits & (1u << s)) {
			kj_buf_printf(q, "%s'%s'", any ? ", " : " OR mode IN (",
			              secret_mode_name((enum secret_mode)s));
			any = 1;
		}
	if (any)
		kj_buf_adds(q, ")");
	kj_buf_adds(q, ")");
}

static void bind_filter(sqlite3_stmt *st, const struct lease_view *v)
{
	kj_buf p;
	const char *c;

	if (!v->text || !v->text[0])
		return;
	kj_buf_init(&p);
	kj_buf_adds(&p, "%");
	for (c = v->text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			kj_buf_adds(&p, "\\");
		kj_buf_printf(&p, "%c", *c);
	}
	kj_buf_adds(&p, "%");
	sqlite3_bind_text(st, 1, p.data, -1, SQLITE_TRANSIENT);
	kj_buf_done(&p);
}

int store_lease_view_count(kj_db *db, const struct lease_view *v, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	*n = 0;
	if (!v->text || !v->text[0]) {
		struct lease_counts c;
		if (store_lease_counts(db, &c, e) < 0)
			return -1;
		*n = c.total;
		return 0;
	}
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT count(*) FROM leases WHERE 1");
	add_filter(&q, v);
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("counting leases"));
	bind_filter(st, v);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(db, e, _("counting leases"));
}

int store_lease_view_page(kj_db *db, const struct lease_view *v, size_t offset, size_t limit,
                          struct lease **out, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	*out = NULL;
	*n = 0;
	if (!limit)
		return 0;
	kj_buf_init(&q);
	kj_buf_adds(&q, "SELECT " LEASE_COLUMNS " FROM leases WHERE 1");
	add_filter(&q, v);
	add_order(&q, v);
	kj_buf_adds(&q, " LIMIT ?2 OFFSET ?3");
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("listing leases"));
	bind_filter(st, v);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
	*out = kj_xcalloc(limit, sizeof(**out));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit)
		read_lease(st, &(*out)[(*n)++]);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		lease_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, e, _("listing leases"));
	}
	return 0;
}

int store_lease_view_position(kj_db *db, const struct lease_view *v, const char *id, long *pos, kj_err *e)
{
	const char *k = view_key(v);
	sqlite3_stmt *st;
	kj_buf q;
	int rc;

	*pos = -1;
	kj_buf_init(&q);
	/* the rows before it in the view's order: a range of the order's index */
	kj_buf_adds(&q, "SELECT (SELECT count(*) FROM leases WHERE 1");
	add_filter(&q, v);
	if (!k)
		kj_buf_printf(
		    &q,
		    " AND (created_at %s r.created_at OR (created_at = r.created_at AND rowid %s r.rowid)))",
		    v->reverse ? "<" : ">", v->reverse ? "<" : ">");
	else if (!v->reverse)
		kj_buf_printf(
		    &q,
		    " AND ((r.%1$s IS NOT NULL AND (%1$s IS NULL OR %1$s < r.%1$s)) OR (%1$s IS r.%1$s AND"
		    " (created_at > r.created_at OR (created_at = r.created_at AND rowid < r.rowid)))))",
		    k);
	else
		kj_buf_printf(
		    &q,
		    " AND ((%1$s IS NOT NULL AND (r.%1$s IS NULL OR %1$s > r.%1$s)) OR (%1$s IS r.%1$s AND"
		    " (created_at < r.created_at OR (created_at = r.created_at AND rowid > r.rowid)))))",
		    k);
	/* ... and whether the lease itself is in the view */
	kj_buf_adds(&q, " FROM leases r WHERE r.id = ?4");
	if (v->text && v->text[0]) {
		kj_buf t;
		kj_buf_init(&t);
		add_filter(&t, v);
		/* the same test on r: its columns are unqualified only in the subquery */
		kj_buf_adds(&q, " AND r.rowid IN (SELECT rowid FROM leases WHERE id = ?4");
		kj_buf_adds(&q, t.data);
		kj_buf_adds(&q, ")");
		kj_buf_done(&t);
	}
	rc = sqlite3_prepare_v2(db_sqlite(db), q.data, -1, &st, NULL);
	kj_buf_done(&q);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("finding a lease"));
	bind_filter(st, v);
	db_bind_text(st, 4, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*pos = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, _("finding a lease"));
}

int store_lease_counts(kj_db *db, struct lease_counts *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT state, n FROM lease_counts UNION ALL"
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
