#include "store/secrets.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

const char store_secret_schema_v2[] = "CREATE TABLE secrets ("
                                      " id INTEGER PRIMARY KEY,"
                                      " path TEXT NOT NULL UNIQUE,"
                                      " description TEXT,"
                                      " tags TEXT NOT NULL DEFAULT '[]',"
                                      " delete_protection INTEGER NOT NULL DEFAULT 0,"
                                      " target TEXT NOT NULL,"
                                      " mode TEXT NOT NULL CHECK (mode IN ('fixed','dynamic')),"
                                      " namespace TEXT,"
                                      " service_account TEXT,"
                                      " revocable INTEGER NOT NULL DEFAULT 1,"
                                      " role_source TEXT NOT NULL DEFAULT 'none',"
                                      " role_name TEXT,"
                                      " cluster_scope INTEGER NOT NULL DEFAULT 0,"
                                      " role_yaml TEXT,"
                                      " allowed_namespaces TEXT NOT NULL DEFAULT '[]',"
                                      " default_ttl INTEGER NOT NULL,"
                                      " max_ttl INTEGER NOT NULL,"
                                      " audiences TEXT NOT NULL DEFAULT '[]',"
                                      " name_prefix TEXT,"
                                      " labels TEXT NOT NULL DEFAULT '{}',"
                                      " annotations TEXT NOT NULL DEFAULT '{}',"
                                      " created_at INTEGER NOT NULL,"
                                      " updated_at INTEGER NOT NULL);"
                                      /* a lease outlives its secret and target: names, not foreign keys */
                                      "CREATE TABLE leases ("
                                      " id TEXT PRIMARY KEY,"
                                      " secret TEXT NOT NULL,"
                                      " target TEXT NOT NULL,"
                                      " mode TEXT NOT NULL,"
                                      " namespace TEXT NOT NULL,"
                                      " service_account TEXT,"
                                      " state TEXT NOT NULL CHECK (state IN"
                                      "  ('creating','active','revoking','revoked','expired','failed')),"
                                      " revocable INTEGER NOT NULL DEFAULT 0,"
                                      " created_at INTEGER NOT NULL,"
                                      " lease_expiry INTEGER NOT NULL,"
                                      " token_expiry INTEGER NOT NULL DEFAULT 0,"
                                      " ended_at INTEGER NOT NULL DEFAULT 0,"
                                      " created_by TEXT NOT NULL,"
                                      " fingerprint TEXT,"
                                      " jti TEXT,"
                                      " error TEXT);"
                                      "CREATE INDEX leases_created ON leases(created_at);"
                                      "CREATE INDEX leases_state ON leases(state, lease_expiry);"
                                      "CREATE INDEX leases_secret ON leases(secret);"
                                      "CREATE TABLE lease_objects ("
                                      " lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,"
                                      " seq INTEGER NOT NULL,"
                                      " kind TEXT NOT NULL,"
                                      " namespace TEXT,"
                                      " name TEXT NOT NULL,"
                                      " uid TEXT,"
                                      " deleted INTEGER NOT NULL DEFAULT 0,"
                                      " PRIMARY KEY (lease_id, seq));"
                                      "CREATE TABLE audit ("
                                      " id INTEGER PRIMARY KEY,"
                                      " time INTEGER NOT NULL,"
                                      " actor TEXT NOT NULL,"
                                      " action TEXT NOT NULL,"
                                      " secret TEXT,"
                                      " lease TEXT,"
                                      " target TEXT,"
                                      " ok INTEGER NOT NULL,"
                                      " detail TEXT);"
                                      "CREATE INDEX audit_time ON audit(time);";

static char *strv_json(const struct kj_strv *sv)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; i < sv->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

static char *kvv_json(const struct kj_kvv *kv)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	for (size_t i = 0; i < kv->n; i++)
		cJSON_AddStringToObject(o, kv->v[i].key, kv->v[i].value);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void json_strv(const unsigned char *txt, struct kj_strv *sv)
{
	cJSON *a = txt ? cJSON_Parse((const char *)txt) : NULL, *it;

	cJSON_ArrayForEach(it, a)
	{
		if (cJSON_IsString(it))
			kj_strv_push(sv, it->valuestring);
	}
	cJSON_Delete(a);
}

