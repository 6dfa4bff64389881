/* Authentication and TokenRequest of the demo cluster over HTTPS: token
 * claims, validation order and texts, the expiration cap, bound objects,
 * invalidation, leeway, anonymous and x509 precedence, seeded accounts and
 * the issuer's JWKS. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/demo_http.h"
#include "util/b64.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(auth, .init = start, .fini = stop, .timeout = 60);

/* ------------------------------------------------------- TokenRequest */

Test(auth, token_request_defaults_claims_and_whoami)
{
	struct resp r;
	cJSON *h, *p;
	kj_err e;
	int64_t created, expires, exp;
	char *tok;

	make_sa("dev", "ci");
	r = token_request("dev", "ci", "null", "null");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "kind"), "TokenRequest");
	cr_assert_str_eq(jpath(r.json, "metadata.name"), "ci");
	cr_assert_str_eq(jpath(r.json, "metadata.namespace"), "dev");
	cr_assert_str_eq(jpath(r.json, "spec.expirationSeconds"), "3600");
	cr_assert_str_eq(jpath(r.json, "spec.boundObjectRef"), "null");
	cr_assert(strstr(r.body, "\"audiences\":[\"https://kubernetes.default.svc.cluster.local\"]"));
	cr_assert_eq(kj_time_parse_rfc3339(jpath(r.json, "metadata.creationTimestamp"), &created), 0);
	cr_assert_eq(kj_time_parse_rfc3339(jpath(r.json, "status.expirationTimestamp"), &expires), 0);
	cr_assert_eq(expires - created, 3600);
	tok = kj_xstrdup(jpath(r.json, "status.token"));
	resp_done(&r);

	cr_assert_eq(kj_jwt_decode(tok, &h, &p, &e), 0);
	cr_assert_str_eq(jpath(h, "alg"), "RS256");
	cr_assert_eq(strlen(jpath(h, "kid")), 43);
	cr_assert_null(cJSON_GetObjectItem(h, "typ"));
	cr_assert_str_eq(jpath(p, "sub"), "system:serviceaccount:dev:ci");
	cr_assert_str_eq(jpath(p, "iss"), "https://kubernetes.default.svc.cluster.local");
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(p, "aud")));
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "namespace"), "dev");
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "serviceaccount.name"), "ci");
	cr_assert_str_eq(jpath(p, "nbf"), jpath(p, "iat"));
	exp = (int64_t)cJSON_GetObjectItem(p, "exp")->valuedouble;
	cr_assert_geq(exp, expires);

	r = whoami(tok);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "system:serviceaccount:dev:ci");
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "serviceaccount.uid"),
	                 jpath(r.json, "status.userInfo.uid"));
	cr_assert(strstr(r.body, "\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:dev\","
	                         "\"system:authenticated\"]"),
	          "%s", r.body);
	{
		char *want =
		    kj_xasprintf("\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"JTI=%s\"]}",
		                 jpath(p, "jti"));
		cr_assert(strstr(r.body, want), "%s", r.body);
		free(want);
	}
	resp_done(&r);
	cJSON_Delete(h);
	cJSON_Delete(p);
	kj_free_secret(tok);
}

Test(auth, token_request_validation_order_and_texts)
{
	struct resp r;

	/* a missing ServiceAccount is reported before a bad expiration */
	r = token_request("dev", "nobody", "60", "null");
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "serviceaccounts \"nobody\" not found");
	resp_done(&r);
	make_sa("dev", "ci");
	r = token_request("dev", "ci", "60", "null");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"\" is invalid: "
	                 "spec.expirationSeconds: Invalid value: 60: may not specify a "
	                 "duration less than 10 minutes");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "TokenRequest");
	resp_done(&r);
	r = token_request("dev", "ci", "4294967297", "null");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"\" is invalid: "
	                 "spec.expirationSeconds: Invalid value: 4294967297: may not specify a "
	                 "duration larger than 2^32 seconds");
	resp_done(&r);
	r = admin("POST", "/api/v1/namespaces/dev/serviceaccounts/ci/token",
	          "{\"metadata\":{\"name\":\"other\"},\"spec\":{}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"ci\" is invalid: "
	                 "metadata.name: Invalid value: \"other\": must match the service "
	                 "account name if specified");
	resp_done(&r);
	r = token_request("dev", "ci", "\"1h\"", "null");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest in version \"v1\" cannot be handled as a "
	                 "TokenRequest: json: cannot unmarshal string into Go struct field "
	                 "TokenRequestSpec.spec.expirationSeconds of type int64");
	resp_done(&r);
	r = token_request("dev", "ci", "600", "null");
	expect(&r, 201);
	resp_done(&r);
}

