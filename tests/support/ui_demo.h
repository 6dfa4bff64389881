/* ui_demo: an in-process demo cluster, a temporary home with two engine
 * contexts (main thread and worker, as the interface uses them), and the
 * screen harness on top. */
#ifndef KJ_TESTS_UI_DEMO_H
#define KJ_TESTS_UI_DEMO_H

#include "demo/demo.h"
#include "engine/engine.h"
#include "ui_harness.h"

struct ud {
	struct th t;
	struct demo_cluster *dc;
	struct engine *eng, *weng;
	char *home;
	char *ca_file; /* the demo CA written to a file */
};

void ud_start(struct ud *u, int lines, int cols);
/* Same, as `kubejit --demo` seeds it: kube-system/kubejit-jit may approve
 * access requests (demo_opts.seed_approver). */
void ud_start_approval(struct ud *u, int lines, int cols);
/* Same, with the terminal output going to `out` (kept open). */
void ud_start_out(struct ud *u, int lines, int cols, FILE *out);
/* Add target "demo" with the fully privileged account, without the UI. */
void ud_add_target(struct ud *u, const char *name, const char *account);
void ud_stop(struct ud *u);
/* Push keys and wait for any job they started. */
void ud_type(struct ud *u, const char *s);
/* Let the interface's jobs end (the test then uses the cluster from the
 * main thread, which the interface never does while a job runs); fails the
 * test, with the screen, when one is still running after 60 s. */
void ud_idle(struct ud *u);

struct secret;
/* A fixed-mode secret for dev/default-like accounts, saved without the UI. */
void ud_fixed_secret(struct ud *u, const char *path, const char *ns, const char *sa, int64_t max_ttl);
/* Mint without the UI; returns the lease id (static buffer). */
const char *ud_mint(struct ud *u, const char *path, const char *ns, int64_t ttl);
#endif
