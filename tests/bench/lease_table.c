/* Benchmark (DESIGN §9): the lease table with N leases (default 100,000).
 * Fills a fresh store through the store API in one transaction, then times
 * what the TUI does: opening the store and listing every lease (the call
 * the lease screen makes on open and every few seconds), opening the lease
 * screen on a terminal made with newterm() on a pipe, redrawing it, moving
 * the cursor; and prints the peak RSS.  `make bench` runs it; by hand:
 * `tests/bench/lease_table [N]`.  Not part of `make check`. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

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

static long rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* A mix like a long-used store: most leases closed, some live, a few failed. */
static int fill(struct engine *en, size_t n, kj_err *e)
{
	kj_db *db = engine_db(en);
	int64_t now = kj_now();
	char secret[64], ns[16], sa[64];

	if (db_begin(db, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct lease l;

		memset(&l, 0, sizeof(l));
		kj_uuid4(l.id);
		snprintf(secret, sizeof(secret), "/team-%zu/app/read-pods", i % 40);
		snprintf(ns, sizeof(ns), "%s", i % 3 ? (i % 3 == 1 ? "dev" : "staging") : "prod");
		snprintf(sa, sizeof(sa), "kubejit-read-pods-%05zx", i & 0xfffff);
		l.secret = secret;
		l.target = "prod-cluster";
		l.mode = i % 2 ? SECRET_DYNAMIC : SECRET_FIXED;
		l.ns = ns;
		l.service_account = sa;
		l.revocable = 1;
		l.created_at = now - (int64_t)(n - i) * 30;
		l.lease_expiry = l.created_at + 900;
		l.token_expiry = l.lease_expiry;
		l.created_by = "alice@workstation";
		memset(l.fingerprint, 'a', 64);
		l.jti = sa;
		if (i + 200 >= n) {
			l.state = LEASE_ACTIVE;
			l.lease_expiry = now + 600 + (int64_t)(i % 3000);
			l.token_expiry = l.lease_expiry;
		} else if (i % 97 == 0) {
			l.state = LEASE_FAILED;
			l.error = "revoke incomplete: 1 object(s) left";
			l.ended_at = l.lease_expiry;
		} else {
			l.state = i % 2 ? LEASE_REVOKED : LEASE_EXPIRED;
			l.ended_at = l.lease_expiry;
		}
		if (store_lease_insert(db, &l, e) < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db, e);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 100000, nl;
	char home[] = "/tmp/kj-bench-table-XXXXXX";
	struct engine *en;
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v;
	struct ui_opts o = {0};
	struct ui_app *app;
	FILE *in, *out;
	int fds[2], reps = 50;
	double t0, t_open, t_list, t_check, t_screen, t_redraw, t_key, t_fill;
	char cmd[64];
	kj_err e;

	kj_err_clear(&e);
	setlocale(LC_ALL, "C.UTF-8");
	if (!mkdtemp(home))
		return die("mkdtemp", NULL);
	if (engine_open(home, &en, &e) < 0)
		return die("engine_open", &e);
	t0 = now_ms();
	if (fill(en, n, &e) < 0)
		return die("filling the store", &e);
	t_fill = now_ms() - t0;
	engine_close(en);

	/* what `kubejit` does first: open the store, list the leases */
	t0 = now_ms();
	if (engine_open(home, &en, &e) < 0)
		return die("engine_open", &e);
	t_open = now_ms() - t0;
	t0 = now_ms();
	if (lease_list(en, &f, &v, &nl, &e) < 0)
		return die("lease_list", &e);
	t_list = now_ms() - t0;
	lease_list_free(v, nl);
	/* the periodic reload first asks whether the store changed at all */
	{
		int64_t mark[2] = {0, 0};
		lease_store_changed(en, mark);
		t0 = now_ms();
		for (int i = 0; i < reps; i++)
			lease_store_changed(en, mark);
		t_check = (now_ms() - t0) / reps;
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
	t0 = now_ms();
	for (int i = 0; i < reps; i++) {
		ungetch('j');
		ui_app_step(app, 0);
	}
	t_key = (now_ms() - t0) / reps;
	ui_app_free(app);
	fclose(in);
	fclose(out);
	close(fds[1]);
	engine_close(en);

	printf("lease table: %zu leases in the store (filled in %.0f ms)\n", n, t_fill);
	printf("  open store              %8.1f ms\n", t_open);
	printf("  lease_list (all rows)   %8.1f ms\n", t_list);
	printf("  unchanged-store check   %8.3f ms  (what a reload tick costs when nothing changed)\n",
	       t_check);
	printf("  open the lease screen   %8.1f ms  (new screen: list + first draw)\n", t_screen);
	printf("  full redraw             %8.2f ms  (mean of %d, repaint + draw)\n", t_redraw, reps);
	printf("  key j (move + draw)     %8.2f ms  (mean of %d)\n", t_key, reps);
	printf("  peak RSS                %8ld MiB\n", rss_mib());
	/* machine-readable line for the summary table of `make bench` */
	printf("BENCH table_open_ms=%.1f redraw_ms=%.2f key_ms=%.2f rss_mib=%ld list_ms=%.1f\n",
	       t_open + t_screen, t_redraw, t_key, rss_mib(), t_list);
	if (getenv("KJ_BENCH_KEEP")) { /* to look at the store afterwards */
		printf("store kept in %s\n", home);
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	return system(cmd) == 0 ? 0 : 1;
}
