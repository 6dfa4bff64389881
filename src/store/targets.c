#include "store/targets.h"

#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

const char store_target_schema_v1[] =
    "CREATE TABLE targets ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " server TEXT NOT NULL,"
    " ca_pem TEXT,"
    " tls_server_name TEXT,"
    " auth TEXT NOT NULL CHECK (auth IN ('token','client-cert','in-cluster','kubeconfig')),"
    " token_file TEXT,"
    " sa_dir TEXT,"
    " client_cert_pem TEXT,"
    " cert_not_after INTEGER NOT NULL DEFAULT 0,"
    " token_expires_at INTEGER NOT NULL DEFAULT 0,"
    " csr_name TEXT,"
    " kubeconfig_path TEXT,"
    " kubeconfig_context TEXT,"
    " identity TEXT,"
    " health TEXT NOT NULL DEFAULT 'never',"
    " preflight_at INTEGER NOT NULL DEFAULT 0,"
    " preflight_summary TEXT,"
    " preflight_json TEXT,"
    " created_at INTEGER NOT NULL,"
    " created_by TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    /* secret material apart, so listing targets never reads it */
    "CREATE TABLE target_secrets ("
    " target_id INTEGER PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,"
    " token TEXT,"
    " client_key_pem TEXT,"
    " sealed INTEGER NOT NULL DEFAULT 0);";

const char store_target_schema_v4[] =
    "CREATE TABLE targets_v4 ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " server TEXT NOT NULL,"
    " ca_pem TEXT,"
    " tls_server_name TEXT,"
    " auth TEXT NOT NULL CHECK (auth IN ('token','client-cert','in-cluster','kubeconfig','exec')),"
    " token_file TEXT,"
    " sa_dir TEXT,"
    " client_cert_pem TEXT,"
    " cert_not_after INTEGER NOT NULL DEFAULT 0,"
    " token_expires_at INTEGER NOT NULL DEFAULT 0,"
    " csr_name TEXT,"
    " kubeconfig_path TEXT,"
    " kubeconfig_context TEXT,"
    " exec_json TEXT,"
    " proxy_url TEXT,"
    " disable_compression INTEGER NOT NULL DEFAULT 0,"
    " renew_sa TEXT,"
    " token_seconds INTEGER NOT NULL DEFAULT 0,"
    " renewed_at INTEGER NOT NULL DEFAULT 0,"
    " identity TEXT,"
    " health TEXT NOT NULL DEFAULT 'never',"
    " preflight_at INTEGER NOT NULL DEFAULT 0,"
    " preflight_summary TEXT,"
    " preflight_json TEXT,"
    " created_at INTEGER NOT NULL,"
    " created_by TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "INSERT INTO targets_v4 (id, name, server, ca_pem, tls_server_name, auth, token_file, sa_dir, "
    "client_cert_pem, cert_not_after, token_expires_at, csr_name, kubeconfig_path, kubeconfig_context, "
    "identity, health, preflight_at, preflight_summary, preflight_json, created_at, created_by, updated_at)"
    " SELECT id, name, server, ca_pem, tls_server_name, auth, token_file, sa_dir, client_cert_pem, "
    "cert_not_after, token_expires_at, csr_name, kubeconfig_path, kubeconfig_context, identity, health, "
    "preflight_at, preflight_summary, preflight_json, created_at, created_by, updated_at FROM targets;"
    "DROP TABLE targets;"
    "ALTER TABLE targets_v4 RENAME TO targets;";

#define COLUMNS                                                                                              \
	"id, name, server, ca_pem, tls_server_name, auth, token_file, sa_dir, client_cert_pem,"              \
	" cert_not_after, token_expires_at, csr_name, kubeconfig_path, kubeconfig_context, identity, "       \
	"health,"                                                                                            \
	" preflight_at, preflight_summary, preflight_json, created_at, created_by, updated_at,"              \
	" exec_json, proxy_url, disable_compression, renew_sa, token_seconds, renewed_at"

static void read_row(sqlite3_stmt *st, struct target *t)
{
	int a, h;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->name = db_column_strdup(st, 1);
	t->server = db_column_strdup(st, 2);
	t->ca_pem = db_column_strdup(st, 3);
	t->tls_server_name = db_column_strdup(st, 4);
	a = target_auth_parse((const char *)sqlite3_column_text(st, 5));
	t->auth = a < 0 ? TARGET_AUTH_TOKEN : (enum target_auth)a;
	t->token_file = db_column_strdup(st, 6);
	t->sa_dir = db_column_strdup(st, 7);
	t->client_cert_pem = db_column_strdup(st, 8);
	t->cert_not_after = sqlite3_column_int64(st, 9);
	t->token_expires_at = sqlite3_column_int64(st, 10);
	t->csr_name = db_column_strdup(st, 11);
	t->kubeconfig_path = db_column_strdup(st, 12);
	t->kubeconfig_context = db_column_strdup(st, 13);
	t->identity = db_column_strdup(st, 14);
	h = target_health_parse((const char *)sqlite3_column_text(st, 15));
	t->health = h < 0 ? TARGET_HEALTH_NEVER : (enum target_health)h;
	t->preflight_at = sqlite3_column_int64(st, 16);
	t->preflight_summary = db_column_strdup(st, 17);
	t->preflight_json = db_column_strdup(st, 18);
	t->created_at = sqlite3_column_int64(st, 19);
	t->created_by = db_column_strdup(st, 20);
	t->updated_at = sqlite3_column_int64(st, 21);
	t->exec_json = db_column_strdup(st, 22);
	t->proxy_url = db_column_strdup(st, 23);
	t->disable_compression = sqlite3_column_int(st, 24);
	t->renew_sa = db_column_strdup(st, 25);
	t->token_seconds = sqlite3_column_int64(st, 26);
	t->renewed_at = sqlite3_column_int64(st, 27);
}

/* Bind the non-secret columns 2..28 in COLUMNS order (1 is the id). */
static void bind_row(sqlite3_stmt *st, const struct target *t)
{
	db_bind_text(st, 2, t->name);
	db_bind_text(st, 3, t->server);
	db_bind_text(st, 4, t->ca_pem);
	db_bind_text(st, 5, t->tls_server_name);
	db_bind_text(st, 6, target_auth_name(t->auth));
	db_bind_text(st, 7, t->token_file);
	db_bind_text(st, 8, t->sa_dir);
	db_bind_text(st, 9, t->client_cert_pem);
	sqlite3_bind_int64(st, 10, t->cert_not_after);
	sqlite3_bind_int64(st, 11, t->token_expires_at);
	db_bind_text(st, 12, t->csr_name);
	db_bind_text(st, 13, t->kubeconfig_path);
	db_bind_text(st, 14, t->kubeconfig_context);
	db_bind_text(st, 15, t->identity);
	db_bind_text(st, 16, target_health_name(t->health));
	sqlite3_bind_int64(st, 17, t->preflight_at);
	db_bind_text(st, 18, t->preflight_summary);
	db_bind_text(st, 19, t->preflight_json);
	sqlite3_bind_int64(st, 20, t->created_at ? t->created_at : kj_now());
	db_bind_text(st, 21, t->created_by ? t->created_by : "");
	sqlite3_bind_int64(st, 22, kj_now());
	db_bind_text(st, 23, t->exec_json);
	db_bind_text(st, 24, t->proxy_url);
	sqlite3_bind_int(st, 25, t->disable_compression);
	db_bind_text(st, 26, t->renew_sa);
	sqlite3_bind_int64(st, 27, t->token_seconds);
	sqlite3_bind_int64(st, 28, t->renewed_at);
}

static int write_cred(kj_db *db, int64_t id, const struct target_cred *cred, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "INSERT OR REPLACE INTO target_secrets (target_id, token, client_key_pem,"
	                       " conn) VALUES (?1, ?2, ?3, ?4)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("saving target credentials"));
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, cred ? cred->token : NULL);
	db_bind_text(st, 3, cred ? cred->client_key_pem : NULL);
	db_bind_text(st, 4, cred ? cred->conn : NULL);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("saving target credentials"));
	return 0;
}

