/* request: access requests with approval (see request.h for the design). */
#include "engine/request.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/reqcrypt.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "kube/api.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/b64.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

/* The label on every request CSR, so a list asks only for ours; the signer
 * name is checked again on every item, since anyone may set a label. */
#define REQUEST_LABEL     "kubejit.io/access-request"
#define REQUEST_DIR       "requests"
#define REQUEST_ID_PREFIX "kjr-"

static const char *const state_names[] = {
    [REQUEST_PENDING] = "pending", [REQUEST_APPROVED] = "approved",   [REQUEST_DENIED] = "denied",
    [REQUEST_EXPIRED] = "expired", [REQUEST_COLLECTED] = "collected", [REQUEST_CANCELLED] = "cancelled",
};

const char *request_state_name(enum request_state s)
{
	return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

static int state_parse(const char *s, enum request_state *out)
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
static int pick_target(struct engine *en, const char *name, char **out, kj_err *e)
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

static int client_of(struct engine *en, const char *target, struct kube_client **kc, kj_err *e)
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
static cJSON *local_read(struct engine *en, const char *id)
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

static int local_write(struct engine *en, const char *id, const cJSON *j, kj_err *e)
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
static void local_set_state(struct engine *en, const char *id, enum request_state st)
{
	cJSON *j = local_read(en, id);
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
	local_write(en, id, j, &ignore);
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
	if (state_parse(kj_json_str(j, "state"), &r->state) < 0)
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
static void from_csr(struct engine *en, const char *target, const cJSON *csr, struct request *r)
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
	local = local_read(en, r->id);
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
		if (listed(*v, *n, id) || !(j = local_read(en, id)))
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
	if (pick_target(en, target, &t, e) < 0)
		return -1;
	if (client_of(en, t, &kc, e) < 0 || kube_list(kc, KUBE_CSR, NULL, REQUEST_LABEL, &list, e) < 0) {
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
		from_csr(en, t, it, &r);
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
		if (!(j = local_read(en, id)))
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

	if (client_of(en, target, &kc, e) < 0 || kube_list(kc, KUBE_CSR, NULL, REQUEST_LABEL, &list, e) < 0)
		return -1;
	cJSON_ArrayForEach(it, kj_json_array(list, "items"))
	{
		struct request r;

		if (!is_request(it))
			continue;
		from_csr(en, target, it, &r);
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
static int fetch(struct kube_client *kc, const char *id, cJSON **csr, kj_err *e)
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
	local = local_read(en, id);
	if (!target && local && *kj_json_str0(local, "target"))
		t = kj_xstrdup(kj_json_str0(local, "target"));
	else if (pick_target(en, target, &t, e) < 0) {
		kube_json_free_secret(local);
		return -1;
	}
	rc = client_of(en, t, &kc, e) < 0 ? -1 : fetch(kc, id, &csr, e);
	if (rc == 0) {
		from_csr(en, t, csr, out);
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

/* ---- requester side ------------------------------------------------------------ */

static char *key_ad(const char *id)
{
	return kj_xasprintf("requests/%s/key", id);
}

static void audit_quiet(struct engine *en, const char *action, const char *secret, const char *lease,
                        const char *target, int ok, const char *detail)
{
	kj_err ignore;

	audit_record(en, action, secret, lease, target, ok, detail, &ignore);
}

static int check_new(const struct request_new *rq, char **path, kj_err *e)
{
	const char *r = rq->reason;
	size_t i;

	if (!rq->secret || !*rq->secret) {
		kj_err_set(e, KJ_ERR_USAGE, _("a request names the secret it asks for"));
		return kj_err_hint(e, _("kubejit request /team/read-pods --reason \"...\""));
	}
	if (!r || !*r) {
		kj_err_set(e, KJ_ERR_USAGE, _("a request needs a reason"));
		return kj_err_hint(e, _("say why with --reason TEXT; approvers read it"));
	}
	if (strlen(r) > REQUEST_REASON_MAX) {
		kj_err_set(e, KJ_ERR_INVALID, _("the reason is %zu bytes long; at most %d are kept"),
		           strlen(r), REQUEST_REASON_MAX);
		return kj_err_hint(e, _("shorten --reason"));
	}
	for (i = 0; r[i]; i++) {
		if ((unsigned char)r[i] < 0x20 && r[i] != '\t') {
			kj_err_set(e, KJ_ERR_INVALID, _("the reason contains a control character"));
			return kj_err_hint(e, _("write it on one line"));
		}
	}
	if (rq->ns && *rq->ns && !kj_is_dns1123_label(rq->ns)) {
		kj_err_set(e, KJ_ERR_INVALID, _("namespace \"%s\" is not a valid name"), rq->ns);
		return kj_err_hint(e, _("namespaces are lower-case letters, digits and '-', at most 63"));
	}
	if (rq->ttl < 0 || rq->ttl > SECRET_MAX_TTL_LIMIT) {
		kj_err_set(e, KJ_ERR_INVALID, _("--ttl is out of range"));
		return kj_err_hint(e, _("ask for at most 30d; the secret's own maximum applies"));
	}
	if (rq->expires_in && (rq->expires_in < REQUEST_MIN_EXPIRY || rq->expires_in > REQUEST_MAX_EXPIRY)) {
		kj_err_set(e, KJ_ERR_INVALID, _("--expires-in is out of range"));
		return kj_err_hint(e, _("a request stays open from 1s to 23h"));
	}
	return secret_path_normalize(rq->secret, path, e);
}

static cJSON *csr_body(const char *id, const char *csr_pem, const char *secret, const struct request_new *rq,
                       int64_t open_for)
{
	cJSON *o = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(o, "metadata"), *l, *a, *spec, *u;
	char *b64 = kj_b64_encode(csr_pem, strlen(csr_pem)), num[32];

	cJSON_AddStringToObject(o, "apiVersion", "certificates.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "CertificateSigningRequest");
	cJSON_AddStringToObject(md, "name", id);
	l = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(l, "app.kubernetes.io/managed-by", "kubejit");
	cJSON_AddStringToObject(l, REQUEST_LABEL, "true");
	a = cJSON_AddObjectToObject(md, "annotations");
	cJSON_AddStringToObject(a, REQUEST_ANN_SECRET, secret);
	if (rq->ns && *rq->ns)
		cJSON_AddStringToObject(a, REQUEST_ANN_NAMESPACE, rq->ns);
	snprintf(num, sizeof num, "%lld", (long long)rq->ttl);
	cJSON_AddStringToObject(a, REQUEST_ANN_TTL, num);
	cJSON_AddStringToObject(a, REQUEST_ANN_REASON, rq->reason);
	snprintf(num, sizeof num, "%lld", (long long)open_for);
	cJSON_AddStringToObject(a, REQUEST_ANN_EXPIRES, num);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "request", b64);
	cJSON_AddStringToObject(spec, "signerName", REQUEST_SIGNER);
	u = cJSON_AddArrayToObject(spec, "usages");
	/* what the key is for: agreeing on the key that seals the credential */
	cJSON_AddItemToArray(u, cJSON_CreateString("key agreement"));
	free(b64);
	return o;
}

int request_create(struct engine *en, const struct request_new *rq, struct request *out, kj_err *e)
{
	struct kube_client *kc;
	char *path = NULL, *t = NULL, *key = NULL, *csr = NULL, *sealed = NULL, *ad, *detail;
	char id[sizeof REQUEST_ID_PREFIX + 10];
	int64_t open_for = rq->expires_in ? rq->expires_in : REQUEST_DEFAULT_EXPIRY;
	cJSON *body, *made = NULL, *rec;
	struct request r;
	kj_err de;
	int rc = -1;

	if (out)
		memset(out, 0, sizeof(*out));
	if (check_new(rq, &path, e) < 0)
		return -1;
	if (pick_target(en, rq->target, &t, e) < 0 || client_of(en, t, &kc, e) < 0)
		goto out;
	memcpy(id, REQUEST_ID_PREFIX, 4);
	kj_random_suffix(id + 4, 10);
	id[14] = '\0';
	if (reqcrypt_keygen(id, &key, &csr, e) < 0)
		goto out;
	ad = key_ad(id);
	rc = engine_value_seal(en, ad, key, &sealed, e);
	free(ad);
	if (rc < 0)
		goto out;
	rc = -1;
	body = csr_body(id, csr, path, rq, open_for);
	if (kube_create(kc, KUBE_CSR, NULL, body, &made, e) < 0) {
		cJSON_Delete(body);
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e, _("your identity may not create certificatesigningrequests; a cluster "
			                 "admin grants what requesters need with 'kubejit rbac requester'"));
		kj_err_prefix(e, _("submitting access request for %s on target %s"), path, t);
		detail = kj_xasprintf("request for %s failed: %s", path, e->msg);
		audit_quiet(en, REQUEST_AUDIT_CREATE, path, NULL, t, 0, detail);
		free(detail);
		goto out;
	}
	cJSON_Delete(body);
	from_csr(en, t, made, &r);
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", id);
	cJSON_AddStringToObject(rec, "uid", r.uid ? r.uid : "");
	cJSON_AddStringToObject(rec, "target", t);
	cJSON_AddStringToObject(rec, "requester", r.requester ? r.requester : "");
	cJSON_AddItemToObject(
	    rec, "groups", kj_json_strings((const char *const *)r.requester_groups.v, r.requester_groups.n));
	cJSON_AddStringToObject(rec, "secret", path);
	if (rq->ns && *rq->ns)
		cJSON_AddStringToObject(rec, "namespace", rq->ns);
	cJSON_AddNumberToObject(rec, "ttl", (double)rq->ttl);
	cJSON_AddStringToObject(rec, "reason", rq->reason);
	cJSON_AddNumberToObject(rec, "created_at", (double)r.created_at);
	cJSON_AddNumberToObject(rec, "expires_at", (double)r.expires_at);
	cJSON_AddStringToObject(rec, "state", "pending");
	cJSON_AddStringToObject(rec, "key", sealed);
	if (local_write(en, id, rec, e) < 0) {
		/* without the key nobody could ever open the credential */
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		kube_json_free_secret(rec);
		cJSON_Delete(made);
		request_done(&r);
		goto out;
	}
	kube_json_free_secret(rec);
	cJSON_Delete(made);
	r.mine = 1;
	detail = kj_xasprintf("request %s for %s (namespace %s, ttl %llds) as %s: %s", id, path,
	                      rq->ns && *rq->ns ? rq->ns : "default of the secret", (long long)rq->ttl,
	                      r.requester ? r.requester : "?", rq->reason);
	audit_quiet(en, REQUEST_AUDIT_CREATE, path, NULL, t, 1, detail);
	free(detail);
	if (out)
		*out = r;
	else
		request_done(&r);
	rc = 0;
out:
	kj_free_secret(key);
	kj_free_secret(sealed);
	free(csr);
	free(path);
	free(t);
	return rc;
}

/* The local record of a request this home made, with its target. */
static int own(struct engine *en, const char *target, const char *id, cJSON **rec, char **t, kj_err *e)
{
	*rec = local_read(en, id);
	*t = NULL;
	if (!*rec) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("this home did not make request %s"), id ? id : "");
		return kj_err_hint(e, _("only the home that ran 'kubejit request' holds its key; 'kubejit "
		                        "requests --all' lists the requests on the cluster"));
	}
	*t = kj_xstrdup(target && *target ? target : kj_json_str0(*rec, "target"));
	return 0;
}

/* The credential inside a sealed payload, as a mint result. */
static int payload_result(const char *text, struct mint_result *out, kj_err *e)
{
	cJSON *j = cJSON_Parse(text);

	memset(out, 0, sizeof(*out));
	if (!j || !kj_json_str(j, "token") || !kj_json_str(j, "server")) {
		kube_json_free_secret(j);
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the request's credential opened but is not a kubejit credential"));
		return kj_err_hint(e, _("the approver runs another kubejit version; ask for a new request"));
	}
	snprintf(out->lease_id, sizeof out->lease_id, "%s", kj_json_str0(j, "lease"));
	out->token = kj_xstrdup(kj_json_str(j, "token"));
	out->lease_expiry = kj_json_int(j, "lease_expiry", 0, INT64_MAX, 0);
	out->token_expiry = kj_json_int(j, "token_expiry", 0, INT64_MAX, 0);
	out->revocable = kj_json_int(j, "revocable", 0, 1, 0);
	secret_mode_parse(kj_json_str0(j, "mode"), &out->mode);
	out->secret = kj_xstrdup(kj_json_str(j, "secret"));
	out->target = kj_xstrdup(kj_json_str(j, "target"));
	out->ns = kj_xstrdup(kj_json_str(j, "namespace"));
	out->service_account = kj_xstrdup(kj_json_str(j, "service_account"));
	out->server = kj_xstrdup(kj_json_str(j, "server"));
	out->ca_pem = kj_xstrdup(kj_json_str(j, "ca"));
	out->tls_server_name = kj_xstrdup(kj_json_str(j, "tls_server_name"));
	out->ready_ms = -1;
	kube_json_free_secret(j);
	return 0;
}

static char *payload_text(const struct mint_result *m)
{
	cJSON *j = cJSON_CreateObject();
	char *s;

	cJSON_AddNumberToObject(j, "v", 1);
	cJSON_AddStringToObject(j, "lease", m->lease_id);
	cJSON_AddStringToObject(j, "token", m->token);
	cJSON_AddNumberToObject(j, "lease_expiry", (double)m->lease_expiry);
	cJSON_AddNumberToObject(j, "token_expiry", (double)m->token_expiry);
	cJSON_AddNumberToObject(j, "revocable", m->revocable);
	cJSON_AddStringToObject(j, "mode", secret_mode_name(m->mode));
	kj_json_add_str_or_null(j, "secret", m->secret);
	kj_json_add_str_or_null(j, "target", m->target);
	kj_json_add_str_or_null(j, "namespace", m->ns);
	kj_json_add_str_or_null(j, "service_account", m->service_account);
	kj_json_add_str_or_null(j, "server", m->server);
	kj_json_add_str_or_null(j, "ca", m->ca_pem);
	kj_json_add_str_or_null(j, "tls_server_name", m->tls_server_name);
	s = cJSON_PrintUnformatted(j);
	kube_json_free_secret(j);
	return s;
}

static int collect_once(struct engine *en, const char *target, const char *id, struct mint_result *out,
                        enum request_state *state, kj_err *e)
{
	struct kube_client *kc;
	cJSON *rec = NULL, *csr = NULL;
	char *t = NULL, *key = NULL, *ad, *plain = NULL, *detail;
	struct request r;
	kj_err de;
	int rc = -1, gone;

	memset(&r, 0, sizeof r);
	memset(out, 0, sizeof(*out));
	*state = REQUEST_PENDING;
	if (own(en, target, id, &rec, &t, e) < 0)
		return -1;
	if (state_parse(kj_json_str0(rec, "state"), state) == 0 && *state != REQUEST_PENDING &&
	    *state != REQUEST_APPROVED) {
		kj_err_set(e, *state == REQUEST_DENIED ? KJ_ERR_DENIED : KJ_ERR_NOTFOUND,
		           _("request %s is %s already"), id, request_state_name(*state));
		kj_err_hint(e, _("ask again with 'kubejit request'"));
		goto out;
	}
	if (client_of(en, t, &kc, e) < 0)
		goto out;
	if (fetch(kc, id, &csr, e) < 0) {
		if (e->cls == KJ_ERR_NOTFOUND) {
			*state = REQUEST_EXPIRED;
			local_set_state(en, id, REQUEST_EXPIRED);
			kj_err_set(
			    e, KJ_ERR_NOTFOUND,
			    _("request %s is gone from the cluster (expired, or deleted by someone else)"),
			    id);
			kj_err_hint(e, _("ask again with 'kubejit request'"));
		}
		goto out;
	}
	if (strcmp(kube_meta(csr, "uid") ? kube_meta(csr, "uid") : "", kj_json_str0(rec, "uid"))) {
		kj_err_set(e, KJ_ERR_AUTH, _("request %s in the cluster is not the one this home made"), id);
		kj_err_hint(e, _("someone replaced it; nothing was read.  Ask again with 'kubejit request'"));
		goto out;
	}
	from_csr(en, t, csr, &r);
	*state = r.state;
	gone = 0;
	switch (r.state) {
	case REQUEST_PENDING:
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is still pending"), id);
		kj_err_hint(e,
		            _("an approver runs 'kubejit approve %s'; wait with 'kubejit request --collect "
		              "%s --wait'"),
		            id, id);
		goto out;
	case REQUEST_DENIED:
		kj_err_set(e, KJ_ERR_DENIED, _("request %s was denied by %s: %s"), id,
		           r.decided_by ? r.decided_by : "?", r.deny_reason ? r.deny_reason : "");
		kj_err_hint(e, _("talk to the approver, or ask again with another reason"));
		gone = 1;
		break;
	case REQUEST_EXPIRED:
		kj_err_set(e, KJ_ERR_NOTFOUND, _("request %s expired"), id);
		kj_err_hint(e, _("ask again with 'kubejit request'"));
		gone = 1;
		break;
	default:
		break;
	}
	if (gone) {
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		local_set_state(en, id, r.state);
		detail = kj_xasprintf("request %s %s", id, request_state_name(r.state));
		audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, r.lease_id, t, 0, detail);
		free(detail);
		goto out;
	}
	if (!r.delivered) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is approved; the credential is not there yet"),
		           id);
		kj_err_hint(e, _("the approver's kubejit is still minting; wait with --wait"));
		goto out;
	}
	ad = key_ad(id);
	rc = engine_value_open(en, ad, kj_json_str0(rec, "key"), &key, e);
	free(ad);
	if (rc < 0)
		goto out;
	ad = reqcrypt_aad(id, r.uid);
	rc = reqcrypt_open(key, ad, kube_annotation(csr, REQUEST_ANN_SEALED), &plain, e);
	free(ad);
	if (rc == 0)
		rc = payload_result(plain, out, e);
	if (rc < 0) {
		detail = kj_xasprintf("request %s: %s", id, e->msg);
		audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, r.lease_id, t, 0, detail);
		free(detail);
		goto out;
	}
	*state = REQUEST_COLLECTED;
	/* the ciphertext leaves the cluster with its request */
	if (kube_delete(kc, KUBE_CSR, NULL, id, &de) < 0)
		out->warning = kj_xasprintf(_("request %s could not be deleted from the cluster (%s); its "
		                              "sealed credential stays there until it expires"),
		                            id, de.msg);
	local_set_state(en, id, REQUEST_COLLECTED);
	detail = kj_xasprintf("request %s collected: lease %s of %s in %s, approved by %s", id, out->lease_id,
	                      out->secret ? out->secret : "?", out->ns ? out->ns : "?",
	                      r.decided_by ? r.decided_by : "?");
	audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, out->lease_id, t, 1, detail);
	free(detail);
	rc = 0;
