/* db: the local store, one SQLite file in the kubejit home directory.
 *
 * db_open() creates the home directory (mode 0700) and <home>/kubejit.db
 * (mode 0600) when they are missing, tightens them when they are looser,
 * switches on WAL, a busy timeout (DB_BUSY_TIMEOUT_MS) and foreign keys,
 * and applies every pending migration.  The schema version is SQLite's
 * `PRAGMA user_version`; a store written by a newer kubejit is refused.
 *
 * Several processes may have the store open at once (two TUIs and a
 * sweeper): set-up (WAL switch, migrations) is serialised by an flock on
 * <home>/kubejit.lock; afterwards readers never block, writers serialise through db_begin()
 * (BEGIN IMMEDIATE) and wait up to the busy timeout before failing.
 *
 * Migrations are one array in db.c, applied in order, each in its own
 * transaction.  Owners of a table family append a row whose SQL lives in
 * their module (store/targets.c exports store_target_schema_v1); a landed
 * row is never edited, a change is a new row.
 *
 * Thread-safety: a kj_db handle is used by one thread at a time; open one
 * handle per thread.  Only src/store/ modules call db_sqlite(); nothing
 * above the store sees SQL. */
#ifndef KJ_STORE_DB_H
#define KJ_STORE_DB_H

#include <sqlite3.h>
#include <stdint.h>

#include "util/err.h"

#define DB_FILE_NAME       "kubejit.db"
#define DB_BUSY_TIMEOUT_MS 5000

typedef struct kj_db kj_db;

struct db_migration {
	int version;      /* 1, 2, 3, ... without gaps */
	const char *what; /* "targets", "secrets, leases, audit" */
	const char *sql;  /* one or more statements */
};

/* Open (creating and migrating as needed) the store under `home`.
 * On success *out is a handle to db_close(). */
int db_open(const char *home, kj_db **out, kj_err *e);
void db_close(kj_db *db); /* NULL allowed */

const char *db_path(const kj_db *db); /* "<home>/kubejit.db" */
int db_schema_version(kj_db *db);     /* what the file is at now */
int db_latest_version(void);          /* what this build migrates to */
sqlite3 *db_sqlite(kj_db *db);        /* store modules only */

/* Whether anything was committed since `mark` (by this connection or any
 * other; the caller keeps the two counters, zeroed before the first call):
 * 1 changed, and `mark` updated; 0 not; -1 when it cannot tell. */
int db_changed_since(kj_db *db, int64_t mark[2]);

/* Transactions nest: the outermost db_begin() is BEGIN IMMEDIATE (takes the
 * write lock at once, so a later write cannot fail with SQLITE_BUSY
 * half-way), inner ones are savepoints.  Every db_begin() is matched by
 * exactly one db_commit() or db_rollback(). */
int db_begin(kj_db *db, kj_err *e);
int db_commit(kj_db *db, kj_err *e);
void db_rollback(kj_db *db);

/* After secret material was rewritten or removed: copy the WAL into the
 * main file and truncate it, so old page images holding plaintext do not
 * linger (secure_delete already zeroes freed space in the main file).
 * Best effort: a reader elsewhere may keep part of the WAL alive. */
void db_scrub(kj_db *db);

/* Run statements without results. */
int db_exec(kj_db *db, const char *sql, kj_err *e);

/* Fill `e` from SQLite's last error on this handle: "store: <what>: <sqlite
 * message>" with a hint for the usual causes (busy, read-only, full,
 * constraint).  Returns -1. */
int db_fail(kj_db *db, kj_err *e, const char *what);

/* Store-wide settings (table `settings`, key -> text).  get gives *value
 * NULL when the key is unset; set with value NULL removes it. */
int db_setting_get(kj_db *db, const char *key, char **value, kj_err *e);
int db_setting_set(kj_db *db, const char *key, const char *value, kj_err *e);

/* Bind helpers that map NULL to SQL NULL (column indexes are 1-based). */
int db_bind_text(sqlite3_stmt *st, int col, const char *s);
/* Column text duplicated with kj_xstrdup(); SQL NULL gives NULL. */
char *db_column_strdup(sqlite3_stmt *st, int col);

#endif
