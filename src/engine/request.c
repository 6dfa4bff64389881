/* request: access requests with approval (see request.h for the design). */
#include "engine/request.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/request_priv.h"
#include "engine/target.h"
#include "kube/api.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define REQUEST_DIR "requests"

static const char *const state_names[] = {
    [REQUEST_PENDING] = "pending", [REQUEST_APPROVED] = "approved",   [REQUEST_DENIED] = "denied",
    [REQUEST_EXPIRED] = "expired", [REQUEST_COLLECTED] = "collected", [REQUEST_CANCELLED] = "cancelled",
};

const char *request_state_name(enum request_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

int request_state_parse(const char *s, enum request_state *out)
{
	size_t i;

	for (i = 0; i < sizeof state_names / sizeof state_names[0]; i++) {
		if (s && !strcmp(s, state_names[i])) {
			*out = (enum request_state)i;
			return 0;
		}
	}
	return -1;
}

void request_done(struct request *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->uid);
	free(r->target);
	free(r->requester);
	kj_strv_done(&r->requester_groups);
	free(r->requester_uid);
	free(r->secret);
	free(r->ns);
	free(r->reason);
	free(r->decided_by);
	free(r->deny_reason);
	free(r->lease_id);
	memset(r, 0, sizeof(*r));
}

void request_list_free(struct request *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		request_done(&v[i]);
	free(v);
}

int request_parse_expiry(const char *text, int64_t *out, kj_err *e)
{
	char lo[16], hi[16];

	if (kj_ttl_parse(text, "--expires-in", out, e) < 0)
		return -1;
	if (*out < REQUEST_MIN_EXPIRY || *out > REQUEST_MAX_EXPIRY) {
		kj_ttl_format(REQUEST_MIN_EXPIRY, lo, sizeof lo);
		kj_ttl_format(REQUEST_MAX_EXPIRY, hi, sizeof hi);
		kj_err_set(e, KJ_ERR_INVALID, _("--expires-in %s is out of range (%s to %s)"), text, lo, hi);
		return kj_err_hint(e, _("a pending request is deleted by the cluster's CSR cleaner after "
		                        "24h; ask again later instead of keeping one open longer"));
	}
	return 0;
}

/* ---- the target a call talks through -------------------------------------- */

/* `name`, or the only target of the home. */
int request_pick_target(struct engine *en, const char *name, char **out, kj_err *e)
{
	struct target *v = NULL;
	size_t n = 0;

	if (name && *name) {
		*out = kj_xstrdup(name);
		return 0;
	}
	if (target_list(en, &v, &n, e) < 0)
		return -1;
	if (n != 1) {
		target_list_free(v, n);
		if (!n) {
			kj_err_set(e, KJ_ERR_NOTFOUND, _("there is no target to send the request through"));
			return kj_err_hint(e, _("add your own identity first: 'kubejit target add NAME "
			                        "--token-file F' (or --kubeconfig)"));
		}
		kj_err_set(e, KJ_ERR_USAGE, _("this home has %zu targets; say which cluster to use"), n);
		return kj_err_hint(e, _("pass --target NAME"));
	}
	*out = kj_xstrdup(v[0].name);
	target_list_free(v, n);
	return 0;
}

int request_client_of(struct engine *en, const char *target, struct kube_client **kc, kj_err *e)
{
	return engine_client(en, target, kc, e);
}

/* ---- local records ------------------------------------------------------------ */

static char *local_dir(struct engine *en)
{
	return kj_xasprintf("%s/" REQUEST_DIR, engine_home(en));
}

static int id_ok(const char *id)
{
	size_t i, n = id ? strlen(id) : 0;

	if (n < sizeof REQUEST_ID_PREFIX || n > 63 || strncmp(id, REQUEST_ID_PREFIX, 4))
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
			return 0;
	return 1;
}

static char *local_path(struct engine *en, const char *id)
{
	return kj_xasprintf("%s/" REQUEST_DIR "/%s.json", engine_home(en), id);
}

/* The local record of `id` (a cJSON tree holding the sealed or plain key:
 * free with kube_json_free_secret), or NULL when this home has none. */
