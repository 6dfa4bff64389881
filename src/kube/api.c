/* api: typed calls built on kube_request_many(). */
#include "kube/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

const char *kube_meta(const cJSON *obj, const char *field)
{
	return kj_json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), field);
}

const char *kube_label(const cJSON *obj, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	return kj_json_str(cJSON_GetObjectItemCaseSensitive(m, "labels"), key);
}

const char *kube_annotation(const cJSON *obj, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	return kj_json_str(cJSON_GetObjectItemCaseSensitive(m, "annotations"), key);
}

/* Wipe every string in a tree before it is freed: answers may hold tokens or
 * Secret data. */
static void json_wipe(cJSON *j)
{
	if (j->valuestring)
		kj_wipe(j->valuestring, strlen(j->valuestring));
	for (cJSON *c = j->child; c; c = c->next)
		json_wipe(c);
}

void kube_json_free_secret(cJSON *j)
{
	if (!j)
		return;
	json_wipe(j);
	cJSON_Delete(j);
}

#define json_free_secret kube_json_free_secret

/* Query escaping (RFC 3986 unreserved kept). */
static void add_escaped(kj_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~", ch)) {
			kj_buf_addc(b, (char)ch);
		} else {
			kj_buf_addc(b, '%');
			kj_buf_addc(b, hex[ch >> 4]);
			kj_buf_addc(b, hex[ch & 15]);
		}
	}
}

/* ---- ops -> calls -> results --------------------------------------------------- */

struct prepared {
	char *path;
	char *query;
	char *body; /* may hold secrets */
};

static const char delete_body[] =
    "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}";

static int prepare(const struct kube_op *op, struct prepared *p, struct kube_call *call, kj_err *e)
{
	const struct kube_kind *k = kube_kind(op->kind);
	char res[128];
	memset(p, 0, sizeof *p);
	memset(call, 0, sizeof *call);
	if (!k)
		return kj_err_set(e, KJ_ERR_FAIL, _("unknown resource kind %d"), (int)op->kind);
	const char *ns = op->ns;
	const char *name = op->name;
	if (op->obj && (!ns || !*ns))
		ns = kube_meta(op->obj, "namespace");
	if ((op->verb == KUBE_OP_UPDATE) && (!name || !*name))
		name = kube_meta(op->obj, "name");
	if (k->namespaced && (!ns || !*ns) && (op->verb != KUBE_OP_GET || (name && *name)))
		return kj_err_set(e, KJ_ERR_USAGE, _("%s needs a namespace"),
		                  kube_kind_resource(k, res, sizeof res));
	switch (op->verb) {
	case KUBE_OP_GET:
		call->method = "GET";
		p->path = kube_kind_path(k, ns, name);
		break;
	case KUBE_OP_DELETE:
		call->method = "DELETE";
		p->path = name && *name ? kube_kind_path(k, ns, name) : NULL;
		call->body = delete_body;
		break;
	case KUBE_OP_DELETE_COLLECTION: {
		kj_buf q;

		/* an empty selector would match every object of the kind */
		if (!op->selector || !*op->selector)
			return kj_err_set(e, KJ_ERR_USAGE,
			                  _("%s: deleting a collection needs a label selector"),
			                  kube_kind_resource(k, res, sizeof res));
		call->method = "DELETE";
		p->path = kube_kind_path(k, ns, NULL);
		kj_buf_init(&q);
		kj_buf_adds(&q, "labelSelector=");
		add_escaped(&q, op->selector);
		p->query = kj_buf_steal(&q);
		call->query = p->query;
		call->body = delete_body;
		break;
	}
	case KUBE_OP_CREATE:
	case KUBE_OP_UPDATE: {
		if (!op->obj)
			return kj_err_set(e, KJ_ERR_USAGE, _("no object given"));
		call->method = op->verb == KUBE_OP_CREATE ? "POST" : "PUT";
		if (op->verb == KUBE_OP_UPDATE)
			p->path = name && *name ? kube_kind_path(k, ns, name) : NULL;
		else
			p->path = kube_kind_path(k, ns, k->subresource ? name : NULL);
		cJSON *o = cJSON_Duplicate(op->obj, 1);
		if (!cJSON_GetObjectItemCaseSensitive(o, "kind"))
			cJSON_AddStringToObject(o, "kind", k->kind);
		if (!cJSON_GetObjectItemCaseSensitive(o, "apiVersion"))
			cJSON_AddStringToObject(o, "apiVersion", k->api_version);
		p->body = cJSON_PrintUnformatted(o);
		json_free_secret(o);
		call->body = p->body;
		/* Resending a create is safe when nothing is stored (reviews,
		 * TokenRequest) or when a 409 can be told to be our own object
		 * (see own_conflict()). */
		if (op->verb == KUBE_OP_CREATE)
			call->retry_post = k->create_only || kube_label(op->obj, KUBE_LEASE_LABEL) != NULL;
		break;
	}
	}
	if (!p->path)
		return kj_err_set(e, KJ_ERR_USAGE, _("%s: a name is needed"),
		                  kube_kind_resource(k, res, sizeof res));
	call->path = p->path;
	return 0;
}

