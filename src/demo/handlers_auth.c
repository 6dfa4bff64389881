#include "demo/handlers_auth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/authn.h"
#include "demo/authz.h"
#include "demo/escalation.h"
#include "demo/jwtsign.h"
#include "util/json.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* Response texts are the apiserver's (clients match on them): untranslated. */

#define AUTHN_GROUP "authentication.k8s.io"
#define AUTHZ_GROUP "authorization.k8s.io"

#define TOKEN_MIN_SECONDS  600
#define TOKEN_MAX_SECONDS  4294967296.0 /* 2^32 */
#define TOKEN_EXTEND_MAGIC 3607         /* kubelet's projected-token request */
#define TOKEN_EXTENDED_TTL (365 * 24 * 3600)

static const cJSON *jobj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* An index of the RBAC objects (authz_policy.c) that follows the store's
 * events: the authorizer's informer, rbac_delay_ms late, or storage as it
 * is now for the escalation checks.  Events are applied one object at a
 * time under the write lock; requests read under the read lock. */
struct authz_policy_holder {
	pthread_rwlock_t lock;
	struct authz_policy *p;
	uint64_t rv; /* the last store event applied */
	int synced;
};

static struct authz_policy_holder *holder_new(void)
{
	struct authz_policy_holder *h = kj_xcalloc(1, sizeof *h);

	pthread_rwlock_init(&h->lock, NULL);
	return h;
}

static void holder_free(struct authz_policy_holder *h)
{
	if (!h)
		return;
	authz_policy_free(h->p);
	pthread_rwlock_destroy(&h->lock);
	free(h);
}

/* ----------------------------------------------------- the informer */

#define INFORMER_BATCH_MS 100

static int informer_apply(enum obj_event type, const char *group, const char *resource, const char *ns,
                          const cJSON *obj, void *ctx)
{
	struct authz_policy *p = ctx;

	if (strcmp(group, AUTHZ_RBAC_GROUP))
		return 0;
	if (type == OBJ_DELETED)
		authz_policy_remove(p, resource, ns, obj_meta_str(obj, "name"));
	else
		authz_policy_put(p, resource, obj);
	return 0;
}

/* Under h's write lock: bring the index up to the store as it was
 * delay_ms ago (0: now), as a shared informer's watch delivers events
 * late.  A history that no longer reaches back (compaction) means a
 * relist, like an informer's after 410 Gone. */
static void holder_sync(struct demo_cluster *dc, struct authz_policy_holder *h, int64_t delay_ms)
{
	int64_t until = delay_ms > 0 ? kj_mono_ms() - delay_ms : -1;

	/* Events arrive in batches of INFORMER_BATCH_MS, as a watch delivers
	 * them in bursts: a change shows rbac_delay_ms to rbac_delay_ms +
	 * INFORMER_BATCH_MS later. */
	if (until > 0)
		until -= until % INFORMER_BATCH_MS;
	if (h->synced && objstore_events(dc->store, h->rv, until, informer_apply, h->p, &h->rv) == 0)
		return;
	authz_policy_free(h->p);
	h->p = authz_policy_new();
	/* events after this rv come next; one already in the relist is
	 * applied again, which changes nothing */
	h->rv = objstore_rv(dc->store);
	authz_policy_load(h->p, dc->store);
	h->synced = 1;
}

/* Sync h, then hold it for reading.  A sync by another request between
 * the two locks only makes the view fresher, as a later request's would. */
static const struct authz_policy *holder_get(struct demo_cluster *dc, struct authz_policy_holder *h,
                                             int64_t delay_ms)
{
	pthread_rwlock_wrlock(&h->lock);
	holder_sync(dc, h, delay_ms);
	pthread_rwlock_unlock(&h->lock);
	pthread_rwlock_rdlock(&h->lock);
	return h->p;
}

