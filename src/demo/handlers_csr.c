/* CertificateSigningRequests (certificates.k8s.io/v1) of the demo cluster:
 * create records the requesting user in spec, the `approval` subresource
 * takes Approved/Denied conditions (and needs `approve` on the signer), and
 * the kubernetes.io/kube-apiserver-client signer issues a client certificate
 * from the cluster CA csr_signer_delay_ms after approval, on the controllers'
 * thread, as kube-controller-manager's signer does (pkg/controller/
 * certificates/signer); with csr_signer_none it never does, as on managed
 * clusters without --cluster-signing-* keys.  Any other signer name (such
 * as kubejit.io/access-request) is never signed: its CSR stays Pending
 * until approved or denied.  Create checks the request's self-signature,
 * and a plain update keeps spec and status (doc/KUBERNETES.md, "Access
 * requests").  Declared in handlers_auth.h. */
#include "demo/handlers_auth.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/json.h"
#include "util/b64.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define CERTS_GROUP     "certificates.k8s.io"
#define CSR_RESOURCE    "certificatesigningrequests"
#define CLIENT_SIGNER   "kubernetes.io/kube-apiserver-client"
#define DEFAULT_SIGNING (365LL * 24 * 3600) /* --cluster-signing-duration 8760h */

static cJSON *obj_child(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsObject(v)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		v = cJSON_AddObjectToObject(o, key);
	}
	return v;
}

static void set_item(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

static const char *const known_usages[] = {"signing",
                                           "digital signature",
                                           "content commitment",
                                           "key encipherment",
                                           "key agreement",
                                           "data encipherment",
                                           "cert sign",
                                           "crl sign",
                                           "encipher only",
                                           "decipher only",
                                           "any",
                                           "server auth",
                                           "client auth",
                                           "code signing",
                                           "email protection",
                                           "s/mime",
                                           "ipsec end system",
                                           "ipsec tunnel",
                                           "ipsec user",
                                           "timestamping",
                                           "ocsp signing",
                                           "microsoft sgc",
                                           "netscape sgc",
                                           NULL};

/* The PEM text of spec.request, NULL when it is not a CERTIFICATE REQUEST */
static char *request_pem(const cJSON *spec)
{
	size_t n = 0;
	unsigned char *raw = kj_b64_decode(kj_json_str0(spec, "request"), &n);
	BIO *b;
	X509_REQ *req;

	if (!raw || !n) {
		free(raw);
		return NULL;
	}
	b = BIO_new_mem_buf(raw, (int)n);
	req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (!req) {
		free(raw);
		return NULL;
	}
	X509_REQ_free(req);
	return (char *)raw;
}

/* validateCSR: csr.CheckSignature(), the request is signed by its own key */
static int request_signed(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509_REQ *req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = req ? X509_REQ_get0_pubkey(req) : NULL;
	int ok = k && X509_REQ_verify(req, k) == 1;

	X509_REQ_free(req);
	BIO_free(b);
	ERR_clear_error();
	return ok;
}

/* ValidateCertificateSigningRequestCreate, the parts clients meet */
/* The decoding step: spec.expirationSeconds is an *int32; anything that
 * does not decode into one (a string, 1.5, 2^31, 1e300) is a 400 before
 * validation, as encoding/json reports it.  1 = fine. */
static int decodable_csr(struct demo_req *r, const cJSON *obj)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(spec, "expirationSeconds");
	int64_t v;

	if (!exp || cJSON_IsNull(exp) || kj_json_whole(exp, INT32_MIN, INT32_MAX, &v))
		return 1;
	demo_reply_bad_request(r,
	                       "CertificateSigningRequest in version \"v1\" cannot be handled as a "
	                       "CertificateSigningRequest: json: cannot unmarshal %s into Go struct field "
	                       "CertificateSigningRequestSpec.spec.expirationSeconds of type int32",
	                       demo_json_type(exp));
	return 0;
}

