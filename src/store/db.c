#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/secrets.h"
#include "store/spares.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "store/leases.h"
#include "util/strbuf.h"

/* Schema migrations, applied in order, each in its own transaction.
 * Append rows; never edit one that has landed. */
static const struct db_migration migrations[] = {
    {1, "targets", store_target_schema_v1},
    {2, "secrets, leases, lease objects, audit", store_secret_schema_v2},
    {3, "settings", "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"},
    {4, "targets: exec strategy, proxy, token renewal", store_target_schema_v4},
    {5, "lease table indexes and counts", store_lease_schema_v5},
    {6, "sealed connection of a target", "ALTER TABLE target_secrets ADD COLUMN conn TEXT;"},
    {7, "lease counts per secret, namespace, mode and state", store_lease_schema_v7},
    {8, "secrets: self-approval of access requests",
     "ALTER TABLE secrets ADD COLUMN self_approval INTEGER NOT NULL DEFAULT 0;"},
    {9, "spare anchor Secrets of fixed mints", store_spare_schema_v9},
    {10, "lease table: the orders within each lease group, for filters", store_lease_schema_v10},
};

struct kj_db {
	sqlite3 *h;
	char *path;
	int depth; /* db_begin() nesting */
};

int db_latest_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *db_path(const kj_db *db)
{
	return db->path;
}

sqlite3 *db_sqlite(kj_db *db)
{
	return db->h;
}

int db_fail(kj_db *db, kj_err *e, const char *what)
{
	int rc = sqlite3_extended_errcode(db->h);

	kj_err_set(e, (rc & 0xff) == SQLITE_CONSTRAINT ? KJ_ERR_CONFLICT : KJ_ERR_FAIL, _("store %s: %s: %s"),
	           db->path, what, sqlite3_errmsg(db->h));
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		kj_err_hint(e, _("another kubejit holds the store's write lock for too long; try again"));
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		kj_err_hint(
		    e, _("check that the home directory and its kubejit.db belong to you (mode 0700/0600)"));
		break;
	case SQLITE_FULL:
		kj_err_hint(e, _("the disk holding the store is full"));
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		kj_err_hint(
		    e, _("the store file is damaged or not a kubejit store; move it away to start afresh"));
		break;
	default:
		break;
	}
	return -1;
}

int db_exec(kj_db *db, const char *sql, kj_err *e)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, e, _("statement failed"));
	return 0;
}

void db_scrub(kj_db *db)
{
	if (db->depth == 0)
		sqlite3_exec(db->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}

int db_begin(kj_db *db, kj_err *e)
{
	char sp[32];

	if (db->depth == 0) {
		if (db_exec(db, "BEGIN IMMEDIATE", e) < 0)
			return -1;
	} else {
		snprintf(sp, sizeof(sp), "SAVEPOINT kj%d", db->depth);
		if (db_exec(db, sp, e) < 0)
			return -1;
	}
	db->depth++;
	return 0;
}

int db_commit(kj_db *db, kj_err *e)
{
	char sp[48];

	if (db->depth <= 0)
		return kj_err_set(e, KJ_ERR_FAIL, "store: commit without a transaction");
	if (db->depth == 1) {
		if (db_exec(db, "COMMIT", e) < 0) {
			db_rollback(db);
			return -1;
		}
	} else {
		snprintf(sp, sizeof(sp), "RELEASE kj%d", db->depth - 1);
		if (db_exec(db, sp, e) < 0)
			return -1;
	}
	db->depth--;
	return 0;
}

void db_rollback(kj_db *db)
{
	char sp[64];

	if (db->depth <= 0)
		return;
	if (db->depth == 1) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	} else {
		snprintf(sp, sizeof(sp), "ROLLBACK TO kj%d; RELEASE kj%d", db->depth - 1, db->depth - 1);
		sqlite3_exec(db->h, sp, NULL, NULL, NULL);
	}
	db->depth--;
}

int db_bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

char *db_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? kj_xstrdup((const char *)s) : NULL;
}