const struct authz_policy *auth_policy_get(struct demo_cluster *dc)
{
	struct demo_auth *st = dc->auth_state;

	return holder_get(dc, st->informer, dc->rbac_delay_ms);
}

/* The policy as storage has it now, for the escalation checks.  Released
 * with auth_policy_put(). */
static const struct authz_policy *stored_policy_get(struct demo_cluster *dc)
{
	struct demo_auth *st = dc->auth_state;

	return holder_get(dc, st->stored, 0);
}

void auth_policy_put(struct demo_cluster *dc, const struct authz_policy *p)
{
	struct demo_auth *st = dc->auth_state;

	pthread_rwlock_unlock(p == st->stored->p ? &st->stored->lock : &st->informer->lock);
}

enum demo_decision auth_authorize(struct demo_cluster *dc, const struct demo_authz_attrs *a, char **reason)
{
	const struct authz_policy *p = auth_policy_get(dc);
	enum demo_decision d = authz_authorize(p, a, reason);

	auth_policy_put(dc, p);
	return d;
}

/* ------------------------------------------------------- TokenRequest */

/* schema.FromAPIVersionAndKind(...).String(): "apps/v1, Kind=Deployment" */
static char *gvk_string(const char *api_version, const char *kind, char **group_out)
{
	const char *slash = strchr(api_version, '/');
	char *group, *version, *s;

	if (!*api_version) {
		group = kj_xstrdup("");
		version = kj_xstrdup("");
	} else if (!slash) {
		group = kj_xstrdup("");
		version = kj_xstrdup(api_version);
	} else if (strchr(slash + 1, '/')) {
		group = kj_xstrdup(""); /* unparsable: Go keeps only the kind */
		version = kj_xstrdup("");
	} else {
		group = kj_xstrndup(api_version, (size_t)(slash - api_version));
		version = kj_xstrdup(slash + 1);
	}
	s = kj_xasprintf("%s/%s, Kind=%s", group, version, kind);
	free(version);
	*group_out = group;
	return s;
}

/* Check spec.boundObjectRef (doc/KUBERNETES.md, "TokenRequest", step 5).  0 = fine (kind/name/uid
 * filled), -1 = replied. */
static int bind_target(struct demo_req *r, const cJSON *ref, const char *sa, const char **kind, char **name,
                       char **uid, char **node)
{
	const char *k = kj_json_str0(ref, "kind"), *n = kj_json_str0(ref, "name"),
	           *want_uid = kj_json_str0(ref, "uid");
	char *group, *gvk = gvk_string(kj_json_str0(ref, "apiVersion"), k, &group);
	const char *resource = NULL;
	cJSON *obj;

	if (!*group && !strcmp(k, "Pod"))
		resource = "pods";
	else if (!*group && !strcmp(k, "Secret"))
		resource = "secrets";
	else if (!*group && !strcmp(k, "Node"))
		resource = "nodes";
	free(group);
	if (!resource) {
		demo_reply_bad_request(r, "cannot bind token to object of type %s", gvk);
		free(gvk);
		return -1;
	}
	free(gvk);
	/* the demo cluster has no nodes: every node lookup is the 404 */
	obj = strcmp(resource, "nodes") ? objstore_get(r->dc->store, "", resource, r->ns, n) : NULL;
	if (!obj) {
		demo_reply_not_found(r, "", resource, n);
		return -1;
	}
	if (!strcmp(k, "Pod") && strcmp(obj_str(obj, "spec.serviceAccountName"), sa)) {
		char *q =
		    kj_xasprintf("cannot bind token for serviceaccount \"%s\" to pod running with different "
		                 "serviceaccount name.",
		                 sa);
		demo_reply_bad_request(r, "%s", q);
		free(q);
		cJSON_Delete(obj);
		return -1;
	}
	if (*want_uid && strcmp(want_uid, obj_meta_str(obj, "uid"))) {
		char *why =
		    kj_xasprintf("the UID in the bound object reference (%s) does not match the UID in "
		                 "record. The object might have been deleted and then recreated",
		                 want_uid);
		demo_reply_conflict(r, "", k, n, why);
		free(why);
		cJSON_Delete(obj);
		return -1;
	}
	*kind = !strcmp(k, "Pod") ? "Pod" : "Secret";
	*name = kj_xstrdup(n);
	*uid = kj_xstrdup(obj_meta_str(obj, "uid"));
	if (!strcmp(k, "Pod") && *obj_str(obj, "spec.nodeName"))
		*node = kj_xstrdup(obj_str(obj, "spec.nodeName"));
	cJSON_Delete(obj);
	return 0;
}