cJSON *request_local_read(struct engine *en, const char *id)
{
	char *path, *text = NULL;
	cJSON *j = NULL;
	kj_err ignore;

	if (!id_ok(id))
		return NULL;
	path = local_path(en, id);
	if (kj_file_read(path, 1 << 20, &text, NULL, &ignore) == 0)
		j = cJSON_Parse(text);
	kj_free_secret(text);
	free(path);
	return j;
}

int request_local_write(struct engine *en, const char *id, const cJSON *j, kj_err *e)
{
	char *dir = local_dir(en), *path, *text;
	int rc;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot create %s: %s"), dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	path = local_path(en, id);
	text = cJSON_Print(j);
	rc = kj_file_write_private(path, text, strlen(text), 1, e);
	kj_free_secret(text);
	free(path);
	return rc;
}

/* Change the state of a local record; the key goes with a final state. */
void request_local_set_state(struct engine *en, const char *id, enum request_state st)
{
	cJSON *j = request_local_read(en, id);
	kj_err ignore;

	if (!j)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(j, "state");
	cJSON_AddStringToObject(j, "state", request_state_name(st));
	if (st != REQUEST_PENDING && st != REQUEST_APPROVED) {
		cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "key");

		if (cJSON_IsString(k))
			kj_wipe(k->valuestring, strlen(k->valuestring));
		cJSON_DeleteItemFromObjectCaseSensitive(j, "key");
	}
	request_local_write(en, id, j, &ignore);
	kube_json_free_secret(j);
}

static void from_local(const cJSON *j, struct request *r)
{
	const cJSON *g;

	memset(r, 0, sizeof(*r));
	r->id = kj_xstrdup(kj_json_str(j, "id"));
	r->uid = kj_xstrdup(kj_json_str(j, "uid"));
	r->target = kj_xstrdup(kj_json_str(j, "target"));
	r->requester = kj_xstrdup(kj_json_str(j, "requester"));
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(j, "groups"))
	{
		if (cJSON_IsString(g))
			kj_strv_push(&r->requester_groups, g->valuestring);
	}
	r->secret = kj_xstrdup(kj_json_str(j, "secret"));
	r->ns = kj_xstrdup(kj_json_str(j, "namespace"));
	r->ttl = kj_json_int(j, "ttl", 0, INT64_MAX, 0);
	r->reason = kj_xstrdup(kj_json_str(j, "reason"));
	r->created_at = kj_json_int(j, "created_at", 0, INT64_MAX, 0);
	r->expires_at = kj_json_int(j, "expires_at", 0, INT64_MAX, 0);
	if (request_state_parse(kj_json_str(j, "state"), &r->state) < 0)
		r->state = REQUEST_PENDING;
	r->lease_id = kj_xstrdup(kj_json_str(j, "lease"));
	r->mine = 1;
}

/* ---- a CSR as a request ------------------------------------------------------ */

static const cJSON *condition(const cJSON *csr, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, kj_json_array(cJSON_GetObjectItemCaseSensitive(csr, "status"), "conditions"))
	{
		if (!strcmp(kj_json_str0(c, "type"), type) && strcmp(kj_json_str0(c, "status"), "False"))
			return c;
	}
	return NULL;
}

static int64_t ann_int(const cJSON *csr, const char *key, int64_t lo, int64_t hi, int64_t dflt)
{
	const char *s = kube_annotation(csr, key);
	char *end;
	long long v;

	if (!s || !*s)
		return dflt;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return dflt;
	return v;
}

static int64_t cond_time(const cJSON *c)
{
	int64_t t = 0;

	if (kj_time_parse_rfc3339(kj_json_str0(c, "lastUpdateTime"), &t) < 0 &&
	    kj_time_parse_rfc3339(kj_json_str0(c, "lastTransitionTime"), &t) < 0)
		t = 0;
	return t;
}

static int is_request(const cJSON *csr)
{
	return !strcmp(kj_json_str0(cJSON_GetObjectItemCaseSensitive(csr, "spec"), "signerName"),
	               REQUEST_SIGNER);
}

