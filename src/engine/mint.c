#include "engine/mint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/mint_priv.h"
#include "engine/objects.h"
#include "engine/ready.h"
#include "engine/rolespec.h"
#include "kube/api.h"
#include "store/leases.h"
#include "store/spares.h"
#include "store/db.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/jwt.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define TOKEN_MIN_SECONDS 600 /* TokenRequest refuses less (doc/KUBERNETES.md, "TokenRequest") */

int64_t mint_token_seconds(int64_t ttl)
{
	return ttl < TOKEN_MIN_SECONDS ? TOKEN_MIN_SECONDS : ttl;
}

void mint_object_name(const char *prefix, const char *secret_path, char out[64])
{
	char pre[24], slug[64], rnd[6];
	size_t room, o = 0, n;

	kj_slug(prefix && *prefix ? prefix : "kubejit", 20, pre, sizeof(pre));
	kj_random_suffix(rnd, 5);
	/* <pre>-<slug>-<rnd>: 63 = len(pre) + 1 + slug + 1 + 5 */
	room = 63 - strlen(pre) - 7;
	kj_slug(secret_path, room, slug, sizeof(slug));
	/* assembled by hand: the lengths above guarantee ≤ 63 */
	n = strlen(pre);
	memcpy(out, pre, n);
	o = n;
	out[o++] = '-';
	n = strlen(slug);
	memcpy(out + o, slug, n);
	o += n;
	out[o++] = '-';
	memcpy(out + o, rnd, 5);
	out[o + 5] = '\0';
}

void mint_result_done(struct mint_result *r)
{
	kj_free_secret(r->token);
	free(r->secret);
	free(r->target);
	free(r->ns);
	free(r->service_account);
	free(r->jti);
	lease_objects_free(r->objects, r->n_objects);
	free(r->warning);
	free(r->ready_check);
	free(r->server);
	free(r->ca_pem);
	free(r->tls_server_name);
	memset(r, 0, sizeof(*r));
}

/* The lease's first object collided with an existing name (5 random
 * characters: at a thousand live leases a collision is a few percent):
 * nothing else exists yet, so draw a new name and try again, a few times. */
int mint_retry_with_new_name(struct minting *m, int *tries, kj_err *e)
{
	if (e->cls != KJ_ERR_CONFLICT || ++*tries > 4)
		return 0;
	mint_object_name(m->s->name_prefix, m->s->path, m->name);
	kj_err_clear(e);
	return 1;
}

/* `id` names the step for engine_crash_point() (tests), `what` for people. */
void mint_step(struct minting *m, const char *id, const char *what)
{
	engine_crash_point(id);
	if (m->req->step)
		m->req->step(m->req->step_ud, what);
}

void mint_warn(struct minting *m, const char *text)
{
	if (m->warnings.len)
		kj_buf_adds(&m->warnings, "; ");
	kj_buf_adds(&m->warnings, text);
}

/* Record a created object on the lease, in memory and in the store. */
void mint_record(struct minting *m, enum kube_kind_id kind, const cJSON *created)
{
	struct lease *l = &m->lease;
	struct lease_object *o;
	kj_err ignore;

	l->objects = kj_xrealloc(l->objects, (l->n_objects + 1) * sizeof(*l->objects));
	o = &l->objects[l->n_objects];
	o->kind = kj_xstrdup(kube_kind(kind)->kind);
	o->ns = kube_kind(kind)->namespaced ? kj_xstrdup(l->ns) : NULL;
	o->name = kj_xstrdup(kube_meta(created, "name") ? kube_meta(created, "name") : m->name);
	o->uid = kj_xstrdup(kube_meta(created, "uid"));
	o->deleted = 0;
	/* a store hiccup must not lose the object: the cluster label still finds it */
	store_lease_add_object(engine_db(m->eng), l->id, l->n_objects, o, &ignore);
	l->n_objects++;
}