static void prepared_done(struct prepared *p)
{
	free(p->path);
	free(p->query);
	kj_free_secret(p->body);
}

/* Parse the answer of a successful call into op->result. */
static void finish(struct kube_op *op, struct kube_call *call)
{
	op->rc = call->rc;
	op->err = call->err;
	op->result = NULL;
	if (call->rc != 0) {
		if (op->verb == KUBE_OP_DELETE && call->resp.status == 404)
			op->rc = KUBE_GONE;
		return;
	}
	if (op->verb == KUBE_OP_DELETE)
		return;
	op->result = cJSON_ParseWithLength(call->resp.body, call->resp.body_len);
	if (!cJSON_IsObject(op->result)) {
		json_free_secret(op->result);
		op->result = NULL;
		op->rc = -1;
		kj_err_set(&op->err, KJ_ERR_FAIL, _("%s %s: the server's answer is not a JSON object"),
		           call->method, call->path);
	}
}

/* A create that was resent after a 429/503 and then met 409 AlreadyExists
 * may have been stored by an earlier attempt: when the object of that name
 * carries the same kubejit.io/lease label as ours, it is ours, and the create
 * succeeded. */
static void own_conflict(struct kube_client *c, struct kube_op *op, struct kube_call *call)
{
	const char *lease = kube_label(op->obj, KUBE_LEASE_LABEL);
	const char *name = kube_meta(op->obj, "name");
	cJSON *got = NULL;
	kj_err ge;
	if (op->verb != KUBE_OP_CREATE || call->rc == 0 || call->retries == 0 || call->resp.status != 409 ||
	    !lease || !name)
		return;
	struct kube_op get = {.verb = KUBE_OP_GET, .kind = op->kind, .ns = op->ns, .name = name};
	struct prepared p;
	struct kube_call gc;
	if (prepare(&get, &p, &gc, &ge) < 0)
		return;
	if (kube_request_many(c, &gc, 1, NULL) == 0) {
		got = cJSON_ParseWithLength(gc.resp.body, gc.resp.body_len);
		const char *theirs = kube_label(got, KUBE_LEASE_LABEL);
		if (theirs && strcmp(theirs, lease) == 0) {
			kube_response_done(&call->resp);
			call->resp = gc.resp;
			memset(&gc.resp, 0, sizeof gc.resp);
			call->rc = 0;
			kj_err_clear(&call->err);
		}
		cJSON_Delete(got);
	}
	kube_response_done(&gc.resp);
	prepared_done(&p);
}

int kube_batch(struct kube_client *c, struct kube_op *ops, size_t n, kj_err *e)
{
	struct prepared *ps = kj_xcalloc(n ? n : 1, sizeof *ps);
	struct kube_call *calls = kj_xcalloc(n ? n : 1, sizeof *calls);
	size_t *map = kj_xcalloc(n ? n : 1, sizeof *map);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		ops[i].result = NULL;
		kj_err_clear(&ops[i].err);
		struct kube_call call;
		if (prepare(&ops[i], &ps[i], &call, &ops[i].err) < 0) {
			ops[i].rc = -1;
			continue;
		}
		calls[m] = call;
		map[m++] = i;
	}
	kube_request_many(c, calls, m, NULL);
	for (size_t j = 0; j < m; j++) {
		own_conflict(c, &ops[map[j]], &calls[j]);
		finish(&ops[map[j]], &calls[j]);
		kube_response_done(&calls[j].resp);
	}
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		prepared_done(&ps[i]);
		if (ops[i].rc < 0) {
			if (ret == 0 && e)
				*e = ops[i].err;
			ret = -1;
		}
	}
	free(ps);
	free(calls);
	free(map);
	return ret;
}

