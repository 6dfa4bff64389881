#include "engine/secret.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/rolespec.h"
#include "store/db.h"
#include "store/secrets.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/ttl.h"

#define SECRET_PATH_MAX 255
#define NAME_PREFIX_MAX 20
#define DESCRIPTION_MAX 1024
#define TAG_MAX         63
#define AUDIENCE_MAX    1024
#define RBAC_NAME_MAX   253
/* Kubernetes refuses an object whose annotations total more than 256 KiB
 * (TotalAnnotationSizeLimitB, apimachinery/pkg/api/validation/objectmeta.go) */
#define ANNOTATIONS_MAX (256 * 1024)

/* Free text that is shown in tables and sent as JSON: UTF-8 without
 * control characters (newlines included, unless `newlines`).  Returns the
 * byte offset of the first bad byte, or -1 when the text is fine. */
static long text_bad_at(const char *s, int newlines)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n;
		if (*p < 0x80) {
			if ((*p < 0x20 && !(newlines && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
				return (long)(p - (const unsigned char *)s);
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return (long)(p - (const unsigned char *)s);
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return (long)(p - (const unsigned char *)s);
		if (p[0] == 0xc2 && p[1] < 0xa0) /* C1 control */
			return (long)(p - (const unsigned char *)s);
		p += n;
	}
	return -1;
}

static int check_text(const char *what, const char *flag, const char *v, size_t max, int newlines, kj_err *e)
{
	long at;

	if (!v)
		return 0;
	if (strlen(v) > max) {
		kj_err_set(e, KJ_ERR_INVALID, _("%s is %zu bytes long; the limit is %zu"), what, strlen(v),
		           max);
		return kj_err_hint(e, _("shorten %s"), flag);
	}
	at = text_bad_at(v, newlines);
	if (at >= 0) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("%s \"%s\" has a control character or a byte that is not UTF-8 at byte %ld"),
		           what, v, at + 1);
		return kj_err_hint(e, _("give %s as plain text on one line"), flag);
	}
	return 0;
}

static int path_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

int secret_path_normalize(const char *in, char **out, kj_err *e)
{
	kj_buf b;
	const char *p = in ? in : "";

	*out = NULL;
	kj_buf_init(&b);
	while (*p) {
		const char *seg;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		seg = p;
		while (*p && *p != '/') {
			if (!path_char_ok(*p)) {
				/* the whole character, not the first byte of it */
				int clen = 1;
				while (clen < 4 && ((unsigned char)p[clen] & 0xc0) == 0x80 &&
				       ((unsigned char)*p & 0xc0) == 0xc0)
					clen++;
				kj_buf_done(&b);
				kj_err_set(e, KJ_ERR_INVALID,
				           _("secret path \"%s\": character '%.*s' is not allowed"), in, clen,
				           p);
				return kj_err_hint(
				    e, _("use letters, digits, '.', '_' and '-' between '/' separators, "
				         "e.g. /prod/web/read-pods"));
			}
			p++;
		}
		len = (size_t)(p - seg);
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.')) {
			kj_buf_done(&b);
			kj_err_set(e, KJ_ERR_INVALID,
			           _("secret path \"%s\": \".\" and \"..\" are not folder names"), in);
			return kj_err_hint(e, _("write the full path, e.g. /prod/web/read-pods"));
		}
		kj_buf_addc(&b, '/');
		kj_buf_add(&b, seg, len);
	}
	if (!b.len) {
		kj_buf_done(&b);
		kj_err_set(e, KJ_ERR_INVALID, _("secret path \"%s\" is empty"), in ? in : "");
		return kj_err_hint(e, _("name the secret with a path such as /prod/web/read-pods"));
	}
	if (b.len > SECRET_PATH_MAX) {
		size_t len = b.len;
		kj_buf_done(&b);
		kj_err_set(e, KJ_ERR_INVALID, _("secret path is %zu characters long; the limit is %d"), len,
		           SECRET_PATH_MAX);
		return kj_err_hint(e, _("use shorter folder and secret names, e.g. /prod/web/read-pods"));
	}
	*out = kj_buf_steal(&b);
	return 0;
}

