/* Authorisation APIs of the demo cluster over HTTPS: RBAC Forbidden texts,
 * escalation and bind checks through the API, access/rules/token reviews and
 * CertificateSigningRequest approval and signing. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/demo_http.h"
#include "util/b64.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(authz, .init = start, .fini = stop, .timeout = 60);

Test(authz, rbac_forbids_until_a_binding_allows)
{
	struct demo_opts o = test_opts();
	struct resp r;
	char *tok;

	/* an RBAC delay long enough to see the state before the informer hears
	 * of a change, on a slow (sanitizer, loaded) build too */
	o.rbac_delay_ms = 2000;
	restart_opts(&o);
	tok = new_sa_token("dev", "ci");
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 403);
	cr_assert_str_eq(r.body,
	                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	                 "\"message\":\"pods is forbidden: User \\\"system:serviceaccount:dev:ci\\\" cannot "
	                 "list resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"dev\\\"\","
	                 "\"reason\":\"Forbidden\",\"details\":{\"kind\":\"pods\"},\"code\":403}");
	resp_done(&r);
	r = call("POST", "/api/v1/namespaces/dev/serviceaccounts/ci/token", tok, "{}");
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "serviceaccounts \"ci\" is forbidden: User "
	                 "\"system:serviceaccount:dev:ci\" cannot create resource "
	                 "\"serviceaccounts/token\" in API group \"\" in the namespace \"dev\"");
	resp_done(&r);
	/* the binding reaches the authorizer's informer a little later */
	grant("pod-reader", "\"get\",\"list\"", "pods", "ci");
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 403);
	resp_done(&r);
	cr_assert_eq(poll_code("GET", "/api/v1/namespaces/dev/pods", tok, NULL, 200, o.rbac_delay_ms + 3000),
	             200);
	r = call("GET", "/api/v1/namespaces/prod/pods", tok, NULL);
	expect(&r, 403);
	resp_done(&r);
	/* and so does its deletion: allowed until the informer hears of it */
	r = admin("DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/pod-reader",
	          NULL);
	expect(&r, 200);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 200);
	resp_done(&r);
	cr_assert_eq(poll_code("GET", "/api/v1/namespaces/dev/pods", tok, NULL, 403, o.rbac_delay_ms + 3000),
	             403);
	kj_free_secret(tok);
}

/* A binding given to another subject moves access only when the informer
 * hears of it, among many bindings of others in the namespace. */
