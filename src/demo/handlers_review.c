/* The review APIs of the demo cluster (doc/KUBERNETES.md, "Reviews"):
 * SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview
 * (the user named in spec), SelfSubjectRulesReview, SelfSubjectReview and
 * TokenReview.  Declared in handlers_auth.h. */
#include "demo/handlers_auth.h"

#include <stdlib.h>
#include <string.h>

#include "demo/authn.h"
#include "demo/authz.h"
#include "demo/jwtsign.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* Response texts are the apiserver's (clients match on them): untranslated. */

#define AUTHN_GROUP "authentication.k8s.io"
#define AUTHZ_GROUP "authorization.k8s.io"

static const cJSON *jobj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* Go's %#v of the attributes struct, for the "both set" field error */
static cJSON *go_struct_value(const cJSON *nra)
{
	kj_buf b;
	cJSON *raw;

	kj_buf_init(&b);
	kj_buf_adds(&b, "authorization.NonResourceAttributes{Path:");
	authz_go_quote(&b, kj_json_str0(nra, "path"));
	kj_buf_adds(&b, ", Verb:");
	authz_go_quote(&b, kj_json_str0(nra, "verb"));
	kj_buf_addc(&b, '}');
	raw = cJSON_CreateRaw(b.data);
	kj_buf_done(&b);
	return raw;
}

static int metadata_empty(const cJSON *md)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, md)
	{
		if (!cJSON_IsNull(it) && !(cJSON_IsString(it) && !*it->valuestring) &&
		    !((cJSON_IsObject(it) || cJSON_IsArray(it)) && !it->child))
			return 0;
	}
	return 1;
}

/* ValidateSelfSubjectAccessReviewSpec (+ SubjectAccessReview's user rule);
 * 0 = replied 422 */
static int validate_review(struct demo_req *r, const char *kind, const cJSON *body, int need_user)
{
	const cJSON *spec = jobj(body, "spec"), *ra = jobj(spec, "resourceAttributes"),
	            *nra = jobj(spec, "nonResourceAttributes"), *md = jobj(body, "metadata");
	struct demo_ferrs f;
	int ok;

	demo_ferrs_init(&f);
	if (ra && nra) {
		cJSON *v = go_struct_value(nra);
		demo_ferr_add(&f, DEMO_FERR_INVALID, "spec.nonResourceAttributes", v, "%s",
		              "cannot be specified in combination with resourceAttributes");
		cJSON_Delete(v);
	}
	if (!ra && !nra) {
		cJSON *v = cJSON_CreateNull();
		demo_ferr_add(&f, DEMO_FERR_INVALID, "spec.resourceAttributes", v, "%s",
		              "exactly one of nonResourceAttributes or resourceAttributes must be specified");
		cJSON_Delete(v);
	}
	if (need_user && !*kj_json_str0(spec, "user") &&
	    !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "groups")))
		demo_ferr_add(&f, DEMO_FERR_REQUIRED, "spec.user", NULL, "%s",
		              "at least one of user or group must be specified");
	if (!need_user && md && !metadata_empty(md)) {
		cJSON *v = cJSON_CreateRaw("&ObjectMeta{...}");
		demo_ferr_add(&f, DEMO_FERR_INVALID, "metadata", v, "%s", "must be empty");
		cJSON_Delete(v);
	}
	ok = f.n == 0;
	if (!ok)
		demo_reply_invalid(r, AUTHZ_GROUP, kind, "", &f);
	demo_ferrs_done(&f);
	return ok;
}

static void review_attrs(const cJSON *spec, const struct demo_user *u, struct demo_authz_attrs *a)
{
	const cJSON *ra = jobj(spec, "resourceAttributes"), *nra = jobj(spec, "nonResourceAttributes");

	memset(a, 0, sizeof *a);
	a->user = u;
	if (ra) {
		a->resource_request = 1;
		a->verb = kj_json_str0(ra, "verb");
		a->group = kj_json_str0(ra, "group");
		a->resource = kj_json_str0(ra, "resource");
		a->subresource = kj_json_str0(ra, "subresource");
		a->name = kj_json_str0(ra, "name");
		a->ns = kj_json_str0(ra, "namespace");
		a->path = "";
	} else {
		a->verb = kj_json_str0(nra, "verb");
		a->path = kj_json_str0(nra, "path");
		a->group = a->resource = a->subresource = a->name = a->ns = "";
	}
}

/* The request echoed with kind/apiVersion first (Go's TypeMeta) and a fresh
 * status; metadata defaults to {"creationTimestamp":null}. */