char *secret_path_folder(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (!slash || slash == path)
		return kj_xstrdup("/");
	return kj_xstrndup(path, (size_t)(slash - path));
}

/* Allowed-namespace entry: "*", a DNS label, or a glob over label characters. */
static int ns_pattern_ok(const char *p)
{
	size_t n = strlen(p);

	if (!n || n > 63)
		return 0;
	if (!strchr(p, '*') && !strchr(p, '?'))
		return kj_is_dns1123_label(p);
	for (; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '*' ||
		      *p == '?'))
			return 0;
	return 1;
}

/* RBAC object names only refuse "."/".." and '/', '%' (doc/KUBERNETES.md, "Names and validation"). */
static int rbac_name_ok(const char *s)
{
	return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/') && !strchr(s, '%') &&
	       strlen(s) <= RBAC_NAME_MAX && text_bad_at(s, 0) < 0;
}

static int label_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* Label/annotation key: optional DNS-subdomain prefix + '/' + name (≤63). */
static int meta_key_ok(const char *k)
{
	const char *slash = strchr(k, '/');

	if (slash) {
		char prefix[254];
		size_t pl = (size_t)(slash - k);
		if (!pl || pl > 253)
			return 0;
		memcpy(prefix, k, pl);
		prefix[pl] = '\0';
		if (!kj_is_dns1123_subdomain(prefix))
			return 0;
		k = slash + 1;
	}
	return label_name_ok(k, 63);
}

static int reserved_key(const char *k)
{
	return !strncmp(k, "kubejit.io/", 11) || !strcmp(k, "app.kubernetes.io/managed-by");
}

static int check_meta(const struct kj_kvv *kv, int labels, kj_err *e)
{
	const char *what = labels ? _("label") : _("annotation");
	const char *flag = labels ? "--label" : "--annotation";

	for (size_t i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key, *v = kv->v[i].value;

		if (!meta_key_ok(k)) {
			kj_err_set(e, KJ_ERR_INVALID, _("%s key \"%s\" is not a valid Kubernetes key"), what,
			           k);
			return kj_err_hint(
			    e,
			    _("use %s name=value or prefix.example.com/name=value (name ≤ 63 of "
			      "letters, digits, '-', '_', '.')"),
			    flag);
		}
		if (reserved_key(k)) {
			kj_err_set(e, KJ_ERR_INVALID, _("%s key \"%s\" is reserved: kubejit sets it itself"),
			           what, k);
			return kj_err_hint(e, _("pick another key; kubejit.io/* and "
			                        "app.kubernetes.io/managed-by are kubejit's"));
		}
		if (!labels && text_bad_at(v, 1) >= 0) {
			kj_err_set(e, KJ_ERR_INVALID, _("annotation %s: the value \"%s\" is not UTF-8 text"),
			           k, v);
			return kj_err_hint(e, _("give --annotation %s=TEXT with printable UTF-8 text"), k);
		}
		if (labels && *v && !label_name_ok(v, 63)) {
			kj_err_set(e, KJ_ERR_INVALID, _("label %s: value \"%s\" is not a valid label value"),
			           k, v);
			return kj_err_hint(
			    e, _("label values are ≤ 63 letters, digits, '-', '_', '.', starting and "
			         "ending with a letter or digit"));
		}
	}
	return 0;
}

static int check_ttls(const struct secret *s, kj_err *e)
{
	char a[32], b[32];

	if (s->default_ttl < SECRET_MIN_TTL) {
		kj_ttl_format(s->default_ttl, a, sizeof(a));
		kj_ttl_format(SECRET_MIN_TTL, b, sizeof(b));
		kj_err_set(e, KJ_ERR_INVALID, _("default TTL %s is too short: the minimum is %s"), a, b);
		return kj_err_hint(e, _("pass --ttl %s or longer"), b);
	}
	if (s->max_ttl > SECRET_MAX_TTL_LIMIT) {
		kj_ttl_format(s->max_ttl, a, sizeof(a));
		kj_ttl_format(SECRET_MAX_TTL_LIMIT, b, sizeof(b));
		kj_err_set(e, KJ_ERR_INVALID, _("max TTL %s is too long: the limit is %s"), a, b);
		return kj_err_hint(e, _("pass --max-ttl %s or shorter"), b);
	}
	if (s->max_ttl < s->default_ttl) {
		kj_ttl_format(s->default_ttl, a, sizeof(a));
		kj_ttl_format(s->max_ttl, b, sizeof(b));
		kj_err_set(e, KJ_ERR_INVALID, _("default TTL %s is longer than the max TTL %s"), a, b);
		return kj_err_hint(e, _("lower --ttl or raise --max-ttl"));
	}
	return 0;
}

