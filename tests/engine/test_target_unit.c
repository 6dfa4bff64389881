/* Target pieces that need no cluster: home resolution, RBAC manifests,
 * keys and certificate requests, preflight report JSON. */
#include "config.h"
#include <criterion/criterion.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "engine/csr.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/rbac_manifest.h"
#include "store/seal.h"
#include "util/strbuf.h"

Test(engine, resolves_home_in_order)
{
	kj_err e = {0};
	char *h;

	setenv("KUBEJIT_HOME", "/k/home", 1);
	setenv("XDG_DATA_HOME", "/xdg", 1);
	setenv("HOME", "/u", 1);
	cr_assert_eq(engine_resolve_home("/arg", &h, &e), 0);
	cr_assert_str_eq(h, "/arg");
	free(h);
	cr_assert_eq(engine_resolve_home(NULL, &h, &e), 0);
	cr_assert_str_eq(h, "/k/home");
	free(h);
	unsetenv("KUBEJIT_HOME");
	cr_assert_eq(engine_resolve_home(NULL, &h, &e), 0);
	cr_assert_str_eq(h, "/xdg/kubejit");
	free(h);
	setenv("XDG_DATA_HOME", "relative/ignored", 1);
	cr_assert_eq(engine_resolve_home(NULL, &h, &e), 0);
	cr_assert_str_eq(h, "/u/.local/share/kubejit");
	free(h);
	unsetenv("XDG_DATA_HOME");
	cr_assert_eq(engine_resolve_home(NULL, &h, &e), 0);
	cr_assert_str_eq(h, "/u/.local/share/kubejit");
	free(h);
}

Test(engine, actor_and_cert_warning_window)
{
	char tmpl[] = "/tmp/kj-eng-XXXXXX";
	struct engine *en;
	kj_err e = {0};
	char *home;

	cr_assert_not_null(mkdtemp(tmpl));
	home = kj_xasprintf("%s/h", tmpl);
	setenv("USER", "alice", 1);
	setenv("KUBEJIT_CERT_WARN", "14d", 1);
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	cr_assert(!strncmp(engine_actor(en), "alice@", 6), "%s", engine_actor(en));
	cr_assert_eq(engine_cert_warn(en), 14 * 86400);
	cr_assert_str_eq(engine_home(en), home);
	engine_close(en);
	setenv("KUBEJIT_CERT_WARN", "soon", 1);
	cr_assert_eq(engine_open(home, &en, &e), -1);
	cr_assert(strstr(e.msg, "KUBEJIT_CERT_WARN"), "%s", e.msg);
	unsetenv("KUBEJIT_CERT_WARN");
	free(home);
}

Test(rbac, fixed_manifest_is_reference_plus_secrets)
{
	struct rbac_manifest_opts o = {
	    .mode = TARGET_MODE_FIXED, .namespace_ = "kubernetes-dashboard", .name = "token-request-sa"};
	kj_err e = {0};
	char *y = rbac_manifest_yaml(&o, &e);

	cr_assert_not_null(y, "%s", e.msg);
	cr_assert(strstr(
	    y,
	    "kind: ServiceAccount\nmetadata:\n  name: token-request-sa\n  namespace: kubernetes-dashboard"));
	cr_assert(strstr(
	    y,
	    "  resources: [\"serviceaccounts/token\", \"serviceaccounts\"]\n  verbs: [\"create\", \"get\"]"));
	cr_assert(strstr(
	    y,
	    "  resources: [\"secrets\"]\n  verbs: [\"create\", \"get\", \"delete\", \"list\", \"update\"]"));
	/* the addition says why it is there */
	cr_assert(strstr(y, "# Revocable fixed tokens"), "%s", y);
	cr_assert(strstr(y, "kind: ClusterRoleBinding"));
	cr_assert(strstr(
	    y, "- kind: ServiceAccount\n  name: token-request-sa\n  namespace: kubernetes-dashboard\n"));
	free(y);
}