int store_target_insert(kj_db *db, struct target *t, const struct target_cred *cred, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (db_begin(db, e) < 0)
		return -1;
	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "INSERT INTO targets (" COLUMNS ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	        " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
	        " ?27, ?28)",
	        -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, e, _("saving target"));
		db_rollback(db);
		return -1;
	}
	bind_row(st, t);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			kj_err_set(e, KJ_ERR_CONFLICT, _("a target named \"%s\" already exists"), t->name);
			kj_err_hint(e,
			            _("pick another name, or remove the old one with 'kubejit target rm %s'"),
			            t->name);
		} else {
			db_fail(db, e, _("saving target"));
		}
		db_rollback(db);
		return -1;
	}
	t->id = sqlite3_last_insert_rowid(db_sqlite(db));
	if (write_cred(db, t->id, cred, e) < 0 || db_commit(db, e) < 0) {
		db_rollback(db);
		t->id = 0;
		return -1;
	}
	return 0;
}

int store_target_update(kj_db *db, const struct target *t, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "UPDATE targets SET name=?2, server=?3, ca_pem=?4, tls_server_name=?5, auth=?6,"
	        " token_file=?7, sa_dir=?8, client_cert_pem=?9, cert_not_after=?10,"
	        " token_expires_at=?11, csr_name=?12, kubeconfig_path=?13, kubeconfig_context=?14,"
	        " identity=?15, health=?16, preflight_at=?17, preflight_summary=?18,"
	        " preflight_json=?19, created_at=?20, created_by=?21, updated_at=?22, exec_json=?23,"
	        " proxy_url=?24, disable_compression=?25, renew_sa=?26, token_seconds=?27,"
	        " renewed_at=?28 WHERE id=?1",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("updating target"));
	sqlite3_bind_int64(st, 1, t->id);
	bind_row(st, t);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("updating target"));
	if (sqlite3_changes(db_sqlite(db)) == 0)
		return kj_err_set(e, KJ_ERR_NOTFOUND, _("target \"%s\" not found"), t->name ? t->name : "?");
	return 0;
}

