/* server: libmicrohttpd over TLS, URL parsing and the request pipeline
 * (faults -> authenticate -> authorize -> handler), one thread per
 * connection.  Also the default auth hooks used until the auth modules
 * install theirs. */
#include "demo/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "util/i18n.h"

/* Per-request state, kept in MHD's con_cls between calls. */
struct pending {
	kj_buf body;
	int too_large;
};

/* Per-connection state: whether the TLS handshake was already counted. */
struct conn_state {
	int counted;
};

/* ------------------------------------------------------------ accessors */

const char *demo_req_query(struct demo_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *demo_req_header(struct demo_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

cJSON *demo_req_json(struct demo_req *r)
{
	const char *end = NULL, *ct;

	if (r->json)
		return r->json;
	if (!r->body_len) {
		demo_reply_bad_request(r, "the body of the request was empty");
		return NULL;
	}
	ct = demo_req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct && strstr(ct, "application/vnd.kubernetes.protobuf")) {
		r->json = demo_proto_decode(r->body, r->body_len);
		if (!r->json)
			demo_reply_bad_request(r, "unable to decode the protobuf body of the request");
		return r->json;
	}
	if (ct && !strstr(ct, "json") && !strstr(ct, "*/*")) {
		demo_reply_status(
		    r, 415, "UnsupportedMediaType",
		    "the body of the request was in an unknown format - accepted media types include: "
		    "application/json, application/vnd.kubernetes.protobuf",
		    NULL);
		return NULL;
	}
	r->json = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
	if (!r->json || !cJSON_IsObject(r->json)) {
		cJSON_Delete(r->json);
		r->json = NULL;
		demo_reply_bad_request(r, "couldn't get version/kind; json parse error: %s",
		                       "invalid character looking for beginning of value");
		return NULL;
	}
	return r->json;
}

/* --------------------------------------------------------- default hooks */

static int default_authenticate(struct demo_req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const char *auth = demo_req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);

	if (ci && ci->tls_session) {
		unsigned int n = 0;
		const gnutls_datum_t *certs =
		    gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n);

		if (certs && n > 0 &&
		    demo_pki_verify_client(r->dc, certs[0].data, certs[0].size, &r->user) == 0) {
			demo_user_add_group(&r->user, "system:authenticated");
			return 1;
		}
		demo_user_done(&r->user);
	}
	if (auth && !strncasecmp(auth, "bearer ", 7)) {
		const char *tok = auth + 7;

		while (*tok == ' ')
			tok++;
		if (!*tok)
			return 0;
		if (!strcmp(tok, r->dc->admin_token)) {
			demo_user_set(&r->user, "kubernetes-admin", "");
			demo_user_add_group(&r->user, "system:masters");
			demo_user_add_group(&r->user, "system:authenticated");
			return 1;
		}
		return -1;
	}
	return 0;
}

static enum demo_decision default_authorize(struct demo_cluster *dc, const struct demo_authz_attrs *a,
                                            char **reason)
{
	static const char *const open_paths[] = {"/healthz", "/livez", "/readyz", "/version", NULL};
	size_t i;

	(void)dc;
	(void)reason;
	if (demo_user_in_group(a->user, "system:masters"))
		return DEMO_ALLOW;
	if (a->resource_request || strcmp(a->verb, "get"))
		return DEMO_DENY;
	for (i = 0; open_paths[i]; i++)
		if (!strcmp(a->path, open_paths[i]))
			return DEMO_ALLOW;
	if (demo_user_in_group(a->user, "system:authenticated") &&
	    (!strcmp(a->path, "/api") || !strcmp(a->path, "/apis") || !strncmp(a->path, "/api/", 5) ||
	     !strncmp(a->path, "/apis/", 6)))
		return DEMO_ALLOW;
	return DEMO_DENY;
}

void demo_server_default_hooks(struct demo_cluster *dc)
{
	memset(&dc->hooks, 0, sizeof(dc->hooks));
	dc->hooks.authenticate = default_authenticate;
	dc->hooks.authorize = default_authorize;
}

/* ----------------------------------------------------------- URL parsing */