Test(authz, an_updated_binding_moves_access_after_the_lag)
{
	struct demo_opts o = test_opts();
	struct resp r;
	char *ci, *qa, *b;

	/* long enough to see the old state right after the change on a slow
	 * (sanitizer, loaded) build too */
	o.rbac_delay_ms = 2000;
	restart_opts(&o);
	ci = new_sa_token("dev", "ci");
	qa = new_sa_token("dev", "qa");
	grant("pod-reader", "\"get\",\"list\"", "pods", "ci");
	for (int i = 0; i < 200; i++) {
		char name[32], sa[32];

		snprintf(name, sizeof name, "others-%d", i);
		snprintf(sa, sizeof sa, "other-%d", i);
		b = kj_xasprintf(rb_body, name, "Role", "pod-reader", sa);
		create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", b);
		free(b);
	}
	cr_assert_eq(poll_code("GET", "/api/v1/namespaces/dev/pods", ci, NULL, 200, o.rbac_delay_ms + 3000),
	             200);
	r = call("GET", "/api/v1/namespaces/dev/pods", qa, NULL);
	expect(&r, 403);
	resp_done(&r);
	b = kj_xasprintf(rb_body, "pod-reader", "Role", "pod-reader", "qa");
	r = admin("PUT", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/pod-reader", b);
	free(b);
	expect(&r, 200);
	resp_done(&r);
	/* right after the update the authorizer still has the old subject */
	r = call("GET", "/api/v1/namespaces/dev/pods", ci, NULL);
	expect(&r, 200);
	resp_done(&r);
	cr_assert_eq(poll_code("GET", "/api/v1/namespaces/dev/pods", qa, NULL, 200, o.rbac_delay_ms + 3000),
	             200);
	r = call("GET", "/api/v1/namespaces/dev/pods", ci, NULL);
	expect(&r, 403);
	resp_done(&r);
	kj_free_secret(ci);
	kj_free_secret(qa);
}

Test(authz, escalation_and_bind_through_the_api)
{
	struct resp r;
	char *tok, *b;

	tok = new_sa_token("dev", "ci");
	/* ci may write roles and rolebindings, and read pods — nothing more */
	b = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"rbac-writer\"},\"rules\":[{\"verbs\":[\"create\",\"update\"],"
	    "\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"]},"
	    "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]}");
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, "rbac-writer", "Role", "rbac-writer", "ci");
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", b);
	free(b);
	/* until the authorizer sees the binding, the get is forbidden, not 404 */
	cr_assert_eq(
	    poll_code("GET", "/api/v1/namespaces/dev/pods/none", tok, NULL, 404, TEST_RBAC_DELAY_MS + 2000),
	    404);

	b = kj_xasprintf(role_body, "more", "\"get\",\"delete\"", "pods");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", tok, b);
	free(b);
	expect(&r, 403);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "roles.rbac.authorization.k8s.io \"more\" is forbidden: user \"system:serviceaccount:dev:ci\" "
	    "(groups=[\"system:serviceaccounts\" \"system:serviceaccounts:dev\" "
	    "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently "
	    "held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "roles");
	cr_assert_str_eq(jpath(r.json, "details.group"), "rbac.authorization.k8s.io");
	resp_done(&r);
	b = kj_xasprintf(role_body, "less", "\"get\"", "pods");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	/* binding a missing role: its lookup's 404 */
	b = kj_xasprintf(rb_body, "rb-x", "Role", "nope", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "roles.rbac.authorization.k8s.io \"nope\" not found");
	resp_done(&r);
	/* binding cluster-admin: not held */
	b = kj_xasprintf(rb_body, "rb-admin", "ClusterRole", "cluster-admin", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 403);
	cr_assert(strstr(jpath(r.json, "message"), "rolebindings.rbac.authorization.k8s.io \"rb-admin\" is "
	                                           "forbidden: user \"system:serviceaccount:dev:ci\""));
	resp_done(&r);
	/* binding a role whose rules ci holds is fine */
	b = kj_xasprintf(rb_body, "rb-less", "Role", "less", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	kj_free_secret(tok);
}

/* ------------------------------------------------------------ reviews */

Test(authz, self_subject_access_review)
{
	struct resp r;
	char *tok;
	const char *ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

	tok = new_sa_token("dev", "ci");
	grant("pod-reader", "\"list\"", "pods", "ci");
	cr_assert_eq(
	    poll_code("GET", "/api/v1/namespaces/dev/pods", tok, NULL, 200, TEST_RBAC_DELAY_MS + 2000), 200);
	r = call(
	    "POST", ssar, tok,
	    "{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\",\"metadata\":"
	    "{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":"
	    "\"list\",\"resource\":\"pods\"}},\"status\":{\"allowed\":false}}");
	expect(&r, 201);
	cr_assert_str_eq(
	    r.body, "{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
	            "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":"
	            "{\"namespace\":\"dev\",\"verb\":\"list\",\"resource\":\"pods\"}},\"status\":"
	            "{\"allowed\":true,\"reason\":\"RBAC: allowed by RoleBinding \\\"pod-reader/dev\\\" of "
	            "Role \\\"pod-reader\\\" to ServiceAccount \\\"ci/dev\\\"\"}}");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"delete\","
	         "\"resource\":\"pods\"}}}");
	expect(&r, 201);
	cr_assert(strstr(r.body, "\"status\":{\"allowed\":false}"), "%s", r.body);
	resp_done(&r);
	r = call("POST", ssar, tok, "{\"spec\":{}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
	                 "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
	                 "nonResourceAttributes or resourceAttributes must be specified");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\"},\"nonResourceAttributes\":{\"path\":"
	         "\"/api\","
	         "\"verb\":\"get\"}}}");
	expect(&r, 422);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: "
	    "Invalid value: authorization.NonResourceAttributes{Path:\"/api\", Verb:\"get\"}: cannot be "
	    "specified in combination with resourceAttributes");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"nonResourceAttributes\":{\"path\":\"/apis/x\",\"verb\":\"get\"}}}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.allowed"), "true");
	resp_done(&r);
	kj_free_secret(tok);
}