int store_target_set_cred(kj_db *db, int64_t id, const struct target_cred *cred, kj_err *e)
{
	return write_cred(db, id, cred, e);
}

int store_target_set_preflight(kj_db *db, int64_t id, enum target_health health, int64_t at,
                               const char *identity, const char *summary, const char *json, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "UPDATE targets SET health=?2, preflight_at=?3, identity=COALESCE(?4, identity),"
	        " preflight_summary=?5, preflight_json=?6, updated_at=?7 WHERE id=?1",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("recording preflight"));
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, target_health_name(health));
	sqlite3_bind_int64(st, 3, at);
	db_bind_text(st, 4, identity);
	db_bind_text(st, 5, summary);
	db_bind_text(st, 6, json);
	sqlite3_bind_int64(st, 7, kj_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("recording preflight"));
	return 0;
}

static int get_where(kj_db *db, const char *where, const char *name, int64_t id, struct target *out,
                     kj_err *e)
{
	sqlite3_stmt *st;
	char *sql = kj_xasprintf("SELECT " COLUMNS " FROM targets WHERE %s", where);
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return db_fail(db, e, _("reading target"));
	if (name)
		db_bind_text(st, 1, name);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_row(st, out);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("reading target"));
	if (name)
		kj_err_set(e, KJ_ERR_NOTFOUND, _("target \"%s\" not found"), name);
	else
		kj_err_set(e, KJ_ERR_NOTFOUND, _("target #%lld not found"), (long long)id);
	kj_err_hint(e, _("list targets with 'kubejit target list'"));
	return -1;
}

int store_target_get(kj_db *db, const char *name, struct target *out, kj_err *e)
{
	return get_where(db, "name = ?1", name, 0, out, e);
}

int store_target_get_by_id(kj_db *db, int64_t id, struct target *out, kj_err *e)
{
	return get_where(db, "id = ?1", NULL, id, out, e);
}

int store_target_get_cred(kj_db *db, int64_t id, struct target_cred *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT token, client_key_pem, conn FROM target_secrets WHERE target_id = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading target credentials"));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->token = db_column_strdup(st, 0);
		out->client_key_pem = db_column_strdup(st, 1);
		out->conn = db_column_strdup(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, _("reading target credentials"));
	return 0;
}

int store_target_list(kj_db *db, struct target **out, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	struct target *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT " COLUMNS " FROM targets ORDER BY name", -1, &st,
	                       NULL) != SQLITE_OK)
		return db_fail(db, e, _("listing targets"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			v = kj_xrealloc(v, cap * sizeof(*v));
		}
		read_row(st, &v[len++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		target_list_free(v, len);
		return db_fail(db, e, _("listing targets"));
	}
	*out = v;
	*n = len;
	return 0;
}

/* Rows of other tables that still name the target.  Secrets and leases
 * refer to targets by name (a lease outlives both), so the store checks
 * them here rather than through foreign keys. */
static int count_users(kj_db *db, const char *table, const char *where, const char *name)
{
	sqlite3_stmt *st;
	char *sql;
	int n = 0;

	sql = kj_xasprintf("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", table);
	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	free(sql);
	if (n == 0)
		return 0;
	n = 0;
	sql = kj_xasprintf("SELECT count(*) FROM %s WHERE target = ?1%s", table, where);
	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) == SQLITE_OK) {
		db_bind_text(st, 1, name);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	free(sql);
	return n;
}

int store_target_delete(kj_db *db, const char *name, kj_err *e)
{
	sqlite3_stmt *st;
	int rc, secrets, leases;

	if (db_begin(db, e) < 0)
		return -1;
	secrets = count_users(db, "secrets", "", name);
	leases = count_users(db, "leases", " AND state NOT IN ('revoked', 'expired')", name);
	if (secrets || leases) {
		db_rollback(db);
		kj_err_set(e, KJ_ERR_CONFLICT,
		           _("target \"%s\" is still used by %d secret(s) and %d live lease(s)"), name,
		           secrets, leases);
		return kj_err_hint(
		    e, _("revoke its leases and remove its secrets first ('kubejit secret list')"));
	}
	if (sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM targets WHERE name = ?1", -1, &st, NULL) !=
	    SQLITE_OK) {
		db_fail(db, e, _("removing target"));
		db_rollback(db);
		return -1;
	}
	db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		db_rollback(db);
		kj_err_set(e, KJ_ERR_CONFLICT, _("target \"%s\" is still used by secrets or leases"), name);
		return kj_err_hint(e, _("remove its secrets (and revoke their leases) first"));
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, e, _("removing target"));
		db_rollback(db);
		return -1;
	}
	if (sqlite3_changes(db_sqlite(db)) == 0) {
		db_rollback(db);
		kj_err_set(e, KJ_ERR_NOTFOUND, _("target \"%s\" not found"), name);
		return kj_err_hint(e, _("list targets with 'kubejit target list'"));
	}
	if (db_commit(db, e) < 0)
		return -1;
	db_scrub(db);
	return 0;
}