static int validate_csr(struct demo_req *r, const cJSON *obj)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const cJSON *usages = cJSON_GetObjectItemCaseSensitive(spec, "usages"), *u;
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(spec, "expirationSeconds");
	const char *signer = kj_json_str0(spec, "signerName");
	struct demo_ferrs f;
	char *pem = request_pem(spec);
	int i, ok;

	demo_ferrs_init(&f);
	if (!pem || !request_signed(pem)) {
		cJSON *v = cJSON_CreateRaw("[]byte{...}");
		demo_ferr_add(&f, DEMO_FERR_INVALID, "spec.request", v, "%s",
		              pem ? "x509: signature verification failure"
		                  : "PEM block type must be CERTIFICATE REQUEST");
		cJSON_Delete(v);
	}
	free(pem);
	if (!cJSON_GetArraySize(usages))
		demo_ferr_add(&f, DEMO_FERR_REQUIRED, "spec.usages", NULL, "%s", "usages must be provided");
	i = 0;
	cJSON_ArrayForEach(u, usages)
	{
		size_t k;
		int known = 0;
		char field[64];

		const cJSON *prev;

		for (k = 0; known_usages[k]; k++)
			known |= cJSON_IsString(u) && !strcmp(u->valuestring, known_usages[k]);
		snprintf(field, sizeof field, "spec.usages[%d]", i++);
		cJSON_ArrayForEach(prev, usages)
		{
			if (prev == u)
				break;
			if (cJSON_IsString(prev) && cJSON_IsString(u) &&
			    !strcmp(prev->valuestring, u->valuestring)) {
				demo_ferr_add(&f, DEMO_FERR_DUPLICATE, field, u, "%s", "");
				break;
			}
		}
		if (!known)
			demo_ferr_add(
			    &f, DEMO_FERR_NOT_SUPPORTED, field, u, "%s",
			    "supported values: \"any\", \"cert sign\", \"client auth\", \"code signing\", "
			    "\"content commitment\", \"crl sign\", \"data encipherment\", \"decipher only\", "
			    "\"digital signature\", \"email protection\", \"encipher only\", \"ipsec end "
			    "system\", \"ipsec tunnel\", \"ipsec user\", \"key agreement\", \"key "
			    "encipherment\", \"microsoft sgc\", \"netscape sgc\", \"ocsp signing\", "
			    "\"s/mime\", \"server auth\", \"signing\", \"timestamping\"");
	}
	if (!*signer)
		demo_ferr_add(&f, DEMO_FERR_REQUIRED, "spec.signerName", NULL, "%s", "");
	else if (!strcmp(signer, "kubernetes.io/legacy-unknown"))
		demo_ferr_add_str(&f, DEMO_FERR_INVALID, "spec.signerName", signer,
		                  "the legacy signerName is not allowed via this API version");
	else if (!strchr(signer, '/'))
		demo_ferr_add_str(
		    &f, DEMO_FERR_INVALID, "spec.signerName", signer,
		    "must be a fully qualified domain and path of the form 'example.com/signer-name'");
	if (cJSON_IsNumber(exp) && exp->valuedouble < 600)
		demo_ferr_add(&f, DEMO_FERR_INVALID, "spec.expirationSeconds", exp, "%s",
		              "may not specify a duration less than 600 seconds (10 minutes)");
	ok = f.n == 0;
	if (!ok)
		demo_reply_invalid(r, CERTS_GROUP, "CertificateSigningRequest", obj_meta_str(obj, "name"),
		                   &f);
	demo_ferrs_done(&f);
	return ok;
}

/* PrepareForCreate: who asked is recorded by the server, status starts empty */
static void csr_create(struct demo_req *r)
{
	cJSON *obj = demo_req_json(r), *spec;
	const struct demo_user *u = &r->user;
	size_t i;

	if (!obj)
		return;
	spec = obj_child(obj, "spec");
	set_item(spec, "username", cJSON_CreateString(u->name ? u->name : ""));
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "uid");
	if (u->uid && *u->uid)
		cJSON_AddStringToObject(spec, "uid", u->uid);
	set_item(spec, "groups", cJSON_CreateArray());
	for (i = 0; i < u->ngroups; i++)
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(spec, "groups"),
		                     cJSON_CreateString(u->groups[i]));
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "extra");
	if (u->extra && u->extra->child)
		cJSON_AddItemToObject(spec, "extra", cJSON_Duplicate(u->extra, 1));
	set_item(obj, "status", cJSON_CreateObject());
	if (!decodable_csr(r, obj) || !validate_csr(r, obj))
		return;
	demo_crud_handle(r);
}

