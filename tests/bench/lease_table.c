/* Benchmark (doc/ARCHITECTURE.md, "Speed targets"): the lease table with N leases (default 1,000,000).
 * A child process fills a fresh store (one INSERT ... SELECT in SQL, the
 * same mix as a long-used store: most leases closed, some live, a few
 * failed); then this process times what the TUI does: opening the store
 * and the lease screen on a terminal made with newterm() on a pipe (it
 * reads the counts and one window of rows), redrawing, moving the cursor,
 * jumping to the last row, changing the sort (every column) and typing a
 * filter; and prints its peak RSS.  `make bench` runs it at 1,000 and
 * 1,000,000; by hand: `tests/bench/lease_table [N]`.  Not part of
 * `make check`.  KJ_BENCH_STORE=DIR keeps the filled store in DIR and uses it
 * again on the next run with the same N (filling 1,000,000 takes minutes). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "engine/engine.h"
#include "engine/lease.h"
#include "store/db.h"
#include "store/leases.h"
#include "ui/app.h"
#include "ui/screens.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static int die(const char *what, const kj_err *e)
{
	fprintf(stderr, "lease_table: %s: %s\n", what, e ? e->msg : "failed");
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static long rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A mix like a long-used store: most leases closed, some live (the newest
 * 200), a few failed; 40 secrets, 3 namespaces, unique service accounts. */