static void json_kvv(const unsigned char *txt, struct kj_kvv *kv)
{
	cJSON *o = txt ? cJSON_Parse((const char *)txt) : NULL, *it;

	cJSON_ArrayForEach(it, o)
	{
		if (cJSON_IsString(it))
			kj_kvv_set(kv, it->string, it->valuestring);
	}
	cJSON_Delete(o);
}

#define SECRET_COLUMNS                                                                                       \
	"path, description, tags, delete_protection, target, mode, namespace, service_account, revocable,"   \
	" role_source, role_name, cluster_scope, role_yaml, allowed_namespaces, default_ttl, max_ttl,"       \
	" audiences, name_prefix, labels, annotations, created_at, updated_at, self_approval"

static enum secret_role_source role_source_parse(const char *s)
{
	if (!s)
		return ROLE_SOURCE_NONE;
	if (!strcmp(s, "role"))
		return ROLE_SOURCE_ROLE;
	if (!strcmp(s, "cluster-role"))
		return ROLE_SOURCE_CLUSTER_ROLE;
	if (!strcmp(s, "yaml"))
		return ROLE_SOURCE_YAML;
	return ROLE_SOURCE_NONE;
}

static void read_secret(sqlite3_stmt *st, struct secret *s)
{
	secret_init(s);
	s->path = db_column_strdup(st, 0);
	s->description = db_column_strdup(st, 1);
	json_strv(sqlite3_column_text(st, 2), &s->tags);
	s->delete_protection = sqlite3_column_int(st, 3);
	s->target = db_column_strdup(st, 4);
	secret_mode_parse((const char *)sqlite3_column_text(st, 5), &s->mode);
	s->ns = db_column_strdup(st, 6);
	s->service_account = db_column_strdup(st, 7);
	s->revocable = sqlite3_column_int(st, 8);
	s->role_source = role_source_parse((const char *)sqlite3_column_text(st, 9));
	s->role_name = db_column_strdup(st, 10);
	s->cluster_scope = sqlite3_column_int(st, 11);
	s->role_yaml = db_column_strdup(st, 12);
	json_strv(sqlite3_column_text(st, 13), &s->allowed_namespaces);
	s->default_ttl = sqlite3_column_int64(st, 14);
	s->max_ttl = sqlite3_column_int64(st, 15);
	json_strv(sqlite3_column_text(st, 16), &s->audiences);
	s->name_prefix = db_column_strdup(st, 17);
	json_kvv(sqlite3_column_text(st, 18), &s->labels);
	json_kvv(sqlite3_column_text(st, 19), &s->annotations);
	s->created_at = sqlite3_column_int64(st, 20);
	s->updated_at = sqlite3_column_int64(st, 21);
	s->self_approval = sqlite3_column_int(st, 22);
}

/* Bind columns 1..23 in SECRET_COLUMNS order. */
static void bind_secret(sqlite3_stmt *st, const struct secret *s, int64_t created_at)
{
	char *tags = strv_json(&s->tags), *allowed = strv_json(&s->allowed_namespaces);
	char *aud = strv_json(&s->audiences), *labels = kvv_json(&s->labels),
	     *ann = kvv_json(&s->annotations);

	db_bind_text(st, 1, s->path);
	db_bind_text(st, 2, s->description);
	db_bind_text(st, 3, tags);
	sqlite3_bind_int(st, 4, s->delete_protection ? 1 : 0);
	db_bind_text(st, 5, s->target);
	db_bind_text(st, 6, secret_mode_name(s->mode));
	db_bind_text(st, 7, s->ns);
	db_bind_text(st, 8, s->service_account);
	sqlite3_bind_int(st, 9, s->revocable ? 1 : 0);
	db_bind_text(st, 10, secret_role_source_name(s->role_source));
	db_bind_text(st, 11, s->role_name);
	sqlite3_bind_int(st, 12, s->cluster_scope ? 1 : 0);
	db_bind_text(st, 13, s->role_yaml);
	db_bind_text(st, 14, allowed);
	sqlite3_bind_int64(st, 15, s->default_ttl);
	sqlite3_bind_int64(st, 16, s->max_ttl);
	db_bind_text(st, 17, aud);
	db_bind_text(st, 18, s->name_prefix);
	db_bind_text(st, 19, labels);
	db_bind_text(st, 20, ann);
	sqlite3_bind_int64(st, 21, created_at);
	sqlite3_bind_int64(st, 22, kj_now());
	sqlite3_bind_int(st, 23, s->self_approval ? 1 : 0);
	free(tags);
	free(allowed);
	free(aud);
	free(labels);
	free(ann);
}