out:
	kj_free_secret(key);
	kj_free_secret(plain);
	request_done(&r);
	cJSON_Delete(csr);
	kube_json_free_secret(rec);
	free(t);
	return rc;
}

int request_collect(struct engine *en, const char *target, const char *id, struct mint_result *out, kj_err *e)
{
	enum request_state st;

	return collect_once(en, target, id, out, &st, e);
}

int request_wait(struct engine *en, const char *target, const char *id, request_wait_fn progress, void *ud,
                 struct mint_result *out, kj_err *e)
{
	enum request_state st;

	for (;;) {
		int64_t until;

		if (collect_once(en, target, id, out, &st, e) == 0)
			return 0;
		if (e->cls != KJ_ERR_CONFLICT)
			return -1;
		/* about twice a second, asking the cluster once a second */
		until = kj_mono_ms() + 1000;
		while (kj_mono_ms() < until) {
			if (progress && progress(ud, st))
				return kj_err_set(
				    e, KJ_ERR_CANCELLED,
				    _("stopped waiting for request %s (it stays open; collect it "
				      "later with 'kubejit request --collect %s')"),
				    id, id);
			usleep(500 * 1000);
		}
	}
}

int request_cancel(struct engine *en, const char *target, const char *id, kj_err *e)
{
	struct kube_client *kc;
	cJSON *rec = NULL, *csr = NULL;
	char *t = NULL, *detail;
	enum request_state st = REQUEST_PENDING;
	int rc = -1;

	if (own(en, target, id, &rec, &t, e) < 0)
		return -1;
	if (state_parse(kj_json_str0(rec, "state"), &st) == 0 && st != REQUEST_PENDING &&
	    st != REQUEST_APPROVED) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is %s; there is nothing to cancel"), id,
		           request_state_name(st));
		kj_err_hint(e, _("'kubejit requests --all' shows what is open"));
		goto out;
	}
	if (client_of(en, t, &kc, e) < 0)
		goto out;
	if (fetch(kc, id, &csr, e) == 0 &&
	    strcmp(kube_meta(csr, "uid") ? kube_meta(csr, "uid") : "", kj_json_str0(rec, "uid"))) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s in the cluster is not the one this home made"),
		           id);
		kj_err_hint(e, _("nothing was deleted"));
		goto out;
	}
	if (!csr && e->cls != KJ_ERR_NOTFOUND)
		goto out;
	if (csr && kube_delete(kc, KUBE_CSR, NULL, id, e) < 0) {
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e,
			            _("your identity may not delete certificatesigningrequests; see 'kubejit "
			              "rbac requester'"));
		kj_err_prefix(e, _("cancelling request %s"), id);
		goto out;
	}
	local_set_state(en, id, REQUEST_CANCELLED);
	detail = kj_xasprintf("request %s cancelled%s", id, csr ? "" : " (it was no longer in the cluster)");
	audit_quiet(en, REQUEST_AUDIT_CANCEL, kj_json_str(rec, "secret"), NULL, t, 1, detail);
	free(detail);
	kj_err_clear(e);
	rc = 0;