/* Fill `r` from a CSR of our signer read through `target`. */
void request_from_csr(struct engine *en, const char *target, const cJSON *csr, struct request *r)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(csr, "spec"), *g, *c;
	const char *s;
	int64_t open_for, t = 0;
	cJSON *local;

	memset(r, 0, sizeof(*r));
	r->id = kj_xstrdup(kube_meta(csr, "name"));
	r->uid = kj_xstrdup(kube_meta(csr, "uid"));
	r->target = kj_xstrdup(target);
	r->requester = kj_xstrdup(kj_json_str0(spec, "username"));
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(spec, "groups"))
	{
		if (cJSON_IsString(g))
			kj_strv_push(&r->requester_groups, g->valuestring);
	}
	r->requester_uid = kj_xstrdup(kj_json_str(spec, "uid"));
	r->secret = kj_xstrdup(kube_annotation(csr, REQUEST_ANN_SECRET));
	s = kube_annotation(csr, REQUEST_ANN_NAMESPACE);
	r->ns = s && *s ? kj_xstrdup(s) : NULL;
	r->ttl = ann_int(csr, REQUEST_ANN_TTL, 0, SECRET_MAX_TTL_LIMIT, 0);
	r->reason = kj_xstrdup(kube_annotation(csr, REQUEST_ANN_REASON));
	if (kj_time_parse_rfc3339(kube_meta(csr, "creationTimestamp"), &r->created_at) < 0)
		r->created_at = 0;
	open_for =
	    ann_int(csr, REQUEST_ANN_EXPIRES, REQUEST_MIN_EXPIRY, REQUEST_MAX_EXPIRY, REQUEST_DEFAULT_EXPIRY);
	r->expires_at = r->created_at + open_for;
	s = kube_annotation(csr, REQUEST_ANN_DECIDER);
	r->decided_by = s && *s ? kj_xstrdup(s) : NULL;
	s = kube_annotation(csr, REQUEST_ANN_LEASE);
	r->lease_id = s && *s ? kj_xstrdup(s) : NULL;
	r->delivered = kube_annotation(csr, REQUEST_ANN_SEALED) != NULL;
	if ((c = condition(csr, "Denied")) || (c = condition(csr, "Failed"))) {
		r->state = REQUEST_DENIED;
		r->decided_at = cond_time(c);
		r->deny_reason = kj_xstrdup(kj_json_str0(c, "message"));
	} else if ((c = condition(csr, "Approved"))) {
		r->state = REQUEST_APPROVED;
		r->decided_at = cond_time(c);
		/* approved: collectable while the minted lease lives */
		if (kj_time_parse_rfc3339(kube_annotation(csr, REQUEST_ANN_LEASE_EXP), &t) == 0 && t > 0)
			r->expires_at = t;
		else if (r->decided_at)
			r->expires_at = r->decided_at + open_for;
	} else {
		r->state = REQUEST_PENDING;
	}
	/* The requester writes its CSR's annotations too: a decider counts only
	 * on a decision that kubejit wrote (only approvers may write conditions). */
	if (!c || (strcmp(kj_json_str0(c, "reason"), REQUEST_REASON_APPROVED) &&
	           strcmp(kj_json_str0(c, "reason"), REQUEST_REASON_DENIED))) {
		free(r->decided_by);
		r->decided_by = NULL;
	}
	if (r->state != REQUEST_DENIED && r->expires_at && kj_now() >= r->expires_at)
		r->state = REQUEST_EXPIRED;
	local = request_local_read(en, r->id);
	if (local) {
		r->mine = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(local, "key")) &&
		          !strcmp(kj_json_str0(local, "uid"), r->uid ? r->uid : "");
		kube_json_free_secret(local);
	}
}

/* A denied request stays visible until it would have expired; an expired
 * one (or a denied one past that time) is deleted from the cluster. */
static int past_keep(const struct request *r)
{
	int64_t open_until = r->expires_at;

	return r->state == REQUEST_EXPIRED ||
	       (r->state == REQUEST_DENIED && open_until && kj_now() >= open_until);
}