Test(authz, self_subject_rules_review)
{
	struct resp r;
	char *tok;
	const char *ssrr = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

	tok = new_sa_token("dev", "ci");
	grant("pod-reader", "\"list\"", "pods", "ci");
	cr_assert_eq(
	    poll_code("GET", "/api/v1/namespaces/dev/pods", tok, NULL, 200, TEST_RBAC_DELAY_MS + 2000), 200);
	r = call("POST", ssrr, tok, "{\"spec\":{}}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"), "no namespace on request");
	resp_done(&r);
	r = call(
	    "POST", ssrr, tok,
	    "{\"kind\":\"SelfSubjectRulesReview\",\"apiVersion\":\"authorization.k8s.io/v1\",\"metadata\":"
	    "{\"creationTimestamp\":null},\"spec\":{\"namespace\":\"dev\"},\"status\":{\"resourceRules\":"
	    "null,"
	    "\"nonResourceRules\":null,\"incomplete\":false}}");
	expect(&r, 201);
	cr_assert(strstr(r.body, "{\"verbs\":[\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}"),
	          "%s", r.body);
	cr_assert(strstr(r.body, "\"nonResourceRules\":[{"), "%s", r.body);
	cr_assert(strstr(r.body, "\"incomplete\":false"), "%s", r.body);
	cr_assert(strstr(r.body, "\"spec\":{}"), "%s", r.body);
	resp_done(&r);
	r = call("POST", ssrr, tok, "{\"spec\":{\"namespace\":\"prod\"}}");
	expect(&r, 201);
	cr_assert_null(strstr(r.body, "\"pods\""), "%s", r.body);
	resp_done(&r);
	kj_free_secret(tok);
}

Test(authz, token_review)
{
	struct resp r;
	char *tok, *body;

	tok = new_sa_token("dev", "ci");
	body = kj_xasprintf("{\"spec\":{\"token\":\"%s\"}}", tok);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.authenticated"), "true");
	cr_assert_str_eq(jpath(r.json, "status.user.username"), "system:serviceaccount:dev:ci");
	resp_done(&r);
	free(body);
	body = kj_xasprintf("{\"spec\":{\"token\":\"%s\",\"audiences\":[\"vault\"]}}", tok);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.authenticated"), "false");
	resp_done(&r);
	free(body);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", "{\"spec\":{}}");
	expect(&r, 400);
	resp_done(&r);
	kj_free_secret(tok);
}

/* ---------------------------------------------------------------- CSR */