/* Delete what this mint made, newest first.  Returns how many are left. */
static size_t roll_back(struct minting *m)
{
	size_t left = 0, swept = 0;
	kj_err le;

	for (size_t i = m->lease.n_objects; i-- > 0;) {
		struct lease_object *o = &m->lease.objects[i];
		kj_err e;
		int rc = objects_delete(m->kc, o, &e);

		if (rc >= 0) {
			o->deleted = 1;
			store_lease_object_deleted(engine_db(m->eng), m->lease.id, i, &e);
		} else {
			left++;
		}
	}
	/* an answer lost on the way (dropped connection) can hide a create that
	 * happened: the lease label finds those too */
	if (objects_delete_labelled(m->kc, m->lease.id, m->lease.ns, &swept, &le) < 0 && !left)
		left = 1;
	return left;
}

/* Close the lease as failed after rolling back.  The lease moves on only
 * from `creating`: a revoke that came first keeps its state, unless objects
 * are left, which only a `failed` lease tells the sweep to retry. */
static void fail_lease(struct minting *m, const kj_err *why)
{
	size_t left = roll_back(m);
	kj_err ignore;

	m->lease.state = LEASE_FAILED;
	m->lease.ended_at = kj_now();
	free(m->lease.error);
	if (left)
		m->lease.error = kj_xasprintf(_("%s (%zu object(s) could not be deleted; the sweep retries)"),
		                              why->msg, left);
	else
		m->lease.error = kj_xstrdup(why->msg);
	if (store_lease_update_from(engine_db(m->eng), &m->lease, LEASE_CREATING, &ignore) == 1 && left)
		store_lease_update_from(engine_db(m->eng), &m->lease, LEASE_REVOKED, &ignore);
	audit_record(m->eng, AUDIT_MINT, m->s->path, m->lease.id, m->s->target, 0, m->lease.error, &ignore);
}

/* Explain a refused create in kubejit's terms, keeping the server's text. */
int mint_explain(struct minting *m, const char *what, kj_err *e)
{
	if (e->cls == KJ_ERR_DENIED) {
		if (strstr(e->msg, "attempting to grant RBAC permissions not currently held"))
			kj_err_hint(e,
			            _("the target may grant only permissions it holds itself, or needs the "
			              "'escalate'/'bind' verbs: see 'kubejit rbac dynamic'"));
		else
			kj_err_hint(e,
			            _("the target lacks a permission it needs; run 'kubejit target check %s' "
			              "and apply "
			              "what 'kubejit rbac %s' prints"),
			            m->s->target, secret_mode_name(m->s->mode));
	} else if (e->cls == KJ_ERR_NOTFOUND && !e->hint[0]) {
		kj_err_hint(e, _("check that the namespace and the referenced role exist on target %s"),
		            m->s->target);
	}
	return kj_err_prefix(e, "%s", what);
}

cJSON *mint_token_body(struct minting *m, const char *bound_name, const char *bound_uid)
{
	struct kube_token_spec spec;
	int64_t left;

	memset(&spec, 0, sizeof(spec));
	/* what is left of the lease, not its whole TTL: the objects made before
	 * this request took time, and a token must not outlive its lease (an
	 * expiry-only token cannot be cut short later) */
	left = m->lease.lease_expiry > 0 ? m->lease.lease_expiry - kj_now() : m->ttl;
	spec.expiration_seconds = mint_token_seconds(left < m->ttl ? left : m->ttl);
	spec.audiences = (const char *const *)m->audiences.v;
	spec.n_audiences = m->audiences.n;
	if (bound_name) {
		spec.bound_kind = "Secret";
		spec.bound_api_version = "v1";
		spec.bound_name = bound_name;
		spec.bound_uid = bound_uid;
	}
	return kube_token_request_body(&spec);
}

/* Take the token out of a TokenRequest answer into the result. */
int mint_take_token(struct minting *m, const cJSON *answer, struct mint_result *out, kj_err *e)
{
	struct kube_token t;
	cJSON *claims = NULL, *jti;

	memset(&t, 0, sizeof(t));
	if (kube_token_parse(answer, &t, e) < 0)
		return -1;
	out->token = t.token;
	t.token = NULL;
	out->token_expiry = t.expires_at;
	for (size_t i = 0; i < t.n_warnings; i++)
		mint_warn(m, t.warnings[i]);
	kube_token_done(&t);
	kj_token_fingerprint(out->token, m->lease.fingerprint);
	if (kj_jwt_decode(out->token, NULL, &claims, NULL) == 0) {
		jti = cJSON_GetObjectItemCaseSensitive(claims, "jti");
		if (cJSON_IsString(jti))
			m->lease.jti = kj_xstrdup(jti->valuestring);
		cJSON_Delete(claims);
	}
	m->lease.token_expiry = out->token_expiry;
	return 0;
}