/* 1 deleted, 0 not (gone already, or not allowed: the next approver will) */
static int delete_expired(struct engine *en, struct kube_client *kc, const struct request *r)
{
	kj_err de;
	int rc = kube_delete(kc, KUBE_CSR, NULL, r->id, &de);
	char *detail;

	if (rc < 0 || rc == KUBE_GONE)
		return 0;
	detail = kj_xasprintf("request %s by %s deleted from the cluster (%s)", r->id,
	                      r->requester ? r->requester : "?", request_state_name(r->state));
	audit_record(en, REQUEST_AUDIT_EXPIRE, r->secret, r->lease_id, r->target, 1, detail, &de);
	free(detail);
	return 1;
}

static int cmp_newest(const void *a, const void *b)
{
	const struct request *x = a, *y = b;

	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static void push(struct request **v, size_t *n, size_t *cap, struct request *r)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = kj_xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = *r;
}

static int listed(const struct request *v, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id && !strcmp(v[i].id, id))
			return 1;
	return 0;
}

/* This home's records that the cluster no longer has. */
static void add_local(struct engine *en, const char *target, unsigned flags, struct request **v, size_t *n,
                      size_t *cap)
{
	char *dir = local_dir(en);
	DIR *d = opendir(dir);
	struct dirent *de;

	free(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char id[64];
		size_t len = strlen(de->d_name);
		cJSON *j;
		struct request r;

		if (len < 6 || len - 5 >= sizeof id || strcmp(de->d_name + len - 5, ".json"))
			continue;
		memcpy(id, de->d_name, len - 5);
		id[len - 5] = '\0';
		if (listed(*v, *n, id) || !(j = request_local_read(en, id)))
			continue;
		from_local(j, &r);
		kube_json_free_secret(j);
		/* a pending record the cluster does not list any more: gone */
		if (r.state == REQUEST_PENDING || r.state == REQUEST_APPROVED)
			r.state = REQUEST_EXPIRED;
		if ((target && r.target && strcmp(target, r.target)) ||
		    (!(flags & REQUEST_LIST_LOCAL) && !(flags & REQUEST_LIST_ALL))) {
			request_done(&r);
			continue;
		}
		push(v, n, cap, &r);
	}
	closedir(d);
}

int request_list(struct engine *en, const char *target, unsigned flags, struct request **out, size_t *n,
                 kj_err *e)
{
	struct kube_client *kc;
	cJSON *list = NULL;
	const cJSON *it;
	struct request *v = NULL;
	size_t cnt = 0, cap = 0;
	char *t = NULL;

	*out = NULL;
	*n = 0;
	if (request_pick_target(en, target, &t, e) < 0)
		return -1;
	if (request_client_of(en, t, &kc, e) < 0 ||
	    kube_list(kc, KUBE_CSR, NULL, REQUEST_LABEL, &list, e) < 0) {
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e,
			            _("listing requests needs 'list certificatesigningrequests': a cluster "
			              "admin grants it with 'kubejit rbac approver' (or 'rbac requester')"));
		free(t);
		return kj_err_prefix(e, _("listing access requests on target %s"), target ? target : t);
	}
	cJSON_ArrayForEach(it, kj_json_array(list, "items"))
	{
		struct request r;

		if (!is_request(it))
			continue;
		request_from_csr(en, t, it, &r);
		if (past_keep(&r))
			delete_expired(en, kc, &r);
		if (r.state != REQUEST_PENDING && !(flags & REQUEST_LIST_ALL)) {
			request_done(&r);
			continue;
		}
		push(&v, &cnt, &cap, &r);
	}
	cJSON_Delete(list);
	if (flags & REQUEST_LIST_LOCAL)
		add_local(en, t, flags, &v, &cnt, &cap);
	free(t);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_newest);
	*out = v;
	*n = cnt;
	return 0;
}

