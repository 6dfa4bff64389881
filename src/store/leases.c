#include "store/leases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/leases_priv.h"
#include "util/i18n.h"
#include "util/strbuf.h"

void leases_read_row(sqlite3_stmt *st, struct lease *l)
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
	if (strlen(id) > 36 || strspn(id, "0123456789abcdef-") != strlen(id)) {
		kj_err_set(e, KJ_ERR_USAGE, _("lease id \"%s\" is not a lease id"), id);
		return kj_err_hint(e, _("lease ids are lower-case hex digits and '-' (a UUID, or its first "
		                        "characters); list leases with 'kubejit leases'"));
	}
	/* the ids starting with `id` are a range of the primary key's index
	 * (substr() on the column would read every lease) */
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT " LEASE_COLUMNS " FROM leases WHERE id >= ?1 AND id < ?2"
	                       " ORDER BY id = ?1 DESC LIMIT 2",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading a lease"));
	db_bind_text(st, 1, id);
	{
		char *end = kj_xstrdup(id);
		size_t k = strlen(end);

		/* ids are ASCII: the first string past every one with this prefix */
		end[k - 1] = (char)((unsigned char)end[k - 1] + 1);
		sqlite3_bind_text(st, 2, end, -1, SQLITE_TRANSIENT);
		free(end);
	}
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
		leases_read_row(st, out);
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
		leases_read_row(st, &(*out)[(*n)++]);
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
