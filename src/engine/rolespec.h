/* rolespec: role YAML -> validated RBAC rules.
 *
 * Input is the text a user writes for a dynamic secret: one or more YAML
 * documents holding a Role (optionally with its RoleBinding) or a ClusterRole
 * (optionally with its ClusterRoleBinding).  Rules are checked the way the
 * API server checks them (verbs required; apiGroups and resources for
 * resource rules; resourceNames only with one resource; nonResourceURLs only
 * in a ClusterRole and never mixed with resources).  Names, namespaces,
 * subjects and roleRefs in the YAML are ignored — kubejit generates them per
 * lease — and each one ignored is reported as a notice.  A YAML that grants
 * nothing is an error.
 *
 * Errors read "<source>:<line>:<column>: <what> (<fix>)" and the position is
 * also returned in `pos` so an editor can mark it (1-based; 0 = unknown).
 * Pure: no I/O, no global state, thread-safe.  struct rolespec owns all its
 * memory; rolespec_done() frees it. */
#ifndef KJ_ENGINE_ROLESPEC_H
#define KJ_ENGINE_ROLESPEC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util/strv.h"
#include "util/err.h"

enum rolespec_scope {
	ROLESPEC_NAMESPACED = 0, /* Role + RoleBinding, created in the mint namespace */
	ROLESPEC_CLUSTER = 1,    /* ClusterRole + ClusterRoleBinding */
};

struct rolespec_rule {
	struct kj_strv verbs;
	struct kj_strv api_groups;
	struct kj_strv resources;
	struct kj_strv resource_names;
	struct kj_strv non_resource_urls;
	int line; /* where the rule starts in the YAML */
};

struct rolespec_notice {
	int line;
	int column;
	char *text; /* translated, e.g. "subjects are ignored: kubejit binds the generated ServiceAccount" */
};

struct rolespec_pos {
	int line;
	int column;
};

struct rolespec {
	enum rolespec_scope scope;
	struct rolespec_rule *rules;
	size_t n_rules;
	int has_binding; /* a (Cluster)RoleBinding document was present */
	struct rolespec_notice *notices;
	size_t n_notices;
};

/* Parse and validate.  `source` names the text in errors ("role.yaml";
 * NULL = "yaml").  On failure `out` is left empty and `pos` (may be NULL)
 * holds the error position. */
int rolespec_parse(const char *text, const char *source, struct rolespec *out, struct rolespec_pos *pos,
                   kj_err *e);
void rolespec_done(struct rolespec *rs);

/* The rules as a JSON array in the API's shape ("verbs", "apiGroups", ...);
 * caller owns the result (cJSON_Delete). */
cJSON *rolespec_rules_json(const struct rolespec *rs);

/* Validate one rule alone (index used in messages: "rules[2].verbs ...").
 * `cluster` allows nonResourceURLs. */
int rolespec_rule_check(const struct rolespec_rule *r, size_t index, int cluster, kj_err *e);

#endif
