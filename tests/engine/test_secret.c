/* Secret validation, namespace/TTL rules and output formats (pure). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "engine/output.h"
#include "engine/secret.h"
#include "util/names.h"
#include "util/strbuf.h"

static void dyn(struct secret *s)
{
	secret_init(s);
	s->path = kj_xstrdup("/prod/read-pods");
	s->target = kj_xstrdup("demo");
	s->mode = SECRET_DYNAMIC;
	s->role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s->role_name = kj_xstrdup("view");
	kj_strv_split(&s->allowed_namespaces, "dev,team-*");
}

Test(secret, path_normalize)
{
	char *p;
	kj_err e;

	cr_assert_eq(secret_path_normalize("prod//web/read-pods/", &p, &e), 0);
	cr_assert_str_eq(p, "/prod/web/read-pods");
	char *f = secret_path_folder(p);
	cr_assert_str_eq(f, "/prod/web");
	free(f);
	free(p);
	cr_assert_eq(secret_path_normalize("/a/../b", &p, &e), -1);
	cr_assert_eq(secret_path_normalize("/a b", &p, &e), -1);
	cr_assert(strstr(e.msg, "' '"), "%s", e.msg);
	cr_assert_eq(secret_path_normalize("///", &p, &e), -1);
}

Test(secret, validate_dynamic_and_namespaces)
{
	struct secret s;
	char *ns;
	kj_err e;

	dyn(&s);
	cr_assert_eq(secret_validate(&s, &e), 0, "%s", e.msg);
	cr_assert(secret_namespace_allowed(&s, "team-a"));
	cr_assert_not(secret_namespace_allowed(&s, "kube-system"));
	cr_assert_eq(secret_resolve_namespace(&s, "kube-system", &ns, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_str_eq(e.msg,
	                 "namespace \"kube-system\" is not allowed for secret /prod/read-pods (allowed: dev, "
	                 "team-*)");
	cr_assert_eq(secret_resolve_namespace(&s, NULL, &ns, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	cr_assert_eq(secret_resolve_namespace(&s, "dev", &ns, &e), 0);
	cr_assert_str_eq(ns, "dev");
	free(ns);

	kj_strv_push(&s.allowed_namespaces, "Bad_NS");
	cr_assert_eq(secret_validate(&s, &e), -1);
	cr_assert(strstr(e.msg, "Bad_NS"));
	secret_done(&s);

	dyn(&s);
	kj_kvv_set(&s.labels, "kubejit.io/lease", "x");
	cr_assert_eq(secret_validate(&s, &e), -1);
	cr_assert(strstr(e.msg, "reserved"));
	secret_done(&s);

	dyn(&s);
	s.role_source = ROLE_SOURCE_YAML;
	s.role_yaml = kj_xstrdup("kind: Role\nrules:\n- verbs: [get]\n");
	cr_assert_eq(secret_validate(&s, &e), -1);
	cr_assert(strstr(e.msg, "role YAML:3:3: rules[0].apiGroups"), "%s", e.msg);
	secret_done(&s);
}

Test(secret, ttl_rules)
{
	struct secret s;
	int64_t t;
	kj_err e;

	dyn(&s);
	s.default_ttl = 900;
	s.max_ttl = 3600;
	cr_assert_eq(secret_resolve_ttl(&s, 0, &t, &e), 0);
	cr_assert_eq(t, 900);
	cr_assert_eq(secret_resolve_ttl(&s, 60, &t, &e), 0);
	cr_assert_eq(t, 60);
	cr_assert_eq(secret_resolve_ttl(&s, 7200, &t, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_str_eq(e.msg, "TTL 2h is over the maximum 1h of secret /prod/read-pods");
	s.default_ttl = 7200;
	cr_assert_eq(secret_validate(&s, &e), -1);
	cr_assert(strstr(e.msg, "longer than the max"));
	secret_done(&s);
}

Test(secret, fixed_mode)
{
	struct secret s;
	char *ns;
	kj_err e;

	secret_init(&s);
	s.path = kj_xstrdup("/dash");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_FIXED;
	s.ns = kj_xstrdup("kubernetes-dashboard");
	cr_assert_eq(secret_validate(&s, &e), -1);
	cr_assert(strstr(e.msg, "service account"));
	s.service_account = kj_xstrdup("kubernetes-dashboard");
	cr_assert_eq(secret_validate(&s, &e), 0, "%s", e.msg);
	cr_assert_eq(secret_resolve_namespace(&s, NULL, &ns, &e), 0);
	cr_assert_str_eq(ns, "kubernetes-dashboard");
	free(ns);
	cr_assert_eq(secret_resolve_namespace(&s, "dev", &ns, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	secret_done(&s);
}

/* The audience and name-prefix rules, through secret_validate() as the
 * command line meets them and alone as the Secret wizard checks its field. */
