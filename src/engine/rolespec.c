#include "engine/rolespec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/yamlguard.h"

#define RBAC_API_VERSION "rbac.authorization.k8s.io/v1"

/* Parser state shared by the helpers of one rolespec_parse() call. */
struct ctx {
	yaml_document_t *doc;
	const char *source;
	struct rolespec *rs;
	struct rolespec_pos *pos;
	kj_err *e;
	int have_role;       /* a Role/ClusterRole document was seen */
	int role_cluster;    /* its scope */
	int binding_cluster; /* scope of a binding seen, -1 none */
	int binding_line;
	int binding_col;
};

static int fail_at(struct ctx *c, const yaml_mark_t *m, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct ctx *c, const yaml_mark_t *m, const char *hint, const char *fmt, ...)
{
	char what[KJ_ERR_MSG_MAX];
	va_list ap;
	int line = m ? (int)m->line + 1 : 0, col = m ? (int)m->column + 1 : 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->pos) {
		c->pos->line = line;
		c->pos->column = col;
	}
	kj_err_set(c->e, KJ_ERR_INVALID, "%s:%d:%d: %s", c->source, line, col, what);
	if (hint)
		kj_err_hint(c->e, "%s", hint);
	return -1;
}

static void notice_at(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void notice_at(struct ctx *c, const yaml_mark_t *m, const char *fmt, ...)
{
	struct rolespec *rs = c->rs;
	struct rolespec_notice *n;
	va_list ap;
	kj_buf b;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	rs->notices = kj_xrealloc(rs->notices, (rs->n_notices + 1) * sizeof(*rs->notices));
	n = &rs->notices[rs->n_notices++];
	n->line = (int)m->line + 1;
	n->column = (int)m->column + 1;
	n->text = kj_buf_steal(&b);
}

static const char *node_type_name(const yaml_node_t *n)
{
	if (!n)
		return _("nothing");
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return _("a string");
	case YAML_SEQUENCE_NODE:
		return _("a list");
	case YAML_MAPPING_NODE:
		return _("a mapping");
	default:
		return _("nothing");
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain `~`/`null`/empty scalar: YAML's way of writing "no value". */
static int is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!n)
		return 1;
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static yaml_node_t *map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* Read a list of strings ("verbs: [get, list]").  A single string is refused
 * as the API server's strict decoding would; null is the empty list. */
static int read_strv(struct ctx *c, yaml_node_t *n, const char *field, struct kj_strv *out)
{
	yaml_node_item_t *it;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(c, &n->start_mark, _("write it as a list: [a, b] or one \"- item\" per line"),
		               _("%s must be a list (got %s)"), field, node_type_name(n));
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(c->doc, *it);
		const char *s = scalar(v);
		if (!s || v->type != YAML_SCALAR_NODE)
			return fail_at(c, &v->start_mark, NULL, _("%s items must be strings (got %s)"), field,
			               node_type_name(v));
		kj_strv_push(out, s);
	}
	return 0;
}

static void rule_done(struct rolespec_rule *r)
{
	kj_strv_done(&r->verbs);
	kj_strv_done(&r->api_groups);
	kj_strv_done(&r->resources);
	kj_strv_done(&r->resource_names);
	kj_strv_done(&r->non_resource_urls);
}

int rolespec_rule_check(const struct rolespec_rule *r, size_t index, int cluster, kj_err *e)
{
	if (!r->verbs.n)
		return kj_err_set(e, KJ_ERR_INVALID, _("rules[%zu].verbs: at least one verb is required"),
		                  index),
		       kj_err_hint(e, _("add e.g. verbs: [get, list, watch]"));
	if (r->non_resource_urls.n) {
		if (!cluster)
			return kj_err_set(e, KJ_ERR_INVALID,
			                  _("rules[%zu].nonResourceURLs: a namespaced Role cannot grant "
			                    "non-resource URLs"),
			                  index),
			       kj_err_hint(e, _("use a ClusterRole document, or drop nonResourceURLs"));
		if (r->api_groups.n || r->resources.n || r->resource_names.n)
			return kj_err_set(
			           e, KJ_ERR_INVALID,
			           _("rules[%zu]: a rule cannot grant both resources and non-resource URLs"),
			           index),
			       kj_err_hint(e, _("split it into two rules"));
		return 0;
	}
	if (!r->api_groups.n)
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("rules[%zu].apiGroups: at least one API group is required"), index),
		       kj_err_hint(e, _("use apiGroups: [\"\"] for the core group (pods, configmaps, ...)"));
	if (!r->resources.n)
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("rules[%zu].resources: at least one resource is required"), index),
		       kj_err_hint(e, _("name resources by their plural, e.g. resources: [pods]"));
	return 0;
}