/* IsAuthorizedForSignerName: `approve` on signers/<name> or <domain>/<star> */
static int may_approve(struct demo_req *r, const char *signer)
{
	struct demo_authz_attrs a = {0};
	const char *slash = strchr(signer, '/');
	char *reason = NULL, *wild;
	int ok;

	a.user = &r->user;
	a.verb = "approve";
	a.resource_request = 1;
	a.group = CERTS_GROUP;
	a.resource = "signers";
	a.subresource = "";
	a.ns = "";
	a.path = "";
	a.name = signer;
	ok = auth_authorize(r->dc, &a, &reason) == DEMO_ALLOW;
	free(reason);
	reason = NULL;
	if (ok || !slash)
		return ok;
	wild = kj_xasprintf("%.*s/*", (int)(slash - signer), signer);
	a.name = wild;
	ok = auth_authorize(r->dc, &a, &reason) == DEMO_ALLOW;
	free(reason);
	free(wild);
	return ok;
}

static int has_condition(const cJSON *conds, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, conds)
	{
		if (!strcmp(kj_json_str0(c, "type"), type) && strcmp(kj_json_str0(c, "status"), "False"))
			return 1;
	}
	return 0;
}

static int count_type(const cJSON *conds, const char *type)
{
	const cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, conds) n += !strcmp(kj_json_str0(c, "type"), type);
	return n;
}

/* validateConditions + the update rule that Approved/Denied/Failed stay;
 * 0 = replied 422 */
static int validate_conditions(struct demo_req *r, const cJSON *conds, const cJSON *old)
{
	static const char *const final[] = {"Approved", "Denied", "Failed"};
	struct demo_ferrs f;
	const cJSON *c, *prev;
	int i = 0, approved = 0, denied = 0, ok;
	size_t k;
	char field[64];

	demo_ferrs_init(&f);
	cJSON_ArrayForEach(c, conds)
	{
		const char *type = kj_json_str0(c, "type"), *st = kj_json_str0(c, "status");
		int is_final =
		    !strcmp(type, "Approved") || !strcmp(type, "Denied") || !strcmp(type, "Failed");

		snprintf(field, sizeof field, "status.conditions[%d].type", i);
		if (!*type)
			demo_ferr_add(&f, DEMO_FERR_REQUIRED, field, NULL, "%s", "");
		snprintf(field, sizeof field, "status.conditions[%d].status", i);
		if (!*st)
			demo_ferr_add(&f, DEMO_FERR_REQUIRED, field, NULL, "%s", "");
		else if (is_final ? strcmp(st, "True")
		                  : (strcmp(st, "True") && strcmp(st, "False") && strcmp(st, "Unknown")))
			demo_ferr_add_str(&f, DEMO_FERR_NOT_SUPPORTED, field, st,
			                  is_final ? "supported values: \"True\""
			                           : "supported values: \"False\", \"True\", \"Unknown\"");
		snprintf(field, sizeof field, "status.conditions[%d].type", i);
		if (!strcmp(type, "Approved") && (approved = 1) && denied)
			demo_ferr_add_str(&f, DEMO_FERR_INVALID, field, type,
			                  "Approved and Denied conditions are mutually exclusive");
		if (!strcmp(type, "Denied") && (denied = 1) && approved)
			demo_ferr_add_str(&f, DEMO_FERR_INVALID, field, type,
			                  "Approved and Denied conditions are mutually exclusive");
		cJSON_ArrayForEach(prev, conds)
		{
			if (prev == c)
				break;
			if (!strcmp(kj_json_str0(prev, "type"), type)) {
				demo_ferr_add_str(&f, DEMO_FERR_DUPLICATE, field, type, "");
				break;
			}
		}
		i++;
	}
	for (k = 0; k < sizeof final / sizeof final[0]; k++) {
		if (count_type(conds, final[k]) < count_type(old, final[k])) {
			char *why =
			    kj_xasprintf("updates may not remove a condition of type \"%s\"", final[k]);
			demo_ferr_add(&f, DEMO_FERR_FORBIDDEN, "status.conditions", NULL, "%s", why);
			free(why);
		}
	}
	ok = f.n == 0;
	if (!ok)
		demo_reply_invalid(r, CERTS_GROUP, "CertificateSigningRequest", r->name, &f);
	demo_ferrs_done(&f);
	return ok;
}