Test(authcap, max_expiration_caps_with_a_warning, .fini = stop, .timeout = 60)
{
	struct resp r;

	start_with(7200);
	make_sa("dev", "ci");
	r = token_request("dev", "ci", "86400", "null");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "spec.expirationSeconds"), "7200");
	cr_assert_str_eq(r.warning,
	                 "299 - \"requested expiration of 86400 seconds shortened to 7200 seconds\"");
	resp_done(&r);
	r = token_request("dev", "ci", "3600", "null");
	expect(&r, 201);
	cr_assert_null(r.warning);
	resp_done(&r);
}

Test(auth, bound_object_refs)
{
	struct resp r;
	char *tok, *ref, *uid;

	make_sa("dev", "ci");
	make_sa("dev", "other");
	create("/api/v1/namespaces/dev/pods",
	       "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"serviceAccountName\":"
	       "\"other\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
	r = token_request("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"p1\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "cannot bind token for serviceaccount \"ci\" to pod running with "
	                 "different serviceaccount name.");
	resp_done(&r);
	r = token_request("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"nope\"}");
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "pods \"nope\" not found");
	resp_done(&r);
	r = token_request("dev", "ci", "null",
	                  "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"name\":\"d\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "cannot bind token to object of type apps/v1, Kind=Deployment");
	resp_done(&r);
	r = token_request("dev", "ci", "null",
	                  "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"name\":\"d\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"), "cannot bind token to object of type /v1, Kind=ConfigMap");
	resp_done(&r);

	create("/api/v1/namespaces/dev/secrets", "{\"metadata\":{\"name\":\"s1\"},\"type\":\"Opaque\"}");
	r = token_request(
	    "dev", "ci", "null",
	    "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"name\":\"s1\",\"uid\":\"not-the-uid\"}");
	expect(&r, 409);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "Operation cannot be fulfilled on Secret \"s1\": the UID in the "
	                 "bound object reference (not-the-uid) does not match the UID in "
	                 "record. The object might have been deleted and then recreated");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "Secret");
	resp_done(&r);
	r = admin("GET", "/api/v1/namespaces/dev/secrets/s1", NULL);
	uid = kj_xstrdup(jpath(r.json, "metadata.uid"));
	resp_done(&r);
	ref = kj_xasprintf("{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"name\":\"s1\",\"uid\":\"%s\"}", uid);
	tok = token_for("dev", "ci", "null", ref);
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	/* the token dies with its Secret, and stays dead when it is recreated */
	r = admin("DELETE", "/api/v1/namespaces/dev/secrets/s1", NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_revoked(tok);
	create("/api/v1/namespaces/dev/secrets", "{\"metadata\":{\"name\":\"s1\"},\"type\":\"Opaque\"}");
	expect_unauthorized(tok);
	kj_free_secret(tok);
	free(ref);
	free(uid);
}

Test(auth, pod_bound_token_names_the_pod)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	create("/api/v1/namespaces/dev/pods",
	       "{\"metadata\":{\"name\":\"p2\"},\"spec\":{\"nodeName\":\"node-9\",\"serviceAccountName\":"
	       "\"ci\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
	tok = token_for("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"p2\"}");
	r = whoami(tok);
	expect(&r, 201);
	cr_assert(strstr(r.body, "\"authentication.kubernetes.io/pod-name\":[\"p2\"]"), "%s", r.body);
	cr_assert(strstr(r.body, "\"authentication.kubernetes.io/node-name\":[\"node-9\"],"
	                         "\"authentication.kubernetes.io/pod-name\":[\"p2\"]"),
	          "%s", r.body);
	resp_done(&r);
	r = admin("DELETE", "/api/v1/namespaces/dev/pods/p2", NULL);
	resp_done(&r);
	expect_revoked(tok);
	kj_free_secret(tok);
}

/* ------------------------------------------------------ authentication */

Test(auth, sa_delete_and_recreate_kill_tokens)
{
	struct resp r;
	char *tok;

	tok = new_sa_token("dev", "ci");
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	r = admin("DELETE", "/api/v1/namespaces/dev/serviceaccounts/ci", NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_revoked(tok);
	make_sa("dev", "ci");
	expect_unauthorized(tok);
	kj_free_secret(tok);
}

Test(auth, expiry_with_leeway_under_shifted_time)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "600", "null");
	kj_time_set_offset(630);
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	/* expired, but the token cache keeps the last success for its TTL */
	kj_time_set_offset(700);
	expect_revoked(tok);
	kj_time_set_offset(0);
	kj_free_secret(tok);
}