static char **split_path(const char *path, size_t *n)
{
	char **v = NULL;
	const char *p = path;

	*n = 0;
	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		v = kj_xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = kj_xstrndup(p, len);
		p += len;
	}
	return v;
}

static void set(char **dst, const char *s)
{
	free(*dst);
	*dst = kj_xstrdup(s ? s : "");
}

/* Fill group/version/ns/resource/name/subresource and verb.  Returns 1 for
 * a resource request, 0 for non-resource, -1 for a malformed resource path. */
static int parse_request(struct demo_req *r)
{
	size_t n, i, base;
	char **seg = split_path(r->path, &n);
	int rc = 0;

	if (n >= 3 && !strcmp(seg[0], "api")) {
		set(&r->group, "");
		set(&r->version, seg[1]);
		base = 2;
	} else if (n >= 4 && !strcmp(seg[0], "apis")) {
		set(&r->group, seg[1]);
		set(&r->version, seg[2]);
		base = 3;
	} else {
		goto out;
	}
	rc = 1;
	if (n - base >= 3 && !strcmp(seg[base], "namespaces") && strcmp(seg[base + 2], "status") &&
	    strcmp(seg[base + 2], "finalize")) {
		set(&r->ns, seg[base + 1]);
		base += 2;
	}
	set(&r->resource, seg[base]);
	if (n - base >= 2)
		set(&r->name, seg[base + 1]);
	if (n - base >= 3)
		set(&r->subresource, seg[base + 2]);
	if (n - base > 3)
		rc = -1;
out:
	for (i = 0; i < n; i++)
		free(seg[i]);
	free(seg);
	return rc;
}

static const char *k8s_verb(struct demo_req *r)
{
	const char *w = demo_req_query(r, "watch");
	int watch = w && (!strcmp(w, "true") || !strcmp(w, "1"));

	if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
		return *r->name ? "get" : (watch ? "watch" : "list");
	if (!strcmp(r->method, "POST"))
		return "create";
	if (!strcmp(r->method, "PUT"))
		return "update";
	if (!strcmp(r->method, "PATCH"))
		return "patch";
	if (!strcmp(r->method, "DELETE"))
		return *r->name ? "delete" : "deletecollection";
	return "";
}

static const char *lower_method(const char *m)
{
	static const char *const tab[][2] = {{"GET", "get"},         {"POST", "post"},     {"PUT", "put"},
	                                     {"PATCH", "patch"},     {"DELETE", "delete"}, {"HEAD", "head"},
	                                     {"OPTIONS", "options"}, {NULL, NULL}};
	size_t i;

	for (i = 0; tab[i][0]; i++)
		if (!strcmp(tab[i][0], m))
			return tab[i][1];
	return "unknown";
}

/* ------------------------------------------------------------- pipeline */

static void reply_fault(struct demo_req *r, int code)
{
	static const struct {
		int code;
		const char *reason, *msg;
	} tab[] = {
	    {400, "BadRequest", "injected fault"},
	    {401, "Unauthorized", "Unauthorized"},
	    {403, "Forbidden", "forbidden: injected fault"},
	    {404, "NotFound", "the server could not find the requested resource"},
	    {409, "Conflict", "Operation cannot be fulfilled: injected fault"},
	    {429, "TooManyRequests", "Too many requests, please try again later."},
	    {500, "InternalError", "Internal error occurred: injected fault"},
	    {503, "ServiceUnavailable", "the server is currently unable to handle the request"},
	    {504, "Timeout", "Timeout: request did not complete within the allotted timeout"},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].code == code) {
			cJSON *details = NULL;

			/* as the max-inflight and priority-and-fairness filters
			 * answer (staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go) */
			if (code == 429 || code == 503) {
				r->retry_after = 1;
				details = cJSON_CreateObject();
				cJSON_AddNumberToObject(details, "retryAfterSeconds", 1);
			}
			demo_reply_status(r, code, tab[i].reason, tab[i].msg, details);
			return;
		}
	demo_reply_status(r, code, "InternalError", "injected fault", NULL);
}

/* requestinfo.go: a list or watch whose fieldSelector requires
 * metadata.name=X (= or ==, alone or among other terms) is authorised as a
 * request for the object X, so resourceNames rules can allow it. */