int db_changed_since(kj_db *db, int64_t mark[2])
{
	sqlite3_stmt *st;
	int64_t dv = -1, own = (int64_t)sqlite3_total_changes64(db->h);

	if (sqlite3_prepare_v2(db->h, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		dv = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (dv < 0)
		return -1;
	if (dv == mark[0] && own == mark[1])
		return 0;
	mark[0] = dv;
	mark[1] = own;
	return 1;
}

int db_schema_version(kj_db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The home directory holds secrets: it must be ours and closed to others. */
static int ensure_home(const char *home, kj_err *e)
{
	struct stat sb;

	if (mkdir(home, 0700) < 0 && errno != EEXIST) {
		/* the parents (~/.local/share) may be missing on a fresh account */
		char *copy = kj_xstrdup(home);
		char *p;

		for (p = copy + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(copy, 0700) < 0 && errno != EEXIST)
				break;
			*p = '/';
		}
		free(copy);
		if (mkdir(home, 0700) < 0 && errno != EEXIST)
			return kj_err_set(e, KJ_ERR_FAIL, _("cannot create the kubejit home %s: %s"), home,
			                  strerror(errno)),
			       kj_err_hint(e, _("choose another place with --home or $KUBEJIT_HOME"));
	}
	if (stat(home, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return kj_err_set(e, KJ_ERR_FAIL, _("the kubejit home %s is not a directory"), home),
		       kj_err_hint(e, _("choose another place with --home or $KUBEJIT_HOME"));
	if (sb.st_uid != geteuid())
		return kj_err_set(e, KJ_ERR_DENIED, _("the kubejit home %s belongs to another user"), home),
		       kj_err_hint(e, _("use a directory of your own with --home or $KUBEJIT_HOME"));
	if ((sb.st_mode & 0077) && chmod(home, 0700) < 0)
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot make the kubejit home %s private: %s"), home,
		                  strerror(errno));
	return 0;
}

/* Create the file 0600 before SQLite does, so no umask can widen it; WAL
 * and shm files are made by SQLite with the main file's mode. */
static int ensure_file(const char *path, kj_err *e)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot open the store %s: %s"), path, strerror(errno));
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 0077) && fchmod(fd, 0600) < 0) {
		close(fd);
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot make the store %s private: %s"), path,
		                  strerror(errno));
	}
	close(fd);
	return 0;
}

/* 0 when every foreign key holds (PRAGMA foreign_key_check finds nothing). */
static int foreign_keys_hold(kj_db *db, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("checking foreign keys"));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return kj_err_set(e, KJ_ERR_FAIL, _("a row refers to one that does not exist"));
	return rc == SQLITE_DONE ? 0 : db_fail(db, e, _("checking foreign keys"));
}

static int migrate_steps(kj_db *db, kj_err *e);

/* Rebuilding a table (SQLite cannot alter a CHECK constraint) drops it,
 * which with foreign keys on would cascade to the rows that refer to it:
 * migrations run with them off (a no-op inside a transaction, so set
 * here) and check them before each commit. */
static int migrate(kj_db *db, kj_err *e)
{
	int rc;

	if (db_schema_version(db) == db_latest_version())
		return 0;
	if (db_exec(db, "PRAGMA foreign_keys=OFF", e) < 0)
		return -1;
	rc = migrate_steps(db, e);
	kj_err ignore = {0};
	db_exec(db, "PRAGMA foreign_keys=ON", rc < 0 ? &ignore : e);
	return rc;
}

