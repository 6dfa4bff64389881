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

/* The clusters start realistic, with shorter delays than a real cluster's. */
#define TEST_TOKEN_CACHE_MS 1000
#define TEST_RBAC_DELAY_MS  150
#define TEST_GC_DELAY_MS    150
#define TEST_CSR_DELAY_MS   150

struct resp {
	long code;
	char *body;
	char *warning;
	char *retry_after; /* the Retry-After header, NULL when none */
	cJSON *json;
};

/* The demo's production behaviour with its delays shortened for tests. */
struct demo_opts test_opts(void);
void start_with(int64_t max_exp);
void start(void);
void start_opts(const struct demo_opts *o); /* exactly these options */
void stop(void);
/* Stop the suite's cluster and start one with exactly these options: for a
 * test that needs other delays than the suite's. */
void restart_opts(const struct demo_opts *o);
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
/* The identity most tests act as: ServiceAccount ns/name made by the admin
 * and a token for it (default expiration, not bound).  Free it with
 * kj_free_secret(). */
char *new_sa_token(const char *ns, const char *name);
/* SelfSubjectReview with kubectl's body, as a bearer token (NULL: anonymous) */
struct resp whoami(const char *token);
/* SelfSubjectReview with an empty body as a token and/or client certificate,
 * with extra request headers (NULL-terminated, or NULL) */
struct resp whoami_as(const char *token, const char *cert, const char *key, const char *const *headers);
extern const char *const unauthorized_body;
void expect_unauthorized(const char *token);
/* A token whose credential object was just deleted: accepted while the
 * token cache remembers it (it was used a moment ago), then 401 within
 * TEST_TOKEN_CACHE_MS plus a margin. */
void expect_revoked(const char *token);
/* Repeat a call (bearer token or NULL) until it answers `want` or bound_ms
 * pass; the last status. */
long poll_code(const char *method, const char *path, const char *token, const char *body, long want,
               int bound_ms);

/* Role/RoleBinding bodies (printf formats) and a Role+RoleBinding in dev for
 * ServiceAccount dev/<sa>. */
extern const char *const role_body; /* name, verbs (JSON list items), resource */
extern const char *const rb_body;   /* name, roleRef kind, roleRef name, SA name */
/* A 2048-bit RSA key and a PEM CSR for CN=cn, O=org (both malloc'd). */
void make_csr(const char *cn, const char *org, char **csr_pem, char **key_pem);
/* A CertificateSigningRequest body for the kube-apiserver-client signer
 * asking for client auth with csr_pem; secs is spec.expirationSeconds as
 * JSON, or NULL to leave it out.  Caller frees. */
char *csr_body(const char *name, const char *csr_pem, const char *secs);
void grant(const char *role, const char *verbs, const char *res, const char *sa);

#endif