static int fill(struct engine *en, size_t n, kj_err *e)
{
	char *sql;
	char *msg = NULL;
	int rc;

	sql = kj_xasprintf(
	    "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < %zu)"
	    " INSERT INTO leases (id, secret, target, mode, namespace, service_account, state, revocable,"
	    "  created_at, lease_expiry, token_expiry, ended_at, created_by, fingerprint, jti, error)"
	    " SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
	    "substr(hex(randomblob(2)), 2)"
	    "  || '-a' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),"
	    "  printf('/team-%%d/app/read-pods', k %% 40), 'prod-cluster',"
	    "  CASE k %% 2 WHEN 1 THEN 'dynamic' ELSE 'fixed' END,"
	    "  CASE k %% 3 WHEN 0 THEN 'prod' WHEN 1 THEN 'dev' ELSE 'staging' END,"
	    "  printf('kubejit-read-pods-%%05x', k), c.state, 1, c.created, c.expiry, c.expiry,"
	    "  CASE WHEN c.state IN ('active') THEN 0 ELSE c.expiry END, 'alice@workstation',"
	    "  printf('%%064d', 0), printf('kubejit-read-pods-%%05x', k),"
	    "  CASE c.state WHEN 'failed' THEN 'revoke incomplete: 1 object(s) left' END"
	    " FROM (SELECT k,"
	    "  CASE WHEN k + 200 >= %zu THEN 'active' WHEN k %% 97 = 0 THEN 'failed'"
	    "   WHEN k %% 2 = 1 THEN 'revoked' ELSE 'expired' END AS state,"
	    "  %lld - (%zu - k) * 30 AS created,"
	    "  CASE WHEN k + 200 >= %zu THEN %lld + 600 + k %% 3000 ELSE %lld - (%zu - k) * 30 + 900 END AS "
	    "expiry"
	    "  FROM i) c",
	    n, n, (long long)kj_now(), n, n, (long long)kj_now(), (long long)kj_now(), n);
	rc = sqlite3_exec(db_sqlite(engine_db(en)), sql, NULL, NULL, &msg);
	free(sql);
	if (rc != SQLITE_OK) {
		kj_err_set(e, KJ_ERR_FAIL, "filling the store: %s", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Time one key: feed it, let the screen handle it and draw. */
static double key_ms(struct ui_app *app, int ch)
{
	double t0 = now_ms();

	ungetch(ch);
	ui_app_step(app, 0);
	return now_ms() - t0;
}

/* Type `text` on the filter line under the current sort: '/', the keys,
 * Esc; returns the slowest key (Esc included). */
static char slowest[128];
static double slowest_ms;

static double filter_max(struct ui_app *app, const char *text, const char *order)
{
	double t, m = 0;

	key_ms(app, '/');
	for (const char *c = text; *c; c++) {
		if ((t = key_ms(app, (unsigned char)*c)) > m)
			m = t;
		if (t > slowest_ms) {
			slowest_ms = t;
			snprintf(slowest, sizeof(slowest), "\"%.*s\" after \"%.*s\", sorted by %s", 1, c,
			         (int)(c - text), text, order);
		}
	}
	if ((t = key_ms(app, 27)) > m)
		m = t;
	return m;
}

/* What a mint and its revoke cost the store: insert a lease (creating),
 * make it active, then revoked, each its own transaction, `n` times; the
 * leases are deleted afterwards (not timed).  Milliseconds per lease. */
static double mint_store_ms(struct engine *en, int n)
{
	kj_db *db = engine_db(en);
	char(*ids)[37] = calloc((size_t)n, 37);
	double t0, ms = -1;
	kj_err e;
	int i;

	kj_err_clear(&e);
	t0 = now_ms();
	for (i = 0; ids && i < n; i++) {
		struct lease l = {0};

		kj_uuid4(ids[i]);
		snprintf(l.id, sizeof(l.id), "%s", ids[i]);
		l.secret = (char *)"/team-7/app/read-pods";
		l.target = (char *)"prod-cluster";
		l.mode = SECRET_DYNAMIC;
		l.ns = (char *)"dev";
		l.state = LEASE_CREATING;
		l.revocable = 1;
		l.created_at = kj_now();
		l.lease_expiry = l.token_expiry = kj_now() + 900;
		l.created_by = (char *)"alice@workstation";
		if (store_lease_insert(db, &l, &e) < 0)
			break;
		l.service_account = (char *)"kubejit-read-pods-bench";
		l.state = LEASE_ACTIVE;
		if (store_lease_update_from(db, &l, LEASE_CREATING, &e) != 0)
			break;
		l.state = LEASE_REVOKED;
		l.ended_at = kj_now();
		if (store_lease_update_from(db, &l, LEASE_ACTIVE, &e) != 0)
			break;
	}
	if (i == n)
		ms = (now_ms() - t0) / n;
	else
		fprintf(stderr, "lease_table: minting into the store: %s\n", e.msg);
	for (int k = 0; ids && k < i + 1 && k < n; k++) {
		char *sql = kj_xasprintf("DELETE FROM leases WHERE id = '%s'", ids[k]);
		sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL);
		free(sql);
	}
	free(ids);
	return ms;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
	char home_tmp[] = "/tmp/kj-bench-table-XXXXXX", stamp[4096], *home = home_tmp;
	const char *keep = getenv("KJ_BENCH_STORE");
	FILE *sf;
	size_t had = 0;
	struct engine *en;
	struct ui_opts o = {0};
	struct ui_app *app;
	FILE *in, *out;
	int fds[2], reps = 50, status;
	double t0, t_open, t_screen, t_redraw, t_draw, t_key, t_end, t_fill, t, sort_max = 0, sort_sum = 0,
	                                                                        filt_max = 0, filt_sum = 0;
	double tick_sum = 0, tick_max = 0, any_max = 0, fsort_max = 0, fend = 0, mint_ms;
	const char *filters[] = {"team-7", "fail", "prod"}; /* secret (1 in 40), state word, namespace */
	double per_filter[3] = {0};
	static const char *const orders[2][8] = {
	    {"secret", "mode", "namespace", "service account", "age", "expires", "token expiry", "state"},
	    {"secret (reversed)", "mode (reversed)", "namespace (reversed)", "service account (reversed)",
	     "age (reversed)", "expires (reversed)", "token expiry (reversed)", "state (reversed)"}};
	const char *typed = "team-7/";
	char cmd[64];
	pid_t pid;
	kj_err e;

	kj_err_clear(&e);
	setlocale(LC_ALL, "C.UTF-8");
	if (keep && *keep) {
		home = (char *)keep;
		snprintf(stamp, sizeof(stamp), "%s/bench-leases", home);
		if ((sf = fopen(stamp, "r"))) {
			if (fscanf(sf, "%zu", &had) != 1)
				had = 0;
			fclose(sf);
		}
		if (had != n) {
			snprintf(cmd, sizeof(cmd), "rm -rf '%.50s'", home);
			if (strlen(home) > 50 || system(cmd) != 0)
				return die(
				    "KJ_BENCH_STORE: cannot clear it (a path of at most 50 characters)",
				    NULL);
		}
	} else if (!mkdtemp(home)) {
		return die("mkdtemp", NULL);
	}
	/* filled by a child, so that this process's peak RSS is the table's */
	t0 = now_ms();
	pid = had == n ? 0 : fork();
	if (had == n) {
		/* kept from an earlier run */
	} else if (pid == 0) {
		if (engine_open(home, &en, &e) < 0 || fill(en, n, &e) < 0)
			_exit(die("filling the store", &e));
		engine_close(en);
		_exit(0);
	}
	if (had != n &&
	    (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)))
		return die("filling the store", NULL);
	t_fill = now_ms() - t0;
	if (keep && *keep && had != n && (sf = fopen(stamp, "w"))) {
		fprintf(sf, "%zu\n", n);
		fclose(sf);
	}

	/* the lease screen on a 40x120 terminal; output goes to an unlinked
	 * temporary file, keys come from a pipe */
	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "120", 1);
	setenv("TZ", "UTC", 1);
	if (pipe(fds) < 0 || !(in = fdopen(fds[0], "r")) || !(out = tmpfile()))
		return die("pipe", NULL);
	o.in = in;
	o.out = out;
	o.term = "xterm-256color";
	o.no_anim = 1;
	o.sweep_interval = -1;

	/* what `kubejit` does first: open the store, then the lease screen */
	t0 = now_ms();
	if (engine_open(home, &en, &e) < 0)
		return die("engine_open", &e);
	t_open = now_ms() - t0;
	o.engine = en;
	if (!(app = ui_app_new(&o, &e)))
		return die("ui_app_new", &e);
	t0 = now_ms();
	ui_app_push(app, ui_leases_new(app));
	ui_app_draw(app);
	t_screen = now_ms() - t0;
	t0 = now_ms();
	for (int i = 0; i < reps; i++) {
		ui_app_repaint(app);
		ui_app_draw(app);
	}
	t_redraw = (now_ms() - t0) / reps;
	/* what every second's countdown tick does: draw again, send the changes */
	t0 = now_ms();
	for (int i = 0; i < reps; i++)
		ui_app_draw(app);
	t_draw = (now_ms() - t0) / reps;
	/* a tick as the interface runs it: the screens' ticks, then the draw */
	for (int i = 0; i < reps; i++) {
		ui_app_force_tick(app);
		t0 = now_ms();
		ui_app_step(app, 0);
		t = now_ms() - t0;
		tick_sum += t;
		if (t > tick_max)
			tick_max = t;
	}
	t0 = now_ms();
	for (int i = 0; i < reps; i++)
		key_ms(app, 'j');
	t_key = (now_ms() - t0) / reps;
	t_end = key_ms(app, KEY_END);
	key_ms(app, KEY_HOME);
	/* s cycles the sort through every column, then back to none */
	for (int i = 0; i < 8; i++) {
		t = key_ms(app, 's');
		sort_sum += t;
		if (t > sort_max)
			sort_max = t;
	}
	/* a filter typed key by key: every key re-queries */
	key_ms(app, '/');
	printf("  filter keys:");
	for (const char *c = typed; *c; c++) {
		t = key_ms(app, (unsigned char)*c);
		printf(" %c %.1f ms;", *c, t);
		filt_sum += t;
		if (t > filt_max)
			filt_max = t;
	}
	t = key_ms(app, 27); /* Esc clears it */
	printf(" Esc %.1f ms\n", t);
	filt_sum += t;
	if (t > filt_max)
		filt_max = t;
	/* every filter under every order, both directions: the slowest key */
	for (int dir = 0; dir < 2; dir++)
		for (int col = 0; col < 8; col++) {
			key_ms(app, 's'); /* from STATE: SECRET, MODE, ... STATE again */
			if (dir)          /* s sorts ascending; S turns it round */
				key_ms(app, 'S');
			for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
				if ((t = filter_max(app, filters[f], orders[dir][col])) > per_filter[f])
					per_filter[f] = t;
		}
	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
		if (per_filter[f] > any_max)
			any_max = per_filter[f];
	/* under the sparse filter: every sort change, and End */
	key_ms(app, '/');
	for (const char *c = "team-7"; *c; c++)
		key_ms(app, (unsigned char)*c);
	key_ms(app, '\n');
	for (int i = 0; i < 16; i++)
		if ((t = key_ms(app, i == 8 ? 'S' : 's')) > fsort_max)
			fsort_max = t;
	fend = key_ms(app, KEY_END);
	key_ms(app, 27);
	mint_ms = mint_store_ms(en, n >= 1000 ? 200 : 20);
	ui_app_free(app);
	fclose(in);
	fclose(out);
	close(fds[1]);
	engine_close(en);

	printf("lease table: %zu leases in the store (filled in %.0f ms)\n", n, t_fill);
	printf("  open store              %8.1f ms\n", t_open);
	printf("  open the lease screen   %8.1f ms  (counts + one window + first draw)\n", t_screen);
	printf("  redraw                  %8.2f ms  (mean of %d: the table drawn again, as every tick)\n",
	       t_draw, reps);
	printf(
	    "  tick                    %8.2f ms  mean, %.2f ms max of %d (the screens' ticks and the draw)\n",
	    tick_sum / reps, tick_max, reps);
	printf("  full repaint            %8.2f ms  (mean of %d: the whole screen sent again, Ctrl-L)\n",
	       t_redraw, reps);
	printf("  key j (move + draw)     %8.2f ms  (mean of %d)\n", t_key, reps);
	printf("  key End (last row)      %8.1f ms\n", t_end);
	printf("  sort change (key s)     %8.1f ms  max, %.1f ms mean over the 8 columns\n", sort_max,
	       sort_sum / 8);
	printf("  filter change (a key)   %8.1f ms  max, %.1f ms mean typing \"%s\" and Esc\n", filt_max,
	       filt_sum / (double)(strlen(typed) + 1), typed);
	printf("  filter change, any order%8.1f ms  max over 16 orders (8 columns, both ways) typing \"%s\" "
	       "%.1f,"
	       " \"%s\" %.1f, \"%s\" %.1f ms\n",
	       any_max, filters[0], per_filter[0], filters[1], per_filter[1], filters[2], per_filter[2]);
	printf("  slowest filter key      %8.1f ms  %s\n", slowest_ms, slowest);
	printf("  sort change, filtered   %8.1f ms  max over 16 orders, filter \"team-7\"\n", fsort_max);
	printf("  key End, filtered       %8.1f ms\n", fend);
	printf("  mint + revoke, store    %8.2f ms  per lease (insert, to active, to revoked: 3 commits)\n",
	       mint_ms);
	printf("  peak RSS                %8.1f MiB\n", rss_kib() / 1024.0);
	/* machine-readable line for the summary table of `make bench` */
	printf("BENCH table%1$zu_open_ms=%2$.1f table%1$zu_redraw_ms=%3$.2f table%1$zu_repaint_ms=%4$.2f "
	       "table%1$zu_key_ms=%5$.2f table%1$zu_end_ms=%6$.1f table%1$zu_sort_ms=%7$.1f "
	       "table%1$zu_filter_ms=%8$.1f table%1$zu_rss_mib=%9$.1f table%1$zu_tick_max_ms=%10$.2f "
	       "table%1$zu_filter_any_ms=%11$.1f table%1$zu_mint_store_ms=%12$.2f\n",
	       n, t_open + t_screen, t_draw, t_redraw, t_key, t_end,
	       sort_max > fsort_max ? sort_max : fsort_max, filt_max > any_max ? filt_max : any_max,
	       rss_kib() / 1024.0, tick_max, any_max, mint_ms);
	if (getenv("KJ_BENCH_KEEP") || (keep && *keep)) { /* to look at the store afterwards */
		printf("store kept in %s\n", home);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : 1;
}