static int migrate_steps(kj_db *db, kj_err *e)
{
	int have = db_schema_version(db);
	int want = db_latest_version();
	int i;

	if (have < 0)
		return db_fail(db, e, _("reading the schema version"));
	if (have > want)
		return kj_err_set(e, KJ_ERR_FAIL,
		                  _("store %s has schema version %d, newer than this kubejit knows (%d)"),
		                  db->path, have, want),
		       kj_err_hint(e, _("use the newer kubejit, or another home with --home"));
	if (have == want)
		return 0;
	for (i = 0; i < want; i++) {
		const struct db_migration *m = &migrations[i];
		char pragma[48];

		/* another process may have migrated meanwhile: re-read inside the lock */
		if (db_begin(db, e) < 0)
			return -1;
		have = db_schema_version(db);
		if (m->version <= have) {
			db_rollback(db);
			continue;
		}
		if (m->version != have + 1) {
			db_rollback(db);
			return kj_err_set(e, KJ_ERR_FAIL, "store: migration %d follows schema %d", m->version,
			                  have);
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (db_exec(db, m->sql, e) < 0 || db_exec(db, pragma, e) < 0 ||
		    foreign_keys_hold(db, e) < 0) {
			kj_err_prefix(e, _("migrating the store to version %d (%s): "), m->version, m->what);
			db_rollback(db);
			return -1;
		}
		if (db_commit(db, e) < 0)
			return -1;
	}
	return 0;
}

/* Exclusive lock on <home>/kubejit.lock, held while the store is set up;
 * closing the descriptor releases it. */
static int setup_lock(const char *home, kj_err *e)
{
	char *path = kj_xasprintf("%s/kubejit.lock", home);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot lock %s: %s"), path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int db_open(const char *home, kj_db **out, kj_err *e)
{
	kj_db *db;
	int lock;
	int rc;

	*out = NULL;
	if (!home || !*home)
		return kj_err_set(e, KJ_ERR_USAGE, _("no kubejit home directory given"));
	if (ensure_home(home, e) < 0)
		return -1;
	db = kj_xcalloc(1, sizeof(*db));
	db->path = kj_xasprintf("%s/%s", home, DB_FILE_NAME);
	if (ensure_file(db->path, e) < 0) {
		db_close(db);
		return -1;
	}
	rc = sqlite3_open_v2(db->path, &db->h,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		if (db->h)
			db_fail(db, e, _("opening"));
		else
			kj_err_set(e, KJ_ERR_FAIL, _("cannot open the store %s"), db->path);
		db_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	/* Every headless command is one short process.  Checkpointing and
	 * unlinking the WAL when it closes, then making and fsyncing a new WAL
	 * and its directory in the next one, cost ~4 fsyncs per command: keep
	 * the WAL file and let SQLite's auto-checkpoint fold it
	 * in.  Durability is unchanged: the WAL is replayed on the next open.
	 * db_scrub() still truncates it on demand.  The first open of a
	 * process reads the whole WAL to rebuild its index, so keep it small:
	 * auto-checkpoint at 256 pages, and db_close() truncates a WAL that a
	 * big transaction grew past WAL_KEEP_BYTES. */
	{
		int on = 1;
		sqlite3_file_control(db->h, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	}
	/* Switching a fresh file to WAL does not wait on the busy handler, and
	 * two processes migrating at once would both try: serialise set-up with
	 * a lock file next to the store. */
	lock = setup_lock(home, e);
	if (lock < 0 ||
	    db_exec(db,
	            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
	            " PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=256;"
	            " PRAGMA journal_size_limit=1048576;",
	            e) < 0 ||
	    migrate(db, e) < 0) {
		if (lock >= 0)
			close(lock);
		db_close(db);
		return -1;
	}
	close(lock);
	*out = db;
	return 0;
}

#define WAL_KEEP_BYTES (8 * 1024 * 1024) /* well above the auto-checkpoint size */

void db_close(kj_db *db)
{
	if (!db)
		return;
	if (db->h && db->depth == 0) {
		char *wal = kj_xasprintf("%s-wal", db->path);
		struct stat sb;

		if (stat(wal, &sb) == 0 && sb.st_size > WAL_KEEP_BYTES)
			sqlite3_exec(db->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		free(wal);
	}
	if (db->h)
		sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

int db_setting_get(kj_db *db, const char *key, char **value, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	if (sqlite3_prepare_v2(db->h, "SELECT value FROM settings WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_fail(db, e, _("reading a setting"));
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = db_column_strdup(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, _("reading a setting"));
	return 0;
}

int db_setting_set(kj_db *db, const char *key, const char *value, kj_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->h,
	                       value ? "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)"
	                             : "DELETE FROM settings WHERE key = ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, e, _("writing a setting"));
	db_bind_text(st, 1, key);
	if (value)
		db_bind_text(st, 2, value);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, _("writing a setting"));
	return 0;
}
