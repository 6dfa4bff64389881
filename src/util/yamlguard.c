#include "util/yamlguard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/i18n.h"
#include "util/strbuf.h"

struct anchor {
	char *name;
	uint64_t size; /* nodes, aliases expanded; 0 while still open */
};

struct open_node {
	char *anchor;   /* NULL when the collection has none */
	uint64_t start; /* node count when it began */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int fail(kj_err *e, const char *origin, const yaml_mark_t *m, const char *hint, const char *msg)
{
	kj_err_set(e, KJ_ERR_INVALID, "%s:%zu:%zu: %s", origin, m->line + 1, m->column + 1, msg);
	return kj_err_hint(e, "%s", hint);
}

static struct anchor *find(struct anchor *v, size_t n, const char *name)
{
	/* the latest definition wins, as YAML redefines anchors */
	for (size_t i = n; i-- > 0;)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

int kj_yaml_check(const char *buf, size_t len, const char *origin, const struct kj_yaml_limits *lim,
                  kj_err *e)
{
	yaml_parser_t p;
	yaml_event_t ev;
	struct anchor *anchors = NULL;
	struct open_node *stack = NULL;
	size_t n_anchors = 0, depth = 0;
	uint64_t nodes = 0;
	int rc = 0, done = 0;
	char msg[256];

	if (len > lim->max_bytes) {
		kj_err_set(e, KJ_ERR_INVALID, _("%s: %zu bytes is more than %s may hold (%zu)"), origin, len,
		           _(lim->what), lim->max_bytes);
		return kj_err_hint(e, _("check that this is the file you meant"));
	}
	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	stack = kj_xcalloc((size_t)lim->max_depth + 1, sizeof(*stack));
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			kj_err_set(e, KJ_ERR_INVALID, "%s:%zu:%zu: %s%s%s", origin, p.problem_mark.line + 1,
			           p.problem_mark.column + 1, p.problem ? p.problem : _("invalid YAML"),
			           p.context ? " " : "", p.context ? p.context : "");
			kj_err_hint(e, _("check indentation and that lists use \"- \" or [a, b]"));
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_ALIAS_EVENT: {
			struct anchor *a = find(anchors, n_anchors, (const char *)ev.data.alias.anchor);

			/* the nearest anchor of that name may be one still open: a cycle */
			for (size_t i = 0; a && i < depth; i++)
				if (stack[i].anchor && !strcmp(stack[i].anchor, a->name))
					a = NULL;

			if (!lim->allow_aliases) {
				snprintf(msg, sizeof msg, _("YAML aliases (*%s) are not allowed in %s"),
				         (const char *)ev.data.alias.anchor, _(lim->what));
				rc = fail(e, origin, &ev.start_mark, _("write the values out in full"), msg);
			} else if (!a || !a->size) {
				snprintf(msg, sizeof msg,
				         _("alias *%s does not name an anchor defined before it (an alias "
				           "may not refer to its own anchor)"),
				         (const char *)ev.data.alias.anchor);
				rc = fail(e, origin, &ev.start_mark, _("define &name before using *name"),
				          msg);
			} else {
				nodes = sat_add(nodes, a->size);
			}
			break;
		}
		case YAML_SCALAR_EVENT:
			nodes = sat_add(nodes, 1);
			if (ev.data.scalar.anchor) {
				anchors = kj_xrealloc(anchors, (n_anchors + 1) * sizeof(*anchors));
				anchors[n_anchors].name = kj_xstrdup((const char *)ev.data.scalar.anchor);
				anchors[n_anchors++].size = 1;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			const yaml_char_t *an = ev.type == YAML_SEQUENCE_START_EVENT
			                            ? ev.data.sequence_start.anchor
			                            : ev.data.mapping_start.anchor;

			if (depth >= (size_t)lim->max_depth) {
				snprintf(msg, sizeof msg, _("nested deeper than %d levels"), lim->max_depth);
				rc = fail(e, origin, &ev.start_mark,
				          _("check that this is the file you meant"), msg);
				break;
			}
			nodes = sat_add(nodes, 1);
			stack[depth].anchor = an ? kj_xstrdup((const char *)an) : NULL;
			stack[depth].start = nodes;
			depth++;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth == 0)
				break;
			depth--;
			if (stack[depth].anchor) {
				anchors = kj_xrealloc(anchors, (n_anchors + 1) * sizeof(*anchors));
				anchors[n_anchors].name = stack[depth].anchor;
				/* the collection itself plus everything inside it */
				anchors[n_anchors++].size = nodes - stack[depth].start + 1;
				stack[depth].anchor = NULL;
			}
			break;
		default:
			break;
		}
		if (rc == 0 && nodes > lim->max_nodes) {
			snprintf(msg, sizeof msg,
			         _("YAML aliases expand this document past %zu nodes (an alias bomb?)"),
			         lim->max_nodes);
			rc = fail(e, origin, &ev.start_mark,
			          _("write the values out instead of using YAML "
			            "aliases (*name)"),
			          msg);
		}
		yaml_event_delete(&ev);
	}
	for (size_t i = 0; i < n_anchors; i++)
		free(anchors[i].name);
	free(anchors);
	for (size_t i = 0; i <= (size_t)lim->max_depth; i++)
		free(stack[i].anchor);
	free(stack);
	yaml_parser_delete(&p);
	return rc;
}