/* One op; returns its rc, hands the result out or frees it. */
static int one(struct kube_client *c, struct kube_op *op, cJSON **out, kj_err *e)
{
	kube_batch(c, op, 1, NULL);
	if (op->rc != 0 && e)
		*e = op->err;
	if (out)
		*out = op->result;
	else
		json_free_secret(op->result);
	return op->rc;
}

int kube_get(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *name, cJSON **out,
             kj_err *e)
{
	struct kube_op op = {.verb = KUBE_OP_GET, .kind = kind, .ns = ns, .name = name};
	if (!name || !*name)
		return kj_err_set(e, KJ_ERR_USAGE, _("get: a name is needed"));
	return one(c, &op, out, e);
}

int kube_create(struct kube_client *c, enum kube_kind_id kind, const char *ns, const cJSON *obj, cJSON **out,
                kj_err *e)
{
	struct kube_op op = {.verb = KUBE_OP_CREATE, .kind = kind, .ns = ns, .obj = obj};
	return one(c, &op, out, e);
}

int kube_update(struct kube_client *c, enum kube_kind_id kind, const char *ns, const cJSON *obj, cJSON **out,
                kj_err *e)
{
	struct kube_op op = {.verb = KUBE_OP_UPDATE, .kind = kind, .ns = ns, .obj = obj};
	return one(c, &op, out, e);
}

int kube_delete(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *name, kj_err *e)
{
	struct kube_op op = {.verb = KUBE_OP_DELETE, .kind = kind, .ns = ns, .name = name};
	return one(c, &op, NULL, e);
}

/* One page of a list: parsed, "items" always an array. */
static int list_page(struct kube_client *c, const char *path, const char *query, cJSON **out, kj_err *e)
{
	struct kube_response r;
	*out = NULL;
	int rc = kube_request(c, "GET", path, query, NULL, &r, e);
	if (rc == 0) {
		cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "items"))) {
			/* An empty list may come as "items":null. */
			if (cJSON_IsObject(j)) {
				cJSON_DeleteItemFromObjectCaseSensitive(j, "items");
				cJSON_AddItemToObject(j, "items", cJSON_CreateArray());
			} else {
				json_free_secret(j);
				j = NULL;
				rc = kj_err_set(e, KJ_ERR_FAIL,
				                _("GET %s: the server's answer is not a list"), path);
			}
		}
		*out = j;
	}
	kube_response_done(&r);
	return rc;
}

