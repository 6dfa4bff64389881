#include "demo/impersonate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "demo/handlers_auth.h"
#include "util/names.h"
#include "util/strbuf.h"

/* Wire texts are the apiserver's: untranslated. */

#define SA_PREFIX    "system:serviceaccount:"
#define EXTRA_PREFIX "Impersonate-Extra-"

enum imp_kind { IMP_SA, IMP_USER, IMP_GROUP, IMP_EXTRA, IMP_UID };

/* One impersonation request (an ObjectReference in the apiserver). */
struct imp {
	enum imp_kind kind;
	char *ns;
	char *name;
	char *field; /* extra key */
};

struct imp_list {
	struct imp *v;
	size_t n;
	int user, groups, extras, uid;
};

static void add(struct imp_list *l, enum imp_kind k, const char *ns, const char *name, const char *field)
{
	l->v = kj_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].kind = k;
	l->v[l->n].ns = kj_xstrdup(ns ? ns : "");
	l->v[l->n].name = kj_xstrdup(name ? name : "");
	l->v[l->n].field = kj_xstrdup(field ? field : "");
	l->n++;
}

static void list_done(struct imp_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].ns);
		free(l->v[i].name);
		free(l->v[i].field);
	}
	free(l->v);
}

/* serviceaccount.SplitUsername */
static int split_sa(const char *user, char **ns, char **name)
{
	const char *rest, *colon;

	if (strncmp(user, SA_PREFIX, strlen(SA_PREFIX)))
		return 0;
	rest = user + strlen(SA_PREFIX);
	if (!(colon = strchr(rest, ':')) || strchr(colon + 1, ':'))
		return 0;
	*ns = kj_xstrndup(rest, (size_t)(colon - rest));
	*name = kj_xstrdup(colon + 1);
	if (kj_is_dns1123_label(*ns) && kj_is_dns1123_subdomain(*name))
		return 1;
	free(*ns);
	free(*name);
	return 0;
}

/* header names are case-insensitive; extra keys are lower-cased and
 * percent-decoded (unescapeExtraKey) */
static char *extra_key(const char *h)
{
	kj_buf b;
	const char *p;

	kj_buf_init(&b);
	for (p = h; *p; p++) {
		if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], 0};
			kj_buf_addc(&b, (char)strtol(hex, NULL, 16));
			p += 2;
		} else {
			kj_buf_addc(&b, (char)tolower((unsigned char)*p));
		}
	}
	return kj_buf_steal(&b);
}

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct imp_list *l = cls;

	(void)kind;
	if (!key || !value)
		return MHD_YES;
	if (!strcasecmp(key, "Impersonate-Group")) {
		l->groups = 1;
		add(l, IMP_GROUP, NULL, value, NULL);
	} else if (!strncasecmp(key, EXTRA_PREFIX, strlen(EXTRA_PREFIX))) {
		char *k = extra_key(key + strlen(EXTRA_PREFIX));

		l->extras = 1;
		add(l, IMP_EXTRA, NULL, value, k);
		free(k);
	}
	return MHD_YES;
}

/* buildImpersonationRequests: user first, then groups, extras, uid */
static void build(struct demo_req *r, struct imp_list *l)
{
	const char *user = demo_req_header(r, "Impersonate-User");
	const char *uid = demo_req_header(r, "Impersonate-Uid");
	char *ns, *name;

	if (user && *user) {
		l->user = 1;
		if (split_sa(user, &ns, &name)) {
			add(l, IMP_SA, ns, name, NULL);
			free(ns);
			free(name);
		} else {
			add(l, IMP_USER, NULL, user, NULL);
		}
	}
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect, l);
	if (uid && *uid) {
		l->uid = 1;
		add(l, IMP_UID, NULL, uid, NULL);
	}
}

/* Go's %v of the []ObjectReference: {Kind Namespace Name UID APIVersion
 * ResourceVersion FieldPath} per entry */