/* The decoding step: spec fields of the wrong JSON type are a 400 before
 * anything else is looked at.  1 = fine. */
static int decodable(struct demo_req *r, const cJSON *body)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(body, "spec");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(spec, "expirationSeconds");
	const cJSON *aud = cJSON_GetObjectItemCaseSensitive(spec, "audiences");
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(spec, "boundObjectRef");
	const cJSON *bad = NULL;
	const char *field = NULL, *type = NULL;
	int64_t whole;

	/* a number that is not a whole int64 (1.5, 1e300) fails decoding
	 * like a string does; range checks come later, as a 422 */
	if (exp && !cJSON_IsNull(exp) && !kj_json_whole(exp, INT64_MIN, INT64_MAX, &whole))
		bad = exp, field = "expirationSeconds", type = "int64";
	else if (aud && !cJSON_IsNull(aud) && !cJSON_IsArray(aud))
		bad = aud, field = "audiences", type = "[]string";
	else if (ref && !cJSON_IsNull(ref) && !cJSON_IsObject(ref))
		bad = ref, field = "boundObjectRef", type = "v1.BoundObjectReference";
	if (!bad)
		return 1;
	demo_reply_bad_request(
	    r,
	    "TokenRequest in version \"v1\" cannot be handled as a TokenRequest: json: cannot "
	    "unmarshal %s into Go struct field TokenRequestSpec.spec.%s of type %s",
	    demo_json_type(bad), field, type);
	return 0;
}

static int name_matches(struct demo_req *r, const cJSON *md)
{
	struct demo_ferrs f;
	const char *n = kj_json_str0(md, "name"), *ns = kj_json_str0(md, "namespace");

	if (*n && strcmp(n, r->name)) {
		demo_ferrs_init(&f);
		demo_ferr_add_str(&f, DEMO_FERR_INVALID, "metadata.name", n,
		                  "must match the service account name if specified");
		demo_reply_invalid(r, AUTHN_GROUP, "TokenRequest", r->name, &f);
		demo_ferrs_done(&f);
		return 0;
	}
	if (*ns && strcmp(ns, r->ns)) {
		demo_ferrs_init(&f);
		demo_ferr_add_str(&f, DEMO_FERR_INVALID, "metadata.namespace", ns,
		                  "must match the service account namespace if specified");
		demo_reply_invalid(r, AUTHN_GROUP, "TokenRequest", r->name, &f);
		demo_ferrs_done(&f);
		return 0;
	}
	return 1;
}

static cJSON *token_request_body(struct demo_req *r, int64_t created, cJSON *aud, double secs,
                                 const cJSON *ref, const char *token, int64_t expires)
{
	cJSON *o = cJSON_CreateObject(), *md, *spec, *st;

	cJSON_AddStringToObject(o, "kind", "TokenRequest");
	cJSON_AddStringToObject(o, "apiVersion", AUTHN_GROUP "/v1");
	md = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(md, "name", r->name);
	cJSON_AddStringToObject(md, "namespace", r->ns);
	kj_json_add_time(md, "creationTimestamp", created);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddItemToObject(spec, "audiences", aud);
	cJSON_AddNumberToObject(spec, "expirationSeconds", secs);
	if (ref) {
		cJSON *b = cJSON_AddObjectToObject(spec, "boundObjectRef");

		cJSON_AddStringToObject(b, "kind", kj_json_str0(ref, "kind"));
		cJSON_AddStringToObject(b, "apiVersion", kj_json_str0(ref, "apiVersion"));
		cJSON_AddStringToObject(b, "name", kj_json_str0(ref, "name"));
		if (*kj_json_str0(ref, "uid"))
			cJSON_AddStringToObject(b, "uid", kj_json_str0(ref, "uid"));
	} else {
		cJSON_AddNullToObject(spec, "boundObjectRef");
	}
	st = cJSON_AddObjectToObject(o, "status");
	cJSON_AddStringToObject(st, "token", token);
	kj_json_add_time(st, "expirationTimestamp", expires);
	return o;
}