static int check_fixed(const struct secret *s, kj_err *e)
{
	if (!s->ns || !kj_is_dns1123_label(s->ns)) {
		kj_err_set(e, KJ_ERR_INVALID, _("namespace \"%s\" is not a valid namespace name"),
		           s->ns ? s->ns : "");
		return kj_err_hint(
		    e, _("a fixed secret needs --namespace NS (lower-case letters, digits, '-', ≤ 63)"));
	}
	if (!s->service_account || !kj_is_dns1123_subdomain(s->service_account)) {
		kj_err_set(e, KJ_ERR_INVALID, _("service account \"%s\" is not a valid ServiceAccount name"),
		           s->service_account ? s->service_account : "");
		return kj_err_hint(
		    e, _("a fixed secret needs --service-account NAME of an existing ServiceAccount"));
	}
	return 0;
}

static int check_dynamic(const struct secret *s, kj_err *e)
{
	switch (s->role_source) {
	case ROLE_SOURCE_ROLE:
	case ROLE_SOURCE_CLUSTER_ROLE:
		if (!rbac_name_ok(s->role_name)) {
			kj_err_set(e, KJ_ERR_INVALID, _("role name \"%s\" is not valid"),
			           s->role_name ? s->role_name : "");
			return kj_err_hint(e,
			                   _("give the name of an existing %s (no '/', '%%', control "
			                     "characters; at most 253 bytes)"),
			                   s->role_source == ROLE_SOURCE_ROLE ? "Role" : "ClusterRole");
		}
		if (s->cluster_scope && s->role_source == ROLE_SOURCE_ROLE) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("cluster scope needs a ClusterRole, but the secret uses Role \"%s\""),
			           s->role_name);
			return kj_err_hint(
			    e, _("use --cluster-role NAME --cluster-scope, or drop --cluster-scope"));
		}
		break;
	case ROLE_SOURCE_YAML: {
		struct rolespec rs;
		if (rolespec_parse(s->role_yaml, "role YAML", &rs, NULL, e) < 0)
			return -1;
		rolespec_done(&rs);
		break;
	}
	default:
		kj_err_set(e, KJ_ERR_INVALID, _("dynamic secret %s has no role"), s->path ? s->path : "");
		return kj_err_hint(e, _("give one of --role NAME, --cluster-role NAME or --role-yaml FILE"));
	}
	if (!s->allowed_namespaces.n) {
		kj_err_set(e, KJ_ERR_INVALID, _("dynamic secret %s has no allowed namespaces"),
		           s->path ? s->path : "");
		return kj_err_hint(e, _("pass --allowed-namespaces dev,team-* (or * for any namespace)"));
	}
	for (size_t i = 0; i < s->allowed_namespaces.n; i++) {
		const char *p = s->allowed_namespaces.v[i];
		if (!ns_pattern_ok(p)) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("allowed namespace \"%s\" is neither a namespace name nor a pattern"),
			           p);
			return kj_err_hint(e,
			                   _("use names (dev), '*' for any, or globs with * and ? (team-*)"));
		}
	}
	return 0;
}

int secret_check_audience(const char *a, kj_err *e)
{
	if (!a || !*a) {
		kj_err_set(e, KJ_ERR_INVALID, _("an audience may not be empty"));
		return kj_err_hint(e, _("drop the empty --audience, or give a value"));
	}
	/* any text is an audience to the API server, but one with control
	 * characters would reach the terminal through 'secret show' */
	return check_text(_("audience"), "--audience", a, AUDIENCE_MAX, 0, e);
}