int request_list_local(struct engine *en, struct request **out, size_t *n, kj_err *e)
{
	char *dir = local_dir(en);
	DIR *d = opendir(dir);
	struct dirent *de;
	struct request *v = NULL;
	size_t cnt = 0, cap = 0;

	(void)e;
	free(dir);
	while (d && (de = readdir(d))) {
		char id[64];
		size_t len = strlen(de->d_name);
		cJSON *j;
		struct request r;

		if (len < 6 || len - 5 >= sizeof id || strcmp(de->d_name + len - 5, ".json"))
			continue;
		memcpy(id, de->d_name, len - 5);
		id[len - 5] = '\0';
		if (!(j = request_local_read(en, id)))
			continue;
		from_local(j, &r);
		kube_json_free_secret(j);
		if (r.state != REQUEST_PENDING && r.state != REQUEST_APPROVED) {
			request_done(&r);
			continue;
		}
		push(&v, &cnt, &cap, &r);
	}
	if (d)
		closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_newest);
	*out = v;
	*n = cnt;
	return 0;
}

int request_sweep(struct engine *en, const char *target, int dry_run, struct kj_strv *ids, kj_err *e)
{
	struct kube_client *kc;
	cJSON *list = NULL;
	const cJSON *it;

	if (request_client_of(en, target, &kc, e) < 0 ||
	    kube_list(kc, KUBE_CSR, NULL, REQUEST_LABEL, &list, e) < 0)
		return -1;
	cJSON_ArrayForEach(it, kj_json_array(list, "items"))
	{
		struct request r;

		if (!is_request(it))
			continue;
		request_from_csr(en, target, it, &r);
		if (past_keep(&r) && (dry_run || delete_expired(en, kc, &r)))
			kj_strv_push(ids, r.id);
		request_done(&r);
	}
	cJSON_Delete(list);
	return 0;
}

int request_count_pending(struct engine *en, const char *target, size_t *n, kj_err *e)
{
	struct request *v;

	if (request_list(en, target, 0, &v, n, e) < 0)
		return -1;
	request_list_free(v, *n);
	return 0;
}

/* GET the CSR of `id`; KJ_ERR_NOTFOUND (with a hint) when it is gone or not ours. */
int request_fetch(struct kube_client *kc, const char *id, cJSON **csr, kj_err *e)
{
	if (!id_ok(id)) {
		kj_err_set(e, KJ_ERR_USAGE, _("\"%s\" is not a request id"), id ? id : "");
		return kj_err_hint(
		    e, _("request ids look like kjr-xxxxxxxxxx; list them with 'kubejit requests'"));
	}
	if (kube_get(kc, KUBE_CSR, NULL, id, csr, e) < 0) {
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(
			    e, _("reading requests needs 'get certificatesigningrequests': a cluster admin "
			         "grants it with 'kubejit rbac requester' or 'kubejit rbac approver'"));
		if (e->cls == KJ_ERR_NOTFOUND) {
			kj_err_set(e, KJ_ERR_NOTFOUND, _("request %s is not in the cluster"), id);
			kj_err_hint(e, _("it was collected, cancelled or expired; 'kubejit requests --all' "
			                 "lists what is there"));
		}
		return -1;
	}
	if (!is_request(*csr)) {
		cJSON_Delete(*csr);
		*csr = NULL;
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("%s is a certificate signing request, but not a kubejit access request"), id);
		return kj_err_hint(e, _("its signer is not %s; handle it with kubectl certificate"),
		                   REQUEST_SIGNER);
	}
	return 0;
}

int request_get(struct engine *en, const char *target, const char *id, struct request *out, kj_err *e)
{
	struct kube_client *kc;
	cJSON *csr = NULL, *local;
	char *t = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	local = request_local_read(en, id);
	if (!target && local && *kj_json_str0(local, "target"))
		t = kj_xstrdup(kj_json_str0(local, "target"));
	else if (request_pick_target(en, target, &t, e) < 0) {
		kube_json_free_secret(local);
		return -1;
	}
	rc = request_client_of(en, t, &kc, e) < 0 ? -1 : request_fetch(kc, id, &csr, e);
	if (rc == 0) {
		request_from_csr(en, t, csr, out);
		cJSON_Delete(csr);
	} else if (e->cls == KJ_ERR_NOTFOUND && local) {
		from_local(local, out);
		if (out->state == REQUEST_PENDING || out->state == REQUEST_APPROVED)
			out->state = REQUEST_EXPIRED;
		rc = 0;
	}
	kube_json_free_secret(local);
	free(t);
	return rc;
}