void auth_token_request(struct demo_req *r)
{
	cJSON *body, *sa, *aud_json;
	const cJSON *spec, *aud, *exp, *ref, *it;
	const char **auds = NULL, *bkind = NULL;
	char *bname = NULL, *buid = NULL, *bnode = NULL, *tok;
	size_t naud = 0;
	double secs;
	int64_t now, ttl;
	struct jwt_sa_claims c = {0};
	kj_err e;

	if (strcmp(r->method, "POST")) {
		demo_reply_method_not_supported(r, r->verb);
		return;
	}
	if (!(body = demo_req_json(r)) || !decodable(r, body))
		return;
	if (!name_matches(r, jobj(body, "metadata")))
		return;
	if (!(sa = objstore_get(r->dc->store, "", "serviceaccounts", r->ns, r->name))) {
		demo_reply_not_found(r, "", "serviceaccounts", r->name);
		return;
	}
	spec = jobj(body, "spec");
	aud = cJSON_GetObjectItemCaseSensitive(spec, "audiences");
	exp = cJSON_GetObjectItemCaseSensitive(spec, "expirationSeconds");
	ref = jobj(spec, "boundObjectRef");
	secs = cJSON_IsNumber(exp) ? floor(exp->valuedouble) : JWTSIGN_DEFAULT_TTL;
	if (secs < TOKEN_MIN_SECONDS || secs > TOKEN_MAX_SECONDS) {
		struct demo_ferrs f;
		cJSON *v = cJSON_CreateNumber(secs);

		demo_ferrs_init(&f);
		demo_ferr_add(&f, DEMO_FERR_INVALID, "spec.expirationSeconds", v, "%s",
		              secs < TOKEN_MIN_SECONDS
		                  ? "may not specify a duration less than 10 minutes"
		                  : "may not specify a duration larger than 2^32 seconds");
		demo_reply_invalid(r, AUTHN_GROUP, "TokenRequest", "", &f);
		demo_ferrs_done(&f);
		cJSON_Delete(v);
		cJSON_Delete(sa);
		return;
	}
	if (ref && bind_target(r, ref, r->name, &bkind, &bname, &buid, &bnode) < 0) {
		cJSON_Delete(sa);
		return;
	}
	if (r->dc->max_token_expiration > 0 && secs > (double)r->dc->max_token_expiration) {
		demo_add_warning(r, "requested expiration of %.0f seconds shortened to %lld seconds", secs,
		                 (long long)r->dc->max_token_expiration);
		secs = (double)r->dc->max_token_expiration;
	}
	if (cJSON_IsArray(aud) && cJSON_GetArraySize(aud) > 0) {
		auds = kj_xcalloc((size_t)cJSON_GetArraySize(aud), sizeof *auds);
		cJSON_ArrayForEach(it, aud) if (cJSON_IsString(it)) auds[naud++] = it->valuestring;
	}
	now = kj_now();
	ttl = (int64_t)secs;
	c.ns = r->ns;
	c.sa_name = r->name;
	c.sa_uid = obj_meta_str(sa, "uid");
	c.bound_kind = bkind;
	c.bound_name = bname;
	c.bound_uid = buid;
	c.node_name = bnode;
	c.aud = auds;
	c.naud = naud;
	c.iat = now;
	c.ttl = ttl;
	/* kubelet's 3607 s pod tokens live a year, with warnafter (§1.2 step 7) */
	if (bkind && !strcmp(bkind, "Pod") && ttl == TOKEN_EXTEND_MAGIC &&
	    (!naud || (naud == 1 && !strcmp(auds[0], JWTSIGN_ISSUER)))) {
		c.ttl = TOKEN_EXTENDED_TTL;
		c.warnafter = now + ttl;
	}
	tok = jwtsign_issue(demo_auth_signer(r->dc), &c, NULL, &e);
	if (!tok) {
		demo_reply_internal(r, e.msg);
	} else {
		static const char *const api_aud[] = {JWTSIGN_ISSUER};

		aud_json = naud ? kj_json_strings(auds, naud) : kj_json_strings(api_aud, 1);
		demo_reply_json(r, 201, token_request_body(r, now, aud_json, secs, ref, tok, now + ttl));
		kj_free_secret(tok);
	}
	free(auds);
	free(bname);
	free(buid);
	free(bnode);
	cJSON_Delete(sa);
}

