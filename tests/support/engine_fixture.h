/* engine_fixture: what the engine suites on a demo cluster share (mint,
 * faults): a client as a given token, and a target saved straight into the
 * store with a seeded account's token (no preflight). */
#ifndef KJ_TESTS_ENGINE_FIXTURE_H
#define KJ_TESTS_ENGINE_FIXTURE_H

#include "demo/demo.h"
#include "engine/engine.h"
#include "kube/http.h"

/* A client on cluster `c` that authenticates with `token`. */
struct kube_client *ef_client(struct demo_cluster *c, const char *token);
/* Save target `name` on cluster `c` with the token of the seeded
 * `account` ("namespace/name"). */
void ef_add_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account);

#endif