static cJSON *echo(const cJSON *body, const char *kind, const char *api_version)
{
	cJSON *out = cJSON_CreateObject();
	const cJSON *it;

	cJSON_AddStringToObject(out, "kind", kind);
	cJSON_AddStringToObject(out, "apiVersion", api_version);
	if (!jobj(body, "metadata"))
		cJSON_AddNullToObject(cJSON_AddObjectToObject(out, "metadata"), "creationTimestamp");
	cJSON_ArrayForEach(it, body)
	{
		if (!it->string || !strcmp(it->string, "kind") || !strcmp(it->string, "apiVersion") ||
		    !strcmp(it->string, "status"))
			continue;
		cJSON_AddItemToObject(out, it->string, cJSON_Duplicate(it, 1));
	}
	return out;
}

static void reply_review(struct demo_req *r, const char *kind, const cJSON *body, enum demo_decision d,
                         const char *reason)
{
	cJSON *out = echo(body, kind, AUTHZ_GROUP "/v1"), *st;

	st = cJSON_AddObjectToObject(out, "status");
	cJSON_AddBoolToObject(st, "allowed", d == DEMO_ALLOW);
	if (reason && *reason)
		cJSON_AddStringToObject(st, "reason", reason);
	demo_reply_json(r, 201, out);
}

void auth_ssar(struct demo_req *r)
{
	cJSON *body = demo_req_json(r);
	struct demo_authz_attrs a;
	char *reason = NULL;
	enum demo_decision d;

	if (!body || !validate_review(r, "SelfSubjectAccessReview", body, 0))
		return;
	review_attrs(jobj(body, "spec"), &r->user, &a);
	d = auth_authorize(r->dc, &a, &reason);
	reply_review(r, "SelfSubjectAccessReview", body, d, reason);
	free(reason);
}

/* SubjectAccessReview and LocalSubjectAccessReview: the user comes from spec */
void auth_sar(struct demo_req *r, int local)
{
	const char *kind = local ? "LocalSubjectAccessReview" : "SubjectAccessReview";
	cJSON *body = demo_req_json(r);
	const cJSON *spec, *it;
	struct demo_user u;
	struct demo_authz_attrs a;
	char *reason = NULL;
	enum demo_decision d;

	if (!body || !validate_review(r, kind, body, 1))
		return;
	spec = jobj(body, "spec");
	if (local && strcmp(kj_json_str0(jobj(spec, "resourceAttributes"), "namespace"), r->ns)) {
		demo_reply_bad_request(r, "spec.resourceAttributes.namespace must match namespace: %s",
		                       r->ns);
		return;
	}
	demo_user_init(&u);
	demo_user_set(&u, kj_json_str0(spec, "user"), kj_json_str0(spec, "uid"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, "groups"))
	{
		if (cJSON_IsString(it))
			demo_user_add_group(&u, it->valuestring);
	}
	review_attrs(spec, &u, &a);
	d = auth_authorize(r->dc, &a, &reason);
	reply_review(r, kind, body, d, reason);
	free(reason);
	demo_user_done(&u);
}

static void copy_strings(cJSON *dst, const char *key, const cJSON *rule, const char *src_key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(rule, src_key);

	if (cJSON_IsArray(a) && cJSON_GetArraySize(a))
		cJSON_AddItemToObject(dst, key, cJSON_Duplicate(a, 1));
}