/* Spare anchors (doc/ARCHITECTURE.md, "The data flow of a mint"): a
 * TokenRequest may name its bound Secret by name and uid, and the API
 * server checks only that this Secret exists with that uid, so a Secret
 * made during an earlier mint can anchor the next token at once.  The
 * spare is relabelled as the lease's anchor (an update whose
 * resourceVersion fails if anyone touched it) in the same round trip. */
struct rbac_plan {
	enum kube_kind_id role_kind;    /* KUBE_KIND_COUNT: no role to create */
	enum kube_kind_id binding_kind; /* KUBE_ROLEBINDING / KUBE_CLUSTERROLEBINDING */
	const char *ref_kind;           /* "Role" / "ClusterRole" */
	const char *ref_name;
	cJSON *rules; /* YAML rules, owned */
};

static int plan_rbac(struct minting *m, struct rbac_plan *p, kj_err *e)
{
	const struct secret *s = m->s;
	struct rolespec rs;

	memset(p, 0, sizeof(*p));
	p->role_kind = KUBE_KIND_COUNT;
	p->binding_kind = KUBE_ROLEBINDING;
	switch (s->role_source) {
	case ROLE_SOURCE_ROLE:
		p->ref_kind = "Role";
		p->ref_name = s->role_name;
		return 0;
	case ROLE_SOURCE_CLUSTER_ROLE:
		p->ref_kind = "ClusterRole";
		p->ref_name = s->role_name;
		if (s->cluster_scope)
			p->binding_kind = KUBE_CLUSTERROLEBINDING;
		return 0;
	case ROLE_SOURCE_YAML:
		if (rolespec_parse(s->role_yaml, "role YAML", &rs, NULL, e) < 0)
			return kj_err_prefix(e, _("secret %s"), s->path);
		p->rules = rolespec_rules_json(&rs);
		p->ref_name = m->name;
		if (rs.scope == ROLESPEC_CLUSTER) {
			p->role_kind = KUBE_CLUSTERROLE;
			p->binding_kind = KUBE_CLUSTERROLEBINDING;
			p->ref_kind = "ClusterRole";
		} else {
			p->role_kind = KUBE_ROLE;
			p->ref_kind = "Role";
		}
		rolespec_done(&rs);
		return 0;
	default:
		kj_err_set(e, KJ_ERR_INVALID, _("secret %s has no role to bind"), s->path);
		return kj_err_hint(e, _("edit it with --role, --cluster-role or --role-yaml"));
	}
}

/* Explain the first failed op of a stage. */
static int explain_op(struct minting *m, const struct kube_op *op, kj_err *e)
{
	const char *kind = kube_kind(op->kind)->kind, *ns = m->lease.ns;
	char what[200];

	*e = op->err;
	if (op->kind == KUBE_TOKENREQUEST)
		snprintf(what, sizeof(what), _("requesting a token for ServiceAccount %s/%s"), ns, m->name);
	else if (kube_kind(op->kind)->namespaced)
		snprintf(what, sizeof(what), _("creating %s %s in %s"), kind, m->name, ns);
	else
		snprintf(what, sizeof(what), _("creating %s %s"), kind, m->name);
	return mint_explain(m, what, e);
}

/* Stage 1 of a dynamic mint, in parallel: the ServiceAccount and the role
 * (created from the YAML, or the predefined one read).  The binding waits
 * for stage 2: a target without `bind` may bind a role only when the API
 * server can read it and finds every rule of it held by the target
 * (pkg/registry/rbac/rolebinding/policybased/storage.go); a binding to a
 * role that does not exist yet is refused with 404. */