Test(rbac, dynamic_manifest_objects_match_reference_rules)
{
	struct rbac_manifest_opts o = {.mode = TARGET_MODE_DYNAMIC};
	cJSON *objs[3];
	kj_err e = {0};
	char *s;

	cr_assert_eq(rbac_manifest_objects(&o, objs, &e), 0, "%s", e.msg);
	s = cJSON_PrintUnformatted(objs[1]);
	cr_assert(
	    strstr(
	        s,
	        "{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"clusterroles\"],"
	        "\"verbs\":[\"get\",\"bind\",\"escalate\",\"create\",\"update\",\"delete\"]}"),
	    "%s", s);
	cr_assert(strstr(s, "\"resources\":[\"pods\"],\"verbs\":[\"list\"]"), "%s", s);
	free(s);
	s = cJSON_PrintUnformatted(objs[2]);
	cr_assert(strstr(s, "\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"kubejit-jit\","
	                    "\"namespace\":\"kube-system\"}]"),
	          "%s", s);
	free(s);
	for (int i = 0; i < 3; i++)
		cJSON_Delete(objs[i]);
	o.namespace_ = "Not A Namespace";
	cr_assert_eq(rbac_manifest_objects(&o, objs, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
}

Test(rbac, missing_yaml_grants_only_what_is_missing)
{
	struct preflight_perm p[3] = {
	    {"create", "", "serviceaccounts/token", 0, PREFLIGHT_NEED_FIXED, "mint", PREFLIGHT_HELD, NULL},
	    {"create", "", "secrets", 0, PREFLIGHT_NEED_REVOCABLE, "anchor", PREFLIGHT_MISSING, NULL},
	    {"delete", "", "secrets", 0, PREFLIGHT_NEED_REVOCABLE, "revoke", PREFLIGHT_MISSING, NULL},
	};
	char *y;

	y = rbac_missing_yaml("fix", p, 3, PREFLIGHT_NEED_FIXED | PREFLIGHT_NEED_REVOCABLE,
	                      "system:serviceaccount:kube-system:token-request-sa");
	cr_assert_not_null(y);
	cr_assert(strstr(y, "  resources: [\"secrets\"]\n  verbs: [\"create\", \"delete\"]\n"), "%s", y);
	cr_assert_null(strstr(y, "serviceaccounts/token"), "%s", y);
	cr_assert(strstr(y, "- kind: ServiceAccount\n  name: token-request-sa\n  namespace: kube-system\n"),
	          "%s", y);
	free(y);
	y = rbac_missing_yaml("fix", p, 3, PREFLIGHT_NEED_REVOCABLE, "jane \"the admin\"");
	cr_assert(
	    strstr(
	        y,
	        "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: \"jane \\\"the admin\\\"\"\n"),
	    "%s", y);
	free(y);
	cr_assert_null(rbac_missing_yaml("fix", p, 3, PREFLIGHT_NEED_FIXED, "u"), "nothing missing, no YAML");
	y = rbac_missing_yaml("fix", p, 3, PREFLIGHT_NEED_REVOCABLE, NULL);
	cr_assert(strstr(y, "# Put the user name"), "%s", y);
	cr_assert(strstr(y, "  name: \"USER\"\n"), "%s", y);
	free(y);
}

static void check_csr(enum target_key_type type, int want_nid)
{
	char *key, *req;
	BIO *bio;
	X509_REQ *r;
	EVP_PKEY *pk;
	char cn[64] = "", o[64] = "";
	kj_err e = {0};

	cr_assert_eq(csr_make(type, "jit-user", "ops", &key, &req, &e), 0, "%s", e.msg);
	cr_assert(strstr(key, "PRIVATE KEY-----"));
	bio = BIO_new_mem_buf(req, -1);
	r = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	cr_assert_not_null(r);
	pk = X509_REQ_get0_pubkey(r);
	cr_assert_eq(EVP_PKEY_base_id(pk), want_nid);
	if (want_nid == EVP_PKEY_RSA)
		cr_assert_eq(EVP_PKEY_bits(pk), 2048);
	else
		cr_assert_eq(EVP_PKEY_bits(pk), 256);
	cr_assert_eq(X509_REQ_verify(r, pk), 1);
	X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(r), NID_commonName, cn, sizeof(cn));
	X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(r), NID_organizationName, o, sizeof(o));
	cr_assert_str_eq(cn, "jit-user");
	cr_assert_str_eq(o, "ops");
	X509_REQ_free(r);
	BIO_free(bio);
	kj_free_secret(key);
	free(req);
}

Test(csr, makes_rsa_and_ec_requests)
{
	check_csr(TARGET_KEY_RSA2048, EVP_PKEY_RSA);
	check_csr(TARGET_KEY_EC_P256, EVP_PKEY_EC);
}