/* The kube-apiserver-client signer: clientAuth usages only. */
static void issue(struct demo_cluster *dc, cJSON *csr)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(csr, "spec"), *st = obj_child(csr, "status");
	const cJSON *u, *exp = cJSON_GetObjectItemCaseSensitive(spec, "expirationSeconds");
	int client = 0, other = 0;
	char *pem, *cert, *enc;
	int64_t secs =
	    cJSON_IsNumber(exp) ? kj_clamp_double(exp->valuedouble, 0, INT32_MAX) : DEFAULT_SIGNING;
	kj_err e;

	if (strcmp(kj_json_str0(spec, "signerName"), CLIENT_SIGNER) || *kj_json_str0(st, "certificate"))
		return;
	cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(spec, "usages"))
	{
		const char *s = cJSON_IsString(u) ? u->valuestring : "";

		if (!strcmp(s, "client auth"))
			client = 1;
		else if (strcmp(s, "digital signature") && strcmp(s, "key encipherment"))
			other = 1;
	}
	pem = request_pem(spec);
	cert = client && !other && pem ? demo_pki_sign_csr(dc, pem, secs, &e) : NULL;
	free(pem);
	if (!cert) {
		cJSON *conds = cJSON_GetObjectItemCaseSensitive(st, "conditions"), *c = cJSON_CreateObject();
		char now[32];

		kj_time_rfc3339(kj_now(), now, sizeof now);
		cJSON_AddStringToObject(c, "type", "Failed");
		cJSON_AddStringToObject(c, "status", "True");
		cJSON_AddStringToObject(c, "reason", "SignerValidationFailure");
		cJSON_AddStringToObject(c, "message",
		                        client && !other ? "cannot sign the request"
		                                         : "invalid usage for client certificate");
		cJSON_AddStringToObject(c, "lastUpdateTime", now);
		cJSON_AddStringToObject(c, "lastTransitionTime", now);
		cJSON_AddItemToArray(conds, c);
		return;
	}
	enc = kj_b64_encode(cert, strlen(cert));
	set_item(st, "certificate", cJSON_CreateString(enc));
	free(enc);
	free(cert);
}