out:
	cJSON_Delete(csr);
	kube_json_free_secret(rec);
	free(t);
	return rc;
}

/* ---- approver side ------------------------------------------------------------- */

/* The approver's name as the API server knows it. */
static char *whoami(struct kube_client *kc)
{
	struct kube_user_info u;
	kj_err ignore;
	char *name = NULL;

	memset(&u, 0, sizeof u);
	if (kube_whoami(kc, &u, &ignore) == 0)
		name = kj_xstrdup(u.username);
	kube_user_info_done(&u);
	return name;
}

/* The API server decides who may approve (plugin/pkg/admission/
 * certificates/approval): ask it first, so a refusal comes before a mint
 * and names the missing permission. */
static int may_approve(struct kube_client *kc, const char *me, const char *id, kj_err *e)
{
	struct kube_access a = {"approve", "certificates.k8s.io", "signers", NULL, REQUEST_SIGNER, NULL,
	                        NULL};
	int allowed = 0;
	char *why = NULL;

	if (kube_can_i(kc, &a, &allowed, &why, e) < 0)
		return kj_err_prefix(e, _("asking whether you may approve request %s"), id);
	free(why);
	why = NULL;
	/* the API server also accepts approve on the domain wildcard */
	a.name = "kubejit.io/*";
	if (!allowed && kube_can_i(kc, &a, &allowed, &why, e) < 0)
		return kj_err_prefix(e, _("asking whether you may approve request %s"), id);
	free(why);
	if (allowed)
		return 0;
	kj_err_set(e, KJ_ERR_DENIED,
	           _("%s may not decide request %s: the API server lets only users with the verb "
	             "'approve' on signers \"%s\" (group certificates.k8s.io) approve or deny it"),
	           me ? me : _("this target's identity"), id, REQUEST_SIGNER);
	return kj_err_hint(e,
	                   _("a cluster admin grants it with 'kubejit rbac approver --user %s | kubectl "
	                     "apply -f -'"),
	                   me ? me : "NAME");
}

