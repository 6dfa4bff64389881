/* The exec plugin's token cache: private files, one per key, atomic writes,
 * the 10 % refresh rule, and the lock that makes parallel plugins mint once. */
#include "config.h"
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/execcache.h"
#include "util/strbuf.h"

static char home[64], tmpdir[64];

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/kubejit-execcache.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	/* without a runtime directory the key goes to $TMPDIR/kubejit-UID,
	 * which each test keeps to itself */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/kubejit-execcache-tmp.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	setenv("TMPDIR", tmpdir, 1);
	unsetenv("XDG_RUNTIME_DIR");
}

static void teardown(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s' '%s'", home, tmpdir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

/* The file names in `dir` other than . and .., sorted, one per line. */
static char *listing(const char *dir)
{
	char *cmd = kj_xasprintf("ls -A '%s' 2>/dev/null", dir), *out = kj_xmalloc(4096);
	FILE *p = popen(cmd, "r");
	size_t n;

	cr_assert_not_null(p);
	n = fread(out, 1, 4095, p);
	out[n] = '\0';
	pclose(p);
	free(cmd);
	return out;
}

/* Whether `dir` holds no file (none, or it is gone). */
static int empty(const char *dir)
{
	char *names = listing(dir);
	int yes = names[0] == '\0';

	free(names);
	return yes;
}

/* 1 when any file under `dir` contains `needle`. */
static int found_under(const char *dir, const char *needle)
{
	char *cmd = kj_xasprintf("grep -rqF -e '%s' '%s'", needle, dir);
	int rc = system(cmd);

	free(cmd);
	return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

static void fill(struct execcache_entry *ent, const char *lease, const char *token, int64_t start,
                 int64_t end)
{
	memset(ent, 0, sizeof(*ent));
	snprintf(ent->lease_id, sizeof(ent->lease_id), "%s", lease);
	ent->token = kj_xstrdup(token);
	ent->issued_at = start;
	ent->lease_end = end;
	ent->token_expiry = end + 600;
}

TestSuite(execcache, .init = setup, .fini = teardown);

Test(execcache, round_trip_private_file)
{
	struct execcache_entry in, out;
	struct stat st;
	kj_err e;
	char *path, *dir;

	fill(&in, "lease-1", "tok.en.one", 1000, 4600);
	cr_assert_eq(execcache_store(home, "/prod/read-pods", "dev", &in, &e), 0, "%s", e.msg);
	cr_assert_eq(execcache_load(home, "/prod/read-pods", "dev", &out, &e), 1, "%s", e.msg);
	cr_assert_str_eq(out.lease_id, "lease-1");
	cr_assert_str_eq(out.token, "tok.en.one");
	cr_assert_eq(out.issued_at, 1000);
	cr_assert_eq(out.lease_end, 4600);
	cr_assert_eq(out.token_expiry, 5200);

	path = execcache_path(home, "/prod/read-pods", "dev");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert(strstr(path, "read-pods") == NULL, "file names must not reveal secret paths: %s", path);
	dir = kj_xasprintf("%s/exec-cache", home);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	free(dir);
	free(path);
	execcache_entry_done(&in);
	execcache_entry_done(&out);
}

Test(execcache, keys_coexist)
{
	struct execcache_entry a, b, out;
	kj_err e;

	fill(&a, "lease-a", "token-a", 0, 100);
	fill(&b, "lease-b", "token-b", 0, 100);
	cr_assert_eq(execcache_store(home, "/prod/read-pods", "dev", &a, &e), 0);
	cr_assert_eq(execcache_store(home, "/prod/read-pods", "prod", &b, &e), 0);
	cr_assert_eq(execcache_store(home, "/other", NULL, &b, &e), 0);

	cr_assert_eq(execcache_load(home, "/prod/read-pods", "dev", &out, &e), 1);
	cr_assert_str_eq(out.token, "token-a");
	execcache_entry_done(&out);
	cr_assert_eq(execcache_load(home, "/prod/read-pods", "prod", &out, &e), 1);
	cr_assert_str_eq(out.token, "token-b");
	execcache_entry_done(&out);
	cr_assert_eq(execcache_load(home, "/other", "", &out, &e), 1, "NULL and \"\" are the same namespace");
	execcache_entry_done(&out);
	cr_assert_eq(execcache_load(home, "/prod/read-pods", "staging", &out, &e), 0);
	cr_assert_null(out.token);

	cr_assert_eq(execcache_drop(home, "/prod/read-pods", "dev", &e), 0);
	cr_assert_eq(execcache_load(home, "/prod/read-pods", "dev", &out, &e), 0);
	cr_assert_eq(execcache_drop(home, "/prod/read-pods", "dev", &e), 0, "dropping nothing is fine");
	execcache_entry_done(&a);
	execcache_entry_done(&b);
}

Test(execcache, replace_is_atomic_and_leaves_no_temp_files)
{
	struct execcache_entry a, out;
	struct dirent *d;
	kj_err e;
	DIR *dir;
	char *dname;
	int files = 0, i;

	for (i = 0; i < 20; i++) {
		char tok[32];

		snprintf(tok, sizeof(tok), "token-%d", i);
		fill(&a, "lease", tok, 0, 100);
		cr_assert_eq(execcache_store(home, "/s", "ns", &a, &e), 0);
		execcache_entry_done(&a);
	}
	cr_assert_eq(execcache_load(home, "/s", "ns", &out, &e), 1);
	cr_assert_str_eq(out.token, "token-19");
	execcache_entry_done(&out);
	dname = kj_xasprintf("%s/exec-cache", home);
	dir = opendir(dname);
	cr_assert_not_null(dir);
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			files++;
	closedir(dir);
	free(dname);
	cr_assert_eq(files, 1, "one file per key, no leftovers (got %d)", files);
}

Test(execcache, refresh_in_last_ten_percent)
{
	struct execcache_entry ent;

	fill(&ent, "l", "t", 1000, 2000); /* lifetime 1000 s: refresh from 1900 */
	ent.token_expiry = 0;
	cr_assert(execcache_usable(&ent, 1000));
	cr_assert(execcache_usable(&ent, 1899));
	cr_assert_not(execcache_usable(&ent, 1900));
	cr_assert_not(execcache_usable(&ent, 2500));
	cr_assert_eq(execcache_valid_until(&ent), 2000);

	/* the token's own expiry wins when it comes first */
	ent.token_expiry = 1500;
	cr_assert_eq(execcache_valid_until(&ent), 1500);
	cr_assert_not(execcache_usable(&ent, 1460));
	cr_assert(execcache_usable(&ent, 1440));

	/* a short lease still keeps a few seconds of margin */
	ent.token_expiry = 0;
	ent.issued_at = 1990;
	cr_assert_not(execcache_usable(&ent, 1996));
	execcache_entry_done(&ent);
}

Test(execcache, refuses_file_others_can_read)
{
	struct execcache_entry a, out;
	kj_err e;
	char *path;

	fill(&a, "l", "t", 0, 100);
	cr_assert_eq(execcache_store(home, "/s", "", &a, &e), 0);
	path = execcache_path(home, "/s", "");
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(execcache_load(home, "/s", "", &out, &e), -1);
	cr_assert(strstr(e.msg, "readable by others") != NULL, "%s", e.msg);
	cr_assert(strstr(e.msg, "\"t\"") == NULL);
	free(path);
	execcache_entry_done(&a);
}

Test(execcache, garbage_or_foreign_entry_is_absent)
{
	struct execcache_entry a, out;
	kj_err e;
	char *path, *other;
	FILE *f;

	cr_assert_eq(execcache_store(home, "/x", "", &(struct execcache_entry){.lease_id = "l"}, &e), 0);
	path = execcache_path(home, "/x", "");
	f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	cr_assert_eq(execcache_load(home, "/x", "", &out, &e), 0);

	/* an entry copied under another key's name is not served */
	fill(&a, "l", "t", 0, 100);
	cr_assert_eq(execcache_store(home, "/y", "", &a, &e), 0);
	other = execcache_path(home, "/y", "");
	cr_assert_eq(rename(other, path), 0);
	cr_assert_eq(execcache_load(home, "/x", "", &out, &e), 0);
	cr_assert_null(out.token);
	free(path);
	free(other);
	execcache_entry_done(&a);
}

Test(execcache, lock_serialises_minters)
{
	kj_err e;
	int fds[2], rel[2], fd, st;
	pid_t pid;
	char c;

	/* a handshake, not timing: the child says when it holds the lock and
	 * holds it until the parent says to let go */
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(pipe(rel), 0);
	pid = fork();
	if (pid == 0) {
		kj_err ce;
		int lfd = execcache_lock(home, "/s", "ns", 1000, &ce);

		if (write(fds[1], lfd >= 0 ? "y" : "n", 1) != 1)
			_exit(2);
		if (read(rel[0], &c, 1) != 1)
			_exit(3);
		execcache_unlock(lfd);
		_exit(0);
	}
	cr_assert_eq(read(fds[0], &c, 1), 1);
	cr_assert_eq(c, 'y');
	/* held by the child until told: a short wait fails */
	cr_assert_eq(execcache_lock(home, "/s", "ns", 50, &e), -1);
	cr_assert(strstr(e.msg, "still minting") != NULL, "%s", e.msg);
	/* another key is not blocked */
	fd = execcache_lock(home, "/s", "other", 50, &e);
	cr_assert(fd >= 0, "%s", e.msg);
	execcache_unlock(fd);
	/* let go: a waiting locker gets it as soon as the child unlocks */
	cr_assert_eq(write(rel[1], "u", 1), 1);
	fd = execcache_lock(home, "/s", "ns", 30000, &e);
	cr_assert(fd >= 0, "%s", e.msg);
	execcache_unlock(fd);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fds[0]);
	close(fds[1]);
	close(rel[0]);
	close(rel[1]);
}

Test(execcache, token_is_sealed_and_key_bound)
{
	struct execcache_entry a, out;
	kj_err e;
	char *path, *key, *rt, *names, *cache = kj_xasprintf("%s/exec-cache", home);
	char *keydir = kj_xasprintf("%s/kubejit-%lu", tmpdir, (unsigned long)geteuid());
	struct stat st;

	fill(&a, "lease-s", "very.secret.token", 0, 100);
	a.sealed = 1;
	cr_assert_eq(execcache_store(home, "/s", "", &a, &e), 0, "%s", e.msg);
	path = execcache_path(home, "/s", "");
	cr_assert_not(found_under(home, "very.secret.token"), "the token is in the home in clear");

	/* the key is not beside the cache: a private directory kubejit made */
	names = listing(cache);
	cr_assert(strstr(names, "key") == NULL, "a key file sits beside the cache:\n%s", names);
	free(names);
	cr_assert_eq(lstat(keydir, &st), 0, "no key directory %s", keydir);
	cr_assert(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "mode %o", st.st_mode & 0777);
	names = listing(keydir);
	cr_assert(strstr(names, "kubejit-exec-cache-") && strstr(names, ".key"), "%s", names);
	key = kj_xasprintf("%s/%s", keydir, strtok(names, "\n"));
	free(names);

	/* without its key the entry is as good as absent */
	cr_assert_eq(unlink(key), 0);
	cr_assert_eq(execcache_load(home, "/s", "", &out, &e), 0);
	cr_assert_null(out.token);

	/* a private runtime directory holds the key when there is one */
	rt = kj_xasprintf("%s/run", tmpdir);
	cr_assert_eq(mkdir(rt, 0700), 0);
	setenv("XDG_RUNTIME_DIR", rt, 1);
	cr_assert_eq(execcache_store(home, "/s", "", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(access(key, F_OK), -1, "the key went to the fallback directory");
	cr_assert_eq(execcache_load(home, "/s", "", &out, &e), 1);
	cr_assert_str_eq(out.token, "very.secret.token");
	cr_assert(out.sealed, "a sealed entry reads back as sealed");
	execcache_entry_done(&out);
	unsetenv("XDG_RUNTIME_DIR");
	cr_assert_eq(execcache_load(home, "/s", "", &out, &e), 0, "the key is not found any more");
	free(rt);
	free(key);
	free(keydir);
	free(cache);
	free(path);
	execcache_entry_done(&a);
}

Test(execcache, key_directory_of_another_or_open_to_others_is_refused)
{
	struct execcache_entry a, out;
	char *keydir = kj_xasprintf("%s/kubejit-%lu", tmpdir, (unsigned long)geteuid());
	char *elsewhere = kj_xasprintf("%s/elsewhere", tmpdir);
	kj_err e;

	fill(&a, "lease-k", "planted.dir.token", 0, 100);
	a.sealed = 1;

	/* someone made the directory first and left it open */
	cr_assert_eq(mkdir(keydir, 0700), 0);
	cr_assert_eq(chmod(keydir, 0777), 0);
	cr_assert_eq(execcache_store(home, "/k", "", &a, &e), -1);
	cr_assert(strstr(e.msg, "cache key"), "%s", e.msg);
	cr_assert(strstr(e.hint, keydir), "the hint names the directory: %s", e.hint);
	cr_assert(empty(keydir), "a key was written into an open directory");

	/* or owned by another user */
	cr_assert_eq(chmod(keydir, 0700), 0);
	cr_assert_eq(chown(keydir, 65534, 65534), 0);
	if (geteuid() == 0) {
		cr_assert_eq(execcache_store(home, "/k", "", &a, &e), -1);
		cr_assert(empty(keydir), "a key was written into another user's directory");
	}
	cr_assert_eq(rmdir(keydir), 0);

	/* or a symbolic link to a directory of the attacker's choosing */
	cr_assert_eq(mkdir(elsewhere, 0700), 0);
	cr_assert_eq(symlink(elsewhere, keydir), 0);
	cr_assert_eq(execcache_store(home, "/k", "", &a, &e), -1);
	cr_assert(empty(elsewhere), "the key followed the link");
	cr_assert_eq(unlink(keydir), 0);

	/* once it is ours and private, sealing works */
	cr_assert_eq(execcache_store(home, "/k", "", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(execcache_load(home, "/k", "", &out, &e), 1);
	cr_assert_str_eq(out.token, "planted.dir.token");
	execcache_entry_done(&out);
	execcache_entry_done(&a);
	free(keydir);
	free(elsewhere);
}

Test(execcache, a_key_left_beside_the_cache_by_an_older_kubejit_is_removed)
{
	struct execcache_entry a;
	char *legacy = kj_xasprintf("%s/exec-cache/.key", home), *dir = kj_xasprintf("%s/exec-cache", home);
	kj_err e;
	FILE *f;

	cr_assert_eq(mkdir(dir, 0700), 0);
	f = fopen(legacy, "w");
	cr_assert_not_null(f);
	fputs("0123456789abcdef0123456789abcdef", f);
	fclose(f);
	fill(&a, "lease-l", "legacy.key.token", 0, 100);
	a.sealed = 1;
	cr_assert_eq(execcache_store(home, "/l", "", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(access(legacy, F_OK), -1, "the old key is still beside the cache");
	execcache_entry_done(&a);
	free(legacy);
	free(dir);
}

Test(execcache, reseal_leaves_no_token_in_clear)
{
	struct execcache_entry a, b, out;
	char *dir = kj_xasprintf("%s/exec-cache", home), *junk, *tmpfile, *names;
	kj_err e;
	FILE *f;

	fill(&a, "lease-a", "clear.token.alpha", 0, 100);
	fill(&b, "lease-b", "clear.token.bravo", 0, 100);
	cr_assert_eq(execcache_store(home, "/a", "dev", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(execcache_store(home, "/b", "", &b, &e), 0, "%s", e.msg);
	/* an entry under a name that is not its own, and a write cut short */
	junk = kj_xasprintf("%s/0000000000000000.json", dir);
	f = fopen(junk, "w");
	fputs("{\"version\":3,\"secret\":\"/a\",\"namespace\":\"dev\",\"lease\":\"x\","
	      "\"token\":\"clear.token.copied\"}",
	      f);
	fclose(f);
	chmod(junk, 0600);
	tmpfile = kj_xasprintf("%s/.kubejit-tmp.AbC123", dir);
	f = fopen(tmpfile, "w");
	fputs("{\"token\":\"clear.token.halfway\"", f);
	fclose(f);
	cr_assert(found_under(home, "clear.token."), "the test set-up wrote no clear token");

	cr_assert_eq(execcache_reseal(home, &e), 0, "%s", e.msg);
	cr_assert_not(found_under(home, "clear.token."), "a token is left in clear after resealing");
	names = listing(dir);
	cr_assert(strstr(names, ".kubejit-tmp") == NULL && strstr(names, "0000000000000000") == NULL, "%s",
	          names);
	free(names);

	/* the sealed entries still serve their tokens */
	cr_assert_eq(execcache_load(home, "/a", "dev", &out, &e), 1);
	cr_assert_str_eq(out.token, "clear.token.alpha");
	cr_assert(out.sealed);
	cr_assert_str_eq(out.lease_id, "lease-a");
	execcache_entry_done(&out);
	cr_assert_eq(execcache_load(home, "/b", "", &out, &e), 1);
	cr_assert_str_eq(out.token, "clear.token.bravo");
	execcache_entry_done(&out);

	/* twice is harmless; no cache at all is no error */
	cr_assert_eq(execcache_reseal(home, &e), 0, "%s", e.msg);
	cr_assert_eq(execcache_load(home, "/b", "", &out, &e), 1);
	execcache_entry_done(&out);
	cr_assert_eq(execcache_reseal("/nonexistent-kubejit-home", &e), 0, "%s", e.msg);
	execcache_entry_done(&a);
	execcache_entry_done(&b);
	free(junk);
	free(tmpfile);
	free(dir);
}

Test(execcache, store_stamp_follows_the_database)
{
	char a[128], b[128], c[128];
	char *db = kj_xasprintf("%s/kubejit.db", home), *wal = kj_xasprintf("%s/kubejit.db-wal", home);
	FILE *f;

	execcache_store_stamp(home, a);
	f = fopen(db, "w");
	fputs("x", f);
	fclose(f);
	execcache_store_stamp(home, b);
	cr_assert_str_neq(a, b, "creating the store changes the stamp");
	execcache_store_stamp(home, c);
	cr_assert_str_eq(b, c, "no change, same stamp");
	f = fopen(wal, "w");
	fputs("commit", f);
	fclose(f);
	execcache_store_stamp(home, c);
	cr_assert_str_neq(b, c, "a commit to the write-ahead log changes the stamp");
	free(db);
	free(wal);
}

Test(execcache, plain_entries_need_no_key)
{
	struct execcache_entry a, out;
	kj_err e;
	char *key = kj_xasprintf("%s/kubejit-%lu", tmpdir, (unsigned long)geteuid());

	fill(&a, "lease-p", "plain.token", 0, 100);
	cr_assert_eq(execcache_store(home, "/p", "dev", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(access(key, F_OK), -1, "no key (nor its directory) is made for an unsealed entry");
	cr_assert_eq(execcache_load(home, "/p", "dev", &out, &e), 1);
	cr_assert_str_eq(out.token, "plain.token");
	cr_assert_not(out.sealed);
	execcache_entry_done(&out);
	execcache_entry_done(&a);
	free(key);
}

/* The rerun signal: a serve is remembered per parent process for a few
 * seconds, beside the entry, and other parents do not count. */
Test(execcache, served_records_are_per_parent_and_short_lived)
{
	struct stat st;
	char *path, *served;
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 4242, EXECCACHE_RERUN_MS), 0,
	             "nothing served yet");
	/* the records need the cache directory, which a stored entry makes */
	struct execcache_entry ent;
	fill(&ent, "lease-1", "tok", 1000, 2000);
	cr_assert_eq(execcache_store(home, "/p", "dev", &ent, &e), 0, "%s", e.msg);
	execcache_entry_done(&ent);

	execcache_mark_served(home, "/p", "dev", 4242);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 4242, EXECCACHE_RERUN_MS), 1);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 4243, EXECCACHE_RERUN_MS), 0,
	             "another process (another kubectl) is no rerun");
	cr_assert_eq(execcache_served_recently(home, "/p", "prod", 4242, EXECCACHE_RERUN_MS), 0,
	             "another key is no rerun");
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 4242, 0), 0, "outside the window");

	/* many parents: the newest few are kept, this one's record stays one line */
	for (long p = 1; p <= 20; p++)
		execcache_mark_served(home, "/p", "dev", p);
	execcache_mark_served(home, "/p", "dev", 4242);
	execcache_mark_served(home, "/p", "dev", 4242);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 20, EXECCACHE_RERUN_MS), 1);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 4242, EXECCACHE_RERUN_MS), 1);
	cr_assert_eq(execcache_served_recently(home, "/p", "dev", 1, EXECCACHE_RERUN_MS), 0,
	             "the oldest records are dropped");

	path = execcache_path(home, "/p", "dev");
	served = kj_xasprintf("%.*s.served", (int)(strlen(path) - strlen(".json")), path);
	cr_assert_eq(stat(served, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "private like the entry");
	cr_assert_lt(st.st_size, 8 * 48, "bounded: %lld bytes", (long long)st.st_size);
	free(served);
	free(path);
}