int secret_check_name_prefix(const char *p, kj_err *e)
{
	if (p && *p && (strlen(p) > NAME_PREFIX_MAX || !kj_is_dns1123_label(p))) {
		kj_err_set(e, KJ_ERR_INVALID, _("name prefix \"%s\" is not usable in object names"), p);
		return kj_err_hint(e, _("use ≤ %d lower-case letters, digits and '-', e.g. --name-prefix ci"),
		                   NAME_PREFIX_MAX);
	}
	return 0;
}

int secret_validate(const struct secret *s, kj_err *e)
{
	char *norm = NULL;

	if (secret_path_normalize(s->path, &norm, e) < 0)
		return -1;
	if (strcmp(norm, s->path)) {
		kj_err_set(e, KJ_ERR_INVALID, _("secret path \"%s\" is not in normal form (\"%s\")"), s->path,
		           norm);
		free(norm);
		return kj_err_hint(e, _("normalise it with secret_path_normalize()"));
	}
	free(norm);
	if (!s->target || !*s->target) {
		kj_err_set(e, KJ_ERR_INVALID, _("secret %s has no target"), s->path);
		return kj_err_hint(e, _("pass --target NAME; list targets with 'kubejit target list'"));
	}
	if (!kj_is_dns1123_label(s->target)) {
		kj_err_set(e, KJ_ERR_INVALID, _("target \"%s\" is not a valid target name"), s->target);
		return kj_err_hint(e, _("pass --target NAME with a name from 'kubejit target list'"));
	}
	if (s->mode == SECRET_FIXED) {
		if (check_fixed(s, e) < 0)
			return -1;
	} else if (s->mode == SECRET_DYNAMIC) {
		if (check_dynamic(s, e) < 0)
			return -1;
	} else {
		return kj_err_set(e, KJ_ERR_INVALID, _("secret %s: unknown mode"), s->path);
	}
	if (check_ttls(s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->audiences.n; i++)
		if (secret_check_audience(s->audiences.v[i], e) < 0)
			return -1;
	for (size_t i = 0; i < s->tags.n; i++)
		if (!*s->tags.v[i] || strchr(s->tags.v[i], ',')) {
			kj_err_set(e, KJ_ERR_INVALID, _("tag \"%s\" is empty or has a comma"), s->tags.v[i]);
			return kj_err_hint(e, _("give one --tag per tag"));
		}
	if (secret_check_name_prefix(s->name_prefix, e) < 0)
		return -1;
	if (check_meta(&s->labels, 1, e) < 0 || check_meta(&s->annotations, 0, e) < 0)
		return -1;
	{
		size_t total = 0;
		for (size_t i = 0; i < s->annotations.n; i++)
			total += strlen(s->annotations.v[i].key) + strlen(s->annotations.v[i].value);
		if (total > ANNOTATIONS_MAX) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("the annotations total %zu bytes; Kubernetes refuses more than %d"),
			           total, ANNOTATIONS_MAX);
			return kj_err_hint(e, _("shorten the --annotation values"));
		}
	}
	if (check_text(_("description"), "--description", s->description, DESCRIPTION_MAX, 0, e) < 0)
		return -1;
	for (size_t i = 0; i < s->tags.n; i++)
		if (check_text(_("tag"), "--tag", s->tags.v[i], TAG_MAX, 0, e) < 0)
			return -1;
	return 0;
}

int secret_namespace_allowed(const struct secret *s, const char *ns)
{
	if (!ns)
		return 0;
	if (s->mode == SECRET_FIXED)
		return s->ns && !strcmp(s->ns, ns);
	for (size_t i = 0; i < s->allowed_namespaces.n; i++)
		if (kj_glob_match(s->allowed_namespaces.v[i], ns))
			return 1;
	return 0;
}

static char *allowed_text(const struct secret *s)
{
	if (s->mode == SECRET_FIXED)
		return kj_xstrdup(s->ns ? s->ns : "");
	return kj_strv_join(&s->allowed_namespaces, ", ");
}