void auth_ssrr(struct demo_req *r)
{
	cJSON *body = demo_req_json(r), *out, *st, *rr, *nrr, *rules;
	const char *ns;
	const struct authz_policy *p;
	const cJSON *rule;
	char *errs = NULL;

	if (!body)
		return;
	ns = kj_json_str0(jobj(body, "spec"), "namespace");
	if (!*ns) {
		demo_reply_bad_request(r, "no namespace on request");
		return;
	}
	p = auth_policy_get(r->dc);
	rules = authz_rules_for(p, &r->user, ns, &errs);
	auth_policy_put(r->dc, p);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", "SelfSubjectRulesReview");
	cJSON_AddStringToObject(out, "apiVersion", AUTHZ_GROUP "/v1");
	cJSON_AddNullToObject(cJSON_AddObjectToObject(out, "metadata"), "creationTimestamp");
	cJSON_AddObjectToObject(out, "spec");
	st = cJSON_AddObjectToObject(out, "status");
	rr = cJSON_AddArrayToObject(st, "resourceRules");
	nrr = cJSON_AddArrayToObject(st, "nonResourceRules");
	cJSON_ArrayForEach(rule, rules)
	{
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(rule, "resources");
		const cJSON *urls = cJSON_GetObjectItemCaseSensitive(rule, "nonResourceURLs");

		if (cJSON_GetArraySize(res)) {
			cJSON *o = cJSON_CreateObject();
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(rule, "verbs");

			cJSON_AddItemToObject(o, "verbs",
			                      cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray());
			copy_strings(o, "apiGroups", rule, "apiGroups");
			copy_strings(o, "resources", rule, "resources");
			copy_strings(o, "resourceNames", rule, "resourceNames");
			cJSON_AddItemToArray(rr, o);
		}
		if (cJSON_GetArraySize(urls)) {
			cJSON *o = cJSON_CreateObject();
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(rule, "verbs");

			cJSON_AddItemToObject(o, "verbs",
			                      cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray());
			copy_strings(o, "nonResourceURLs", rule, "nonResourceURLs");
			cJSON_AddItemToArray(nrr, o);
		}
	}
	cJSON_AddBoolToObject(st, "incomplete", 0);
	if (errs)
		cJSON_AddStringToObject(st, "evaluationError", errs);
	free(errs);
	cJSON_Delete(rules);
	demo_reply_json(r, 201, out);
}

static cJSON *user_info(const struct demo_user *u)
{
	cJSON *ui = cJSON_CreateObject();
	size_t i;

	if (u->name && *u->name)
		cJSON_AddStringToObject(ui, "username", u->name);
	if (u->uid && *u->uid)
		cJSON_AddStringToObject(ui, "uid", u->uid);
	if (u->ngroups) {
		cJSON *g = cJSON_AddArrayToObject(ui, "groups");

		for (i = 0; i < u->ngroups; i++)
			cJSON_AddItemToArray(g, cJSON_CreateString(u->groups[i]));
	}
	if (u->extra && u->extra->child)
		cJSON_AddItemToObject(ui, "extra", cJSON_Duplicate(u->extra, 1));
	return ui;
}

void auth_self_subject_review(struct demo_req *r)
{
	cJSON *out, *md;

	if (!demo_req_json(r))
		return;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", "SelfSubjectReview");
	cJSON_AddStringToObject(out, "apiVersion", AUTHN_GROUP "/v1");
	md = cJSON_AddObjectToObject(out, "metadata");
	{
		char buf[32];

		kj_time_rfc3339(kj_now(), buf, sizeof buf);
		cJSON_AddStringToObject(md, "creationTimestamp", buf);
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(out, "status"), "userInfo", user_info(&r->user));
	demo_reply_json(r, 201, out);
}

void auth_token_review(struct demo_req *r)
{
	cJSON *body = demo_req_json(r), *out, *st;
	const cJSON *spec, *aud, *it;
	const char *tok, **auds = NULL;
	static const char *const api_aud[] = {JWTSIGN_ISSUER};
	size_t naud = 0;
	struct demo_user u;
	kj_err e;
	int ok;

	if (!body)
		return;
	spec = jobj(body, "spec");
	tok = kj_json_str0(spec, "token");
	if (!*tok) {
		demo_reply_bad_request(r, "token is required for TokenReview in authentication");
		return;
	}
	aud = cJSON_GetObjectItemCaseSensitive(spec, "audiences");
	if (cJSON_GetArraySize(aud)) {
		auds = kj_xcalloc((size_t)cJSON_GetArraySize(aud), sizeof *auds);
		cJSON_ArrayForEach(it, aud) if (cJSON_IsString(it)) auds[naud++] = it->valuestring;
	}
	demo_user_init(&u);
	ok = authn_token(r->dc, tok, auds, naud, &u, &e) == 0;
	if (ok)
		demo_user_add_group(&u, "system:authenticated");
	out = echo(body, "TokenReview", AUTHN_GROUP "/v1");
	st = cJSON_AddObjectToObject(out, "status");
	cJSON_AddBoolToObject(st, "authenticated", ok);
	cJSON_AddItemToObject(st, "user", ok ? user_info(&u) : cJSON_CreateObject());
	if (ok)
		cJSON_AddItemToObject(st, "audiences",
		                      naud ? kj_json_strings(auds, naud) : kj_json_strings(api_aud, 1));
	else
		cJSON_AddStringToObject(st, "error", e.msg);
	demo_user_done(&u);
	free(auds);
	demo_reply_json(r, 201, out);
}