/* PUT .../approval with one more condition, on the resourceVersion read:
 * a request decided meanwhile is a conflict, not a second decision. */
static int put_condition(struct kube_client *kc, cJSON *csr, const char *type, const char *reason,
                         const char *message, kj_err *e)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(csr, "status"), *conds, *c;
	char now[32], *path, *body;
	int rc;

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(csr, "status");
		st = cJSON_AddObjectToObject(csr, "status");
	}
	conds = cJSON_GetObjectItemCaseSensitive(st, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
		conds = cJSON_AddArrayToObject(st, "conditions");
	}
	c = cJSON_CreateObject();
	kj_time_rfc3339(kj_now(), now, sizeof now);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", "True");
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	cJSON_AddStringToObject(c, "lastUpdateTime", now);
	cJSON_AddItemToArray(conds, c);
	path = kube_kind_subpath(kube_kind(KUBE_CSR), NULL, kube_meta(csr, "name"), "approval");
	body = cJSON_PrintUnformatted(csr);
	rc = kube_request(kc, "PUT", path, NULL, body, NULL, e);
	free(body);
	free(path);
	return rc;
}

/* Set annotations on the CSR (metadata only: the API server keeps spec and
 * status of a plain update), retrying on a conflict. */
static int annotate(struct kube_client *kc, const char *id, const char *const *kv, size_t n, kj_err *e)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		cJSON *csr = NULL, *md, *a;
		size_t i;
		int rc;

		if (kube_get(kc, KUBE_CSR, NULL, id, &csr, e) < 0)
			return -1;
		md = cJSON_GetObjectItemCaseSensitive(csr, "metadata");
		a = cJSON_GetObjectItemCaseSensitive(md, "annotations");
		if (!cJSON_IsObject(a)) {
			cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
			a = cJSON_AddObjectToObject(md, "annotations");
		}
		for (i = 0; i + 1 < n; i += 2) {
			cJSON_DeleteItemFromObjectCaseSensitive(a, kv[i]);
			cJSON_AddStringToObject(a, kv[i], kv[i + 1]);
		}
		rc = kube_update(kc, KUBE_CSR, NULL, csr, NULL, e);
		cJSON_Delete(csr);
		if (rc == 0)
			return 0;
		if (e->cls != KJ_ERR_CONFLICT)
			return -1;
	}
	return -1;
}