Test(secret, audiences_and_name_prefix)
{
	static const struct {
		const char *aud, *prefix, *want; /* want NULL: valid */
	} rows[] = {
	    {"https://vault.example.com", NULL, NULL},
	    {"a,b \"c\" \xc3\xa9", NULL, NULL},
	    {"", NULL, "an audience may not be empty"},
	    {"a\nb", NULL,
	     "audience \"a\\u000Ab\" has a control character or a byte that is not UTF-8 at byte 2"},
	    {"a\033[2J", NULL, "has a control character"},
	    {"a\377", NULL, "has a control character or a byte that is not UTF-8 at byte 2"},
	    {NULL, "ci", NULL},
	    {NULL, "", NULL},
	    {NULL, "abcdefghijklmnopqrst", NULL},
	    {NULL, "abcdefghijklmnopqrstu", "name prefix \"abcdefghijklmnopqrstu\" is not usable"},
	    {NULL, "BAD_", "name prefix \"BAD_\" is not usable in object names"},
	    {NULL, "-x", "is not usable"},
	    {NULL, "a.b", "is not usable"},
	};
	char big[1026];
	struct secret s;
	kj_err e;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc;

		dyn(&s);
		if (rows[i].aud)
			kj_strv_push(&s.audiences, rows[i].aud);
		if (rows[i].prefix)
			s.name_prefix = kj_xstrdup(rows[i].prefix);
		kj_err_clear(&e);
		rc = secret_validate(&s, &e);
		cr_expect_eq(rc, rows[i].want ? -1 : 0, "row %zu: %s", i, e.msg);
		if (rows[i].want) {
			cr_expect(strstr(e.msg, rows[i].want), "row %zu: %s", i, e.msg);
			cr_expect_neq(e.hint[0], 0, "row %zu: a hint", i);
			cr_expect_eq(e.cls, KJ_ERR_INVALID, "row %zu", i);
		}
		kj_err_clear(&e);
		rc = rows[i].aud ? secret_check_audience(rows[i].aud, &e)
		                 : secret_check_name_prefix(rows[i].prefix, &e);
		cr_expect_eq(rc, rows[i].want ? -1 : 0, "row %zu alone: %s", i, e.msg);
		secret_done(&s);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	cr_assert_eq(secret_check_audience(big + 1, &e), 0, "1024 bytes: %s", e.msg);
	cr_assert_eq(secret_check_audience(big, &e), -1);
	cr_assert(strstr(e.msg, "audience is 1025 bytes long; the limit is 1024"), "%s", e.msg);
	cr_assert_eq(secret_check_audience(NULL, &e), -1);
}

static struct mint_result sample(void)
{
	struct mint_result r;