/* PUT .../approval: only status.conditions are taken from the body */
static void csr_approval(struct demo_req *r)
{
	cJSON *body = demo_req_json(r), *cur, *conds, *c, *out = NULL;
	const char *rv;
	char now[32];
	enum obj_rc rc;
	int sign;

	if (!body)
		return;
	if (!(cur = objstore_get(r->dc->store, CERTS_GROUP, CSR_RESOURCE, "", r->name))) {
		demo_reply_not_found(r, CERTS_GROUP, CSR_RESOURCE, r->name);
		return;
	}
	if (!may_approve(r, obj_str(cur, "spec.signerName"))) {
		char *why = kj_xasprintf("user not permitted to approve requests with signerName \"%s\"",
		                         obj_str(cur, "spec.signerName"));
		demo_reply_forbidden(r, CERTS_GROUP, CSR_RESOURCE, r->name, why);
		free(why);
		cJSON_Delete(cur);
		return;
	}
	conds =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "status"), "conditions");
	conds = cJSON_IsArray(conds) ? cJSON_Duplicate(conds, 1) : cJSON_CreateArray();
	if (!validate_conditions(r, conds,
	                         cJSON_GetObjectItemCaseSensitive(
	                             cJSON_GetObjectItemCaseSensitive(cur, "status"), "conditions"))) {
		cJSON_Delete(conds);
		cJSON_Delete(cur);
		return;
	}
	kj_time_rfc3339(kj_now(), now, sizeof now);
	cJSON_ArrayForEach(c, conds)
	{
		if (!*kj_json_str0(c, "lastUpdateTime"))
			set_item(c, "lastUpdateTime", cJSON_CreateString(now));
		if (!*kj_json_str0(c, "lastTransitionTime"))
			set_item(c, "lastTransitionTime", cJSON_CreateString(now));
	}
	set_item(obj_child(cur, "status"), "conditions", conds);
	/* the signer controller signs later, or never on a managed cluster */
	sign = has_condition(conds, "Approved") && !has_condition(conds, "Failed") &&
	       !r->dc->csr_signer_none && !strcmp(obj_str(cur, "spec.signerName"), CLIENT_SIGNER);
	/* optimistic concurrency on the client's resourceVersion */
	rv = obj_meta_str(body, "resourceVersion");
	set_item(obj_child(cur, "metadata"), "resourceVersion",
	         cJSON_CreateString(*rv ? rv : obj_meta_str(cur, "resourceVersion")));
	rc = objstore_update(r->dc->store, CERTS_GROUP, CSR_RESOURCE, "", r->name, cur, &out);
	if (rc == OBJ_OK && sign) {
		demo_controllers_enqueue(r->dc, DEMO_JOB_SIGN_CSR, CERTS_GROUP, CSR_RESOURCE, "", r->name,
		                         obj_meta_str(cur, "uid"), r->dc->csr_signer_delay_ms);
		if (r->dc->csr_signer_delay_ms <= 0) {
			/* signed before the answer: answer with the certificate */
			cJSON_Delete(out);
			out = objstore_get(r->dc->store, CERTS_GROUP, CSR_RESOURCE, "", r->name);
		}
	}
	if (rc == OBJ_OK)
		demo_reply_json(r, 200, out);
	else if (rc == OBJ_CONFLICT)
		demo_reply_conflict(
		    r, CERTS_GROUP, CSR_RESOURCE, r->name,
		    "the object has been modified; please apply your changes to the latest version "
		    "and try again");
	else
		demo_reply_not_found(r, CERTS_GROUP, CSR_RESOURCE, r->name);
	cJSON_Delete(cur);
}

void auth_csr_sign(struct demo_cluster *dc, const char *name)
{
	cJSON *cur = objstore_get(dc->store, CERTS_GROUP, CSR_RESOURCE, "", name), *conds;

	if (!cur)
		return;
	conds =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cur, "status"), "conditions");
	if (has_condition(conds, "Approved") && !has_condition(conds, "Failed") &&
	    !has_condition(conds, "Denied") && !*obj_str(cur, "status.certificate")) {
		issue(dc, cur);
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(cur, "metadata"),
		                                        "resourceVersion");
		objstore_update(dc->store, CERTS_GROUP, CSR_RESOURCE, "", name, cur, NULL);
	}
	cJSON_Delete(cur);
}

void auth_csr_handle(struct demo_req *r)
{
	const char *m = r->method, *sub = r->subresource;

	if (!*sub && !strcmp(m, "POST")) {
		csr_create(r);
	} else if (!strcmp(sub, "approval") && !strcmp(m, "PUT")) {
		csr_approval(r);
	} else if (*sub && !strcmp(m, "GET")) {
		cJSON *o = objstore_get(r->dc->store, CERTS_GROUP, CSR_RESOURCE, "", r->name);

		if (o)
			demo_reply_json(r, 200, o);
		else
			demo_reply_not_found(r, CERTS_GROUP, CSR_RESOURCE, r->name);
	} else if (*sub) {
		demo_reply_method_not_supported(r, r->verb);
	} else {
		demo_crud_handle(r);
	}
}
