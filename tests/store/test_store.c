/* The local store: file modes, migrations, target rows, concurrent opens. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/db.h"
#include "store/secrets.h"
#include "store/targets.h"
#include "util/strbuf.h"

static char tmpl[64];

static const char *fresh_home(void)
{
	char *base;

	strcpy(tmpl, "/tmp/kj-store-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpl));
	base = kj_xasprintf("%s/home", tmpl);
	strcpy(tmpl, base);
	free(base);
	return tmpl;
}

static void cleanup(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s'", tmpl);
	char *slash;

	slash = strrchr(cmd, '/');
	if (slash && !strcmp(slash, "/home'"))
		strcpy(slash, "'");
	if (system(cmd) != 0)
		cr_log_warn("cleanup failed");
	free(cmd);
}

static void fill(struct target *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->name = kj_xstrdup(name);
	t->server = kj_xstrdup("https://127.0.0.1:6443");
	t->ca_pem = kj_xstrdup("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	t->auth = TARGET_AUTH_TOKEN;
	t->created_by = kj_xstrdup("tester@host");
}

Test(store, creates_private_home_and_file, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	struct stat sb;
	char *path;
	mode_t old = umask(0);

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	umask(old);
	cr_assert_eq(stat(tmpl, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0700, "home mode %o", sb.st_mode & 0777);
	path = kj_xasprintf("%s/kubejit.db", tmpl);
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600, "db mode %o", sb.st_mode & 0777);
	cr_assert_str_eq(db_path(db), path);
	cr_assert_eq(db_schema_version(db), db_latest_version());
	free(path);
	/* SQLite makes the WAL and index files with the main file's mode */
	path = kj_xasprintf("%s/kubejit.db-wal", tmpl);
	cr_assert_eq(stat(path, &sb), 0, "WAL mode is on");
	cr_assert_eq(sb.st_mode & 0777, 0600, "wal mode %o", sb.st_mode & 0777);
	free(path);
	db_close(db);
}

Test(store, tightens_loose_modes, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	struct stat sb;
	char *path;

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	db_close(db);
	path = kj_xasprintf("%s/kubejit.db", tmpl);
	chmod(tmpl, 0755);
	chmod(path, 0644);
	cr_assert_eq(db_open(tmpl, &db, &e), 0, "%s", e.msg);
	stat(tmpl, &sb);
	cr_assert_eq(sb.st_mode & 0777, 0700);
	stat(path, &sb);
	cr_assert_eq(sb.st_mode & 0777, 0600);
	free(path);
	db_close(db);
}

Test(store, refuses_newer_schema, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	char *sql;

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	sql = kj_xasprintf("PRAGMA user_version = %d", db_latest_version() + 1);
	cr_assert_eq(db_exec(db, sql, &e), 0, "%s", e.msg);
	free(sql);
	db_close(db);
	cr_assert_eq(db_open(tmpl, &db, &e), -1);
	cr_assert(strstr(e.msg, "newer"), "%s", e.msg);
	cr_assert_null(db);
}

/* A store made by a kubejit before schema 4 keeps its targets, their
 * secret material and the links to them when the targets table is rebuilt. */