static void selector_name(struct demo_req *r)
{
	const char *fs = demo_req_query(r, "fieldSelector");
	char *copy, *save = NULL, *term;

	if (!fs || !*fs)
		return;
	copy = kj_xstrdup(fs);
	for (term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		const char *v = NULL;

		while (*term == ' ')
			term++;
		if (!strncmp(term, "metadata.name==", 15))
			v = term + 15;
		else if (!strncmp(term, "metadata.name=", 14))
			v = term + 14;
		/* path.IsValidPathSegmentName: not "." or "..", no '/' or '%' */
		if (v && *v && strcmp(v, ".") && strcmp(v, "..") && !strpbrk(v, "/%")) {
			free(r->selector_name);
			r->selector_name = kj_xstrdup(v);
		}
	}
	free(copy);
}

/* Long-running requests (watch) are not counted, and system:masters is never
 * refused (staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go).
 * The refusal is http.Error's plain text, not a Status; client-go turns it
 * into reason TooManyRequests. */
static int inflight_enter(struct demo_req *r)
{
	struct demo_cluster *dc = r->dc;
	int full;

	if (!dc->max_inflight || !strcmp(r->verb, "watch"))
		return 1;
	pthread_mutex_lock(&dc->lock);
	full = dc->inflight >= dc->max_inflight;
	if (!full || demo_user_in_group(&r->user, "system:masters"))
		dc->inflight++;
	pthread_mutex_unlock(&dc->lock);
	if (full && !demo_user_in_group(&r->user, "system:masters")) {
		r->retry_after = 1;
		demo_reply_raw(r, 429, "text/plain; charset=utf-8",
		               kj_xstrdup("Too many requests, please try again later.\n"));
		return 0;
	}
	return 1;
}

static void inflight_leave(struct demo_req *r)
{
	struct demo_cluster *dc = r->dc;

	if (!dc->max_inflight || !strcmp(r->verb, "watch"))
		return;
	pthread_mutex_lock(&dc->lock);
	dc->inflight--;
	pthread_mutex_unlock(&dc->lock);
}

/* NamespaceLifecycle admission (plugin/pkg/admission/namespace/lifecycle/
 * admission.go): no new content in a namespace that is being deleted.  The
 * name is the request's, else the object's name or generateName. */
static int namespace_lifecycle(struct demo_req *r)
{
	cJSON *ns, *d, *causes, *c;
	const char *name;
	char *msg, *why;
	int terminating;

	if (strcmp(r->verb, "create") || !*r->ns || !strcmp(r->resource, "localsubjectaccessreviews"))
		return 1;
	ns = objstore_get(r->dc->store, "", "namespaces", "", r->ns);
	terminating = ns && (!strcmp(obj_str(ns, "status.phase"), "Terminating") ||
	                     *obj_meta_str(ns, "deletionTimestamp"));
	cJSON_Delete(ns);
	if (!terminating)
		return 1;
	name = r->name;
	if (!*name && r->body_len) {
		const cJSON *body = demo_req_json(r);

		if (!body)
			return 0;
		name = *obj_meta_str(body, "name") ? obj_meta_str(body, "name")
		                                   : obj_meta_str(body, "generateName");
	}
	if (!*name)
		name = "Unknown";
	why = kj_xasprintf("unable to create new content in namespace %s because it is being terminated",
	                   r->ns);
	{
		char gr[160];

		msg = kj_xasprintf("%s \"%s\" is forbidden: %s",
		                   demo_gr(r->group, r->resource, gr, sizeof(gr)), name, why);
	}
	d = demo_details(name, r->group, r->resource, NULL);
	causes = cJSON_AddArrayToObject(d, "causes");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "reason", "NamespaceTerminating");
	free(why);
	why = kj_xasprintf("namespace %s is being terminated", r->ns);
	cJSON_AddStringToObject(c, "message", why);
	cJSON_AddStringToObject(c, "field", "metadata.namespace");
	cJSON_AddItemToArray(causes, c);
	demo_reply_status(r, 403, "Forbidden", msg, d);
	free(why);
	free(msg);
	return 0;
}

