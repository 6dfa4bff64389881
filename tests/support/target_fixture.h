/* target_fixture: a demo cluster and an engine on a fresh home for each
 * target test, and the helpers the target suites share. */
#ifndef KJ_TESTS_TARGET_FIXTURE_H
#define KJ_TESTS_TARGET_FIXTURE_H

#include <stddef.h>

#include "demo/demo.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/target.h"
#include "kube/api.h"

extern struct demo_cluster *dc; /* started by tf_setup() */
extern struct engine *en;       /* home under tmp */
extern char tmp[64];            /* per-test temporary directory */

void tf_setup(void);
void tf_setup_with(const struct demo_opts *o); /* a demo cluster with these options */
void tf_teardown(void);

size_t count_targets(void);
const char *token_of(const char *account); /* a seeded account's token */
void token_spec(struct target_spec *s, const char *name, const char *token);
/* Add target `name` with the token of the seeded `account` ("ns/name"),
 * preflight included; fails the test when that fails. */
void add_token_target(const char *name, const char *account, struct target_add_result *r);
const struct preflight_perm *perm(const struct preflight_report *r, const char *verb, const char *res);
int has_notice(char **v, const char *needle); /* a NULL-terminated list holds a line with `needle` */
int strv_has(char **v, const char *s);
struct kube_client *admin_client(void); /* system:masters */
/* Poll as `token` until `a` is allowed (the authorizer sees new bindings a
 * moment after they are made); fails the test after 5 s. */
void wait_until_allowed(const char *token, const struct kube_access *a);
char *write_file(const char *name, const char *content); /* under tmp; caller frees the path */
/* Run the kubejit binary with --home under tmp; stdout+stderr in *out. */
int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