int kube_list(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *label_selector,
              cJSON **out, kj_err *e)
{
	const struct kube_kind *k = kube_kind(kind);
	if (out)
		*out = NULL;
	if (!k)
		return kj_err_set(e, KJ_ERR_FAIL, _("unknown resource kind %d"), (int)kind);
	char *path = kube_kind_path(k, ns, NULL);
	cJSON *all = NULL;
	int rc = 0, restarts = 0;
	char *cont = NULL;
	/* Pages of KUBE_LIST_PAGE items, as kubectl asks for them; a continue
	 * token that expired meanwhile (410 Gone, reason Expired) restarts the
	 * whole list, since its pages would no longer be one snapshot. */
	for (;;) {
		kj_buf q;
		kj_buf_init(&q);
		kj_buf_printf(&q, "limit=%d", KUBE_LIST_PAGE);
		if (label_selector && *label_selector) {
			kj_buf_adds(&q, "&labelSelector=");
			add_escaped(&q, label_selector);
		}
		if (cont) {
			kj_buf_adds(&q, "&continue=");
			add_escaped(&q, cont);
		}
		cJSON *page = NULL;
		rc = list_page(c, path, q.data, &page, e);
		kj_buf_done(&q);
		if (rc != 0) {
			if (cont && e && e->http_status == 410 && restarts++ < 3) {
				free(cont);
				cont = NULL;
				json_free_secret(all);
				all = NULL;
				kj_err_clear(e);
				continue;
			}
			break;
		}
		free(cont);
		cont = NULL;
		const char *next =
		    kj_json_str(cJSON_GetObjectItemCaseSensitive(page, "metadata"), "continue");
		if (next && *next)
			cont = kj_xstrdup(next);
		if (!all) {
			all = page;
		} else {
			cJSON *items = cJSON_GetObjectItemCaseSensitive(all, "items");
			cJSON *more = cJSON_DetachItemFromObjectCaseSensitive(page, "items");
			cJSON *it;
			while ((it = cJSON_DetachItemFromArray(more, 0)))
				cJSON_AddItemToArray(items, it);
			cJSON_Delete(more);
			/* the whole list is as of the last page's resourceVersion */
			cJSON *meta = cJSON_DetachItemFromObjectCaseSensitive(page, "metadata");
			if (meta)
				cJSON_ReplaceItemInObjectCaseSensitive(all, "metadata", meta);
			json_free_secret(page);
		}
		if (!cont)
			break;
	}
	free(cont);
	if (rc != 0) {
		json_free_secret(all);
		all = NULL;
	} else {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(all, "metadata");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "continue");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "remainingItemCount");
	}
	if (out)
		*out = all;
	else
		json_free_secret(all);
	free(path);
	return rc;
}

/* POST a review or TokenRequest and return the answer. */
static int post(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *name, cJSON *body,
                cJSON **out, kj_err *e)
{
	struct kube_op op = {.verb = KUBE_OP_CREATE, .kind = kind, .ns = ns, .name = name, .obj = body};
	int rc = one(c, &op, out, e);
	json_free_secret(body);
	return rc;
}

/* ---- TokenRequest ------------------------------------------------------------- */

void kube_token_done(struct kube_token *t)
{
	if (!t)
		return;
	kj_free_secret(t->token);
	for (size_t i = 0; i < t->n_warnings; i++)
		free(t->warnings[i]);
	free(t->warnings);
	memset(t, 0, sizeof *t);
}

cJSON *kube_token_request_body(const struct kube_token_spec *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", "TokenRequest");
	cJSON_AddStringToObject(o, "apiVersion", "authentication.k8s.io/v1");
	cJSON_AddItemToObject(o, "metadata", cJSON_CreateObject());
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	if (s && s->n_audiences) {
		cJSON *a = cJSON_AddArrayToObject(spec, "audiences");
		for (size_t i = 0; i < s->n_audiences; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(s->audiences[i]));
	} else {
		cJSON_AddNullToObject(spec, "audiences");
	}
	if (s && s->expiration_seconds > 0)
		cJSON_AddNumberToObject(spec, "expirationSeconds", (double)s->expiration_seconds);
	else
		cJSON_AddNullToObject(spec, "expirationSeconds");
	if (s && s->bound_kind && s->bound_name) {
		cJSON *b = cJSON_AddObjectToObject(spec, "boundObjectRef");
		cJSON_AddStringToObject(b, "kind", s->bound_kind);
		cJSON_AddStringToObject(b, "apiVersion", s->bound_api_version ? s->bound_api_version : "v1");
		cJSON_AddStringToObject(b, "name", s->bound_name);
		if (s->bound_uid)
			cJSON_AddStringToObject(b, "uid", s->bound_uid);
	} else {
		cJSON_AddNullToObject(spec, "boundObjectRef");
	}
	return o;
}

int kube_token_parse(const cJSON *answer, struct kube_token *out, kj_err *e)
{
	memset(out, 0, sizeof *out);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(answer, "status");
	const char *tok = kj_json_str(st, "token");
	const char *exp = kj_json_str(st, "expirationTimestamp");
	if (!tok || !*tok)
		return kj_err_set(e, KJ_ERR_FAIL, _("failed to create token: no token in server response"));
	int64_t t = 0;
	if (!exp || kj_time_parse_rfc3339(exp, &t) < 0)
		return kj_err_set(e, KJ_ERR_FAIL,
		                  _("the TokenRequest answer has no valid status.expirationTimestamp"));
	out->token = kj_xstrdup(tok);
	out->expires_at = t;
	const cJSON *es = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "spec"),
	                                                   "expirationSeconds");
	out->expiration_seconds = cJSON_IsNumber(es) ? kj_clamp_double(es->valuedouble, 0, KJ_TIME_MAX) : 0;
	return 0;
}

