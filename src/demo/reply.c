/* reply: response helpers, Status bodies and field errors exactly as the
 * apiserver writes them (doc/KUBERNETES.md, "Status bodies", "Field errors"), plus the user record. */
#include "demo/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ users */

void demo_user_init(struct demo_user *u)
{
	memset(u, 0, sizeof(*u));
}

void demo_user_done(struct demo_user *u)
{
	size_t i;

	free(u->name);
	free(u->uid);
	for (i = 0; i < u->ngroups; i++)
		free(u->groups[i]);
	free(u->groups);
	cJSON_Delete(u->extra);
	demo_user_init(u);
}

void demo_user_set(struct demo_user *u, const char *name, const char *uid)
{
	free(u->name);
	free(u->uid);
	u->name = kj_xstrdup(name ? name : "");
	u->uid = kj_xstrdup(uid ? uid : "");
}

int demo_user_in_group(const struct demo_user *u, const char *group)
{
	size_t i;

	for (i = 0; i < u->ngroups; i++)
		if (!strcmp(u->groups[i], group))
			return 1;
	return 0;
}

void demo_user_add_group(struct demo_user *u, const char *group)
{
	if (demo_user_in_group(u, group))
		return;
	u->groups = kj_xrealloc(u->groups, (u->ngroups + 1) * sizeof(*u->groups));
	u->groups[u->ngroups++] = kj_xstrdup(group);
}

void demo_user_add_extra(struct demo_user *u, const char *key, const char *value)
{
	cJSON *arr;

	if (!u->extra)
		u->extra = cJSON_CreateObject();
	arr = cJSON_GetObjectItemCaseSensitive(u->extra, key);
	if (!arr)
		arr = cJSON_AddArrayToObject(u->extra, key);
	cJSON_AddItemToArray(arr, cJSON_CreateString(value));
}

/* ---------------------------------------------------------------- replies */

void demo_reply_raw(struct demo_req *r, int status, const char *content_type, char *body)
{
	if (r->replied) {
		free(body);
		return;
	}
	r->replied = 1;
	r->status = status;
	r->resp_type = content_type;
	r->resp_body = body;
}

void demo_reply_json(struct demo_req *r, int status, cJSON *body)
{
	char *s = cJSON_PrintUnformatted(body);

	cJSON_Delete(body);
	demo_reply_raw(r, status, "application/json", s);
}

void demo_add_warning(struct demo_req *r, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->warnings = kj_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings++] = kj_buf_steal(&b);
}

const char *demo_gr(const char *group, const char *resource, char *buf, size_t n)
{
	if (group && *group)
		snprintf(buf, n, "%s.%s", resource, group);
	else
		snprintf(buf, n, "%s", resource);
	return buf;
}

cJSON *demo_details(const char *name, const char *group, const char *kind, const char *uid)
{
	cJSON *d = cJSON_CreateObject();

	if (name && *name)
		cJSON_AddStringToObject(d, "name", name);
	if (group && *group)
		cJSON_AddStringToObject(d, "group", group);
	if (kind && *kind)
		cJSON_AddStringToObject(d, "kind", kind);
	if (uid && *uid)
		cJSON_AddStringToObject(d, "uid", uid);
	return d;
}

void demo_reply_status(struct demo_req *r, int code, const char *reason, const char *message, cJSON *details)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "kind", "Status");
	cJSON_AddStringToObject(s, "apiVersion", "v1");
	cJSON_AddObjectToObject(s, "metadata");
	cJSON_AddStringToObject(s, "status", "Failure");
	if (message && *message)
		cJSON_AddStringToObject(s, "message", message);
	if (reason && *reason)
		cJSON_AddStringToObject(s, "reason", reason);
	/* Go omits a nil *StatusDetails but writes an empty one as {} */
	if (details)
		cJSON_AddItemToObject(s, "details", details);
	cJSON_AddNumberToObject(s, "code", code);
	demo_reply_json(r, code, s);
}

void demo_reply_not_found(struct demo_req *r, const char *group, const char *resource, const char *name)
{
	char gr[160];
	char *msg = kj_xasprintf("%s \"%s\" not found", demo_gr(group, resource, gr, sizeof(gr)), name);

	demo_reply_status(r, 404, "NotFound", msg, demo_details(name, group, resource, NULL));
	free(msg);
}

void demo_reply_exists(struct demo_req *r, const char *group, const char *resource, const char *name)
{
	char gr[160];
	char *msg = kj_xasprintf("%s \"%s\" already exists", demo_gr(group, resource, gr, sizeof(gr)), name);

	demo_reply_status(r, 409, "AlreadyExists", msg, demo_details(name, group, resource, NULL));
	free(msg);
}

