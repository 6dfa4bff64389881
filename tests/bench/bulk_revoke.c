/* Benchmark (doc/ARCHITECTURE.md, "Speed targets"): bulk revoke of N dynamic leases on loopback, and
 * listing a lease table of that size.  `make bench` builds and runs it;
 * by hand: `tests/bench/bulk_revoke [N]` (default 1000).  Not part of
 * `make check`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/secret.h"
#include "kube/api.h"
#include "kube/http.h"
#include "store/targets.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static int die(const kj_err *e)
{
	fprintf(stderr, "bulk_revoke: %s\n", e->msg);
	return 1;
}

#define DEAD_SAMPLE 16

static int64_t cpu_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One block of mints: wall time, the CPU of this thread (kubejit: the
 * engine, its store and its HTTP client) and of the rest of the process
 * (the demo cluster's threads), each per mint; the remainder is waiting
 * (the readiness check's back-off while the demo's RBAC catches up). */
struct block {
	int64_t wall, self, proc;
};

static void block_start(struct block *b)
{
	b->wall = kj_mono_ms();
	b->self = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
	b->proc = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static void block_print(const struct block *b, size_t from, size_t to)
{
	double k = (double)(to - from + 1);
	int64_t wall = kj_mono_ms() - b->wall, self = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - b->self,
	        proc = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - b->proc;

	printf("mints %5zu-%5zu: %.2f ms each (CPU: kubejit %.2f ms, demo cluster %.2f ms)\n", from, to,
	       (double)wall / k, (double)self / k, (double)(proc - self) / k);
	fflush(stdout);
}

/* 1 once the API server refuses `token` (401), as it must after the revoke
 * and its token cache window. */
static int refused(struct demo_cluster *dc, const char *token)
{
	struct kube_conn conn = {0};
	struct kube_client *kc;
	struct kube_user_info u = {0};
	kj_err e;
	int dead;

	conn.server = demo_url(dc);
	conn.ca = demo_ca_pem(dc);
	conn.token = token;
	if (kube_client_new(&conn, &kc, &e) < 0)
		return 0;
	dead = kube_whoami(kc, &u, &e) < 0 && e.http_status == 401;
	kube_user_info_done(&u);
	kube_client_free(kc);
	return dead;
}

int main(int argc, char **argv)
{
	struct demo_opts o = {0};
	struct demo_cluster *dc;
	struct engine *en;
	struct target t = {0};
	struct target_cred cred = {0};
	struct secret s;
	struct lease_bulk_result res;
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v;
	size_t n = argc > 1 ? (size_t)atoi(argv[1]) : 1000, nl, mint_failed = 0;
	char home[] = "/tmp/kj-bench-XXXXXX";
	int64_t t0, mint_ms, revoke_ms, t_first = 0, t_last = 0, t_mark = 0;
	size_t window, ok, nd = 0, dead = 0, step;
	char *sample[DEAD_SAMPLE];
	int64_t dead_ms = 0;
	kj_err e;

	/* RBAC propagation shortened from 250 ms (not switched off): each mint
	 * waits for its binding to work, and this measures what grows with
	 * the number of leases, not that wait */
	o.rbac_delay_ms = 10;
	/* each figure as soon as it is known, to a pipe or file too */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (demo_start(&o, &dc, &e) < 0 || !mkdtemp(home) || engine_open(home, &en, &e) < 0)
		return die(&e);
	t.name = kj_xstrdup("demo");
	t.server = kj_xstrdup(demo_url(dc));
	t.ca_pem = kj_xstrdup(demo_ca_pem(dc));
	t.created_by = kj_xstrdup("bench");
	cred.token = kj_xstrdup(demo_account_token(dc, "kube-system/kubejit-jit"));
	if (store_target_insert(engine_db(en), &t, &cred, &e) < 0)
		return die(&e);
	secret_init(&s);
	s.path = kj_xstrdup("/bench/dyn");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_YAML;
	s.role_yaml =
	    kj_xstrdup("kind: Role\nrules:\n- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n");
	kj_strv_push(&s.allowed_namespaces, "dev");
	if (secret_add(en, &s, &e) < 0)
		return die(&e);
	/* the cost of one mint among the first and among the last `window`
	 * mints: flat when nothing grows with the number of leases */
	window = n < 1000 ? n : 1000;
	/* KJ_BENCH_BLOCK: mints per printed block (default 1,000) */
	size_t blk = getenv("KJ_BENCH_BLOCK") ? (size_t)atoi(getenv("KJ_BENCH_BLOCK")) : 1000;
	struct block bl;
	if (!blk)
		blk = 1000;
	/* tokens spread over the run, checked dead after the bulk revoke */
	step = n / DEAD_SAMPLE ? n / DEAD_SAMPLE : 1;
	t0 = kj_mono_ms();
	block_start(&bl);
	for (size_t i = 0; i < n; i++) {
		struct mint_request req = {0};
		if (i && i % blk == 0) {
			/* per-size figures: the mean mint of each block */
			block_print(&bl, i - blk + 1, i);
			block_start(&bl);
		}
		if (i == window)
			t_first = kj_mono_ms() - t0;
		if (i == n - window)
			t_mark = kj_mono_ms();
		struct mint_result r;
		req.secret = "/bench/dyn";
		req.ns = "dev";
		/* a generated name may collide (5 random characters); count
		 * such failures instead of losing the whole run */
		if (mint_run(en, &req, &r, &e) < 0) {
			fprintf(stderr, "bulk_revoke: mint %zu: %s\n", i + 1, e.msg);
			if (++mint_failed > n / 100 + 1)
				return die(&e);
			continue;
		}
		if (nd < DEAD_SAMPLE && i % step == 0)
			sample[nd++] = kj_xstrdup(r.token);
		mint_result_done(&r);
	}
	if (n) /* the last block, whole or not */
		block_print(&bl, n - (n % blk ? n % blk : blk) + 1, n);
	mint_ms = kj_mono_ms() - t0;
	if (n <= window)
		t_first = mint_ms;
	t_last = kj_mono_ms() - (t_mark ? t_mark : t0);
	/* per mint that worked: a failed one did part of the work, and counting
	 * it would flatter the figure */
	ok = n - mint_failed ? n - mint_failed : 1;
	printf("minted %zu dynamic leases (4 API calls each; %zu failed) in %lld ms (%.2f ms per mint, in "
	       "process)\n",
	       n - mint_failed, mint_failed, (long long)mint_ms, (double)mint_ms / (double)ok);
	t0 = kj_mono_ms();
	if (lease_list(en, &f, &v, &nl, &e) < 0)
		return die(&e);
	printf("listed %zu leases in %lld ms\n", nl, (long long)(kj_mono_ms() - t0));
	lease_list_free(v, nl);
	/* the sweep's pass over the store: nothing is due yet */
	t0 = kj_mono_ms();
	if (lease_expire_due(en, "demo", (size_t)-1, 8, &res, &e) < 0)
		return die(&e);
	printf("sweep pass over %zu leases (%zu due) in %lld ms\n", nl, res.total,
	       (long long)(kj_mono_ms() - t0));
	t0 = kj_mono_ms();
	if (lease_revoke_all(en, &f, 0, NULL, NULL, &res, &e) < 0)
		return die(&e);
	revoke_ms = kj_mono_ms() - t0;
	printf("revoked %zu of %zu leases (%zu failed) in %lld ms\n", res.revoked, res.total, res.failed,
	       (long long)revoke_ms);
	/* revoked means dead: every sampled token is refused once the API
	 * server's token cache (10 s by default, o.token_cache_ttl_ms) has
	 * let go of it */
	t0 = kj_mono_ms();
	for (size_t i = 0; i < nd; i++) {
		while (!refused(dc, sample[i]) &&
		       kj_mono_ms() - t0 < 20000) /* the cache, and as long again */
			usleep(200 * 1000);
		if (refused(dc, sample[i]))
			dead++;
		kj_free_secret(sample[i]);
	}
	dead_ms = kj_mono_ms() - t0;
	printf("revoked tokens refused (401): %zu of %zu sampled, within %lld ms of the revoke\n", dead, nd,
	       (long long)dead_ms);
	printf("one mint: %.2f ms among the first %zu, %.2f ms among the last %zu\n",
	       (double)t_first / (double)window, window, (double)t_last / (double)window, window);
	printf("BENCH bulk_n=%zu revoke_ms=%lld dyn_mint_ms=%.2f mint_first_ms=%.2f mint_last_ms=%.2f\n", n,
	       (long long)revoke_ms, (double)mint_ms / (double)ok, (double)t_first / (double)window,
	       (double)t_last / (double)window);
	secret_done(&s);
	target_done(&t);
	target_cred_done(&cred);
	engine_close(en);
	demo_stop(dc);
	/* the throwaway home goes (KJ_BENCH_KEEP=1 keeps it to look at) */
	if (!getenv("KJ_BENCH_KEEP")) {
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
		if (system(cmd) != 0)
			fprintf(stderr, "bulk_revoke: could not remove %s\n", home);
	}
	return res.failed || dead < nd ? 1 : 0;
}