static void collect_warning(const char *text, void *ud)
{
	struct kube_token *t = ud;
	t->warnings = kj_xrealloc(t->warnings, (t->n_warnings + 1) * sizeof *t->warnings);
	t->warnings[t->n_warnings++] = kj_xstrdup(text);
}

int kube_token_request(struct kube_client *c, const char *ns, const char *sa,
                       const struct kube_token_spec *spec, struct kube_token *out, kj_err *e)
{
	memset(out, 0, sizeof *out);
	struct kube_token warn = {0};
	char *path = kube_kind_path(kube_kind(KUBE_TOKENREQUEST), ns, sa);
	if (!path)
		return kj_err_set(e, KJ_ERR_USAGE,
		                  _("a TokenRequest needs a namespace and a service account"));
	cJSON *body = kube_token_request_body(spec);
	char *b = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	struct kube_call call = {.method = "POST", .path = path, .body = b, .retry_post = 1};
	int rc = kube_request_many(c, &call, 1, e);
	for (size_t i = 0; i < call.resp.n_warnings; i++)
		collect_warning(call.resp.warnings[i], &warn);
	if (rc == 0) {
		cJSON *j = cJSON_ParseWithLength(call.resp.body, call.resp.body_len);
		rc = kube_token_parse(j, out, e);
		json_free_secret(j);
	}
	kube_response_done(&call.resp);
	free(b);
	free(path);
	if (rc == 0) {
		out->warnings = warn.warnings;
		out->n_warnings = warn.n_warnings;
	} else {
		kube_token_done(&warn);
	}
	return rc;
}

/* ---- reviews ------------------------------------------------------------------ */

static cJSON *review_body(enum kube_kind_id kind)
{
	const struct kube_kind *k = kube_kind(kind);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", k->kind);
	cJSON_AddStringToObject(o, "apiVersion", k->api_version);
	cJSON_AddItemToObject(o, "metadata", cJSON_CreateObject());
	return o;
}

static char *dup_str(const cJSON *o, const char *key)
{
	const char *s = kj_json_str(o, key);
	return s ? kj_xstrdup(s) : NULL;
}

void kube_user_info_done(struct kube_user_info *u)
{
	if (!u)
		return;
	free(u->username);
	free(u->uid);
	for (size_t i = 0; i < u->n_groups; i++)
		free(u->groups[i]);
	free(u->groups);
	cJSON_Delete(u->extra);
	memset(u, 0, sizeof *u);
}

int kube_whoami(struct kube_client *c, struct kube_user_info *out, kj_err *e)
{
	memset(out, 0, sizeof *out);
	cJSON *body = review_body(KUBE_SELFSUBJECTREVIEW);
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(body, "status"), "userInfo");
	cJSON *ans = NULL;
	if (post(c, KUBE_SELFSUBJECTREVIEW, NULL, NULL, body, &ans, e) != 0) {
		if (!e || e->http_status != 404)
			return -1;
		/* Clusters before 1.28 serve it only as beta (1.27) or alpha
		 * (1.26), as kubectl auth whoami falls back. */
		static const char *const older[] = {"v1beta1", "v1alpha1"};
		int rc = -1;
		for (size_t i = 0; i < 2 && rc != 0 && e->http_status == 404; i++) {
			char *path =
			    kj_xasprintf("/apis/authentication.k8s.io/%s/selfsubjectreviews", older[i]);
			char *av = kj_xasprintf("authentication.k8s.io/%s", older[i]);
			char *b = kj_xasprintf("{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"%s\","
			                       "\"metadata\":{},\"status\":{\"userInfo\":{}}}",
			                       av);
			struct kube_response r;
			kj_err e2;
			rc = kube_request(c, "POST", path, NULL, b, &r, &e2);
			if (rc == 0)
				ans = cJSON_ParseWithLength(r.body, r.body_len);
			else if (e2.http_status != 404)
				*e = e2;
			kube_response_done(&r);
			free(path);
			free(av);
			free(b);
			if (rc != 0 && e2.http_status != 404)
				break;
		}
		if (rc != 0)
			return -1;
	}
	const cJSON *ui =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ans, "status"), "userInfo");
	out->username = dup_str(ui, "username");
	if (!out->username) {
		cJSON_Delete(ans);
		return kj_err_set(e, KJ_ERR_FAIL, _("the SelfSubjectReview answer names no user"));
	}
	out->uid = dup_str(ui, "uid");
	const cJSON *g, *groups = cJSON_GetObjectItemCaseSensitive(ui, "groups");
	cJSON_ArrayForEach(g, groups)
	{
		if (!cJSON_IsString(g))
			continue;
		out->groups = kj_xrealloc(out->groups, (out->n_groups + 1) * sizeof *out->groups);
		out->groups[out->n_groups++] = kj_xstrdup(g->valuestring);
	}
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(ui, "extra");
	if (extra)
		out->extra = cJSON_Duplicate(extra, 1);
	cJSON_Delete(ans);
	return 0;
}