int secret_resolve_namespace(const struct secret *s, const char *requested, char **out, kj_err *e)
{
	char *allowed;

	*out = NULL;
	if (requested && *requested) {
		if (!kj_is_dns1123_label(requested)) {
			kj_err_set(e, KJ_ERR_USAGE, _("namespace \"%s\" is not a valid namespace name"),
			           requested);
			return kj_err_hint(
			    e, _("namespaces are lower-case letters, digits and '-', ≤ 63 characters"));
		}
		if (secret_namespace_allowed(s, requested)) {
			*out = kj_xstrdup(requested);
			return 0;
		}
		allowed = allowed_text(s);
		kj_err_set(e, KJ_ERR_DENIED, _("namespace \"%s\" is not allowed for secret %s (allowed: %s)"),
		           requested, s->path, allowed);
		if (s->mode == SECRET_FIXED)
			kj_err_hint(e, _("a fixed secret mints only in %s; drop --namespace"), allowed);
		else
			kj_err_hint(
			    e,
			    _("pick an allowed namespace, or extend the list with 'kubejit secret edit %s "
			      "--allowed-namespaces ...'"),
			    s->path);
		free(allowed);
		return -1;
	}
	if (s->mode == SECRET_FIXED) {
		*out = kj_xstrdup(s->ns);
		return 0;
	}
	if (s->allowed_namespaces.n == 1 && kj_is_dns1123_label(s->allowed_namespaces.v[0])) {
		*out = kj_xstrdup(s->allowed_namespaces.v[0]);
		return 0;
	}
	allowed = allowed_text(s);
	kj_err_set(e, KJ_ERR_USAGE, _("secret %s needs a namespace (allowed: %s)"), s->path, allowed);
	kj_err_hint(e, _("pass --namespace NS with a namespace the list allows"));
	free(allowed);
	return -1;
}

int secret_resolve_ttl(const struct secret *s, int64_t requested, int64_t *out, kj_err *e)
{
	char a[32], b[32];

	if (requested <= 0) {
		*out = s->default_ttl > 0 ? s->default_ttl : SECRET_DEFAULT_TTL;
		return 0;
	}
	if (requested > s->max_ttl) {
		kj_ttl_format(requested, a, sizeof(a));
		kj_ttl_format(s->max_ttl, b, sizeof(b));
		kj_err_set(e, KJ_ERR_DENIED, _("TTL %s is over the maximum %s of secret %s"), a, b, s->path);
		if (requested > SECRET_MAX_TTL_LIMIT) {
			/* no --max-ttl can allow it: do not suggest one */
			char c[32];
			kj_ttl_format(SECRET_MAX_TTL_LIMIT, c, sizeof(c));
			return kj_err_hint(e, _("ask for --ttl %s or less; no secret allows more than %s"), b,
			                   c);
		}
		return kj_err_hint(e,
		                   _("ask for --ttl %s or less, or raise the limit with 'kubejit secret edit "
		                     "%s --max-ttl %s'"),
		                   b, s->path, a);
	}
	if (requested < SECRET_MIN_TTL) {
		kj_ttl_format(requested, a, sizeof(a));
		kj_ttl_format(SECRET_MIN_TTL, b, sizeof(b));
		kj_err_set(e, KJ_ERR_USAGE, _("TTL %s is too short: the minimum is %s"), a, b);
		return kj_err_hint(e, _("ask for --ttl %s or longer"), b);
	}
	*out = requested;
	return 0;
}

/* ---- store operations ----------------------------------------------------- */

static int check_target(struct engine *eng, const char *name, kj_err *e)
{
	struct target t;

	memset(&t, 0, sizeof(t));
	if (store_target_get(engine_db(eng), name, &t, e) < 0) {
		if (e && e->cls == KJ_ERR_NOTFOUND) {
			kj_err_set(e, KJ_ERR_NOTFOUND, _("target \"%s\" not found"), name);
			kj_err_hint(
			    e,
			    _("add it first with 'kubejit target add %s ...', or list targets with 'kubejit "
			      "target list'"),
			    name);
		}
		return -1;
	}
	target_done(&t);
	return 0;
}

