/* Unit tests of the cluster client (src/kube): parsers, paths, kubeconfig
 * files and in-cluster set-up, without a cluster. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/http.h"
#include "kube/incluster.h"
#include "kube/kinds.h"
#include "kube/kubeconfig.h"
#include "kube/status.h"
#include "util/b64.h"
#include "util/err.h"
#include "util/strbuf.h"

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
	cr_assert_str_eq(e.hint, "");
	decode(404,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"the server could not find the "
	       "requested resource\",\"reason\":\"NotFound\",\"code\":404}",
	       &e);
	cr_assert(strstr(e.hint, "does not serve this API"), "%s", e.hint);
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

/* ---- Warning headers ------------------------------------------------------------ */

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

Test(warning, parses_one_several_and_escaped_texts)
{
	char **l = NULL;
	size_t n = 0;
	cr_assert_eq(
	    kube_warning_parse("299 - \"requested expiration of 100000 seconds shortened to 86400 seconds\"",
	                       &l, &n),
	    1);
	cr_assert_str_eq(l[0], "requested expiration of 100000 seconds shortened to 86400 seconds");
	cr_assert_eq(
	    kube_warning_parse("299 - \"a \\\"quoted\\\" word\", 299 kube-apiserver \"second\" \"Sat, 01 Jan "
	                       "2000 00:00:00 GMT\"",
	                       &l, &n),
	    2);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(l[1], "a \"quoted\" word");
	cr_assert_str_eq(l[2], "second");
	free_list(l, n);
}

Test(warning, malformed_values_add_nothing)
{
	char **l = NULL;
	size_t n = 0;
	cr_assert_eq(kube_warning_parse("", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("garbage", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("299 - unquoted", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("299 - \"unterminated", &l, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(l);
}

/* ---- client construction ---------------------------------------------------------- */

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	return kj_xasprintf("%s/tests/data/%s", top ? top : ".", name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	kj_buf b;
	kj_buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	return kj_buf_steal(&b);
}

Test(client, validates_its_description)
{
	kj_err e;
	struct kube_client *c = NULL;
	struct kube_conn conn = {.server = "ftp://x"};
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	conn.server = "not a url at all";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	conn.server = "https://127.0.0.1:6443";
	conn.ca = "definitely not a certificate";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert(strstr(e.msg, "CA"));
	conn.ca = NULL;
	conn.client_cert = "-----BEGIN CERTIFICATE-----\n";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert(strstr(e.msg, "key"));
	conn.client_cert = NULL;

	char *path = data_path("kube-ca.crt");
	char *pem = slurp(path);
	conn.ca = pem;
	conn.insecure = 1;
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert_str_eq(e.msg, "specifying a root certificates file with the insecure flag is not allowed");
	conn.insecure = 0;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kube_client_server(c), "https://127.0.0.1:6443");
	kube_client_free(c);
	/* base64 of PEM, as in certificate-authority-data */
	char *b64 = kj_b64_encode(pem, strlen(pem));
	char *back = kube_ca_to_pem(b64, &e);
	cr_assert_str_eq(back, pem);
	free(back);
	free(b64);
	free(pem);
	free(path);
}

/* ---- kubeconfig --------------------------------------------------------------------- */

static struct kubeconfig *load_ab(void)
{
	char *a = data_path("kubeconfig-a.yaml"), *b = data_path("kubeconfig-b.yaml");
	char *missing = data_path("no-such-kubeconfig");
	char *list = kj_xasprintf("%s:%s:%s", missing, a, b);
	struct kubeconfig *kc = NULL;
	kj_err e;
	cr_assert_eq(kubeconfig_load(list, &kc, &e), 0, "%s", e.msg);
	free(a);
	free(b);
	free(missing);
	free(list);
	return kc;
}

Test(kubeconfig, merges_first_definition_wins)
{
	struct kubeconfig *kc = load_ab();
	cr_assert_str_eq(kubeconfig_current_context(kc), "dev");
	cr_assert_eq(kubeconfig_n_contexts(kc), 8);
	cr_assert_str_eq(kubeconfig_context_name(kc, 0), "dev");
	cr_assert_str_eq(kubeconfig_context_name(kc, 7), "other");

	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.context, "dev");
	cr_assert_str_eq(ci.server, "https://127.0.0.1:6443");
	cr_assert_str_eq(ci.token, "abc.def.ghi");
	cr_assert_str_eq(ci.namespace, "team-a");
	cr_assert_str_eq(ci.tls_server_name, "kubernetes.default");
	cr_assert(strstr(ci.ca_pem, "BEGIN CERTIFICATE"));
	cr_assert(strstr(ci.ca_path, "tests/data/kube-ca.crt"));
	struct kube_conn conn = {0};
	kube_context_to_conn(&ci, &conn);
	struct kube_client *c = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	kube_client_free(c);
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "other", &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.server, "https://second.example:443");
	cr_assert_str_eq(ci.proxy_url, "http://proxy.example:3128");
	cr_assert_str_eq(ci.token, "second-token");
	cr_assert_str_eq(ci.namespace, "prod");
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
}

Test(kubeconfig, token_files_certs_and_insecure)
{
	struct kubeconfig *kc = load_ab();
	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, "files", &ci, &e), 0, "%s", e.msg);
	cr_assert_null(ci.token);
	cr_assert_eq(ci.token_file[0], '/');
	cr_assert(strstr(ci.token_file, "tests/data/kube-token.txt"));
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "certs", &ci, &e), 0, "%s", e.msg);
	cr_assert_eq(ci.insecure, 1);
	cr_assert_null(ci.ca_pem);
	cr_assert_str_eq(ci.client_cert_pem,
	                 "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n");
	cr_assert(strstr(ci.client_key_pem, "PRIVATE KEY"));
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "conflict", &ci, &e), -1);
	cr_assert(strstr(e.msg, "insecure flag is not allowed"));
	kubeconfig_free(kc);
}

