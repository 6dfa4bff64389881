/* kube_fixture: what the live cluster-client suites share — one demo
 * cluster per suite (kube_fixture_start/stop as the suite's init/fini),
 * clients on it, and a labelled ServiceAccount body. */
#ifndef KJ_TESTS_KUBE_FIXTURE_H
#define KJ_TESTS_KUBE_FIXTURE_H

#include <cjson/cJSON.h>

#include "demo/demo.h"
#include "kube/http.h"

extern struct demo_cluster *dc;

void kube_fixture_start(void);
void kube_fixture_stop(void);
/* A client on the demo cluster with a token and/or a client certificate. */
struct kube_client *client_with(const char *token, const char *cert, const char *key);
/* A client with the static admin token. */
struct kube_client *kube_admin(void);
/* {"metadata":{"name":NAME,"labels":{managed-by: kubejit}}} */
cJSON *sa_object(const char *name);

#endif
