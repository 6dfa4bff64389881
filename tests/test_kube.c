/* Tests of the cluster client (src/kube): pure parsers first. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kinds.h"
#include "kube/status.h"
#include "util/err.h"

Test(kinds, paths_follow_group_scope_and_subresource)
{
	char *p = kube_kind_path(kube_kind(KUBE_SERVICEACCOUNT), "dev", "ci");
	cr_assert_str_eq(p, "/api/v1/namespaces/dev/serviceaccounts/ci");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_ROLE), "dev", NULL);
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_ROLE), NULL, NULL);
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/roles");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_CLUSTERROLE), "ignored", "system:basic-user");
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:basic-user");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_TOKENREQUEST), "kube-system", "token-request-sa");
	cr_assert_str_eq(p, "/api/v1/namespaces/kube-system/serviceaccounts/token-request-sa/token");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_NAMESPACE), NULL, "prod");
	cr_assert_str_eq(p, "/api/v1/namespaces/prod");
	free(p);
	p = kube_kind_subpath(kube_kind(KUBE_CSR), NULL, "alice", "approval");
	cr_assert_str_eq(p, "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_SSAR), NULL, NULL);
	cr_assert_str_eq(p, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_SELFSUBJECTREVIEW), NULL, NULL);
	cr_assert_str_eq(p, "/apis/authentication.k8s.io/v1/selfsubjectreviews");
	free(p);
}

Test(kinds, odd_names_are_escaped_and_impossible_paths_refused)
{
	char *p = kube_kind_path(kube_kind(KUBE_ROLE), "dev", "a b/c");
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/a%20b%2Fc");
	free(p);
	cr_assert_null(kube_kind_path(kube_kind(KUBE_TOKENREQUEST), "dev", NULL));
	cr_assert_null(kube_kind_path(kube_kind(KUBE_SECRET), NULL, "x"));
	cr_assert_null(kube_kind(KUBE_KIND_COUNT));
}

Test(kinds, lookup_by_kind_plural_and_resource)
{
	cr_assert_eq(kube_kind_find("Role")->id, KUBE_ROLE);
	cr_assert_eq(kube_kind_find("clusterrolebindings")->id, KUBE_CLUSTERROLEBINDING);
	cr_assert_eq(kube_kind_find("roles.rbac.authorization.k8s.io")->id, KUBE_ROLE);
	cr_assert_eq(kube_kind_find("serviceaccounts/token")->id, KUBE_TOKENREQUEST);
	cr_assert_eq(kube_kind_find("serviceaccounts")->id, KUBE_SERVICEACCOUNT);
	cr_assert_null(kube_kind_find("deployments"));
	char buf[96];
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_ROLEBINDING), buf, sizeof buf),
	                 "rolebindings.rbac.authorization.k8s.io");
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_SECRET), buf, sizeof buf), "secrets");
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_TOKENREQUEST), buf, sizeof buf),
	                 "serviceaccounts/token");
	cr_assert_str_eq(kube_kind(KUBE_TOKENREQUEST)->api_version, "authentication.k8s.io/v1");
	cr_assert_eq(kube_kind(KUBE_CLUSTERROLE)->namespaced, 0);
}

static void decode(long code, const char *body, kj_err *e)
{
	kj_err_clear(e);
	cr_assert_eq(kube_status_to_err(code, body, body ? strlen(body) : 0, "https://127.0.0.1:6443", e),
	             -1);
}

Test(status, forbidden_keeps_reason_and_message)
{
	kj_err e;
	decode(
	    403,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"serviceaccounts \\\"sa\\\" is forbidden: User \\\"bob\\\" cannot create resource "
	    "\\\"serviceaccounts/token\\\" in API group \\\"\\\" in the namespace \\\"dev\\\"\","
	    "\"reason\":\"Forbidden\",\"details\":{\"name\":\"sa\",\"kind\":\"serviceaccounts\"},\"code\":"
	    "403}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_eq(e.http_status, 403);
	cr_assert_str_eq(e.reason, "Forbidden");
	cr_assert_str_eq(e.msg, "serviceaccounts \"sa\" is forbidden: User \"bob\" cannot create resource "
	                        "\"serviceaccounts/token\" in API group \"\" in the namespace \"dev\"");
	cr_assert(strlen(e.hint) > 0);
}

Test(status, classes_follow_http_codes)
{
	kj_err e;
	decode(401,
	       "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	       "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_str_eq(e.msg, "Unauthorized");
	decode(
	    404,
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"serviceaccounts \\\"x\\\" not found\","
	    "\"reason\":\"NotFound\",\"code\":404}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_str_eq(e.reason, "NotFound");
	decode(409,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"roles.rbac.authorization.k8s.io "
	       "\\\"foo\\\" already exists\",\"reason\":\"AlreadyExists\",\"code\":409}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert_str_eq(e.reason, "AlreadyExists");
	decode(
	    422,
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"TokenRequest.authentication.k8s.io "
	    "\\\"\\\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less "
	    "than 10 minutes\",\"reason\":\"Invalid\",\"code\":422}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "less than 10 minutes"));
	decode(400,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"no namespace on request\","
	       "\"reason\":\"BadRequest\",\"code\":400}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(kube_status_class(500), KJ_ERR_FAIL);
}

Test(status, non_status_bodies_give_specific_messages)
{
	kj_err e;
	decode(502, "<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", &e);
	cr_assert_eq(e.cls, KJ_ERR_FAIL);
	cr_assert_eq(e.http_status, 502);
	cr_assert_str_eq(e.msg, "the server answered HTTP 502 (BadGateway): <html><head><title>502 Bad "
	                        "Gateway</title></head>");
	decode(403, "", &e);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_str_eq(e.msg, "the server answered HTTP 403 (Forbidden)");
	decode(401, NULL, &e);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	/* A Status that is not a Failure is not trusted as an error text. */
	decode(500, "{\"kind\":\"Status\",\"status\":\"Success\",\"reason\":\"Weird\"}", &e);
	cr_assert_str_eq(e.msg, "the server answered HTTP 500 (Weird)");
	decode(418, "short and stout", &e);
	cr_assert_str_eq(e.msg, "the server answered HTTP 418: short and stout");
}

Test(status, parse_exposes_details)
{
	struct kube_status st;
	const char *b =
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"m\",\"reason\":\"AlreadyExists\","
	    "\"details\":{\"name\":\"foo\",\"group\":\"rbac.authorization.k8s.io\",\"kind\":\"roles\","
	    "\"retryAfterSeconds\":1},\"code\":409}";
	cr_assert_eq(kube_status_parse(b, strlen(b), &st), 0);
	cr_assert_str_eq(st.details_name, "foo");
	cr_assert_str_eq(st.details_group, "rbac.authorization.k8s.io");
	cr_assert_str_eq(st.details_kind, "roles");
	cr_assert_eq(st.retry_after, 1);
	cr_assert_eq(st.code, 409);
	kube_status_done(&st);
	cr_assert_eq(kube_status_parse("{\"kind\":\"Pod\"}", 14, &st), -1);
	cr_assert_eq(kube_status_parse("nope", 4, &st), -1);
}