static int stage_sa_and_role(struct minting *m, struct rbac_plan *plan, kj_err *e)
{
	const char *ns = m->lease.ns;
	int tries = 0;

	for (;;) {
		struct kube_op ops[2];
		cJSON *sa_obj, *role = NULL;
		size_t n = 0, conflicts = 0;
		int failed = 0;

		memset(ops, 0, sizeof(ops));
		sa_obj = objects_new(m->name, ns, m->s, &m->lease, m->eng);
		cJSON_AddBoolToObject(sa_obj, "automountServiceAccountToken", 0);
		ops[n].verb = KUBE_OP_CREATE;
		ops[n].kind = KUBE_SERVICEACCOUNT;
		ops[n].ns = ns;
		ops[n].obj = sa_obj;
		n++;
		if (plan->role_kind != KUBE_KIND_COUNT) {
			int nsd = plan->role_kind == KUBE_ROLE;
			role = objects_new(m->name, nsd ? ns : NULL, m->s, &m->lease, m->eng);
			cJSON_AddItemReferenceToObject(role, "rules", plan->rules);
			ops[n].verb = KUBE_OP_CREATE;
			ops[n].kind = plan->role_kind;
			ops[n].ns = nsd ? ns : NULL;
			ops[n].obj = role;
			n++;
		} else {
			/* A binding to a missing role is legal and grants nothing:
			 * make sure the predefined role exists, and learn a rule of
			 * it for the readiness check. */
			int nsd = !strcmp(plan->ref_kind, "Role");
			ops[n].verb = KUBE_OP_GET;
			ops[n].kind = nsd ? KUBE_ROLE : KUBE_CLUSTERROLE;
			ops[n].ns = nsd ? ns : NULL;
			ops[n].name = plan->ref_name;
			n++;
		}
		kube_batch(m->kc, ops, n, NULL);
		cJSON_Delete(sa_obj);
		cJSON_Delete(role);
		for (size_t i = 0; i < n; i++)
			if (ops[i].verb == KUBE_OP_CREATE && ops[i].rc != 0 &&
			    ops[i].err.cls == KJ_ERR_CONFLICT)
				conflicts++;
		if (conflicts && tries < 4) {
			/* a generated name collided: undo this round, draw a new name */
			int undone = 1;
			for (size_t i = 0; i < n; i++) {
				if (ops[i].verb != KUBE_OP_CREATE || ops[i].rc != 0)
					continue;
				struct lease_object o = {.kind = (char *)kube_kind(ops[i].kind)->kind,
				                         .ns = (char *)ops[i].ns,
				                         .name = (char *)kube_meta(ops[i].result, "name"),
				                         .uid = (char *)kube_meta(ops[i].result, "uid")};
				kj_err de;
				if (!o.name || objects_delete(m->kc, &o, &de) < 0) {
					mint_record(m, ops[i].kind, ops[i].result);
					undone = 0;
				}
			}
			for (size_t i = 0; i < n; i++)
				cJSON_Delete(ops[i].result);
			if (undone) {
				tries++;
				mint_object_name(m->s->name_prefix, m->s->path, m->name);
				continue;
			}
			return kj_err_set(
			    e, KJ_ERR_CONFLICT,
			    _("generated name %s collided and the objects made for it could not "
			      "be deleted"),
			    m->name);
		}
		for (size_t i = 0; i < n; i++) {
			if (ops[i].verb == KUBE_OP_CREATE && ops[i].rc == 0)
				mint_record(m, ops[i].kind, ops[i].result);
			if (ops[i].rc != 0)
				failed = 1;
		}
		if (ops[0].rc == 0)
			m->lease.service_account = kj_xstrdup(m->name);
		if (!failed && ops[1].verb == KUBE_OP_GET)
			ready_probe_from_rules(cJSON_GetObjectItemCaseSensitive(ops[1].result, "rules"), ns,
			                       &m->probe);
		else if (ops[1].verb == KUBE_OP_GET && ops[1].rc != 0 && ops[1].err.cls == KJ_ERR_DENIED) {
			/* the target may not read the role: it stays unchecked
			 * here, and readiness is judged from the rules review */
			failed = ops[0].rc != 0;
			ready_probe_done(&m->probe);
			m->probe.kind = READY_RULES;
			m->probe.ns = kj_xstrdup(ns);
		}
		int rc = 0;
		if (ops[0].rc != 0) {
			char what[200];
			*e = ops[0].err;
			snprintf(what, sizeof(what), _("creating ServiceAccount %s in %s"), m->name, ns);
			rc = mint_explain(m, what, e);
		} else if (failed && ops[1].verb == KUBE_OP_GET) {
			*e = ops[1].err;
			if (e->cls == KJ_ERR_NOTFOUND) {
				if (ops[1].kind == KUBE_ROLE)
					kj_err_set(e, KJ_ERR_NOTFOUND,
					           _("Role \"%s\" does not exist in namespace %s"),
					           plan->ref_name, ns);
				else
					kj_err_set(e, KJ_ERR_NOTFOUND, _("ClusterRole \"%s\" does not exist"),
					           plan->ref_name);
				kj_err_hint(
				    e,
				    _("create it first, or choose a namespace where it exists (secret "
				      "%s)"),
				    m->s->path);
			}
			rc = -1;
		} else if (failed) {
			rc = explain_op(m, &ops[1], e);
		}
		for (size_t i = 0; i < n; i++)
			cJSON_Delete(ops[i].result);
		return rc;
	}
}