/* A request that can still be decided, read through `t`. */
static int decidable(struct engine *en, struct kube_client *kc, const char *t, const char *id, cJSON **csr,
                     struct request *r, kj_err *e)
{
	kj_err de;

	memset(r, 0, sizeof(*r));
	if (fetch(kc, id, csr, e) < 0)
		return -1;
	from_csr(en, t, *csr, r);
	switch (r->state) {
	case REQUEST_PENDING:
		return 0;
	case REQUEST_EXPIRED:
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s expired; nothing was minted"), id);
		kj_err_hint(e, _("the requester can ask again"));
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		return -1;
	case REQUEST_APPROVED:
		kj_err_set(e, KJ_ERR_CONFLICT,
		           _("request %s was approved already (by %s); it cannot be decided twice"), id,
		           r->decided_by ? r->decided_by : "?");
		return kj_err_hint(e, _("nothing was minted"));
	default:
		kj_err_set(e, KJ_ERR_CONFLICT,
		           _("request %s was denied already (by %s); it cannot be decided twice"), id,
		           r->decided_by ? r->decided_by : "?");
		return kj_err_hint(e, _("nothing was minted"));
	}
}

static char *csr_pem_of(const cJSON *csr)
{
	size_t n = 0;
	unsigned char *raw =
	    kj_b64_decode(kj_json_str0(cJSON_GetObjectItemCaseSensitive(csr, "spec"), "request"), &n);
	char *s;

	if (!raw)
		return NULL;
	s = kj_xstrndup((const char *)raw, n);
	free(raw);
	return s;
}