static int taken(kj_db *db, const char *path, kj_err *e)
{
	kj_err_set(e, KJ_ERR_CONFLICT, _("a secret named %s already exists"), path);
	(void)db;
	return kj_err_hint(
	    e, _("pick another path, or change the existing one with 'kubejit secret edit %s'"), path);
}

int store_secret_insert(kj_db *db, const struct secret *s, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "INSERT INTO secrets (" SECRET_COLUMNS
	                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	                       " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("saving a secret"));
	bind_secret(st, s, kj_now());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return taken(db, s->path, e);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("saving a secret"));
	return 0;
}

int store_secret_update(kj_db *db, const char *old_path, const struct secret *s, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        db_sqlite(db),
	        "UPDATE secrets SET path = ?1, description = ?2, tags = ?3, delete_protection = ?4,"
	        " target = ?5, mode = ?6, namespace = ?7, service_account = ?8, revocable = ?9,"
	        " role_source = ?10, role_name = ?11, cluster_scope = ?12, role_yaml = ?13,"
	        " allowed_namespaces = ?14, default_ttl = ?15, max_ttl = ?16, audiences = ?17,"
	        " name_prefix = ?18, labels = ?19, annotations = ?20, updated_at = ?22,"
	        " self_approval = ?23 WHERE path = ?24",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("updating a secret"));
	bind_secret(st, s, 0);
	db_bind_text(st, 24, old_path);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return taken(db, s->path, e);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("updating a secret"));
	if (sqlite3_changes(db_sqlite(db)) == 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("secret %s not found"), old_path);
		return kj_err_hint(e, _("list secrets with 'kubejit secret list'"));
	}
	return 0;
}

int store_secret_get(kj_db *db, const char *path, struct secret *out, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT " SECRET_COLUMNS " FROM secrets WHERE path = ?1", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("reading a secret"));
	db_bind_text(st, 1, path);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_secret(st, out);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("reading a secret"));
	kj_err_set(e, KJ_ERR_NOTFOUND, _("secret %s not found"), path);
	return kj_err_hint(e, _("list secrets with 'kubejit secret list'"));
}

int store_secret_list(kj_db *db, const char *folder, struct secret **out, size_t *n, kj_err *e)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	char *prefix = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (folder && strcmp(folder, "/") && *folder)
		prefix = kj_xasprintf("%s/", folder);
	if (sqlite3_prepare_v2(db_sqlite(db),
	                       "SELECT " SECRET_COLUMNS " FROM secrets WHERE ?1 IS NULL"
	                       " OR substr(path, 1, length(?1)) = ?1 OR path = ?2"
	                       " ORDER BY path",
	                       -1, &st, NULL) != SQLITE_OK) {
		free(prefix);
		return db_fail(db, e, _("listing secrets"));
	}
	db_bind_text(st, 1, prefix);
	db_bind_text(st, 2, folder);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = kj_xrealloc(*out, cap * sizeof(**out));
		}
		read_secret(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	free(prefix);
	if (rc != SQLITE_DONE) {
		secret_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(db, e, _("listing secrets"));
	}
	return 0;
}

int store_secret_delete(kj_db *db, const char *path, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM secrets WHERE path = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(db, e, _("deleting a secret"));
	db_bind_text(st, 1, path);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("deleting a secret"));
	if (sqlite3_changes(db_sqlite(db)) == 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("secret %s not found"), path);
		return kj_err_hint(e, _("list secrets with 'kubejit secret list'"));
	}
	return 0;
}
