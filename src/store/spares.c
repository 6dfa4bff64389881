#include "store/spares.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "util/i18n.h"
#include "util/strbuf.h"

const char store_spare_schema_v9[] =
    "CREATE TABLE spare_anchors ("
    " target TEXT NOT NULL, secret TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,"
    " uid TEXT, resource_version TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " PRIMARY KEY (target, namespace, name));"
    "CREATE INDEX spare_anchors_secret ON spare_anchors (target, secret, namespace, created_at);";

void store_spare_done(struct store_spare *s)
{
	if (!s)
		return;
	free(s->target);
	free(s->secret);
	free(s->ns);
	free(s->name);
	free(s->uid);
	free(s->resource_version);
	memset(s, 0, sizeof(*s));
}

void store_spare_list_free(struct store_spare *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_spare_done(&v[i]);
	free(v);
}

#define COLUMNS "target, secret, namespace, name, uid, resource_version, created_at, expires_at"

static void read_row(sqlite3_stmt *st, struct store_spare *s)
{
	s->target = db_column_strdup(st, 0);
	s->secret = db_column_strdup(st, 1);
	s->ns = db_column_strdup(st, 2);
	s->name = db_column_strdup(st, 3);
	s->uid = db_column_strdup(st, 4);
	s->resource_version = db_column_strdup(st, 5);
	s->created_at = sqlite3_column_int64(st, 6);
	s->expires_at = sqlite3_column_int64(st, 7);
}

int store_spare_add(kj_db *db, const struct store_spare *s, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "INSERT INTO spare_anchors (" COLUMNS
	                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("recording a spare anchor Secret"));
	db_bind_text(st, 1, s->target);
	db_bind_text(st, 2, s->secret);
	db_bind_text(st, 3, s->ns);
	db_bind_text(st, 4, s->name);
	db_bind_text(st, 5, s->uid);
	db_bind_text(st, 6, s->resource_version);
	sqlite3_bind_int64(st, 7, s->created_at);
	sqlite3_bind_int64(st, 8, s->expires_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("recording a spare anchor Secret"));
	return 0;
}

/* One statement whose parameters ?1..?n are the texts given, run to its end. */
static int run_texts(kj_db *db, const char *sql, const char *const *texts, int n, const char *what, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, what);
	for (int k = 0; k < n; k++)
		db_bind_text(st, k + 1, texts[k]);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, what);
	return 0;
}

int store_spare_made(kj_db *db, const char *target, const char *ns, const char *name, const char *uid,
                     const char *rv, kj_err *e)
{
	const char *const texts[] = {target, ns, name, uid, rv};

	return run_texts(db,
	                 "UPDATE spare_anchors SET uid = ?4, resource_version = ?5"
	                 " WHERE target = ?1 AND namespace = ?2 AND name = ?3",
	                 texts, 5, _("recording a spare anchor Secret"), e);
}

int store_spare_drop(kj_db *db, const char *target, const char *ns, const char *name, kj_err *e)
{
	const char *const texts[] = {target, ns, name};

	return run_texts(db, "DELETE FROM spare_anchors WHERE target = ?1 AND namespace = ?2 AND name = ?3",
	                 texts, 3, _("forgetting a spare anchor Secret"), e);
}

int store_spare_take(kj_db *db, const char *target, const char *secret, const char *ns, int64_t min_expiry,
                     struct store_spare *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (db_begin(db, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT " COLUMNS " FROM spare_anchors WHERE target = ?1 AND secret = ?2"
	                       " AND namespace = ?3 AND uid IS NOT NULL AND resource_version IS NOT NULL"
	                       " AND expires_at > ?4 ORDER BY created_at LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, e, _("taking a spare anchor Secret"));
		db_rollback(db);
		return -1;
	}
	db_bind_text(st, 1, target);
	db_bind_text(st, 2, secret);
	db_bind_text(st, 3, ns);
	sqlite3_bind_int64(st, 4, min_expiry);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_row(st, out);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(db, e, _("taking a spare anchor Secret"));
		db_rollback(db);
		return -1;
	}
	if (found && store_spare_drop(db, out->target, out->ns, out->name, e) < 0) {
		store_spare_done(out);
		db_rollback(db);
		return -1;
	}
	if (db_commit(db, e) < 0) {
		store_spare_done(out);
		return -1;
	}
	return found;
}

int store_spare_count(kj_db *db, const char *target, const char *secret, const char *ns, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT count(*) FROM spare_anchors WHERE target = ?1 AND secret = ?2"
	                       " AND namespace = ?3",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("counting spare anchor Secrets"));
	db_bind_text(st, 1, target);
	db_bind_text(st, 2, secret);
	db_bind_text(st, 3, ns);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_fail(db, e, _("counting spare anchor Secrets"));
	return 0;
}

int store_spare_list(kj_db *db, const char *target, struct store_spare **v, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT " COLUMNS " FROM spare_anchors WHERE ?1 IS NULL OR target = ?1"
	                       " ORDER BY target, namespace, name",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("listing spare anchor Secrets"));
	db_bind_text(st, 1, target);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*v = kj_xrealloc(*v, cap * sizeof(**v));
		}
		memset(&(*v)[*n], 0, sizeof(**v));
		read_row(st, &(*v)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_spare_list_free(*v, *n);
		*v = NULL;
		*n = 0;
		return db_fail(db, e, _("listing spare anchor Secrets"));
	}
	return 0;
}