Test(auth, anonymous_bad_tokens_and_x509_precedence)
{
	struct resp r;

	r = call("GET", "/api/v1/namespaces", NULL, NULL);
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "namespaces is forbidden: User \"system:anonymous\" cannot list "
	                 "resource \"namespaces\" in API group \"\" at the cluster scope");
	resp_done(&r);
	r = whoami(NULL);
	expect(&r, 403);
	resp_done(&r);
	r = call("GET", "/version", NULL, NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_unauthorized("not-a-token");
	expect_unauthorized("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
	/* a valid client certificate wins over a bad bearer token */
	r = whoami_as("bad", demo_admin_cert_pem(dc), demo_admin_key_pem(dc), NULL);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "kubernetes-admin");
	cr_assert(strstr(r.body, "\"groups\":[\"system:masters\",\"system:authenticated\"]"), "%s", r.body);
	cr_assert(strstr(r.body, "\"authentication.kubernetes.io/credential-id\":[\"X509SHA256="), "%s",
	          r.body);
	resp_done(&r);
	r = whoami(demo_admin_token(dc));
	expect(&r, 201);
	cr_assert(strstr(r.body, "system:masters"), "%s", r.body);
	resp_done(&r);
}

/* ------------------------------------------------- seeded accounts, OIDC */

Test(auth, seeded_accounts_hold_what_the_seed_grants)
{
	const char *tr = demo_account_token(dc, "kube-system/token-request-sa");
	const char *dash = demo_account_token(dc, "kubernetes-dashboard/kubernetes-dashboard");
	struct resp r;

	cr_assert_not_null(tr);
	cr_assert_not_null(dash);
	r = call("POST", "/api/v1/namespaces/dev/serviceaccounts/default/token", tr,
	         "{\"spec\":{\"expirationSeconds\":1200}}");
	expect(&r, 201);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/dev/secrets", tr, NULL);
	expect(&r, 403);
	resp_done(&r);
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/kubernetes-dashboard/roles", dash,
	         "{\"metadata\":{\"name\":\"x\"},\"rules\":[]}");
	expect(&r, 403);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "roles.rbac.authorization.k8s.io is forbidden: User "
	    "\"system:serviceaccount:kubernetes-dashboard:kubernetes-dashboard\" cannot create resource "
	    "\"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace "
	    "\"kubernetes-dashboard\"");
	resp_done(&r);
}

Test(auth, subject_access_review_and_jwks)
{
	struct resp r;
	cJSON *h;
	char *tok;
	kj_err e;

	r = admin(
	    "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
	    "{\"spec\":{\"user\":\"x\",\"groups\":[\"system:masters\"],\"resourceAttributes\":{\"verb\":"
	    "\"delete\",\"resource\":\"nodes\"}}}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.allowed"), "true");
	cr_assert_str_eq(jpath(r.json, "kind"), "SubjectAccessReview");
	resp_done(&r);
	r = admin("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
	          "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "SubjectAccessReview.authorization.k8s.io \"\" is invalid: "
	                 "spec.user: Required value: at least one of user or group must "
	                 "be specified");
	resp_done(&r);
	tok = new_sa_token("dev", "ci");
	cr_assert_eq(kj_jwt_decode(tok, &h, NULL, &e), 0);
	r = admin("GET", "/openid/v1/jwks", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "keys"), 0), "kid"),
	                 jpath(h, "kid"));
	cr_assert_str_eq(jpath(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "keys"), 0), "e"), "AQAB");
	resp_done(&r);
	r = admin("GET", "/.well-known/openid-configuration", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "issuer"), "https://kubernetes.default.svc.cluster.local");
	resp_done(&r);
	cJSON_Delete(h);
	kj_free_secret(tok);
}

/* Numbers from a client are decoded as the API server decodes them into Go
 * integers: not a whole number of the field's type (1.5, 1e300, 2^31 for an
 * int32) is a 400 from decoding; a whole number out of the allowed range is
 * the 422 of validation; never a cast of an arbitrary double. */