	memset(&r, 0, sizeof(r));
	strcpy(r.lease_id, "0b3c2d1e-0000-4000-8000-000000000001");
	r.token = kj_xstrdup("aaa.bbb.ccc");
	r.token_expiry = 1735790645;
	r.lease_expiry = 1735787105;
	r.secret = kj_xstrdup("/prod/read-pods");
	r.target = kj_xstrdup("demo");
	r.ns = kj_xstrdup("dev");
	r.service_account = kj_xstrdup("kubejit-prod-read-pods-x2b4c");
	r.server = kj_xstrdup("https://127.0.0.1:6443");
	r.ca_pem = kj_xstrdup("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	return r;
}

Test(output, exec_credential_shapes)
{
	struct mint_result r = sample();
	char *s = output_render(&r, OUTPUT_EXEC);
	cJSON *j = cJSON_Parse(s);

	cr_assert_str_eq(cJSON_GetObjectItem(j, "apiVersion")->valuestring,
	                 "client.authentication.k8s.io/v1");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, "ExecCredential");
	cJSON *st = cJSON_GetObjectItem(j, "status");
	cr_assert_str_eq(cJSON_GetObjectItem(st, "token")->valuestring, "aaa.bbb.ccc");
	cr_assert_str_eq(cJSON_GetObjectItem(st, "expirationTimestamp")->valuestring, "2025-01-02T04:04:05Z");
	cJSON_Delete(j);
	kj_free_secret(s);
	s = output_render(&r, OUTPUT_EXEC_V1BETA1);
	cr_assert(strstr(s, "client.authentication.k8s.io/v1beta1"));
	kj_free_secret(s);
	/* a revocable lease ending before its token: the credential ends with
	 * the lease (kubectl asks again in time) */
	r.revocable = 1;
	s = output_render(&r, OUTPUT_EXEC);
	j = cJSON_Parse(s);
	st = cJSON_GetObjectItem(j, "status");
	cr_assert_str_eq(cJSON_GetObjectItem(st, "expirationTimestamp")->valuestring, "2025-01-02T03:05:05Z");
	cJSON_Delete(j);
	kj_free_secret(s);
	mint_result_done(&r);
}

/* The kubeconfig must be YAML a Kubernetes client reads: parse it back. */
Test(output, kubeconfig_parses)
{
	struct mint_result r = sample();
	char *s = output_render(&r, OUTPUT_KUBECONFIG);
	yaml_parser_t p;
	yaml_document_t d;

	cr_assert(strstr(s, "certificate-authority-data: LS0tLS1CRUdJTi"));
	cr_assert(strstr(s, "    namespace: dev\n"), "%s", s);
	cr_assert(strstr(s, "current-context: demo\n"), "%s", s);
	cr_assert(strstr(s, "token: aaa.bbb.ccc\n"), "%s", s);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)s, strlen(s));
	cr_assert(yaml_parser_load(&p, &d));
	cr_assert_not_null(yaml_document_get_root_node(&d));
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	kj_free_secret(s);
	mint_result_done(&r);
}

Test(output, write_file_0600_no_overwrite)
{
	char dir[] = "/tmp/kj-out-XXXXXX";
	struct stat st;
	kj_err e;

	cr_assert_not_null(mkdtemp(dir));
	char *path = kj_xasprintf("%s/kubeconfig", dir);
	cr_assert_eq(output_write_file(path, "one\n", 0, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(output_write_file(path, "two\n", 0, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.hint, "--force"));
	cr_assert_eq(output_write_file(path, "two\n", 1, &e), 0, "%s", e.msg);
	FILE *f = fopen(path, "r");
	char buf[16] = {0};
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "two\n");
	unlink(path);
	rmdir(dir);
	free(path);
}

Test(mint, object_names_are_dns_labels)
{
	char n[64];

	mint_object_name(NULL, "/prod/web/Read Pods", n);
	cr_assert(!strncmp(n, "kubejit-prod-web-read-pods-", 27), "%s", n);
	cr_assert_eq(strlen(n), 32);
	cr_assert(kj_is_dns1123_label(n));
	mint_object_name("ci",
	                 "/a/very/long/path/that/goes/on/and/on/and/on/forever/and/ever/more/words/here", n);
	cr_assert(strlen(n) <= 63, "%zu", strlen(n));
	cr_assert(kj_is_dns1123_label(n), "%s", n);
	cr_assert(!strncmp(n, "ci-a-very", 9));
	cr_assert_eq(mint_token_seconds(60), 600);
	cr_assert_eq(mint_token_seconds(3600), 3600);
}