int request_approve(struct engine *en, const char *target, const char *id,
                    const struct request_approve_opts *o, char **lease_id, kj_err *e)
{
	struct kube_client *kc;
	struct request r;
	struct secret s;
	struct mint_request mr;
	struct mint_result m;
	cJSON *csr = NULL;
	char *t = NULL, *me = NULL, *pem = NULL, *ns = NULL, *msg, *ad, *sealed = NULL, *plain, *detail;
	char exp[32], group_txt[512];
	int64_t ttl = 0;
	int minted = 0, rc = -1, have_secret = 0;
	kj_err re;

	memset(&r, 0, sizeof r);
	memset(&m, 0, sizeof m);
	if (lease_id)
		*lease_id = NULL;
	if (pick_target(en, target, &t, e) < 0)
		return -1;
	if (client_of(en, t, &kc, e) < 0)
		goto out;
	/* the permission first: an identity without it may not even read requests */
	me = whoami(kc);
	if (may_approve(kc, me, id, e) < 0)
		goto refused;
	if (decidable(en, kc, t, id, &csr, &r, e) < 0)
		goto out;
	pem = csr_pem_of(csr);
	if (reqcrypt_check_csr(pem, e) < 0)
		goto out;
	if (!r.secret || secret_get(en, r.secret, &s, e) < 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("request %s asks for secret %s, which this home does not have"), id,
		           r.secret ? r.secret : "(none)");
		kj_err_hint(e, _("approve it from the kubejit that holds the secret, or deny it"));
		goto out;
	}
	have_secret = 1;
	if (me && r.requester && !strcmp(me, r.requester) && !s.self_approval) {
		kj_err_set(e, KJ_ERR_DENIED,
		           _("request %s was made by %s, who is you: you may not approve your own request"),
		           id, me);
		kj_err_hint(e,
		            _("another approver decides it; or let the secret allow it with 'kubejit secret "
		              "edit %s --self-approval'"),
		            r.secret);
		goto refused;
	}
	if (o && o->ttl && r.ttl && o->ttl > r.ttl) {
		kj_err_set(e, KJ_ERR_USAGE, _("--ttl may shorten what request %s asks for, not lengthen it"),
		           id);
		kj_err_hint(e, _("give at most the requested TTL"));
		goto out;
	}
	if (secret_resolve_ttl(&s, o && o->ttl ? o->ttl : r.ttl, &ttl, e) < 0 ||
	    secret_resolve_namespace(&s, r.ns, &ns, e) < 0) {
		kj_err_prefix(e, _("request %s"), id);
		goto refused;
	}
	memset(&mr, 0, sizeof mr);
	mr.secret = r.secret;
	mr.ns = ns;
	mr.ttl = ttl;
	mr.step = o ? o->step : NULL;
	mr.step_ud = o ? o->step_ud : NULL;
	mr.ready_timeout_ms = o ? o->ready_timeout_ms : 0;
	if (mint_run(en, &mr, &m, e) < 0) {
		kj_err_prefix(e, _("minting for request %s"), id);
		goto refused;
	}
	minted = 1;
	msg = kj_xasprintf("approved by %s with kubejit: %s in %s for %llds (lease %s)", me ? me : "?",
	                   r.secret, ns, (long long)ttl, m.lease_id);
	rc = put_condition(kc, csr, "Approved", REQUEST_REASON_APPROVED, msg, e);
	free(msg);
	if (rc < 0) {
		if (e->cls == KJ_ERR_CONFLICT || e->cls == KJ_ERR_INVALID)
			kj_err_hint(
			    e,
			    _("someone decided request %s meanwhile; the credential minted for it was "
			      "revoked"),
			    id);
		kj_err_prefix(e, _("approving request %s"), id);
		rc = -1;
		goto refused;
	}
	rc = -1;
	plain = payload_text(&m);
	ad = reqcrypt_aad(id, r.uid);
	if (reqcrypt_seal(pem, ad, plain, &sealed, e) == 0) {
		const char *kv[8];

		kj_time_rfc3339(m.lease_expiry, exp, sizeof exp);
		kv[0] = REQUEST_ANN_SEALED;
		kv[1] = sealed;
		kv[2] = REQUEST_ANN_LEASE;
		kv[3] = m.lease_id;
		kv[4] = REQUEST_ANN_LEASE_EXP;
		kv[5] = exp;
		kv[6] = REQUEST_ANN_DECIDER;
		kv[7] = me ? me : "?";
		if (annotate(kc, id, kv, 8, e) == 0)
			rc = 0;
		else
			kj_err_prefix(e, _("storing the sealed credential on request %s"), id);
	}
	free(ad);
	kj_free_secret(plain);
	if (rc < 0)
		goto refused;
	{
		char *g = kj_strv_join(&r.requester_groups, ",");

		snprintf(group_txt, sizeof group_txt, "%s", g);
		free(g);
	}
	detail = kj_xasprintf("approved request %s of %s (groups %s) as %s: %s in %s for %llds; reason: %s",
	                      id, r.requester ? r.requester : "?", group_txt, me ? me : "?", r.secret, ns,
	                      (long long)ttl, r.reason ? r.reason : "");
	audit_quiet(en, REQUEST_AUDIT_APPROVE, r.secret, m.lease_id, t, 1, detail);
	free(detail);
	if (lease_id)
		*lease_id = kj_xstrdup(m.lease_id);
	goto out;