void demo_reply_conflict(struct demo_req *r, const char *group, const char *resource, const char *name,
                         const char *why)
{
	char gr[160];
	char *msg = kj_xasprintf("Operation cannot be fulfilled on %s \"%s\": %s",
	                         demo_gr(group, resource, gr, sizeof(gr)), name, why);

	demo_reply_status(r, 409, "Conflict", msg, demo_details(name, group, resource, NULL));
	free(msg);
}

void demo_reply_forbidden(struct demo_req *r, const char *group, const char *resource, const char *name,
                          const char *why)
{
	char gr[160];
	char *msg;

	demo_gr(group, resource, gr, sizeof(gr));
	if (!*resource)
		msg = kj_xasprintf("forbidden: %s", why);
	else if (name && *name)
		msg = kj_xasprintf("%s \"%s\" is forbidden: %s", gr, name, why);
	else
		msg = kj_xasprintf("%s is forbidden: %s", gr, why);
	demo_reply_status(r, 403, "Forbidden", msg, demo_details(name, group, resource, NULL));
	free(msg);
}

void demo_reply_unauthorized(struct demo_req *r)
{
	demo_reply_status(r, 401, "Unauthorized", "Unauthorized", NULL);
}

void demo_reply_bad_request(struct demo_req *r, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	demo_reply_status(r, 400, "BadRequest", b.data ? b.data : "", NULL);
	kj_buf_done(&b);
}

void demo_reply_internal(struct demo_req *r, const char *why)
{
	char *msg = kj_xasprintf("Internal error occurred: %s", why);
	cJSON *d = cJSON_CreateObject(), *causes = cJSON_AddArrayToObject(d, "causes"),
	      *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "message", why);
	cJSON_AddItemToArray(causes, c);
	demo_reply_status(r, 500, "InternalError", msg, d);
	free(msg);
}

void demo_reply_method_not_supported(struct demo_req *r, const char *action)
{
	char gr[160];
	char *msg;

	demo_gr(r->group, r->resource, gr, sizeof(gr));
	msg = kj_xasprintf("%s is not supported on resources of kind \"%s\"", action, gr);
	demo_reply_status(r, 405, "MethodNotAllowed", msg, demo_details(NULL, r->group, r->resource, NULL));
	free(msg);
}

void demo_reply_path_not_found(struct demo_req *r)
{
	demo_reply_status(r, 404, "NotFound", "the server could not find the requested resource",
	                  demo_details(NULL, NULL, NULL, NULL));
}

/* ------------------------------------------------------------ field errors */

void demo_ferrs_init(struct demo_ferrs *f)
{
	f->causes = cJSON_CreateArray();
	kj_buf_init(&f->msg);
	f->n = 0;
}

void demo_ferrs_done(struct demo_ferrs *f)
{
	cJSON_Delete(f->causes);
	kj_buf_done(&f->msg);
	f->causes = NULL;
}

/* Go's %q of a string (strconv.Quote for the ASCII cases that matter). */
static void go_quote(kj_buf *b, const char *s)
{
	kj_buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			kj_buf_addc(b, '\\');
			kj_buf_addc(b, (char)c);
		} else if (c == '\n') {
			kj_buf_adds(b, "\\n");
		} else if (c == '\t') {
			kj_buf_adds(b, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			kj_buf_printf(b, "\\x%02x", c);
		} else {
			kj_buf_addc(b, (char)c);
		}
	}
	kj_buf_addc(b, '"');
}

static void go_value(kj_buf *b, const cJSON *v)
{
	if (cJSON_IsString(v)) {
		go_quote(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		kj_buf_printf(b, "%.0f", v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		kj_buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNull(v)) {
		kj_buf_adds(b, "\"null\"");
	} else {
		char *s = cJSON_PrintUnformatted(v);

		kj_buf_adds(b, s ? s : "");
		free(s);
	}
}

const char *demo_json_type(const cJSON *v)
{
	static __thread char num[64];

	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v)) {
		/* encoding/json names the literal: "number 1.5", "number 1e+300";
		 * the shortest form that reads back the same */
		for (int p = 1; p <= 17; p++) {
			snprintf(num, sizeof(num), "number %.*g", p, v->valuedouble);
			if (strtod(num + 7, NULL) == v->valuedouble)
				break;
		}
		return num;
	}
	if (cJSON_IsBool(v))
		return "bool";
	return cJSON_IsArray(v) ? "array" : "object";
}

