/* Label selectors (the objsel part of objects.h), after
 * apimachinery/pkg/labels/selector.go: comma-separated requirements, all of
 * which must hold. */
#include "demo/objects.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

enum sel_op { SEL_EQ, SEL_NE, SEL_IN, SEL_NOTIN, SEL_EXISTS, SEL_NOT_EXISTS };

struct req {
	int field; /* a field selector: key is a dotted path into the object */
	char *key;
	enum sel_op op;
	char **vals;
	size_t nvals;
};

struct objsel {
	struct req *r;
	size_t n;
};

void objsel_free(struct objsel *sel)
{
	size_t i, j;

	if (!sel)
		return;
	for (i = 0; i < sel->n; i++) {
		free(sel->r[i].key);
		for (j = 0; j < sel->r[i].nvals; j++)
			free(sel->r[i].vals[j]);
		free(sel->r[i].vals);
	}
	free(sel->r);
	free(sel);
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' || c == '/';
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static char *ident(const char **p)
{
	const char *s = *p;

	while (ident_char(**p))
		(*p)++;
	return *p > s ? kj_xstrndup(s, (size_t)(*p - s)) : NULL;
}

static void add_val(struct req *q, char *v)
{
	q->vals = kj_xrealloc(q->vals, (q->nvals + 1) * sizeof(*q->vals));
	q->vals[q->nvals++] = v;
}

static int fail(char *err, size_t n, const char *what, const char *at)
{
	snprintf(err, n, "unable to parse requirement: %s at \"%.40s\"", what, at);
	return -1;
}

static int parse_set(const char **p, struct req *q, char *err, size_t n)
{
	skip_ws(p);
	if (**p != '(')
		return fail(err, n, "found '(' expected", *p);
	(*p)++;
	for (;;) {
		char *v;

		skip_ws(p);
		v = ident(p);
		add_val(q, v ? v : kj_xstrdup(""));
		skip_ws(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == ')') {
			(*p)++;
			return 0;
		}
		return fail(err, n, "expected ',' or ')'", *p);
	}
}

static int parse_req(const char **p, struct req *q, char *err, size_t n)
{
	int neg = 0;

	skip_ws(p);
	if (**p == '!') {
		neg = 1;
		(*p)++;
		skip_ws(p);
	}
	q->key = ident(p);
	if (!q->key)
		return fail(err, n, "expected a label key", *p);
	skip_ws(p);
	if (neg) {
		q->op = SEL_NOT_EXISTS;
		return 0;
	}
	if (!**p || **p == ',') {
		q->op = SEL_EXISTS;
		return 0;
	}
	if (!strncmp(*p, "==", 2) || !strncmp(*p, "!=", 2) || **p == '=') {
		char *v;

		q->op = **p == '!' ? SEL_NE : SEL_EQ;
		*p += (**p == '=' && (*p)[1] != '=') ? 1 : 2;
		skip_ws(p);
		v = ident(p);
		add_val(q, v ? v : kj_xstrdup(""));
		return 0;
	}
	if (!strncmp(*p, "notin", 5) && !ident_char((*p)[5])) {
		q->op = SEL_NOTIN;
		*p += 5;
		return parse_set(p, q, err, n);
	}
	if (!strncmp(*p, "in", 2) && !ident_char((*p)[2])) {
		q->op = SEL_IN;
		*p += 2;
		return parse_set(p, q, err, n);
	}
	return fail(err, n, "unexpected operator", *p);
}

struct objsel *objsel_parse(const char *s, char *err, size_t err_size)
{
	struct objsel *sel = kj_xcalloc(1, sizeof(*sel));
	const char *p = s ? s : "";

	skip_ws(&p);
	while (*p) {
		struct req *q;

		sel->r = kj_xrealloc(sel->r, (sel->n + 1) * sizeof(*sel->r));
		q = &sel->r[sel->n++];
		memset(q, 0, sizeof(*q));
		if (parse_req(&p, q, err, err_size) < 0) {
			objsel_free(sel);
			return NULL;
		}
		skip_ws(&p);
		if (*p == ',') {
			p++;
			skip_ws(&p);
			if (!*p) {
				fail(err, err_size, "expected a requirement after ','", p);
				objsel_free(sel);
				return NULL;
			}
		} else if (*p) {
			fail(err, err_size, "expected ','", p);
			objsel_free(sel);
			return NULL;
		}
	}
	return sel;
}

static int in_vals(const struct req *q, const char *v)
{
	size_t i;

	for (i = 0; i < q->nvals; i++)
		if (!strcmp(q->vals[i], v))
			return 1;
	return 0;
}

int objsel_matches(const struct objsel *sel, const cJSON *obj)
{
	const cJSON *labels;
	size_t i;

	if (!sel)
		return 1;
	labels =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
	for (i = 0; i < sel->n; i++) {
		const struct req *q = &sel->r[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(labels, q->key);
		const char *val =
		    q->field ? obj_str(obj, q->key) : (cJSON_IsString(v) ? v->valuestring : NULL);

		switch (q->op) {
		case SEL_EQ:
		case SEL_IN:
			if (!val || !in_vals(q, val))
				return 0;
			break;
		case SEL_NE:
		case SEL_NOTIN:
			if (val && in_vals(q, val))
				return 0;
			break;
		case SEL_EXISTS:
			if (!val)
				return 0;
			break;
		case SEL_NOT_EXISTS:
			if (val)
				return 0;
			break;
		}
	}
	return 1;
}

int objsel_required_values(const struct objsel *sel, size_t i, const char **key, char *const **vals,
                           size_t *nvals)
{
	for (size_t k = 0; sel && k < sel->n; k++) {
		const struct req *q = &sel->r[k];

		if (q->field || (q->op != SEL_EQ && q->op != SEL_IN) || !q->nvals || i--)
			continue;
		*key = q->key;
		*vals = q->vals;
		*nvals = q->nvals;
		return 1;
	}
	return 0;
}

struct objsel *objsel_parse_fields(const char *s, const char *const *allowed, char *err, size_t err_size)
{
	struct objsel *sel = kj_xcalloc(1, sizeof(*sel));
	const char *p = s ? s : "";

	while (*p) {
		size_t n = strcspn(p, ","), i;
		char *term = kj_xstrndup(p, n), *op = strstr(term, "!=");
		struct req *q;
		int ok = 0;

		if (!op)
			op = strchr(term, '=');
		sel->r = kj_xrealloc(sel->r, (sel->n + 1) * sizeof(*sel->r));
		q = &sel->r[sel->n++];
		memset(q, 0, sizeof(*q));
		q->field = 1;
		if (op) {
			q->op = op[0] == '!' ? SEL_NE : SEL_EQ;
			q->key = kj_xstrndup(term, (size_t)(op - term));
			op += (op[0] == '!' || op[1] == '=') ? 2 : 1;
			add_val(q, kj_xstrdup(op));
			for (i = 0; allowed[i]; i++)
				ok |= !strcmp(allowed[i], q->key);
		}
		if (!op)
			snprintf(err, err_size, "invalid selector: '%s'; can't understand '%s'", s, term);
		else if (!ok)
			snprintf(err, err_size, "field label not supported: %s", q->key);
		free(term);
		if (!op || !ok) {
			objsel_free(sel);
			return NULL;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return sel;
}