static int mint_dynamic(struct minting *m, struct mint_result *out, kj_err *e)
{
	const char *ns = m->lease.ns;
	struct rbac_plan plan;
	struct kube_op ops[2];
	cJSON *binding, *subj, *ref, *body, *sj;
	int rc = 0;

	if (plan_rbac(m, &plan, e) < 0)
		return -1;
	if (plan.rules)
		ready_probe_from_rules(plan.rules, ns, &m->probe);
	mint_step(m, "mint:objects",
	          plan.role_kind != KUBE_KIND_COUNT ? _("creating the ServiceAccount and the role")
	                                            : _("creating the ServiceAccount"));
	if (stage_sa_and_role(m, &plan, e) < 0) {
		cJSON_Delete(plan.rules);
		return -1;
	}
	cJSON_Delete(plan.rules);

	/* Stage 2, in parallel: the binding and the token need only the
	 * ServiceAccount and the role.  The binding is owned by the
	 * ServiceAccount so the garbage collector backs up our own deletes. */
	mint_step(m, "mint:binding", _("creating the role binding and requesting the token"));
	memset(ops, 0, sizeof(ops));
	binding =
	    objects_new(m->name, plan.binding_kind == KUBE_ROLEBINDING ? ns : NULL, m->s, &m->lease, m->eng);
	if (plan.binding_kind == KUBE_ROLEBINDING)
		objects_owned_by_sa(binding, m->name, m->lease.objects[0].uid);
	subj = cJSON_AddArrayToObject(binding, "subjects");
	sj = cJSON_CreateObject();
	cJSON_AddStringToObject(sj, "kind", "ServiceAccount");
	cJSON_AddStringToObject(sj, "name", m->name);
	cJSON_AddStringToObject(sj, "namespace", ns);
	cJSON_AddItemToArray(subj, sj);
	ref = cJSON_AddObjectToObject(binding, "roleRef");
	cJSON_AddStringToObject(ref, "apiGroup", "rbac.authorization.k8s.io");
	cJSON_AddStringToObject(ref, "kind", plan.ref_kind);
	cJSON_AddStringToObject(ref, "name", plan.ref_name);
	ops[0].verb = KUBE_OP_CREATE;
	ops[0].kind = plan.binding_kind;
	ops[0].ns = plan.binding_kind == KUBE_ROLEBINDING ? ns : NULL;
	ops[0].obj = binding;
	body = mint_token_body(m, NULL, NULL);
	ops[1].verb = KUBE_OP_CREATE;
	ops[1].kind = KUBE_TOKENREQUEST;
	ops[1].ns = ns;
	ops[1].name = m->name;
	ops[1].obj = body;
	kube_batch(m->kc, ops, 2, NULL);
	if (ops[0].rc == 0)
		mint_record(m, ops[0].kind, ops[0].result);
	if (ops[0].rc != 0)
		rc = explain_op(m, &ops[0], e);
	else if (ops[1].rc != 0)
		rc = explain_op(m, &ops[1], e);
	else
		rc = mint_take_token(m, ops[1].result, out, e);
	cJSON_Delete(ops[0].result);
	objects_json_wipe(ops[1].result);
	cJSON_Delete(binding);
	cJSON_Delete(body);
	return rc;
}