static void add_opt(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
}

int kube_can_i(struct kube_client *c, const struct kube_access *a, int *allowed, char **reason, kj_err *e)
{
	*allowed = 0;
	if (reason)
		*reason = NULL;
	cJSON *body = review_body(KUBE_SSAR);
	cJSON *spec = cJSON_AddObjectToObject(body, "spec");
	if (a->resource) {
		cJSON *ra = cJSON_AddObjectToObject(spec, "resourceAttributes");
		add_opt(ra, "namespace", a->ns);
		add_opt(ra, "verb", a->verb);
		cJSON_AddStringToObject(ra, "group", a->group ? a->group : "");
		add_opt(ra, "resource", a->resource);
		add_opt(ra, "subresource", a->subresource);
		add_opt(ra, "name", a->name);
	} else {
		cJSON *na = cJSON_AddObjectToObject(spec, "nonResourceAttributes");
		add_opt(na, "path", a->path);
		add_opt(na, "verb", a->verb);
	}
	cJSON *ans = NULL;
	if (post(c, KUBE_SSAR, NULL, NULL, body, &ans, e) != 0)
		return -1;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(ans, "status");
	*allowed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "allowed"));
	if (reason)
		*reason = dup_str(st, "reason");
	cJSON_Delete(ans);
	return 0;
}

int kube_rules_review(struct kube_client *c, const char *ns, cJSON **status_out, kj_err *e)
{
	*status_out = NULL;
	if (!ns || !*ns)
		return kj_err_set(e, KJ_ERR_USAGE, _("a rules review needs a namespace"));
	cJSON *body = review_body(KUBE_SSRR);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "spec"), "namespace", ns);
	cJSON *ans = NULL;
	if (post(c, KUBE_SSRR, NULL, NULL, body, &ans, e) != 0)
		return -1;
	cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(ans, "status");
	cJSON_Delete(ans);
	if (!cJSON_IsObject(st)) {
		cJSON_Delete(st);
		return kj_err_set(e, KJ_ERR_FAIL, _("the SelfSubjectRulesReview answer has no status"));
	}
	*status_out = st;
	return 0;
}

/* ---- /version ------------------------------------------------------------------- */

void kube_version_done(struct kube_version *v)
{
	if (!v)
		return;
	free(v->git_version);
	free(v->major);
	free(v->minor);
	free(v->platform);
	memset(v, 0, sizeof *v);
}

int kube_server_version(struct kube_client *c, struct kube_version *out, kj_err *e)
{
	memset(out, 0, sizeof *out);
	struct kube_response r;
	int rc = kube_request(c, "GET", "/version", NULL, NULL, &r, e);
	if (rc == 0) {
		cJSON *j = cJSON_ParseWithLength(r.body, r.body_len);
		out->git_version = dup_str(j, "gitVersion");
		if (!out->git_version) {
			rc = kj_err_set(e, KJ_ERR_FAIL,
			                _("%s/version did not answer like a Kubernetes API server"),
			                kube_client_server(c));
			kj_err_hint(e, _("check the server URL: it should point at the API server itself"));
		} else {
			out->major = dup_str(j, "major");
			out->minor = dup_str(j, "minor");
			out->platform = dup_str(j, "platform");
		}
		cJSON_Delete(j);
	}
	kube_response_done(&r);
	return rc;
}