Test(kubeconfig, refuses_plugins_and_names_what_is_missing)
{
	struct kubeconfig *kc = load_ab();
	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, "sso", &ci, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "user \"oidc\""), "%s", e.msg);
	cr_assert(strstr(e.msg, "kubelogin"), "%s", e.msg);
	cr_assert(strlen(e.hint) > 0);
	cr_assert_eq(kubeconfig_resolve(kc, "gke", &ci, &e), -1);
	cr_assert(strstr(e.msg, "user \"gcp\"") && strstr(e.msg, "auth-provider"), "%s", e.msg);

	cr_assert_eq(kubeconfig_resolve(kc, "nope", &ci, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "context \"nope\" not found"), "%s", e.msg);
	cr_assert(strstr(e.msg, "available contexts: dev, files, certs, sso, gke, broken, conflict, other"),
	          "%s", e.msg);
	cr_assert_eq(kubeconfig_resolve(kc, "broken", &ci, &e), -1);
	cr_assert(strstr(e.msg, "cluster \"nowhere\""), "%s", e.msg);
	kubeconfig_free(kc);
}

Test(kubeconfig, load_errors)
{
	struct kubeconfig *kc = NULL;
	kj_err e;
	char *bad = data_path("kubeconfig-bad.yaml");
	cr_assert_eq(kubeconfig_load(bad, &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "kubeconfig-bad.yaml:"), "%s", e.msg);
	free(bad);
	cr_assert_eq(kubeconfig_load("/nonexistent/a:/nonexistent/b", &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_eq(kubeconfig_load_buffer("[1, 2]", 6, "mem", &kc, &e), -1);
	cr_assert_eq(kubeconfig_load_buffer("", 0, "mem", &kc, &e), 0);
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &(struct kube_context_info){0}, &e), -1);
	cr_assert(strstr(e.msg, "no current-context"), "%s", e.msg);
	kubeconfig_free(kc);
}

Test(kubeconfig, written_token_config_reads_back)
{
	char *capath = data_path("kube-ca.crt");
	char *ca = slurp(capath);
	struct kubeconfig_spec s = {
	    .cluster_name = "true",
	    .user_name = "123",
	    .context_name = "a: b #c",
	    .server = "https://[::1]:6443",
	    .ca_pem = ca,
	    .tls_server_name = "kubernetes.default.svc",
	    .namespace = "yes",
	    .token = "eyJhbGciOi.x-y_z.sig",
	};
	kj_err e;
	char *text = kubeconfig_render(&s, &e);
	cr_assert_not_null(text, "%s", e.msg);
	cr_assert(strstr(text, "- name: \"true\""), "%s", text);
	cr_assert(strstr(text, "namespace: \"yes\""), "%s", text);
	struct kubeconfig *kc = NULL;
	cr_assert_eq(kubeconfig_load_buffer(text, strlen(text), "written", &kc, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kubeconfig_current_context(kc), "a: b #c");
	struct kube_context_info ci;
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.cluster, "true");
	cr_assert_str_eq(ci.user, "123");
	cr_assert_str_eq(ci.server, "https://[::1]:6443");
	cr_assert_str_eq(ci.ca_pem, ca);
	cr_assert_str_eq(ci.tls_server_name, "kubernetes.default.svc");
	cr_assert_str_eq(ci.namespace, "yes");
	cr_assert_str_eq(ci.token, "eyJhbGciOi.x-y_z.sig");
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
	kj_free_secret(text);
	free(ca);
	free(capath);
}

