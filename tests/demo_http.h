/* demo_http: test harness for the demo cluster's auth suites (test code).
 *
 * start()/start_with(max_token_expiration) start a cluster in `dc`, stop()
 * stops it (Criterion .init/.fini).  call_as() sends one HTTPS request with
 * a bearer token and/or client certificate; admin() uses the admin client
 * certificate.  Responses own their strings: resp_done().  Helpers that
 * assert abort the test on failure. */
#ifndef KJ_TESTS_DEMO_HTTP_H
#define KJ_TESTS_DEMO_HTTP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "demo/demo.h"

extern struct demo_cluster *dc;

struct resp {
	long code;
	char *body;
	char *warning;
	cJSON *json;
};

void start_with(int64_t max_exp);
void start(void);
void stop(void);
struct resp call_as(const char *method, const char *path, const char *token, const char *cert,
                    const char *key, const char *body);
/* ... with extra request headers (NULL-terminated "Name: value" list) */
struct resp call_full(const char *method, const char *path, const char *token, const char *cert,
                      const char *key, const char *const *headers, const char *body);
struct resp call(const char *method, const char *path, const char *token, const char *body);
struct resp admin(const char *method, const char *path, const char *body);
void resp_done(struct resp *r);
/* dotted path into a JSON document, as text ("" when absent, "null" for null) */
const char *jpath(const cJSON *o, const char *path);
void expect(struct resp *r, long code);
void create(const char *path, const char *body); /* as admin, expects 201 */
void make_sa(const char *ns, const char *name);
/* TokenRequest as kubectl sends it; secs and ref are JSON ("null", "600", {...}) */
struct resp token_request(const char *ns, const char *sa, const char *secs, const char *ref);
char *token_for(const char *ns, const char *sa, const char *secs, const char *ref);
struct resp whoami(const char *token);
extern const char *const unauthorized_body;
void expect_unauthorized(const char *token);

/* Role/RoleBinding bodies (printf formats) and a Role+RoleBinding in dev for
 * ServiceAccount dev/<sa>. */
extern const char *const role_body; /* name, verbs (JSON list items), resource */
extern const char *const rb_body;   /* name, roleRef kind, roleRef name, SA name */
void grant(const char *role, const char *verbs, const char *res, const char *sa);

#endif