refused:
	if (minted) {
		/* nobody may hold a credential for a request that was not approved */
		lease_revoke(en, m.lease_id, &re);
	}
	detail = kj_xasprintf("approving request %s of %s failed: %s", id, r.requester ? r.requester : "?",
	                      e->msg);
	audit_quiet(en, REQUEST_AUDIT_APPROVE, r.secret, minted ? m.lease_id : NULL, t, 0, detail);
	free(detail);
out:
	if (minted)
		mint_result_done(&m);
	if (have_secret)
		secret_done(&s);
	kj_free_secret(sealed);
	request_done(&r);
	cJSON_Delete(csr);
	free(pem);
	free(ns);
	free(me);
	free(t);
	return rc;
}

int request_deny(struct engine *en, const char *target, const char *id, const char *reason, kj_err *e)
{
	struct kube_client *kc;
	struct request r;
	cJSON *csr = NULL;
	char *t = NULL, *me = NULL, *detail;
	const char *kv[2];
	kj_err ae;
	int rc = -1;

	memset(&r, 0, sizeof r);
	if (!reason || !*reason) {
		kj_err_set(e, KJ_ERR_USAGE, _("a denial needs a reason"));
		return kj_err_hint(e, _("say why with --reason TEXT; the requester reads it"));
	}
	if (strlen(reason) > REQUEST_REASON_MAX) {
		kj_err_set(e, KJ_ERR_INVALID, _("the reason is %zu bytes long; at most %d are kept"),
		           strlen(reason), REQUEST_REASON_MAX);
		return kj_err_hint(e, _("shorten --reason"));
	}
	if (pick_target(en, target, &t, e) < 0)
		return -1;
	if (client_of(en, t, &kc, e) < 0)
		goto out;
	me = whoami(kc);
	if (may_approve(kc, me, id, e) < 0)
		goto failed;
	if (decidable(en, kc, t, id, &csr, &r, e) < 0)
		goto out;
	if (put_condition(kc, csr, "Denied", REQUEST_REASON_DENIED, reason, e) < 0) {
		kj_err_prefix(e, _("denying request %s"), id);
		goto failed;
	}
	kv[0] = REQUEST_ANN_DECIDER;
	kv[1] = me ? me : "?";
	annotate(kc, id, kv, 2, &ae); /* the Denied condition is what counts */
	detail = kj_xasprintf("denied request %s of %s for %s as %s: %s", id, r.requester ? r.requester : "?",
	                      r.secret ? r.secret : "?", me ? me : "?", reason);
	audit_quiet(en, REQUEST_AUDIT_DENY, r.secret, NULL, t, 1, detail);
	free(detail);
	rc = 0;
	goto out;
failed:
	detail = kj_xasprintf("denying request %s failed: %s", id, e->msg);
	audit_quiet(en, REQUEST_AUDIT_DENY, r.secret, NULL, t, 0, detail);
	free(detail);
out:
	request_done(&r);
	cJSON_Delete(csr);
	free(me);
	free(t);
	return rc;
}

/* ---- RBAC --------------------------------------------------------------------- */

static int rbac_name_ok(const char *s)
{
	return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strpbrk(s, "/%") && strlen(s) <= 253;
}

/* A YAML scalar: JSON string syntax is valid YAML and quotes everything. */
static char *yq(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *out = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	return out;
}