Test(kubeconfig, written_exec_config_has_what_kubectl_requires)
{
	const char *args[] = {"get", "/prod/read pods", "--namespace", "dev"};
	struct kubeconfig_env env[] = {{"KUBEJIT_HOME", "/home/op/.local/share/kubejit"}, {"EMPTY", ""}};
	struct kubeconfig_spec s = {
	    .server = "https://127.0.0.1:6443",
	    .namespace = "dev",
	    .exec_command = "/usr/bin/kubejit",
	    .exec_args = args,
	    .n_exec_args = 4,
	    .exec_env = env,
	    .n_exec_env = 2,
	    .exec_provide_cluster_info = 1,
	};
	kj_err e;
	char *text = kubeconfig_render(&s, &e);
	cr_assert_not_null(text, "%s", e.msg);
	cr_assert(strstr(text, "apiVersion: client.authentication.k8s.io/v1\n"), "%s", text);
	cr_assert(strstr(text, "interactiveMode: Never\n"), "%s", text);
	cr_assert(strstr(text, "provideClusterInfo: true\n"), "%s", text);
	cr_assert(strstr(text, "- /prod/read pods\n"), "%s", text);
	cr_assert(strstr(text, "value: \"\"\n"), "%s", text);
	cr_assert(strstr(text, "current-context: kubejit\n"), "%s", text);
	/* Reading it back as a target source is refused, naming the plugin. */
	struct kubeconfig *kc = NULL;
	cr_assert_eq(kubeconfig_load_buffer(text, strlen(text), "written", &kc, &e), 0, "%s", e.msg);
	struct kube_context_info ci;
	cr_assert_eq(kubeconfig_resolve(kc, "kubejit", &ci, &e), -1);
	cr_assert(strstr(e.msg, "/usr/bin/kubejit"), "%s", e.msg);
	kubeconfig_free(kc);
	free(text);
}

Test(kubeconfig, write_is_private_and_exclusive)
{
	char dir[] = "/tmp/kube-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = kj_xasprintf("%s/config", dir);
	struct kubeconfig_spec s = {.server = "https://127.0.0.1:6443", .token = "t1"};
	kj_err e;
	cr_assert_eq(kubeconfig_write(path, &s, 0, &e), 0, "%s", e.msg);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(kubeconfig_write(path, &s, 0, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.hint, "--force"));
	s.token = "t2";
	cr_assert_eq(kubeconfig_write(path, &s, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *text = slurp(path);
	cr_assert(strstr(text, "token: t2"));
	free(text);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* ---- in-cluster --------------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = kj_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

Test(incluster, needs_both_variables_with_client_go_text)
{
	unsetenv("KUBERNETES_SERVICE_HOST");
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct kube_incluster ic;
	kj_err e;
	cr_assert_eq(kube_incluster_load("/nonexistent", &ic, &e), -1);
	cr_assert_str_eq(e.msg, "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
	                        "KUBERNETES_SERVICE_PORT must be defined");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	cr_assert_eq(kube_incluster_load("/nonexistent", &ic, &e), -1);
	cr_assert(strstr(e.msg, "/nonexistent/token"), "%s", e.msg);
}

Test(incluster, reads_the_service_account_directory)
{
	char dir[] = "/tmp/kube-sa-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "token", "tok\n");
	char *capath = data_path("kube-ca.crt");
	char *ca = slurp(capath);
	write_file(dir, "ca.crt", ca);
	write_file(dir, "namespace", "team-a\n");
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	unsetenv("POD_NAMESPACE");
	setenv("KUBEJIT_SERVICEACCOUNT_DIR", dir, 1);
	struct kube_incluster ic;
	kj_err e;
	cr_assert_eq(kube_incluster_load(NULL, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.server, "https://[fd00::1]:443");
	cr_assert_str_eq(ic.namespace, "team-a");
	cr_assert_str_eq(ic.ca_pem, ca);
	char *tf = kj_xasprintf("%s/token", dir);
	cr_assert_str_eq(ic.token_file, tf);
	struct kube_conn conn = {0};
	kube_incluster_to_conn(&ic, &conn);
	struct kube_client *c = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	kube_client_free(c);
	kube_incluster_done(&ic);

	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("POD_NAMESPACE", "from-env", 1);
	cr_assert_eq(kube_incluster_load(dir, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.server, "https://10.96.0.1:443");
	cr_assert_str_eq(ic.namespace, "from-env");
	kube_incluster_done(&ic);
	unsetenv("POD_NAMESPACE");
	char *nsp = kj_xasprintf("%s/namespace", dir);
	unlink(nsp);
	cr_assert_eq(kube_incluster_load(dir, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.namespace, "default");
	kube_incluster_done(&ic);
	char *cap = kj_xasprintf("%s/ca.crt", dir);
	unlink(cap);
	unlink(tf);
	rmdir(dir);
	free(cap);
	free(nsp);
	free(tf);
	free(ca);
	free(capath);
}