/* POST /kubejit/faults (body: a fault spec, as text or {"spec": "..."}),
 * GET lists them, DELETE clears them.  Only who may use the non-resource
 * URL gets here (RBAC: cluster-admin's nonResourceURLs "*"). */
static void serve_faults(struct demo_req *r)
{
	kj_err e;

	if (!strcmp(r->method, "GET")) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToObject(o, "faults", demo_faults_json(r->dc));
		demo_reply_json(r, 200, o);
	} else if (!strcmp(r->method, "DELETE")) {
		demo_fault_clear(r->dc);
		demo_reply_json(r, 200, cJSON_CreateObject());
	} else if (!strcmp(r->method, "POST")) {
		cJSON *body = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
		char *spec = kj_xstrndup(r->body, r->body_len);

		if (cJSON_IsObject(body) && cJSON_IsString(cJSON_GetObjectItem(body, "spec"))) {
			free(spec);
			spec = kj_xstrdup(cJSON_GetObjectItem(body, "spec")->valuestring);
		}
		cJSON_Delete(body);
		spec[strcspn(spec, "\r\n")] = '\0';
		kj_err_clear(&e);
		if (demo_fault_add_spec(r->dc, spec, &e) < 0) {
			demo_reply_bad_request(r, "%s", e.msg);
		} else {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddItemToObject(o, "faults", demo_faults_json(r->dc));
			demo_reply_json(r, 201, o);
		}
		free(spec);
	} else {
		demo_reply_method_not_supported(r, r->verb);
	}
}

static void serve_nonresource(struct demo_req *r)
{
	if (!strcmp(r->path, "/healthz") || !strcmp(r->path, "/livez") || !strcmp(r->path, "/readyz")) {
		demo_reply_raw(r, 200, "text/plain; charset=utf-8", kj_xstrdup("ok"));
		return;
	}
	if (!strcmp(r->path, "/kubejit/stats")) {
		struct demo_stats st;
		cJSON *o = cJSON_CreateObject();

		demo_get_stats(r->dc, &st);
		cJSON_AddNumberToObject(o, "requests", (double)st.requests);
		cJSON_AddNumberToObject(o, "connections", (double)st.connections);
		cJSON_AddNumberToObject(o, "tlsHandshakes", (double)st.tls_handshakes);
		cJSON_AddNumberToObject(o, "throttled", (double)st.throttled);
		demo_reply_json(r, 200, o);
		return;
	}
	if (!strcmp(r->path, "/kubejit/faults")) {
		serve_faults(r);
		return;
	}
	if (demo_discovery_handle(r) || demo_openapi_handle(r))
		return;
	if (r->dc->hooks.handle_path && r->dc->hooks.handle_path(r))
		return;
	demo_reply_path_not_found(r);
}

static void serve_authorized(struct demo_req *r, struct demo_authz_attrs *a, int kind);

static void serve(struct demo_req *r)
{
	struct demo_cluster *dc = r->dc;
	struct demo_authz_attrs a;
	int kind, auth;

	auth = dc->hooks.authenticate(r);
	if (auth < 0) {
		demo_reply_unauthorized(r);
		return;
	}
	r->authenticated = auth > 0;
	if (!r->authenticated) {
		demo_user_done(&r->user);
		demo_user_set(&r->user, "system:anonymous", "");
		demo_user_add_group(&r->user, "system:unauthenticated");
	}

	kind = parse_request(r);
	memset(&a, 0, sizeof(a));
	a.user = &r->user;
	r->is_resource = kind != 0;
	if (kind) {
		r->verb = k8s_verb(r);
		a.resource_request = 1;
		a.group = r->group;
		a.resource = r->resource;
		a.subresource = r->subresource;
		if (!strcmp(r->verb, "list") || !strcmp(r->verb, "watch"))
			selector_name(r);
		a.name = *r->selector_name ? r->selector_name : r->name;
		/* a namespace object is authorised within itself */
		a.ns = (!strcmp(r->resource, "namespaces") && !*r->ns && !*r->group) ? r->name : r->ns;
	} else {
		r->verb = lower_method(r->method);
		a.path = r->path;
	}
	a.verb = r->verb;
	/* filters/maxinflight.go runs after authentication, before authorization */
	if (!inflight_enter(r))
		return;
	serve_authorized(r, &a, kind);
	inflight_leave(r);
}