/* Minted means working: ask as the new token until the cluster says yes. */
static int verify_ready(struct minting *m, struct mint_result *out, kj_err *e)
{
	struct kube_client *tc = NULL;
	int64_t took = 0;
	int rc;

	if (m->audiences.n) {
		/* a token for other audiences need not work on the API server */
		out->ready_ms = -1;
		out->ready_check = kj_xstrdup(_("not checked: the token is for the secret's own audiences"));
		return 0;
	}
	if (m->s->mode == SECRET_FIXED) {
		/* The TokenRequest found the ServiceAccount and the bound Secret in
		 * storage, and the token authenticator reads them there when its
		 * informer has not seen them yet (pkg/controller/serviceaccount/
		 * tokengetter.go); the ServiceAccount's rights are not new.  Nothing
		 * is cached that could refuse the token, so asking proves nothing. */
		out->ready_ms = -1;
		out->ready_check = kj_xstrdup(
		    _("not needed: nothing a fixed token relies on is new to the API server's caches"));
		return 0;
	}
	mint_step(m, "mint:ready", _("checking that the new credential works"));
	/* on the connection the mint used: no second TCP and TLS handshake */
	if (kube_client_with_token(m->kc, out->token, &tc, e) < 0)
		return -1;
	rc = ready_wait(tc, &m->probe, m->req->ready_timeout_ms, &took, e);
	kube_client_free(tc);
	out->ready_ms = took;
	out->ready_check = ready_probe_describe(&m->probe);
	if (rc == 0)
		return 0;
	if (e->cls != KJ_ERR_FAIL)
		return kj_err_prefix(e, _("checking the new credential"));
	kj_err_hint(e,
	            _("kubejit revoked the lease and deleted its objects. The API server "
	              "authorises from a cache that may lag behind new bindings: retry with a "
	              "longer --ready-timeout; if it never works, compare the role with 'kubectl "
	              "auth can-i --list --as=system:serviceaccount:%s:%s'"),
	            m->lease.ns, m->name);
	return -1;
}

/* Copy the target's connection data into the result for the outputs. */
static void fill_cluster(struct minting *m, struct mint_result *out)
{
	struct target t;
	kj_err ignore;

	memset(&t, 0, sizeof(t));
	if (store_target_get(engine_db(m->eng), m->s->target, &t, &ignore) == 0) {
		out->server = kj_xstrdup(t.server);
		out->ca_pem = kj_xstrdup(t.ca_pem);
		out->tls_server_name = kj_xstrdup(t.tls_server_name);
		target_done(&t);
	}
}

static int begin_lease(struct minting *m, const char *ns, kj_err *e)
{
	struct lease *l = &m->lease;

	kj_uuid4(l->id);
	/* held from before the row exists until the mint ends: a sweep that
	 * finds a `creating` lease without its lock knows the minting process
	 * is gone and the lease will never leave `creating` */
	m->hold = engine_lease_hold(m->eng, l->id);
	l->secret = kj_xstrdup(m->s->path);
	l->target = kj_xstrdup(m->s->target);
	l->mode = m->s->mode;
	l->ns = kj_xstrdup(ns);
	l->service_account = m->s->mode == SECRET_FIXED ? kj_xstrdup(m->s->service_account) : NULL;
	l->state = LEASE_CREATING;
	l->revocable = m->s->mode == SECRET_DYNAMIC;
	l->created_at = kj_now();
	l->lease_expiry = l->created_at + m->ttl;
	l->created_by = kj_xstrdup(engine_actor(m->eng));
	return store_lease_insert(engine_db(m->eng), l, e);
}