Test(auth, odd_and_huge_numbers_answer_as_the_api_server)
{
	static const struct {
		const char *secs;
		long code;
		const char *msg;
	} tr[] = {
	    {"1e300", 400,
	     "cannot unmarshal number 1e+300 into Go struct field TokenRequestSpec.spec."
	     "expirationSeconds of type int64"},
	    {"1.5", 400, "cannot unmarshal number 1.5 into Go struct field"},
	    {"-1e19", 400, "cannot unmarshal number -1e+19 into Go struct field"},
	    {"-5", 422,
	     "spec.expirationSeconds: Invalid value: -5: may not specify a duration less than 10 minutes"},
	    {"1e12", 422,
	     "Invalid value: 1000000000000: may not specify a duration larger than 2^32 seconds"},
	};
	static const struct {
		const char *secs;
		long code;
		const char *msg;
	} csr[] = {
	    {"1e300", 400,
	     "cannot unmarshal number 1e+300 into Go struct field CertificateSigningRequestSpec."
	     "spec.expirationSeconds of type int32"},
	    {"2147483648", 400, "cannot unmarshal number 2147483648 into Go struct field"},
	    {"600.5", 400, "cannot unmarshal number 600.5 into Go struct field"},
	    {"-1", 422,
	     "spec.expirationSeconds: Invalid value: -1: may not specify a duration less than 600 seconds"},
	    {"2147483647", 201, NULL},
	};
	char *pem, *key, *body, *name;
	struct resp r;
	size_t i;

	make_sa("dev", "ci");
	for (i = 0; i < sizeof(tr) / sizeof(*tr); i++) {
		r = token_request("dev", "ci", tr[i].secs, "null");
		expect(&r, tr[i].code);
		cr_assert(strstr(jpath(r.json, "message"), tr[i].msg), "%s: %s", tr[i].secs,
		          jpath(r.json, "message"));
		resp_done(&r);
	}
	make_csr("odd", "devs", &pem, &key);
	for (i = 0; i < sizeof(csr) / sizeof(*csr); i++) {
		name = kj_xasprintf("odd-%zu", i);
		body = csr_body(name, pem, csr[i].secs);
		r = admin("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", body);
		expect(&r, csr[i].code);
		if (csr[i].msg)
			cr_assert(strstr(jpath(r.json, "message"), csr[i].msg), "%s: %s", csr[i].secs,
			          jpath(r.json, "message"));
		resp_done(&r);
		free(body);
		free(name);
	}
	free(pem);
	free(key);
}

/* ListOptions' integers are decoded with strconv: garbage or overflow in
 * limit, timeoutSeconds or a watch's resourceVersion is refused, never read
 * as 0 or wrapped. */
Test(auth, list_and_watch_parameters_are_decoded_strictly)
{
	static const struct {
		const char *query;
		long code;
		const char *msg;
	} cases[] = {
	    {"limit=abc", 400, "strconv.ParseInt: parsing \"abc\": invalid syntax"},
	    {"limit=99999999999999999999", 400,
	     "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"},
	    {"limit=1x", 400, "invalid syntax"},
	    {"limit=-3", 200, NULL}, /* no limit, as storage pages only when limit > 0 */
	    {"limit=1", 200, NULL},
	    {"watch=true&timeoutSeconds=soon", 400, "strconv.ParseInt: parsing \"soon\": invalid syntax"},
	    {"watch=true&resourceVersion=abc", 422, "resourceVersion: Invalid value: \"abc\""},
	    {"watch=true&resourceVersion=99999999999999999999999", 422, "value out of range"},
	};
	struct resp r;
	size_t i;

	make_sa("dev", "a1");
	make_sa("dev", "a2");
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *p = kj_xasprintf("/api/v1/namespaces/dev/serviceaccounts?%s", cases[i].query);

		r = admin("GET", p, NULL);
		expect(&r, cases[i].code);
		if (cases[i].msg)
			cr_assert(strstr(jpath(r.json, "message"), cases[i].msg), "%s: %s", cases[i].query,
			          jpath(r.json, "message"));
		else if (!strcmp(cases[i].query, "limit=1"))
			cr_assert_str_neq(jpath(r.json, "metadata.continue"), "", "limit=1 pages");
		else
			cr_assert_str_eq(jpath(r.json, "metadata.continue"), "", "a negative limit is none");
		resp_done(&r);
		free(p);
	}
	/* a continue token whose resourceVersion is not a whole int64 */
	{
		const char *tok = "{\"v\":\"meta.k8s.io/v1\",\"rv\":1e300,\"start\":\"dev/a1\\u0000\"}";
		char *b = kj_b64url_encode((const unsigned char *)tok, strlen(tok));
		char *p = kj_xasprintf("/api/v1/namespaces/dev/serviceaccounts?limit=1&continue=%s", b);

		r = admin("GET", p, NULL);
		expect(&r, 400);
		cr_assert(strstr(jpath(r.json, "message"), "continue key is not valid"), "%s",
		          jpath(r.json, "message"));
		resp_done(&r);
		free(p);
		free(b);
	}
}

Test(auth, a_fault_delay_past_an_int_is_refused_not_truncated)
{
	kj_err e;

	cr_assert_eq(demo_fault_add_spec(dc, "GET:/api/*:1:delay=600h", &e), -1);
	cr_assert(strstr(e.msg, "at most 596h"), "%s", e.msg);
	cr_assert_eq(demo_fault_add_spec(dc, "GET:/api/*:1:delay=500h", &e), 0, "%s", e.msg);
	demo_fault_clear(dc);
}