static const char *const ferr_reason[] = {"FieldValueInvalid",      "FieldValueRequired",
                                          "FieldValueNotSupported", "FieldValueForbidden",
                                          "FieldValueTooLong",      "FieldValueDuplicate"};
static const char *const ferr_text[] = {"Invalid value", "Required value", "Unsupported value",
                                        "Forbidden",     "Too long",       "Duplicate value"};

static void ferr_addv(struct demo_ferrs *f, enum demo_ferr_type t, const char *field, const cJSON *value,
                      const char *detail)
{
	kj_buf body, full;
	cJSON *c;

	kj_buf_init(&body);
	kj_buf_adds(&body, ferr_text[t]);
	if (value && t != DEMO_FERR_REQUIRED && t != DEMO_FERR_FORBIDDEN && t != DEMO_FERR_TOO_LONG) {
		kj_buf_adds(&body, ": ");
		go_value(&body, value);
	}
	if (detail && *detail) {
		kj_buf_adds(&body, ": ");
		kj_buf_adds(&body, detail);
	}
	kj_buf_init(&full);
	kj_buf_printf(&full, "%s: %s", field, body.data);
	/* the aggregate drops exact duplicates */
	if (f->msg.data && strstr(f->msg.data, full.data)) {
		kj_buf_done(&body);
		kj_buf_done(&full);
		return;
	}
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "reason", ferr_reason[t]);
	cJSON_AddStringToObject(c, "message", body.data);
	cJSON_AddStringToObject(c, "field", field);
	cJSON_AddItemToArray(f->causes, c);
	if (f->n)
		kj_buf_adds(&f->msg, ", ");
	kj_buf_adds(&f->msg, full.data);
	f->n++;
	kj_buf_done(&body);
	kj_buf_done(&full);
}

void demo_ferr_add(struct demo_ferrs *f, enum demo_ferr_type t, const char *field, const cJSON *value,
                   const char *detail_fmt, ...)
{
	va_list ap;
	kj_buf d;

	kj_buf_init(&d);
	if (detail_fmt) {
		va_start(ap, detail_fmt);
		kj_buf_vprintf(&d, detail_fmt, ap);
		va_end(ap);
	}
	ferr_addv(f, t, field, value, d.data ? d.data : "");
	kj_buf_done(&d);
}

void demo_ferr_add_str(struct demo_ferrs *f, enum demo_ferr_type t, const char *field, const char *value,
                       const char *detail)
{
	cJSON *v = value ? cJSON_CreateString(value) : NULL;

	ferr_addv(f, t, field, v, detail);
	cJSON_Delete(v);
}

void demo_reply_invalid(struct demo_req *r, const char *group, const char *kind, const char *name,
                        struct demo_ferrs *f)
{
	kj_buf msg;
	cJSON *d;

	kj_buf_init(&msg);
	if (group && *group)
		kj_buf_printf(&msg, "%s.%s", kind, group);
	else
		kj_buf_adds(&msg, kind);
	kj_buf_adds(&msg, " ");
	go_quote(&msg, name ? name : "");
	kj_buf_printf(&msg, f->n > 1 ? " is invalid: [%s]" : " is invalid: %s",
	              f->msg.data ? f->msg.data : "");
	d = demo_details(name, group, kind, NULL);
	cJSON_AddItemToObject(d, "causes", f->causes);
	f->causes = cJSON_CreateArray();
	demo_reply_status(r, 422, "Invalid", msg.data, d);
	kj_buf_done(&msg);
}

char *demo_forbidden_text(const struct demo_authz_attrs *a, const char *reason)
{
	kj_buf b;

	kj_buf_init(&b);
	if (!a->resource_request) {
		kj_buf_printf(&b, "User \"%s\" cannot %s path \"%s\"", a->user->name, a->verb, a->path);
	} else {
		kj_buf_printf(&b, "User \"%s\" cannot %s resource \"%s", a->user->name, a->verb, a->resource);
		if (a->subresource && *a->subresource)
			kj_buf_printf(&b, "/%s", a->subresource);
		kj_buf_printf(&b, "\" in API group \"%s\"", a->group ? a->group : "");
		if (a->ns && *a->ns)
			kj_buf_printf(&b, " in the namespace \"%s\"", a->ns);
		else
			kj_buf_adds(&b, " at the cluster scope");
	}
	if (reason && *reason)
		kj_buf_printf(&b, ": %s", reason);
	return kj_buf_steal(&b);
}