/* ------------------------------------------------------------ dispatch */

void auth_handle(struct demo_req *r)
{
	const char *g = r->group, *res = r->resource, *sub = r->subresource;

	if (!strcmp(res, "certificatesigningrequests")) {
		auth_csr_handle(r);
		return;
	}
	if (strcmp(r->method, "POST")) {
		demo_reply_method_not_supported(r, r->verb);
		return;
	}
	if (!*g && !strcmp(res, "serviceaccounts") && !strcmp(sub, "token"))
		auth_token_request(r);
	else if (!strcmp(g, AUTHZ_GROUP) && !strcmp(res, "selfsubjectaccessreviews"))
		auth_ssar(r);
	else if (!strcmp(g, AUTHZ_GROUP) && !strcmp(res, "selfsubjectrulesreviews"))
		auth_ssrr(r);
	else if (!strcmp(g, AUTHZ_GROUP) && !strcmp(res, "subjectaccessreviews"))
		auth_sar(r, 0);
	else if (!strcmp(g, AUTHZ_GROUP) && !strcmp(res, "localsubjectaccessreviews"))
		auth_sar(r, 1);
	else if (!strcmp(g, AUTHN_GROUP) && !strcmp(res, "selfsubjectreviews"))
		auth_self_subject_review(r);
	else if (!strcmp(g, AUTHN_GROUP) && !strcmp(res, "tokenreviews"))
		auth_token_review(r);
	else
		demo_reply_path_not_found(r);
}

/* ----------------------------------------------------------- the hooks */

static int check_escalation(struct demo_req *r, const cJSON *obj)
{
	const char *res = r->resource;
	const struct authz_policy *p;
	struct authz_verdict v;
	cJSON *old = NULL;
	int role = !strcmp(res, "roles") || !strcmp(res, "clusterroles");

	if (strcmp(r->group, AUTHZ_RBAC_GROUP) ||
	    !(role || !strcmp(res, "rolebindings") || !strcmp(res, "clusterrolebindings")))
		return 0;
	if (*r->name && strcmp(r->method, "POST"))
		old = objstore_get(r->dc->store, r->group, res, r->ns, r->name);
	/* The escalation check resolves roles from storage, not from the
	 * authorizer's informer (pkg/registry/rbac/rest/storage_rbac.go), so a
	 * Role created a moment ago already counts for its binding. */
	p = stored_policy_get(r->dc);
	if (role)
		authz_check_role_write(p, &r->user, res, r->ns, r->name, obj, old, &v);
	else
		authz_check_binding_write(p, &r->user, res, r->ns, obj, old, &v);
	auth_policy_put(r->dc, p);
	cJSON_Delete(old);
	if (v.code == 403)
		demo_reply_status(r, 403, "Forbidden", v.message,
		                  demo_details(v.name, AUTHZ_RBAC_GROUP, v.resource, NULL));
	else if (v.code == 404)
		demo_reply_status(r, 404, "NotFound", v.message,
		                  demo_details(v.name, AUTHZ_RBAC_GROUP, v.resource, NULL));
	else if (v.code)
		demo_reply_internal(r, v.message);
	authz_verdict_done(&v);
	return r->replied ? -1 : 0;
}