Test(csr, refuses_bad_pairs_and_non_pem)
{
	char *k1, *r1, *k2, *r2;
	struct csr_cert_info ci;
	kj_err e = {0};

	cr_assert_eq(csr_make(TARGET_KEY_EC_P256, "a", NULL, &k1, &r1, &e), 0);
	cr_assert_eq(csr_make(TARGET_KEY_EC_P256, "b", NULL, &k2, &r2, &e), 0);
	cr_assert_eq(csr_cert_info("not a certificate", &ci, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(csr_check_pair("nope", k1, &e), -1);
	cr_assert(strstr(e.msg, "client certificate"), "%s", e.msg);
	cr_assert_eq(csr_check_pair(NULL, k1, &e), -1);
	kj_free_secret(k1);
	free(r1);
	cr_assert_eq(csr_make(TARGET_KEY_RSA2048, "", NULL, &k1, &r1, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	kj_free_secret(k2);
	free(r2);
}

Test(preflight, report_json_round_trip)
{
	struct preflight_report *r = kj_xcalloc(1, sizeof(*r)), *back;
	const struct rbac_check *c;
	size_t n, i;
	cJSON *j;
	char *s, *s2;
	kj_err e = {0};

	c = rbac_checks(&n);
	r->health = TARGET_HEALTH_WARN;
	r->at = 1700000000;
	r->server = kj_xstrdup("https://127.0.0.1:6443");
	r->reachable = r->tls_verified = r->authenticated = 1;
	r->username = kj_xstrdup("system:serviceaccount:kube-system:token-request-sa");
	r->perms = kj_xcalloc(n, sizeof(*r->perms));
	r->n_perms = n;
	for (i = 0; i < n; i++) {
		r->perms[i].verb = c[i].verb;
		r->perms[i].group = c[i].group;
		r->perms[i].resource = c[i].resource;
		r->perms[i].needed_by = c[i].needed_by;
		r->perms[i].cluster_scoped = c[i].cluster_scoped;
		r->perms[i].why = c[i].why;
		r->perms[i].state =
		    (c[i].needed_by & PREFLIGHT_NEED_FIXED) ? PREFLIGHT_HELD : PREFLIGHT_MISSING;
	}
	r->fixed_ready = 1;
	r->summary = kj_xstrdup("as x: fixed expiry-only");
	j = preflight_report_to_json(r);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	cr_assert_eq(preflight_report_from_json(s, &back, &e), 0, "%s", e.msg);
	j = preflight_report_to_json(back);
	s2 = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	cr_assert(!strcmp(s, s2), "JSON changed on the way back");
	cr_assert_eq(back->fixed_ready, 1);
	cr_assert_eq(back->fixed_revocable, 0);
	free(s);
	free(s2);
	preflight_report_free(r);
	preflight_report_free(back);
	cr_assert_eq(preflight_report_from_json("{oops", &back, &e), -1);
}

Test(seal, round_trip_wrong_key_and_tampering)
{
	unsigned char salt[SEAL_SALT_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	unsigned char k1[SEAL_KEY_LEN], k2[SEAL_KEY_LEN], k3[SEAL_KEY_LEN];
	char *s1, *s2, *plain;
	kj_err e = {0};

	cr_assert_eq(seal_derive("correct horse", salt, k1, &e), 0, "%s", e.msg);
	cr_assert_eq(seal_derive("correct horse", salt, k3, &e), 0);
	cr_assert_eq(memcmp(k1, k3, sizeof(k1)), 0, "same passphrase and salt, same key");
	cr_assert_eq(seal_derive("wrong horse", salt, k2, &e), 0);
	cr_assert_eq(seal_derive("", salt, k2, &e), -1);

	s1 = seal_encrypt(k1, "my-token");
	s2 = seal_encrypt(k1, "my-token");
	cr_assert(seal_is_sealed(s1));
	cr_assert_null(strstr(s1, "my-token"));
	cr_assert_str_neq(s1, s2, "a fresh nonce each time");
	cr_assert_eq(seal_decrypt(k1, s1, &plain, &e), 0, "%s", e.msg);
	cr_assert_str_eq(plain, "my-token");
	kj_free_secret(plain);
	cr_assert_eq(seal_derive("wrong horse", salt, k2, &e), 0);
	cr_assert_eq(seal_decrypt(k2, s1, &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	s1[strlen(s1) - 3] = s1[strlen(s1) - 3] == 'A' ? 'B' : 'A';
	cr_assert_eq(seal_decrypt(k1, s1, &plain, &e), -1, "a changed value fails the tag");
	cr_assert_eq(seal_decrypt(k1, "kjseal1:!!", &plain, &e), -1);
	free(s1);
	free(s2);
}

Test(rbac, user_subject_for_client_certificates)
{
	struct rbac_manifest_opts o = {.mode = TARGET_MODE_DYNAMIC, .name = "jit-op", .user = "jit-operator"};
	cJSON *objs[3];
	kj_err e = {0};
	char *y = rbac_manifest_yaml(&o, &e), *s;

	cr_assert_not_null(y, "%s", e.msg);
	cr_assert_null(strstr(y, "kind: ServiceAccount"), "no ServiceAccount:\n%s", y);
	cr_assert(
	    strstr(y, "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: \"jit-operator\"\n"),
	    "%s", y);
	free(y);
	cr_assert_eq(rbac_manifest_objects(&o, objs, &e), 0, "%s", e.msg);
	cr_assert_null(objs[0]);
	s = cJSON_PrintUnformatted(objs[2]);
	cr_assert(
	    strstr(
	        s,
	        "{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"jit-operator\"}"),
	    "%s", s);
	free(s);
	cJSON_Delete(objs[1]);
	cJSON_Delete(objs[2]);
}