/* Normalise the path into a copy and validate it whole. */
static int prepare(const struct secret *in, struct secret *out, kj_err *e)
{
	char *norm;

	if (secret_path_normalize(in->path, &norm, e) < 0)
		return -1;
	secret_copy(out, in);
	free(out->path);
	out->path = norm;
	if (secret_validate(out, e) < 0) {
		secret_done(out);
		return -1;
	}
	return 0;
}

/* The role YAML's notices into `out`: parsed again from the saved record,
 * which validation has already accepted. */
static void saved_notices(const struct secret *s, struct secret_saved *out)
{
	struct rolespec rs;
	kj_err ignore;

	if (!out)
		return;
	out->path = kj_xstrdup(s->path);
	if (s->role_source != ROLE_SOURCE_YAML ||
	    rolespec_parse(s->role_yaml, "role YAML", &rs, NULL, &ignore) < 0)
		return;
	out->notices = rs.notices;
	out->n_notices = rs.n_notices;
	rs.notices = NULL;
	rs.n_notices = 0;
	rolespec_done(&rs);
}

void secret_saved_done(struct secret_saved *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_notices; i++)
		free(r->notices[i].text);
	free(r->notices);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

int secret_add_report(struct engine *eng, const struct secret *s, struct secret_saved *out, kj_err *e)
{
	struct secret c;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	if (prepare(s, &c, e) < 0)
		return -1;
	rc = check_target(eng, c.target, e);
	if (!rc)
		rc = store_secret_insert(engine_db(eng), &c, e);
	if (!rc) {
		audit_record(eng, AUDIT_SECRET_ADD, c.path, NULL, c.target, 1, secret_mode_name(c.mode),
		             NULL);
		saved_notices(&c, out);
	}
	secret_done(&c);
	return rc;
}

int secret_add(struct engine *eng, const struct secret *s, kj_err *e)
{
	return secret_add_report(eng, s, NULL, e);
}

/* The write half of secret_edit() and secret_patch(): `old` is normalised. */
static int edit_normalised(struct engine *eng, const char *old, const struct secret *s,
                           struct secret_saved *out, kj_err *e)
{
	struct secret c;
	int rc;

	if (prepare(s, &c, e) < 0)
		return -1;
	rc = check_target(eng, c.target, e);
	if (!rc)
		rc = store_secret_update(engine_db(eng), old, &c, e);
	if (!rc) {
		audit_record(eng, AUDIT_SECRET_EDIT, c.path, NULL, c.target, 1,
		             strcmp(old, c.path) ? old : NULL, NULL);
		saved_notices(&c, out);
	}
	secret_done(&c);
	return rc;
}

int secret_edit(struct engine *eng, const char *path, const struct secret *s, kj_err *e)
{
	char *old;
	int rc;

	if (secret_path_normalize(path, &old, e) < 0)
		return -1;
	rc = edit_normalised(eng, old, s, NULL, e);
	free(old);
	return rc;
}

void secret_patch_init(struct secret_patch *p)
{
	p->set = 0;
	secret_init(&p->v);
}

void secret_patch_done(struct secret_patch *p)
{
	if (!p)
		return;
	secret_done(&p->v);
	p->set = 0;
}

static void take_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? kj_xstrdup(src) : NULL;
}

static void take_strv(struct kj_strv *dst, const struct kj_strv *src)
{
	kj_strv_done(dst);
	kj_strv_copy(dst, src);
}

static void take_kvv(struct kj_kvv *dst, const struct kj_kvv *src)
{
	kj_kvv_done(dst);
	kj_kvv_copy(dst, src);
}