/* Service account issuer discovery (doc/KUBERNETES.md, "Service account issuer discovery"), readable as RBAC
 * allows */
static int handle_path(struct demo_req *r)
{
	cJSON *o;

	if (strcmp(r->method, "GET"))
		return 0;
	if (!strcmp(r->path, "/.well-known/openid-configuration")) {
		cJSON *a;

		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "issuer", JWTSIGN_ISSUER);
		{
			char *uri = kj_xasprintf("%s/openid/v1/jwks", r->dc->url);
			cJSON_AddStringToObject(o, "jwks_uri", uri);
			free(uri);
		}
		a = cJSON_AddArrayToObject(o, "response_types_supported");
		cJSON_AddItemToArray(a, cJSON_CreateString("id_token"));
		a = cJSON_AddArrayToObject(o, "subject_types_supported");
		cJSON_AddItemToArray(a, cJSON_CreateString("public"));
		a = cJSON_AddArrayToObject(o, "id_token_signing_alg_values_supported");
		cJSON_AddItemToArray(a, cJSON_CreateString("RS256"));
		demo_reply_json(r, 200, o);
		return 1;
	}
	if (!strcmp(r->path, "/openid/v1/jwks")) {
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "keys"), jwtsign_jwk(demo_auth_signer(r->dc)));
		demo_reply_raw(r, 200, "application/jwk-set+json", cJSON_PrintUnformatted(o));
		cJSON_Delete(o);
		return 1;
	}
	return 0;
}

static char *mint_sa_token(struct demo_cluster *dc, const char *ns, const char *name, int64_t seconds)
{
	cJSON *sa = objstore_get(dc->store, "", "serviceaccounts", ns, name);
	struct jwt_sa_claims c = {0};
	char *tok;
	kj_err e;

	if (!sa)
		return NULL;
	c.ns = ns;
	c.sa_name = name;
	c.sa_uid = obj_meta_str(sa, "uid");
	c.ttl = seconds > 0 ? seconds : JWTSIGN_DEFAULT_TTL;
	tok = jwtsign_issue(demo_auth_signer(dc), &c, NULL, &e);
	cJSON_Delete(sa);
	return tok;
}

static void cleanup(struct demo_cluster *dc)
{
	struct demo_auth *st = dc->auth_state;

	if (!st)
		return;
	jwtsign_free(st->signer);
	holder_free(st->informer);
	holder_free(st->stored);
	authn_cache_free(st);
	pthread_mutex_destroy(&st->cache_lock);
	free(st);
	dc->auth_state = NULL;
}

int demo_auth_install(struct demo_cluster *dc, kj_err *e)
{
	struct demo_auth *st = kj_xcalloc(1, sizeof *st);

	if (jwtsign_open(dc->state_dir, &st->signer, e) < 0) {
		free(st);
		return kj_err_prefix(e, _("demo cluster token signer: "));
	}
	st->informer = holder_new();
	st->stored = holder_new();
	pthread_mutex_init(&st->cache_lock, NULL);
	dc->auth_state = st;
	dc->hooks.authenticate = authn_request;
	dc->hooks.authorize = auth_authorize;
	dc->hooks.check_escalation = check_escalation;
	dc->hooks.handle_auth = auth_handle;
	dc->hooks.handle_path = handle_path;
	dc->hooks.mint_sa_token = mint_sa_token;
	dc->hooks.sign_csr = auth_csr_sign;
	dc->hooks.cleanup = cleanup;
	return 0;
}