Test(store, schema_3_store_migrates_with_its_targets, .fini = cleanup)
{
	sqlite3 *h;
	kj_db *db;
	kj_err e = {0};
	struct target got, t;
	struct target_cred gc, cred = {0};
	char *path;

	fresh_home();
	cr_assert_eq(mkdir(tmpl, 0700), 0);
	path = kj_xasprintf("%s/kubejit.db", tmpl);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, store_target_schema_v1, NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, store_secret_schema_v2, NULL, NULL, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h,
	                          "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	                          "INSERT INTO targets (id, name, server, auth, created_at, created_by,"
	                          " updated_at) VALUES (7, 'old', 'https://10.0.0.1:6443', 'token', 1, 'a@b',"
	                          " 1);"
	                          "INSERT INTO target_secrets (target_id, token) VALUES (7, 'old-token');"
	                          "PRAGMA user_version = 3;",
	                          NULL, NULL, NULL),
	             SQLITE_OK, "%s", sqlite3_errmsg(h));
	sqlite3_close(h);
	free(path);

	cr_assert_eq(db_open(tmpl, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_schema_version(db), db_latest_version());
	cr_assert_eq(store_target_get(db, "old", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.id, 7);
	cr_assert_eq(got.auth, TARGET_AUTH_TOKEN);
	cr_assert_eq(store_target_get_cred(db, got.id, &gc, &e), 0, "%s", e.msg);
	cr_assert_str_eq(gc.token, "old-token");
	target_cred_done(&gc);
	target_done(&got);
	/* the new strategy and columns are there */
	fill(&t, "plugin");
	t.auth = TARGET_AUTH_EXEC;
	t.exec_json = kj_xstrdup("{\"command\":\"aws\"}");
	t.proxy_url = kj_xstrdup("http://proxy:3128");
	t.renew_sa = kj_xstrdup("kube-system/kubejit-fixed");
	t.token_seconds = 600;
	cr_assert_eq(store_target_insert(db, &t, &cred, &e), 0, "%s", e.msg);
	cr_assert_eq(store_target_get(db, "plugin", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.auth, TARGET_AUTH_EXEC);
	cr_assert_str_eq(got.exec_json, "{\"command\":\"aws\"}");
	cr_assert_str_eq(got.proxy_url, "http://proxy:3128");
	cr_assert_str_eq(got.renew_sa, "kube-system/kubejit-fixed");
	cr_assert_eq(got.token_seconds, 600);
	target_done(&got);
	target_done(&t);
	/* deleting a target still takes its secret material along */
	cr_assert_eq(store_target_delete(db, "old", &e), 0, "%s", e.msg);
	cr_assert_eq(db_exec(db, "SELECT 1", &e), 0);
	db_close(db);
	path = kj_xasprintf("%s/kubejit.db", tmpl);
	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	free(path);
	sqlite3_stmt *st;
	cr_assert_eq(
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM target_secrets WHERE target_id = 7", -1, &st, NULL),
	    SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 0, "ON DELETE CASCADE still holds");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

Test(store, target_roundtrip_keeps_secrets_apart, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	struct target t, got;
	struct target_cred cred = {0}, gc;
	struct target *list;
	size_t n;

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	fill(&t, "prod");
	cred.token = kj_xstrdup("secret-token-value");
	cr_assert_eq(store_target_insert(db, &t, &cred, &e), 0, "%s", e.msg);
	cr_assert_gt(t.id, 0);

	cr_assert_eq(store_target_get(db, "prod", &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(got.server, "https://127.0.0.1:6443");
	cr_assert_eq(got.auth, TARGET_AUTH_TOKEN);
	cr_assert_eq(got.health, TARGET_HEALTH_NEVER);
	cr_assert_eq(store_target_get_cred(db, got.id, &gc, &e), 0);
	cr_assert_str_eq(gc.token, "secret-token-value");
	target_cred_done(&gc);

	cr_assert_eq(
	    store_target_set_preflight(db, got.id, TARGET_HEALTH_WARN, 1234, "alice", "fixed only", "{}", &e),
	    0, "%s", e.msg);
	target_done(&got);
	cr_assert_eq(store_target_get(db, "prod", &got, &e), 0);
	cr_assert_eq(got.health, TARGET_HEALTH_WARN);
	cr_assert_eq(got.preflight_at, 1234);
	cr_assert_str_eq(got.identity, "alice");
	target_done(&got);

	cr_assert_eq(store_target_list(db, &list, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(list[0].name, "prod");
	target_list_free(list, n);

	/* a taken name is a conflict and leaves nothing behind */
	target_done(&t);
	fill(&t, "prod");
	cr_assert_eq(store_target_insert(db, &t, &cred, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.msg, "already exists"), "%s", e.msg);
	cr_assert_eq(store_target_list(db, &list, &n, &e), 0);
	cr_assert_eq(n, 1);
	target_list_free(list, n);

	cr_assert_eq(store_target_delete(db, "prod", &e), 0, "%s", e.msg);
	cr_assert_eq(store_target_get_cred(db, got.id, &gc, &e), 0);
	cr_assert_null(gc.token, "secret material removed with the target");
	cr_assert_eq(store_target_delete(db, "prod", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_eq(store_target_get(db, "prod", &got, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	target_cred_done(&cred);
	target_done(&t);
	db_close(db);
}

Test(store, nested_transactions_roll_back_inner_only, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	struct target a, b;
	struct target *list;
	size_t n;

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	fill(&a, "a");
	fill(&b, "b");
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(store_target_insert(db, &a, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(store_target_insert(db, &b, NULL, &e), 0, "%s", e.msg);
	db_rollback(db);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_eq(store_target_list(db, &list, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(list[0].name, "a");
	target_list_free(list, n);
	target_done(&a);
	target_done(&b);
	db_close(db);
}

/* Several processes open a fresh store at once (racing on creation and
 * migration) and each writes targets: nobody fails, nothing is lost. */
Test(store, concurrent_processes, .fini = cleanup)
{
	enum { PROCS = 4, EACH = 10 };
	const char *home = fresh_home();
	pid_t pids[PROCS];
	kj_db *db;
	kj_err e = {0};
	struct target *list;
	size_t n;
	int i, st;

	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		cr_assert_neq(pids[i], -1);
		if (pids[i] == 0) {
			kj_db *cdb;
			kj_err ce = {0};
			int k;

			if (db_open(home, &cdb, &ce) < 0) {
				fprintf(stderr, "child %d: %s\n", i, ce.msg);
				_exit(1);
			}
			for (k = 0; k < EACH; k++) {
				struct target t;
				char name[32];

				snprintf(name, sizeof(name), "p%d-t%d", i, k);
				fill(&t, name);
				if (store_target_insert(cdb, &t, NULL, &ce) < 0) {
					fprintf(stderr, "child %d: %s\n", i, ce.msg);
					_exit(2);
				}
				target_done(&t);
			}
			db_close(cdb);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		cr_assert_eq(waitpid(pids[i], &st, 0), pids[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d failed", i);
	}
	cr_assert_eq(db_open(home, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(store_target_list(db, &list, &n, &e), 0);
	cr_assert_eq(n, PROCS * EACH);
	target_list_free(list, n);
	db_close(db);
}

/* Secrets and leases name their target; a target in use is not removed. */
Test(store, target_in_use_is_kept, .fini = cleanup)
{
	kj_db *db;
	kj_err e = {0};
	struct target t;

	cr_assert_eq(db_open(fresh_home(), &db, &e), 0, "%s", e.msg);
	fill(&t, "prod");
	cr_assert_eq(store_target_insert(db, &t, NULL, &e), 0, "%s", e.msg);
	/* the columns every version of the secrets table has */
	cr_assert_eq(
	    db_exec(db,
	            "CREATE TABLE IF NOT EXISTS secrets (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
	            " target TEXT NOT NULL, mode TEXT NOT NULL, default_ttl INTEGER NOT NULL,"
	            " max_ttl INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	            "INSERT INTO secrets (path, target, mode, default_ttl, max_ttl, created_at, updated_at)"
	            " VALUES ('/prod/read', 'prod', 'fixed', 600, 3600, 0, 0);",
	            &e),
	    0, "%s", e.msg);
	cr_assert_eq(store_target_delete(db, "prod", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.msg, "1 secret(s)"), "%s", e.msg);
	cr_assert_eq(db_exec(db, "DELETE FROM secrets", &e), 0);
	cr_assert_eq(store_target_delete(db, "prod", &e), 0, "%s", e.msg);
	target_done(&t);
	db_close(db);
}
