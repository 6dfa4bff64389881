#include "store/audit.h"

#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/safetext.h"
#include "util/strbuf.h"

/* Bind the safe form of `s` (NULL stays NULL): the audit log keeps server
 * text (Status messages, Warning headers, names) without the control
 * sequences it may carry (util/safetext.h).  `held` keeps an escaped copy
 * alive until the statement has run. */
static void bind_safe(sqlite3_stmt *st, int col, const char *s, int flags, char **held)
{
	*held = NULL;
	if (s && !kj_safe_is_clean(s, strlen(s), flags))
		s = *held = kj_safe_dup(s, flags);
	db_bind_text(st, col, s);
}

int store_audit_insert(kj_db *db, const struct audit_entry *a, kj_err *e)
{
	sqlite3_stmt *st;
	char *held[5];
	int rc;
	size_t i;

	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "INSERT INTO audit (time, actor, action, secret, lease, target, ok, detail)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("writing the audit log"));
	sqlite3_bind_int64(st, 1, a->time);
	bind_safe(st, 2, a->actor ? a->actor : "", 0, &held[0]);
	db_bind_text(st, 3, a->action);
	bind_safe(st, 4, a->secret, 0, &held[1]);
	bind_safe(st, 5, a->lease, 0, &held[2]);
	bind_safe(st, 6, a->target, 0, &held[3]);
	sqlite3_bind_int(st, 7, a->ok ? 1 : 0);
	bind_safe(st, 8, a->detail, 0, &held[4]);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	for (i = 0; i < 5; i++)
		free(held[i]);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("writing the audit log"));
	return 0;
}

int store_audit_list(kj_db *db, const struct audit_filter *f, struct audit_entry **out, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT id, time, actor, action, secret, lease, target, ok, detail FROM audit"
	                       " WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR secret = ?2)"
	                       " AND (?3 IS NULL OR lease = ?3) AND time >= ?4"
	                       " ORDER BY time DESC, id DESC LIMIT ?5",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading the audit log"));
	db_bind_text(st, 1, f ? f->action : NULL);
	db_bind_text(st, 2, f ? f->secret : NULL);
	db_bind_text(st, 3, f ? f->lease : NULL);
	sqlite3_bind_int64(st, 4, f ? f->since : 0);
	sqlite3_bind_int64(st, 5, f && f->limit ? (sqlite3_int64)f->limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry *a;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = kj_xrealloc(*out, cap * sizeof(**out));
		}
		a = &(*out)[(*n)++];
		a->id = sqlite3_column_int64(st, 0);
		a->time = sqlite3_column_int64(st, 1);
		a->actor = db_column_strdup(st, 2);
		a->action = db_column_strdup(st, 3);
		a->secret = db_column_strdup(st, 4);
		a->lease = db_column_strdup(st, 5);
		a->target = db_column_strdup(st, 6);
		a->ok = sqlite3_column_int(st, 7);
		a->detail = db_column_strdup(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		audit_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, e, _("reading the audit log"));
	}
	return 0;
}
