/* status: decoding of Kubernetes Status error bodies. */
#include "kube/status.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/i18n.h"
#include "util/json.h"
#include "util/safetext.h"

static const char *str_item(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Codes and Retry-After seconds come from the server: bounded, never cast
 * from an arbitrary double. */
static long num_item(const cJSON *o, const char *key)
{
	return (long)kj_json_int(o, key, 0, INT32_MAX, 0);
}

int kube_status_parse(const char *body, size_t len, struct kube_status *st)
{
	memset(st, 0, sizeof *st);
	if (!body || !len)
		return -1;
	cJSON *j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return -1;
	}
	const char *kind = str_item(j, "kind");
	if (!kind || strcmp(kind, "Status") != 0) {
		cJSON_Delete(j);
		return -1;
	}
	st->json_ = j;
	st->status = str_item(j, "status");
	st->message = str_item(j, "message");
	st->reason = str_item(j, "reason");
	st->code = num_item(j, "code");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "details");
	if (cJSON_IsObject(d)) {
		st->details_name = str_item(d, "name");
		st->details_group = str_item(d, "group");
		st->details_kind = str_item(d, "kind");
		st->retry_after = num_item(d, "retryAfterSeconds");
	}
	return 0;
}

void kube_status_done(struct kube_status *st)
{
	if (!st)
		return;
	cJSON_Delete(st->json_);
	memset(st, 0, sizeof *st);
}

enum kj_err_class kube_status_class(long http_status)
{
	switch (http_status) {
	case 400:
	case 422:
		return KJ_ERR_INVALID;
	case 401:
		return KJ_ERR_AUTH;
	case 403:
		return KJ_ERR_DENIED;
	case 404:
		return KJ_ERR_NOTFOUND;
	case 409:
		return KJ_ERR_CONFLICT;
	default:
		return KJ_ERR_FAIL;
	}
}

/* Reason phrase when the server sent no Status reason. */
static const char *http_reason(long code)
{
	switch (code) {
	case 400:
		return "BadRequest";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "NotFound";
	case 405:
		return "MethodNotAllowed";
	case 406:
		return "NotAcceptable";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 413:
		return "RequestEntityTooLarge";
	case 415:
		return "UnsupportedMediaType";
	case 422:
		return "Invalid";
	case 429:
		return "TooManyRequests";
	case 500:
		return "InternalError";
	case 502:
		return "BadGateway";
	case 503:
		return "ServiceUnavailable";
	case 504:
		return "Timeout";
	default:
		return "";
	}
}

/* First line of a non-Status body, printable ASCII only, at most 160 chars:
 * enough to recognise a proxy page without dumping it. */
static void body_excerpt(const char *body, size_t len, char *out, size_t n)
{
	size_t o = 0, i = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	for (; i < len && o + 1 < n && o < 160; i++) {
		unsigned char ch = (unsigned char)body[i];
		if (ch == '\n' || ch == '\r')
			break;
		out[o++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	out[o] = '\0';
}

static void add_hint(kj_err *e, long code, const char *server)
{
	const char *srv = server ? server : _("the cluster");
	switch (code) {
	case 401:
		kj_err_hint(e,
		            _("%s rejected the credentials: the token may be expired or revoked, or the "
		              "client certificate not trusted; renew them and update the target"),
		            srv);
		break;
	case 403:
		kj_err_hint(e, _("the credentials lack this permission; 'kubejit target check' lists what is "
		                 "missing and 'kubejit rbac' prints the RBAC that grants it"));
		break;
	case 409:
		kj_err_hint(e,
		            _("the object exists or changed meanwhile; retry, or delete the old one first"));
		break;
	case 429:
	case 503:
		kj_err_hint(e, _("%s is overloaded or starting; retry in a moment"), srv);
		break;
	default:
		if (code >= 500)
			kj_err_hint(e,
			            _("%s had an internal problem; retry, and check the API server's logs if "
			              "it persists"),
			            srv);
		break;
	}
}

int kube_status_to_err(long http_status, const char *body, size_t len, const char *server, kj_err *e)
{
	if (!e)
		return -1;
	struct kube_status st;
	enum kj_err_class cls = kube_status_class(http_status);
	if (kube_status_parse(body, len, &st) == 0 && st.status && strcmp(st.status, "Failure") == 0 &&
	    st.message && *st.message) {
		kj_err_set(e, cls, "%s", st.message);
		kj_safe_copy(e->reason, sizeof e->reason, st.reason ? st.reason : http_reason(http_status),
		             0);
	} else {
		char ex[200];
		body_excerpt(body ? body : "", body ? len : 0, ex, sizeof ex);
		const char *rs = http_reason(http_status);
		if (st.json_ && st.reason && *st.reason)
			rs = st.reason;
		if (*ex && !st.json_)
			kj_err_set(e, cls, _("the server answered HTTP %ld%s%s%s: %s"), http_status,
			           *rs ? " (" : "", rs, *rs ? ")" : "", ex);
		else
			kj_err_set(e, cls, _("the server answered HTTP %ld%s%s%s"), http_status,
			           *rs ? " (" : "", rs, *rs ? ")" : "");
		kj_safe_copy(e->reason, sizeof e->reason, rs, 0);
	}
	e->http_status = (int)http_status;
	kube_status_done(&st);
	add_hint(e, http_status, server);
	/* The API server's text for a path it does not serve at all. */
	if (http_status == 404 && strcmp(e->msg, "the server could not find the requested resource") == 0)
		kj_err_hint(e, _("the cluster does not serve this API: an older Kubernetes version, or the "
		                 "API group is turned off"));
	return -1;
}