static void serve_authorized(struct demo_req *r, struct demo_authz_attrs *a, int kind)
{
	struct demo_cluster *dc = r->dc;
	char *reason = NULL;

	/* an injected slow answer; demo_stop() cuts it short */
	if (r->fault_delay_ms > 0)
		objstore_wait(dc->store, UINT64_MAX, r->fault_delay_ms);
	if (dc->hooks.authorize(dc, a, &reason) != DEMO_ALLOW) {
		char *msg = demo_forbidden_text(a, reason);

		if (kind)
			demo_reply_forbidden(r, r->group, r->resource, a->name, msg);
		else
			demo_reply_forbidden(r, "", "", "", msg);
		free(msg);
		free(reason);
		return;
	}
	free(reason);

	if (!kind) {
		serve_nonresource(r);
		return;
	}
	r->res = kind > 0 ? demo_resource_find(r->group, r->resource, r->subresource) : NULL;
	if (!r->res || strcmp(r->res->version, r->version) || (r->res->namespaced == 0 && *r->ns) ||
	    (*r->subresource && !*r->name)) {
		demo_reply_path_not_found(r);
		return;
	}
	if (!namespace_lifecycle(r))
		return;
	if (r->res->handler)
		r->res->handler(r);
	else
		demo_crud_handle(r);
	if (!r->replied)
		demo_reply_path_not_found(r);
}

static void req_free(struct demo_req *r)
{
	size_t i;

	free(r->path);
	free(r->group);
	free(r->version);
	free(r->ns);
	free(r->resource);
	free(r->name);
	free(r->subresource);
	free(r->selector_name);
	if (r->stream && r->stream_free)
		r->stream_free(r->stream);
	cJSON_Delete(r->json);
	demo_user_done(&r->user);
	free(r->resp_body);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
}

/* A streamed body: the request's reader and destructor travel with it. */
struct stream_box {
	void *stream;
	long (*read)(void *stream, char *buf, size_t max);
	void (*free)(void *stream);
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_box *b = cls;
	long n;

