/* engine_fixture: what the engine suites on a demo cluster share (mint,
 * faults): a client as a given token, and a target saved straight into the
 * store (no preflight) with a seeded account's token or any token. */
#ifndef KJ_TESTS_ENGINE_FIXTURE_H
#define KJ_TESTS_ENGINE_FIXTURE_H

#include "demo/demo.h"
#include "engine/engine.h"
#include "kube/http.h"

/* A client on cluster `c` that authenticates with `token`. */
struct kube_client *ef_client(struct demo_cluster *c, const char *token);
/* Save target `name` on cluster `c` authenticating with `token`.
 * `identity` is the user name a preflight would have stored, or NULL for a
 * target whose identity is not known yet: then a mint asks the cluster who
 * it is (SelfSubjectReview) before it writes the owner annotation. */
void ef_add_token_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *token,
                         const char *identity);
/* Save target `name` with the token of the seeded `account`
 * ("namespace/name"), its identity not known (the fault matrix counts the
 * SelfSubjectReview as one of a mint's calls). */
void ef_add_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account);
/* ... as a checked target: its identity is the account's user name
 * (system:serviceaccount:NAMESPACE:NAME), as target_add's preflight leaves
 * it, so a mint makes no SelfSubjectReview. */
void ef_add_checked_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account);

#endif