static const char *const rule_fields[] = {"verbs",         "apiGroups",       "resources",
                                          "resourceNames", "nonResourceURLs", NULL};

static int parse_rule(struct ctx *c, yaml_node_t *n, size_t index, int cluster)
{
	struct rolespec_rule r = {0};
	struct kj_strv *dst[] = {&r.verbs, &r.api_groups, &r.resources, &r.resource_names,
	                         &r.non_resource_urls};
	yaml_node_pair_t *p;
	char field[64];

	if (n->type != YAML_MAPPING_NODE)
		return fail_at(c, &n->start_mark, NULL, _("rules[%zu] must be a mapping (got %s)"), index,
		               node_type_name(n));
	r.line = (int)n->start_mark.line + 1;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		const char *key = scalar(k);
		size_t i;

		for (i = 0; key && rule_fields[i]; i++)
			if (!strcmp(key, rule_fields[i]))
				break;
		if (!key || !rule_fields[i]) {
			rule_done(&r);
			return fail_at(
			    c, &k->start_mark,
			    _("a rule has verbs, apiGroups, resources, resourceNames and nonResourceURLs"),
			    _("rules[%zu]: unknown field \"%s\""), index, key ? key : "?");
		}
		snprintf(field, sizeof(field), "rules[%zu].%s", index, key);
		if (read_strv(c, yaml_document_get_node(c->doc, p->value), field, dst[i]) < 0) {
			rule_done(&r);
			return -1;
		}
	}
	if (rolespec_rule_check(&r, index, cluster, c->e) < 0) {
		char msg[KJ_ERR_MSG_MAX], hint[KJ_ERR_HINT_MAX];
		snprintf(msg, sizeof(msg), "%s", c->e->msg);
		snprintf(hint, sizeof(hint), "%s", c->e->hint);
		rule_done(&r);
		return fail_at(c, &n->start_mark, hint[0] ? hint : NULL, "%s", msg);
	}
	/* The API server accepts resourceNames with several resources (the names
	 * then apply to each), but names never match create or list: say so. */
	if (r.resource_names.n) {
		static const char *const nameless[] = {"create", "list", "watch", "deletecollection", NULL};
		for (size_t i = 0; nameless[i]; i++)
			if (kj_strv_contains(&r.verbs, nameless[i]))
				notice_at(
				    c, &n->start_mark,
				    _("rules[%zu]: \"%s\" requests carry no object name, so a rule with "
				      "resourceNames never allows them"),
				    index, nameless[i]);
		/* kube-apiserver accepts names over several resources (they apply to
		 * each); some validators, the demo cluster's among them, refuse it */
		if (r.resources.n > 1)
			notice_at(
			    c, &n->start_mark,
			    _("rules[%zu]: resourceNames apply to each of the %zu resources; some clusters "
			      "refuse names with more than one resource, so one rule per resource is safer"),
			    index, r.resources.n);
	}
	c->rs->rules = kj_xrealloc(c->rs->rules, (c->rs->n_rules + 1) * sizeof(*c->rs->rules));
	c->rs->rules[c->rs->n_rules++] = r;
	return 0;
}

static void note_metadata(struct ctx *c, yaml_node_t *root, const char *kind)
{
	yaml_node_t *meta = map_get(c->doc, root, "metadata");
	yaml_node_t *v;

	if (!meta || meta->type != YAML_MAPPING_NODE)
		return;
	if ((v = map_get(c->doc, meta, "name")) && !is_null(v))
		notice_at(c, &v->start_mark,
		          _("%s metadata.name \"%s\" is ignored: kubejit generates a name per lease"), kind,
		          scalar(v) ? scalar(v) : "");
	if ((v = map_get(c->doc, meta, "namespace")) && !is_null(v))
		notice_at(
		    c, &v->start_mark,
		    _("%s metadata.namespace \"%s\" is ignored: objects go to the namespace chosen at mint "
		      "time (allowed namespaces)"),
		    kind, scalar(v) ? scalar(v) : "");
}