void secret_patch_to(struct secret *s, const struct secret_patch *p)
{
	const struct secret *v = &p->v;
	unsigned set = p->set;

	if (set & SECRET_SET_PATH)
		take_str(&s->path, v->path);
	if (set & SECRET_SET_TARGET)
		take_str(&s->target, v->target);
	if (set & SECRET_SET_MODE)
		s->mode = v->mode;
	if (set & SECRET_SET_NS)
		take_str(&s->ns, v->ns);
	if (set & SECRET_SET_SA)
		take_str(&s->service_account, v->service_account);
	if (set & SECRET_SET_REVOCABLE)
		s->revocable = v->revocable;
	if (set & SECRET_SET_ALLOWED)
		take_strv(&s->allowed_namespaces, &v->allowed_namespaces);
	if (set & SECRET_SET_ROLE) {
		s->role_source = v->role_source;
		take_str(&s->role_name, v->role_name);
		take_str(&s->role_yaml, v->role_yaml);
	}
	if (set & SECRET_SET_CLUSTER_SCOPE)
		s->cluster_scope = v->cluster_scope;
	if (set & SECRET_SET_TTL)
		s->default_ttl = v->default_ttl;
	if (set & SECRET_SET_MAX_TTL)
		s->max_ttl = v->max_ttl;
	if (set & SECRET_SET_AUDIENCES)
		take_strv(&s->audiences, &v->audiences);
	if (set & SECRET_SET_DESCRIPTION)
		take_str(&s->description, v->description);
	if (set & SECRET_SET_TAGS)
		take_strv(&s->tags, &v->tags);
	if (set & SECRET_SET_PROTECT)
		s->delete_protection = v->delete_protection;
	if (set & SECRET_SET_SELF_APPROVAL)
		s->self_approval = v->self_approval;
	if (set & SECRET_SET_LABELS)
		take_kvv(&s->labels, &v->labels);
	if (set & SECRET_SET_ANNOTATIONS)
		take_kvv(&s->annotations, &v->annotations);
	if (set & SECRET_SET_PREFIX)
		take_str(&s->name_prefix, v->name_prefix);
}

int secret_patch(struct engine *eng, const char *path, const struct secret_patch *p, struct secret_saved *out,
                 kj_err *e)
{
	struct secret s;
	char *old;
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	if (secret_path_normalize(path, &old, e) < 0)
		return -1;
	/* read, change and write under one lock: an edit made meanwhile by
	 * another process is not overwritten with the values read before it */
	if (db_begin(engine_db(eng), e) < 0) {
		free(old);
		return -1;
	}
	rc = store_secret_get(engine_db(eng), old, &s, e);
	if (!rc) {
		secret_patch_to(&s, p);
		rc = edit_normalised(eng, old, &s, out, e);
		secret_done(&s);
	}
	if (!rc)
		rc = db_commit(engine_db(eng), e);
	else
		db_rollback(engine_db(eng));
	if (rc)
		secret_saved_done(out);
	free(old);
	return rc;
}

int secret_get(struct engine *eng, const char *path, struct secret *out, kj_err *e)
{
	char *norm;
	int rc;

	memset(out, 0, sizeof(*out));
	if (secret_path_normalize(path, &norm, e) < 0)
		return -1;
	rc = store_secret_get(engine_db(eng), norm, out, e);
	free(norm);
	return rc;
}

int secret_list(struct engine *eng, const char *folder, struct secret **out, size_t *n, kj_err *e)
{
	char *norm = NULL;
	int rc;

	if (folder && strcmp(folder, "/") && *folder && secret_path_normalize(folder, &norm, e) < 0)
		return -1;
	rc = store_secret_list(engine_db(eng), norm, out, n, e);
	free(norm);
	return rc;
}

int secret_delete(struct engine *eng, const char *path, kj_err *e)
{
	struct secret s;
	int rc;

	if (secret_get(eng, path, &s, e) < 0)
		return -1;
	if (s.delete_protection) {
		kj_err_set(e, KJ_ERR_DENIED, _("secret %s is protected from deletion"), s.path);
		kj_err_hint(e, _("turn protection off first: kubejit secret edit %s --no-delete-protection"),
		            s.path);
		secret_done(&s);
		return -1;
	}
	rc = store_secret_delete(engine_db(eng), s.path, e);
	if (!rc)
		audit_record(eng, AUDIT_SECRET_DELETE, s.path, NULL, s.target, 1, NULL, NULL);
	secret_done(&s);
	return rc;
}