static char *describe(const struct imp_list *l)
{
	static const char *const kinds[] = {"ServiceAccount", "User", "Group", "UserExtra", "UID"};
	kj_buf b;
	size_t i;

	kj_buf_init(&b);
	kj_buf_addc(&b, '[');
	for (i = 0; i < l->n; i++) {
		const struct imp *m = &l->v[i];
		int authn = m->kind == IMP_EXTRA || m->kind == IMP_UID;

		kj_buf_printf(&b, "%s{%s %s %s  %s  %s}", i ? " " : "", kinds[m->kind], m->ns, m->name,
		              authn ? "authentication.k8s.io/v1" : "", m->field);
	}
	kj_buf_addc(&b, ']');
	return kj_buf_steal(&b);
}

static void attrs_for(const struct imp *m, const struct demo_user *u, struct demo_authz_attrs *a)
{
	static const char *const res[] = {"serviceaccounts", "users", "groups", "userextras", "uids"};

	memset(a, 0, sizeof *a);
	a->user = u;
	a->verb = "impersonate";
	a->resource_request = 1;
	a->group = (m->kind == IMP_EXTRA || m->kind == IMP_UID) ? "authentication.k8s.io" : "";
	a->resource = res[m->kind];
	a->subresource = m->kind == IMP_EXTRA ? m->field : "";
	a->name = m->name;
	a->ns = m->ns;
	a->path = "";
}

static int has_group(const struct demo_user *u, const char *g)
{
	size_t i;

	for (i = 0; i < u->ngroups; i++)
		if (!strcmp(u->groups[i], g))
			return 1;
	return 0;
}

int impersonate_apply(struct demo_req *r)
{
	struct imp_list l = {0};
	struct demo_user nu;
	size_t i;

	if (!r->conn)
		return 0;
	build(r, &l);
	if (!l.n) {
		list_done(&l);
		return 0;
	}
	if ((l.groups || l.extras || l.uid) && !l.user) {
		char *d = describe(&l), *why = kj_xasprintf("requested %s without impersonating a user", d);

		demo_reply_internal(r, why);
		free(why);
		free(d);
		list_done(&l);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		struct demo_authz_attrs a;
		char *reason = NULL;

		attrs_for(&l.v[i], &r->user, &a);
		if (auth_authorize(r->dc, &a, &reason) != DEMO_ALLOW) {
			char *msg = demo_forbidden_text(&a, reason);

			demo_reply_forbidden(r, a.group, a.resource, a.name, msg);
			free(msg);
			free(reason);
			list_done(&l);
			return -1;
		}
		free(reason);
	}
	demo_user_init(&nu);
	for (i = 0; i < l.n; i++) {
		const struct imp *m = &l.v[i];
		char *s;

		switch (m->kind) {
		case IMP_SA:
			s = kj_xasprintf(SA_PREFIX "%s:%s", m->ns, m->name);
			demo_user_set(&nu, s, ""); /* the uid request comes last */
			free(s);
			/* a ServiceAccount's groups are fixed unless groups are given */
			if (!l.groups) {
				demo_user_add_group(&nu, "system:serviceaccounts");
				s = kj_xasprintf("system:serviceaccounts:%s", m->ns);
				demo_user_add_group(&nu, s);
				free(s);
			}
			break;
		case IMP_USER:
			demo_user_set(&nu, m->name, "");
			break;
		case IMP_GROUP:
			demo_user_add_group(&nu, m->name);
			break;
		case IMP_EXTRA:
			demo_user_add_extra(&nu, m->field, m->name);
			break;
		case IMP_UID:
			/* demo_user_set frees the old strings first */
			s = kj_xstrdup(nu.name ? nu.name : "");
			demo_user_set(&nu, s, m->name);
			free(s);
			break;
		}
	}
	if (strcmp(nu.name, "system:anonymous")) {
		if (!has_group(&nu, "system:authenticated") && !has_group(&nu, "system:unauthenticated"))
			demo_user_add_group(&nu, "system:authenticated");
	} else if (!has_group(&nu, "system:unauthenticated")) {
		demo_user_add_group(&nu, "system:unauthenticated");
	}
	demo_user_done(&r->user);
	r->user = nu;
	list_done(&l);
	return 1;
}