static int parse_role(struct ctx *c, yaml_node_t *root, int cluster)
{
	const char *kind = cluster ? "ClusterRole" : "Role";
	yaml_node_t *rules = map_get(c->doc, root, "rules");
	yaml_node_t *agg = map_get(c->doc, root, "aggregationRule");
	yaml_node_item_t *it;
	size_t i = 0;

	if (c->have_role)
		return fail_at(c, &root->start_mark,
		               _("put one role per secret; make another secret for the other role"),
		               _("a second %s document: only one role is allowed"), kind);
	c->have_role = 1;
	c->role_cluster = cluster;
	c->rs->scope = cluster ? ROLESPEC_CLUSTER : ROLESPEC_NAMESPACED;
	note_metadata(c, root, kind);
	if (agg && !is_null(agg))
		return fail_at(c, &agg->start_mark, _("list the rules explicitly"),
		               _("aggregationRule is not supported: it needs cluster-admin rights"));
	if (is_null(rules))
		return fail_at(c, rules ? &rules->start_mark : &root->start_mark,
		               _("add rules: a list of {apiGroups, resources, verbs}"),
		               _("%s has no rules: it grants nothing"), kind);
	if (rules->type != YAML_SEQUENCE_NODE)
		return fail_at(c, &rules->start_mark, NULL, _("rules must be a list (got %s)"),
		               node_type_name(rules));
	for (it = rules->data.sequence.items.start; it < rules->data.sequence.items.top; it++, i++)
		if (parse_rule(c, yaml_document_get_node(c->doc, *it), i, cluster) < 0)
			return -1;
	if (!i)
		return fail_at(c, &rules->start_mark, _("add at least one rule"),
		               _("%s has no rules: it grants nothing"), kind);
	return 0;
}

static int parse_binding(struct ctx *c, yaml_node_t *root, int cluster)
{
	const char *kind = cluster ? "ClusterRoleBinding" : "RoleBinding";
	yaml_node_t *subjects = map_get(c->doc, root, "subjects");
	yaml_node_t *ref = map_get(c->doc, root, "roleRef");
	const char *ref_kind;

	if (c->binding_cluster >= 0)
		return fail_at(c, &root->start_mark, NULL,
		               _("a second binding document: only one is allowed"));
	c->binding_cluster = cluster;
	c->binding_line = (int)root->start_mark.line;
	c->binding_col = (int)root->start_mark.column;
	c->rs->has_binding = 1;
	note_metadata(c, root, kind);
	if (subjects && !is_null(subjects))
		notice_at(
		    c, &subjects->start_mark,
		    _("%s subjects are ignored: kubejit binds the ServiceAccount it creates for each lease"),
		    kind);
	if (ref && !is_null(ref)) {
		yaml_node_t *rk = map_get(c->doc, ref, "kind");
		yaml_node_t *rn = map_get(c->doc, ref, "name");
		yaml_node_t *rg = map_get(c->doc, ref, "apiGroup");

		if (ref->type != YAML_MAPPING_NODE)
			return fail_at(c, &ref->start_mark, NULL, _("roleRef must be a mapping (got %s)"),
			               node_type_name(ref));
		ref_kind = scalar(rk);
		if (ref_kind && strcmp(ref_kind, "Role") && strcmp(ref_kind, "ClusterRole"))
			return fail_at(c, &rk->start_mark, NULL,
			               _("roleRef.kind \"%s\" is not supported: use Role or ClusterRole"),
			               ref_kind);
		if (ref_kind && cluster && strcmp(ref_kind, "ClusterRole"))
			return fail_at(
			    c, &rk->start_mark, _("a ClusterRoleBinding binds a ClusterRole"),
			    _("roleRef.kind must be ClusterRole in a ClusterRoleBinding (got \"%s\")"),
			    ref_kind);
		if (scalar(rg) && *scalar(rg) && strcmp(scalar(rg), "rbac.authorization.k8s.io"))
			return fail_at(c, &rg->start_mark, NULL,
			               _("roleRef.apiGroup must be rbac.authorization.k8s.io (got \"%s\")"),
			               scalar(rg));
		if (rn && !is_null(rn))
			notice_at(
			    c, &rn->start_mark,
			    _("roleRef.name \"%s\" is ignored: the binding points at the role generated from "
			      "this YAML"),
			    scalar(rn) ? scalar(rn) : "");
	}
	return 0;
}