/* ---- CertificateSigningRequests ----------------------------------------------------- */

int kube_csr_create(struct kube_client *c, const char *name, const char *csr_pem, const char *signer,
                    int64_t expiration_seconds, cJSON **out, kj_err *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "metadata"), "name", name);
	cJSON *spec = cJSON_AddObjectToObject(o, "spec");
	char *req = kj_b64_encode(csr_pem, strlen(csr_pem));
	cJSON_AddStringToObject(spec, "request", req);
	free(req);
	cJSON_AddStringToObject(spec, "signerName", signer ? signer : "kubernetes.io/kube-apiserver-client");
	if (expiration_seconds > 0)
		cJSON_AddNumberToObject(spec, "expirationSeconds", (double)expiration_seconds);
	cJSON *u = cJSON_AddArrayToObject(spec, "usages");
	cJSON_AddItemToArray(u, cJSON_CreateString("client auth"));
	int rc = kube_create(c, KUBE_CSR, NULL, o, out, e);
	cJSON_Delete(o);
	return rc;
}

int kube_csr_approve(struct kube_client *c, const char *name, const char *reason, const char *message,
                     kj_err *e)
{
	cJSON *csr = NULL;
	if (kube_get(c, KUBE_CSR, NULL, name, &csr, e) != 0)
		return -1;
	cJSON *st = cJSON_GetObjectItemCaseSensitive(csr, "status");
	if (!st)
		st = cJSON_AddObjectToObject(csr, "status");
	cJSON *conds = cJSON_GetObjectItemCaseSensitive(st, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
		conds = cJSON_AddArrayToObject(st, "conditions");
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, conds)
	{
		const char *t = kj_json_str(it, "type");
		if (t && strcmp(t, "Approved") == 0) {
			cJSON_Delete(csr);
			return 0;
		}
	}
	cJSON *cond = cJSON_CreateObject();
	cJSON_AddStringToObject(cond, "type", "Approved");
	cJSON_AddStringToObject(cond, "status", "True");
	cJSON_AddStringToObject(cond, "reason", reason ? reason : "KubejitApprove");
	cJSON_AddStringToObject(cond, "message", message ? message : "approved by kubejit");
	char now[32];
	kj_time_rfc3339(kj_now(), now, sizeof now);
	cJSON_AddStringToObject(cond, "lastUpdateTime", now);
	cJSON_AddItemToArray(conds, cond);
	char *path = kube_kind_subpath(kube_kind(KUBE_CSR), NULL, name, "approval");
	char *body = cJSON_PrintUnformatted(csr);
	int rc = kube_request(c, "PUT", path, NULL, body, NULL, e);
	free(body);
	free(path);
	cJSON_Delete(csr);
	return rc;
}

enum kube_csr_state kube_csr_state_of(const cJSON *csr, char **cert_pem, char **why)
{
	if (cert_pem)
		*cert_pem = NULL;
	if (why)
		*why = NULL;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(csr, "status");
	const cJSON *it;
	int approved = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(st, "conditions"))
	{
		const char *t = kj_json_str(it, "type");
		const char *s = kj_json_str(it, "status");
		if (!t || (s && strcmp(s, "True") != 0))
			continue;
		if (strcmp(t, "Denied") == 0 || strcmp(t, "Failed") == 0) {
			if (why) {
				const char *m = kj_json_str(it, "message");
				const char *r = kj_json_str(it, "reason");
				*why = kj_xstrdup(m && *m ? m : r ? r : t);
			}
			return strcmp(t, "Denied") == 0 ? KUBE_CSR_DENIED : KUBE_CSR_FAILED;
		}
		if (strcmp(t, "Approved") == 0)
			approved = 1;
	}
	const char *cert = kj_json_str(st, "certificate");
	if (cert && *cert) {
		if (cert_pem) {
			size_t n = 0;
			*cert_pem = (char *)kj_b64_decode(cert, &n);
		}
		return KUBE_CSR_ISSUED;
	}
	return approved ? KUBE_CSR_APPROVED : KUBE_CSR_PENDING;
}