	(void)pos;
	n = b->read(b->stream, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream_box *b = cls;

	if (b->free)
		b->free(b->stream);
	free(b);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct demo_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i, len = r->resp_body ? strlen(r->resp_body) : 0;

	if (r->stream) {
		struct stream_box *b = kj_xcalloc(1, sizeof(*b));

		b->stream = r->stream;
		b->read = r->stream_read;
		b->free = r->stream_free;
		r->stream = NULL; /* the response owns it now */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, b, stream_free);
	} else {
		resp = MHD_create_response_from_buffer(len, r->resp_body ? r->resp_body : (char *)"",
		                                       r->resp_body ? MHD_RESPMEM_MUST_FREE
		                                                    : MHD_RESPMEM_PERSISTENT);
		r->resp_body = NULL;
	}
	if (r->resp_type && !strncmp(r->resp_type, "text/plain", 10))
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff"); /* Go's http.Error */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        r->resp_type ? r->resp_type : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
	for (i = 0; i < r->nwarnings; i++) {
		/* a quoted-string: '"' and '\\' escaped (net.NewWarningHeader,
		 * staging/src/k8s.io/apimachinery/pkg/util/net/http.go) */
		kj_buf w;

		kj_buf_init(&w);
		kj_buf_adds(&w, "299 - \"");
		for (const char *c = r->warnings[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				kj_buf_addc(&w, '\\');
			kj_buf_addc(&w, *c);
		}
		kj_buf_addc(&w, '"');
		MHD_add_response_header(resp, "Warning", w.data);
		kj_buf_done(&w);
	}
	if (r->retry_after > 0) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (r->status == 429) {
		pthread_mutex_lock(&r->dc->lock);
		r->dc->n_throttled++;
		pthread_mutex_unlock(&r->dc->lock);
	}
	ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void count_handshake(struct demo_cluster *dc, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? (struct conn_state *)ci->socket_context : NULL;

	pthread_mutex_lock(&dc->lock);
	dc->n_requests++;
	if (cs && !cs->counted) {
		cs->counted = 1;
		dc->n_handshakes++;
	}
	pthread_mutex_unlock(&dc->lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
	struct demo_cluster *dc = cls;
	struct pending *p = *con_cls;
	struct demo_req r;
	struct demo_fault_hit hit;
	enum MHD_Result ret;

	(void)version;
	if (!p) {
		const char *cl =
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		p = kj_xcalloc(1, sizeof(*p));
		kj_buf_init(&p->body);
		if (cl && strtoull(cl, NULL, 10) > DEMO_MAX_BODY)
			p->too_large = 1;
		*con_cls = p;
		if (!p->too_large)
			return MHD_YES;
		/* answer before reading the body; MHD then closes the connection */
	} else if (*upload_size) {
		if (!p->too_large && p->body.len + *upload_size <= DEMO_MAX_BODY)
			kj_buf_add(&p->body, upload, *upload_size);
		else
			p->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}

	memset(&r, 0, sizeof(r));
	r.dc = dc;
	r.conn = conn;
	r.method = method;
	r.path = kj_xstrdup(url);
	r.group = kj_xstrdup("");
	r.version = kj_xstrdup("");
	r.ns = kj_xstrdup("");
	r.resource = kj_xstrdup("");
	r.name = kj_xstrdup("");
	r.subresource = kj_xstrdup("");
	r.selector_name = kj_xstrdup("");
	r.verb = "";
	r.body = p->body.data ? p->body.data : (char *)"";
	r.body_len = p->body.len;
	demo_user_init(&r.user);
	count_handshake(dc, conn);

	if (demo_faults_match(dc, method, url, &hit)) {
		if (hit.kind == DEMO_FAULT_DROP) {
			req_free(&r);
			return MHD_NO;
		}
		if (hit.kind == DEMO_FAULT_DELAY) {
			r.fault_delay_ms = hit.delay_ms;
		} else {
			reply_fault(&r, hit.status);
		}
	}
	if (!r.replied && p->too_large)
		demo_reply_status(&r, 413, "RequestEntityTooLarge",
		                  "Request entity too large: limit is 3145728", NULL);
	if (!r.replied)
		serve(&r);
	if (dc->latency_ms > 0) {
		/* a remote cluster: the answer arrives this much later */
		struct timespec ts = {(time_t)(dc->latency_ms / 1000),
		                      (long)(dc->latency_ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	ret = send_reply(conn, &r);
	req_free(&r);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (p) {
		kj_buf_done(&p->body);
		free(p);
		*con_cls = NULL;
	}
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct demo_cluster *dc = cls;

	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = kj_xcalloc(1, sizeof(struct conn_state));
		pthread_mutex_lock(&dc->lock);
		dc->n_connections++;
		pthread_mutex_unlock(&dc->lock);
	} else {
		free(*socket_context);
		*socket_context = NULL;
	}
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

int demo_server_start(struct demo_cluster *dc, const char *host, int port, kj_err *e)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return kj_err_set(e, KJ_ERR_USAGE, _("cannot listen on \"%s\": not an IPv4 address"), host);
	dc->mhd = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL,
	    on_request, dc, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_HTTPS_MEM_KEY,
	    dc->server.key_pem, MHD_OPTION_HTTPS_MEM_CERT, dc->server.cert_pem, MHD_OPTION_HTTPS_MEM_TRUST,
	    dc->ca.cert_pem, MHD_OPTION_NOTIFY_COMPLETED, on_completed, dc, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, dc, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024, MHD_OPTION_EXTERNAL_LOGGER, quiet_log,
	    NULL, MHD_OPTION_END);
	if (!dc->mhd)
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot start the demo cluster on %s:%d (port in use?)"),
		                  host, port);
	di = MHD_get_daemon_info(dc->mhd, MHD_DAEMON_INFO_BIND_PORT);
	dc->port = di ? di->port : port;
	dc->url = kj_xasprintf("https://%s:%d", host, dc->port);
	return 0;
}

void demo_server_stop(struct demo_cluster *dc)
{
	if (dc->mhd)
		MHD_stop_daemon(dc->mhd);
	dc->mhd = NULL;
}