int mint_run(struct engine *eng, const struct mint_request *req, struct mint_result *out, kj_err *e)
{
	struct minting m;
	struct secret s;
	char *ns = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&m, 0, sizeof(m));
	m.hold = -1;
	if (secret_get(eng, req->secret, &s, e) < 0)
		return -1;
	m.eng = eng;
	m.s = &s;
	m.req = req;
	kj_buf_init(&m.warnings);
	if (secret_resolve_namespace(&s, req->ns, &ns, e) < 0 ||
	    secret_resolve_ttl(&s, req->ttl, &m.ttl, e) < 0) {
		/* refused by policy: worth a line in the audit log, no lease */
		audit_record(eng, AUDIT_MINT, s.path, NULL, s.target, 0, e->msg, NULL);
		goto out;
	}
	kj_strv_copy(&m.audiences, req->audiences && req->audiences->n ? req->audiences : &s.audiences);
	for (size_t i = 0; i < m.audiences.n; i++)
		if (secret_check_audience(m.audiences.v[i], e) < 0)
			goto out;
	if (engine_client(eng, s.target, &m.kc, e) < 0) {
		kj_err_prefix(e, _("secret %s"), s.path);
		goto out;
	}
	{
		/* the objects name their owner for colleagues; without it they
		 * still carry user@host, so the mint goes on */
		kj_err ie;
		if (!engine_identity(eng, s.target, &ie)) {
			char *w = kj_xasprintf(_("the objects do not name their owner (%s)"), ie.msg);
			mint_warn(&m, w);
			free(w);
		}
	}
	mint_object_name(s.name_prefix, s.path, m.name);
	/* the lease row exists before the first object does (doc/ARCHITECTURE.md, "The data flow of a mint")
	 */
	if (begin_lease(&m, ns, e) < 0)
		goto out;
	engine_crash_point("mint:lease-written");
	rc = s.mode == SECRET_FIXED ? mint_fixed(&m, out, e) : mint_dynamic(&m, out, e);
	if (rc == 0)
		rc = verify_ready(&m, out, e);
	if (rc < 0) {
		fail_lease(&m, e);
		kj_free_secret(out->token);
		out->token = NULL;
		goto out;
	}
	engine_crash_point("mint:activate");
	m.lease.state = LEASE_ACTIVE;
	if (m.warnings.len)
		m.lease.error = kj_xstrdup(m.warnings.data);
	/* only a lease still `creating` becomes active: one revoked meanwhile
	 * stays revoked, and the token made for it must not leave */
	rc = store_lease_update_from(engine_db(eng), &m.lease, LEASE_CREATING, e);
	if (rc != 0) {
		kj_err saved = *e;

		if (rc == 1) {
			kj_err_set(&saved, KJ_ERR_CONFLICT,
			           _("lease %s was revoked while it was being minted"), m.lease.id);
			kj_err_hint(&saved, _("what the mint made is deleted and no token was given out; "
			                      "mint again if access is still needed"));
		}
		/* without a record the token must not leave: undo everything */
		fail_lease(&m, &saved);
		kj_free_secret(out->token);
		out->token = NULL;
		*e = saved;
		rc = -1;
		goto out;
	}
	audit_record(eng, AUDIT_MINT, s.path, m.lease.id, s.target, 1,
	             m.warnings.len ? m.warnings.data : NULL, NULL);
	memcpy(out->lease_id, m.lease.id, sizeof(out->lease_id));
	out->lease_expiry = m.lease.lease_expiry;
	out->revocable = m.lease.revocable;
	out->mode = s.mode;
	out->secret = kj_xstrdup(s.path);
	out->target = kj_xstrdup(s.target);
	out->ns = kj_xstrdup(ns);
	out->service_account = kj_xstrdup(m.lease.service_account);
	memcpy(out->fingerprint, m.lease.fingerprint, sizeof(out->fingerprint));
	out->jti = kj_xstrdup(m.lease.jti);
	out->objects = m.lease.objects;
	out->n_objects = m.lease.n_objects;
	m.lease.objects = NULL;
	m.lease.n_objects = 0;
	out->warning = m.warnings.len ? kj_xstrdup(m.warnings.data) : NULL;
	fill_cluster(&m, out);
	rc = 0;
out:
	if (rc < 0) {
		free(out->ready_check);
		out->ready_check = NULL;
	}
	ready_probe_done(&m.probe);
	engine_lease_release(eng, m.lease.id, m.hold);
	lease_done(&m.lease);
	kj_strv_done(&m.audiences);
	kj_buf_done(&m.warnings);
	free(ns);
	secret_done(&s);
	return rc;
}