static int parse_document(struct ctx *c)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);
	yaml_node_t *kn, *av;
	const char *kind, *api;

	if (!root || is_null(root))
		return 0; /* empty document, e.g. a trailing "---" */
	if (root->type != YAML_MAPPING_NODE)
		return fail_at(
		    c, &root->start_mark,
		    _("give a Role or ClusterRole manifest: apiVersion: rbac.authorization.k8s.io/v1, "
		      "kind: Role, rules: [...]"),
		    _("a document must be a mapping with apiVersion and kind (got %s)"),
		    node_type_name(root));
	kn = map_get(c->doc, root, "kind");
	kind = scalar(kn);
	if (!kind || !*kind)
		return fail_at(c, &root->start_mark, _("start the document with kind: Role (or ClusterRole)"),
		               _("the document has no kind"));
	av = map_get(c->doc, root, "apiVersion");
	api = scalar(av);
	if (api && strcmp(api, RBAC_API_VERSION))
		return fail_at(c, &av->start_mark, _("use apiVersion: " RBAC_API_VERSION),
		               _("apiVersion \"%s\" is not supported"), api);
	if (!strcmp(kind, "Role"))
		return parse_role(c, root, 0);
	if (!strcmp(kind, "ClusterRole"))
		return parse_role(c, root, 1);
	if (!strcmp(kind, "RoleBinding"))
		return parse_binding(c, root, 0);
	if (!strcmp(kind, "ClusterRoleBinding"))
		return parse_binding(c, root, 1);
	return fail_at(
	    c, &kn->start_mark,
	    _("kubejit creates the ServiceAccount itself; keep only the role and binding"),
	    _("kind \"%s\" is not supported here: use Role, RoleBinding, ClusterRole or ClusterRoleBinding"),
	    kind);
}

int rolespec_parse(const char *text, const char *source, struct rolespec *out, struct rolespec_pos *pos,
                   kj_err *e)
{
	struct ctx c = {0};
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (pos)
		pos->line = pos->column = 0;
	c.source = source ? source : "yaml";
	c.rs = out;
	c.pos = pos;
	c.e = e;
	c.binding_cluster = -1;
	if (!text)
		text = "";
	{
		/* role YAML is a handful of rules: aliases buy nothing there and
		 * cost seconds and hundreds of MiB when nested */
		static const struct kj_yaml_limits lim = {1u << 20, 32, 100000, 0, N_("role YAML")};

		if (kj_yaml_check(text, strlen(text), c.source, &lim, e) < 0) {
			if (pos)
				sscanf(e->msg + strlen(c.source), ":%d:%d:", &pos->line, &pos->column);
			return -1;
		}
	}
	if (!yaml_parser_initialize(&parser))
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot initialise the YAML parser"));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			yaml_mark_t m = parser.problem_mark;
			fail_at(&c, &m, _("check indentation and that lists use \"- \" or [a, b]"), "%s%s%s",
			        parser.problem ? parser.problem : _("invalid YAML"),
			        parser.context ? " " : "", parser.context ? parser.context : "");
			rc = -1;
			break;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break; /* end of stream */
		}
		c.doc = &doc;
		rc = parse_document(&c);
		yaml_document_delete(&doc);
		c.doc = NULL;
		if (rc < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (!rc && !c.have_role) {
		int line = c.binding_cluster >= 0 ? c.binding_line + 1 : 1;
		int col = c.binding_cluster >= 0 ? c.binding_col + 1 : 1;
		if (pos) {
			pos->line = line;
			pos->column = col;
		}
		kj_err_set(e, KJ_ERR_INVALID,
		           _("%s:%d:%d: the YAML grants nothing: it has no Role or ClusterRole document"),
		           c.source, line, col);
		kj_err_hint(e, _("add a Role (or ClusterRole) with rules, or use --role/--cluster-role for "
		                 "an existing one"));
		rc = -1;
	}
	if (!rc && c.binding_cluster >= 0 && c.binding_cluster != c.role_cluster) {
		yaml_mark_t m = {0, (size_t)c.binding_line, (size_t)c.binding_col};
		rc = fail_at(&c, &m, _("pair Role with RoleBinding, ClusterRole with ClusterRoleBinding"),
		             c.role_cluster ? _("a ClusterRole needs a ClusterRoleBinding, not a RoleBinding")
		                            : _("a Role needs a RoleBinding, not a ClusterRoleBinding"));
	}
	if (rc < 0)
		rolespec_done(out);
	return rc;
}

void rolespec_done(struct rolespec *rs)
{
	for (size_t i = 0; i < rs->n_rules; i++)
		rule_done(&rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->n_notices; i++)
		free(rs->notices[i].text);
	free(rs->notices);
	memset(rs, 0, sizeof(*rs));
}

static void add_strv(cJSON *obj, const char *name, const struct kj_strv *sv)
{
	cJSON *a;

	if (!sv->n)
		return;
	a = cJSON_AddArrayToObject(obj, name);
	for (size_t i = 0; i < sv->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sv->v[i]));
}

cJSON *rolespec_rules_json(const struct rolespec *rs)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < rs->n_rules; i++) {
		const struct rolespec_rule *r = &rs->rules[i];
		cJSON *o = cJSON_CreateObject();
		add_strv(o, "verbs", &r->verbs);
		add_strv(o, "apiGroups", &r->api_groups);
		add_strv(o, "resources", &r->resources);
		add_strv(o, "resourceNames", &r->resource_names);
		add_strv(o, "nonResourceURLs", &r->non_resource_urls);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}