Test(authz, csr_approval_issues_a_working_client_certificate)
{
	struct resp r;
	char *csr, *key, *body, *cert;
	size_t n;
	const char *base = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

	make_csr("alice", "devs", &csr, &key);
	body = csr_body("alice", csr, "86400");
	r = admin("POST", base, body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "spec.username"), "kubernetes-admin");
	resp_done(&r);
	r = admin(
	    "PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval",
	    "{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\",\"metadata\":"
	    "{\"name\":\"alice\"},\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\","
	    "\"reason\":\"KubectlApprove\",\"message\":\"This CSR was approved by kubectl certificate "
	    "approve.\"}]}}");
	expect(&r, 200);
	resp_done(&r);
	/* the signer controller issues the certificate a moment after approval */
	for (int i = 0;; i++) {
		r = admin("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice", NULL);
		expect(&r, 200);
		if (*jpath(r.json, "status.certificate"))
			break;
		resp_done(&r);
		cr_assert_lt(i, 100, "no certificate within 2 s of approval");
		usleep(20000);
	}
	cert = (char *)kj_b64_decode(jpath(r.json, "status.certificate"), &n);
	cr_assert_not_null(cert);
	cr_assert(strstr(cert, "BEGIN CERTIFICATE"));
	cr_assert(strstr(r.body, "\"type\":\"Approved\""));
	resp_done(&r);
	r = whoami_as(NULL, cert, key, NULL);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "alice");
	cr_assert(strstr(r.body, "\"groups\":[\"devs\",\"system:authenticated\"]"), "%s", r.body);
	resp_done(&r);
	/* once it has expired, the certificate is a 401, not anonymous */
	kj_time_set_offset(2 * 86400);
	r = whoami_as(NULL, cert, key, NULL);
	expect(&r, 401);
	cr_assert_str_eq(r.body, unauthorized_body);
	resp_done(&r);
	kj_time_set_offset(0);
	/* approval conditions follow the apiserver's rules */
	r = admin("PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval",
	          "{\"metadata\":{\"name\":\"alice\"},\"status\":{\"conditions\":[{\"type\":\"Approved\","
	          "\"status\":\"True\"},{\"type\":\"Denied\",\"status\":\"True\"}]}}");
	expect(&r, 422);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "CertificateSigningRequest.certificates.k8s.io \"alice\" is invalid: status.conditions[1].type: "
	    "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive");
	resp_done(&r);
	r = admin("PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval",
	          "{\"metadata\":{\"name\":\"alice\"},\"status\":{\"conditions\":[]}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "CertificateSigningRequest.certificates.k8s.io \"alice\" is "
	                 "invalid: status.conditions: Forbidden: updates may not remove a "
	                 "condition of type \"Approved\"");
	resp_done(&r);
	/* an unprivileged user may not approve */
	{
		char *tok = new_sa_token("dev", "ci");

		r = call("PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval", tok,
		         "{}");
		expect(&r, 403);
		resp_done(&r);
		kj_free_secret(tok);
	}
	r = admin("POST", base,
	          "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"request\":\"eA==\",\"usages\":[]}}");
	expect(&r, 422);
	resp_done(&r);
	free(cert);
	free(csr);
	kj_free_secret(key);
	free(body);
}

/* ------------------------------------------------------- impersonation */

static struct resp as_admin_with(const char *const *headers)
{
	return whoami_as(NULL, demo_admin_cert_pem(dc), demo_admin_key_pem(dc), headers);
}

Test(authz, impersonation)
{
	const char *sa[] = {"Impersonate-User: system:serviceaccount:dev:ci", NULL};
	const char *user[] = {"Impersonate-User: bob", "Impersonate-Group: devs", "Impersonate-Group: qa",
	                      "Impersonate-Extra-Team%2fName: Blue", NULL};
	const char *group_only[] = {"Impersonate-Group: devs", NULL};
	struct resp r;
	char *tok;

	r = as_admin_with(sa);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "system:serviceaccount:dev:ci");
	cr_assert(strstr(r.body, "\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:dev\","
	                         "\"system:authenticated\"]"),
	          "%s", r.body);
	resp_done(&r);
	r = as_admin_with(user);
	expect(&r, 201);
	cr_assert(strstr(r.body, "\"username\":\"bob\",\"groups\":[\"devs\",\"qa\",\"system:authenticated\"],"
	                         "\"extra\":{\"team/name\":[\"Blue\"]}"),
	          "%s", r.body);
	resp_done(&r);
	r = as_admin_with(group_only);
	expect(&r, 500);
	cr_assert(strstr(jpath(r.json, "message"), "without impersonating a user"), "%s", r.body);
	resp_done(&r);
	/* impersonation needs the impersonate verb */
	tok = new_sa_token("dev", "ci");
	r = call_full("GET", "/api/v1/namespaces/dev/pods", tok, NULL, NULL, sa + 0, NULL);
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "serviceaccounts \"ci\" is forbidden: User "
	                 "\"system:serviceaccount:dev:ci\" cannot impersonate resource "
	                 "\"serviceaccounts\" in API group \"\" in the namespace \"dev\"");
	resp_done(&r);
	kj_free_secret(tok);
}