char *request_rbac_yaml(const struct request_rbac_opts *o, kj_err *e)
{
	const char *name = o->name ? o->name : o->approver ? "kubejit-approver" : "kubejit-requester";
	int subjects = !!o->user + !!o->group + !!o->service_account;
	kj_buf b;
	char *qn, *qs = NULL, *sa_ns = NULL, *sa_name = NULL;

	if (!rbac_name_ok(name)) {
		kj_err_set(e, KJ_ERR_USAGE, _("\"%s\" cannot name a ClusterRole"), name);
		kj_err_hint(e, _("a role name may not be empty, '.', '..', or contain '/' or '%%'"));
		return NULL;
	}
	if (subjects > 1) {
		kj_err_set(e, KJ_ERR_USAGE, _("give one of --user, --group and --serviceaccount"));
		kj_err_hint(e, _("bind more subjects by editing the ClusterRoleBinding"));
		return NULL;
	}
	if (o->service_account) {
		const char *colon = strchr(o->service_account, ':');

		sa_ns = colon ? kj_xstrndup(o->service_account, (size_t)(colon - o->service_account)) : NULL;
		sa_name = colon ? kj_xstrdup(colon + 1) : NULL;
		if (!sa_ns || !kj_is_dns1123_label(sa_ns) || !kj_is_dns1123_subdomain(sa_name)) {
			free(sa_ns);
			free(sa_name);
			kj_err_set(e, KJ_ERR_USAGE, _("--serviceaccount \"%s\" is not NAMESPACE:NAME"),
			           o->service_account);
			kj_err_hint(e, _("e.g. --serviceaccount team-a:alice"));
			return NULL;
		}
	}
	kj_buf_init(&b);
	qn = yq(name);
	if (o->approver)
		kj_buf_printf(&b,
		              "# Approvers of kubejit access requests (kubejit approve / deny / requests).\n"
		              "# Approving also mints: the approver's own target needs 'kubejit rbac fixed'\n"
		              "# or 'kubejit rbac dynamic' as well.\n");
	else
		kj_buf_printf(&b, "# Requesters of kubejit access requests (kubejit request).  Nothing here\n"
		                  "# grants access to anything else: approvers decide.\n");
	kj_buf_printf(&b,
	              "apiVersion: rbac.authorization.k8s.io/v1\n"
	              "kind: ClusterRole\n"
	              "metadata:\n"
	              "  name: %s\n"
	              "  labels:\n"
	              "    app.kubernetes.io/managed-by: kubejit\n"
	              "rules:\n",
	              qn);
	if (o->approver)
		kj_buf_printf(
		    &b, "# list pending requests, read one, store the sealed credential and who\n"
		        "# decided (a plain update may change metadata only), remove expired ones\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"certificatesigningrequests\"]\n"
		        "  verbs: [\"get\", \"list\", \"update\", \"delete\"]\n"
		        "# write the Approved or Denied condition\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"certificatesigningrequests/approval\"]\n"
		        "  verbs: [\"update\"]\n"
		        "# the API server's approval check (plugin/pkg/admission/certificates/approval):\n"
		        "# approve on this signer name only, so kubelet and client certificates stay\n"
		        "# out of reach\n"
		        "- apiGroups: [\"certificates.k8s.io\"]\n"
		        "  resources: [\"signers\"]\n"
		        "  resourceNames: [\"" REQUEST_SIGNER "\"]\n"
		        "  verbs: [\"approve\"]\n");
	else
		kj_buf_printf(&b, "# create: submit a request (the API server records who asked);\n"
		                  "# get: wait for and collect it; delete: cancel it, and remove it with\n"
		                  "# its sealed credential once collected; list: 'kubejit requests'\n"
		                  "- apiGroups: [\"certificates.k8s.io\"]\n"
		                  "  resources: [\"certificatesigningrequests\"]\n"
		                  "  verbs: [\"create\", \"get\", \"list\", \"delete\"]\n");
	kj_buf_printf(&b,
	              "---\n"
	              "apiVersion: rbac.authorization.k8s.io/v1\n"
	              "kind: ClusterRoleBinding\n"
	              "metadata:\n"
	              "  name: %s\n"
	              "  labels:\n"
	              "    app.kubernetes.io/managed-by: kubejit\n"
	              "roleRef:\n"
	              "  apiGroup: rbac.authorization.k8s.io\n"
	              "  kind: ClusterRole\n"
	              "  name: %s\n"
	              "subjects:\n",
	              qn, qn);
	if (sa_ns) {
		char *a = yq(sa_name), *n2 = yq(sa_ns);

		kj_buf_printf(&b, "- kind: ServiceAccount\n  name: %s\n  namespace: %s\n", a, n2);
		free(a);
		free(n2);
	} else {
		qs = yq(o->user       ? o->user
		        : o->group    ? o->group
		        : o->approver ? "kubejit:approvers"
		                      : "kubejit:requesters");
		kj_buf_printf(&b, "- kind: %s\n  apiGroup: rbac.authorization.k8s.io\n  name: %s\n",
		              o->user ? "User" : "Group", qs);
	}
	free(qs);
	free(qn);
	free(sa_ns);
	free(sa_name);
	return kj_buf_steal(&b);
}
