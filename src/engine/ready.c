/* ready: readiness and refusal checks asked as the credential itself. */
#include "engine/ready.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/api.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define BACKOFF_FIRST_MS 50
#define BACKOFF_MAX_MS   1000

void ready_probe_done(struct ready_probe *p)
{
	if (!p)
		return;
	free(p->verb);
	free(p->group);
	free(p->resource);
	free(p->subresource);
	free(p->name);
	free(p->ns);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

static char *first_str(const cJSON *rule, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(rule, key);
	const cJSON *v = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;

	return cJSON_IsString(v) && v->valuestring ? kj_xstrdup(v->valuestring) : NULL;
}

int ready_probe_from_rules(const cJSON *rules, const char *ns, struct ready_probe *out)
{
	const cJSON *rule = cJSON_IsArray(rules) ? cJSON_GetArrayItem(rules, 0) : NULL;
	char *res, *slash;

	memset(out, 0, sizeof(*out));
	out->kind = READY_RULES;
	out->ns = ns && *ns ? kj_xstrdup(ns) : NULL;
	if (!cJSON_IsObject(rule))
		return -1;
	out->verb = first_str(rule, "verbs");
	if (!out->verb) {
		ready_probe_done(out);
		out->kind = READY_RULES;
		out->ns = ns && *ns ? kj_xstrdup(ns) : NULL;
		return -1;
	}
	out->path = first_str(rule, "nonResourceURLs");
	if (out->path) {
		/* a prefix rule (a URL ending in a star) allows the prefix itself */
		size_t n = strlen(out->path);
		if (n && out->path[n - 1] == '*')
			out->path[n - 1] = '\0';
		if (!out->path[0]) {
			free(out->path);
			out->path = kj_xstrdup("/");
		}
		free(out->ns);
		out->ns = NULL;
		out->kind = READY_ACCESS;
		return 0;
	}
	res = first_str(rule, "resources");
	out->group = first_str(rule, "apiGroups");
	if (!res || !out->group) {
		free(res);
		ready_probe_done(out);
		out->kind = READY_RULES;
		out->ns = ns && *ns ? kj_xstrdup(ns) : NULL;
		return -1;
	}
	slash = strchr(res, '/');
	if (slash) {
		*slash = '\0';
		out->subresource = kj_xstrdup(slash + 1);
	}
	out->resource = res;
	out->name = first_str(rule, "resourceNames");
	out->kind = READY_ACCESS;
	return 0;
}

char *ready_probe_describe(const struct ready_probe *p)
{
	kj_buf b;

	if (p->kind == READY_WHOAMI)
		return kj_xstrdup(_("authenticate (SelfSubjectReview)"));
	if (p->kind == READY_RULES)
		return kj_xasprintf(_("see the granted rules in %s (SelfSubjectRulesReview)"),
		                    p->ns ? p->ns : "default");
	kj_buf_init(&b);
	if (p->path) {
		kj_buf_printf(&b, "%s %s", p->verb, p->path);
		return kj_buf_steal(&b);
	}
	kj_buf_printf(&b, "%s %s", p->verb, p->resource);
	if (p->subresource)
		kj_buf_printf(&b, "/%s", p->subresource);
	if (p->group && *p->group)
		kj_buf_printf(&b, ".%s", p->group);
	if (p->name)
		kj_buf_printf(&b, " \"%s\"", p->name);
	if (p->ns)
		kj_buf_printf(&b, _(" in %s"), p->ns);
	return kj_buf_steal(&b);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* A rule beyond the self-review rules every authenticated user holds
 * (system:basic-user, plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go). */
static int has_granted_rule(const cJSON *status)
{
	const cJSON *rule, *res;

	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(status, "resourceRules"))
	{
		cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(rule, "resources"))
		{
			if (cJSON_IsString(res) &&
			    strcmp(res->valuestring, "selfsubjectaccessreviews") != 0 &&
			    strcmp(res->valuestring, "selfsubjectrulesreviews") != 0 &&
			    strcmp(res->valuestring, "selfsubjectreviews") != 0)
				return 1;
		}
	}
	return 0;
}

/* One question.  1 = yes, 0 = not yet (why in `last`), -1 = an error no
 * retry changes (in `e`). */
static int ask(struct kube_client *kc, const struct ready_probe *p, kj_buf *last, kj_err *e)
{
	kj_err qe;
	int rc;

	kj_buf_reset(last);
	kj_err_clear(&qe);
	if (p->kind == READY_WHOAMI) {
		struct kube_user_info u;
		rc = kube_whoami(kc, &u, &qe);
		kube_user_info_done(&u);
		/* 403 and 404 come after authentication: the token was
		 * accepted, the cluster only may not or cannot say who it is
		 * (no SelfSubjectReview API before v1.26) */
		if (rc == 0 || qe.http_status == 403 || qe.http_status == 404)
			return 1;
	} else if (p->kind == READY_RULES) {
		cJSON *st = NULL;
		rc = kube_rules_review(kc, p->ns ? p->ns : "default", &st, &qe);
		if (rc == 0) {
			int yes = has_granted_rule(st);
			cJSON_Delete(st);
			if (yes)
				return 1;
			kj_buf_adds(last, _("no rule of the role is granted yet"));
			return 0;
		}
	} else {
		struct kube_access a = {
		    .verb = p->verb,
		    .group = p->group,
		    .resource = p->path ? NULL : p->resource,
		    .subresource = p->subresource,
		    .name = p->name,
		    .ns = p->ns,
		    .path = p->path,
		};
		int allowed = 0;
		char *reason = NULL;
		rc = kube_can_i(kc, &a, &allowed, &reason, &qe);
		if (rc == 0) {
			if (allowed) {
				free(reason);
				return 1;
			}
			kj_buf_adds(last, _("not allowed yet"));
			if (reason && *reason)
				kj_buf_printf(last, " (%s)", reason);
			free(reason);
			return 0;
		}
	}
	/* not authenticated yet (the token validator reads ServiceAccounts
	 * through an informer too), throttled past the client's retries, or a
	 * passing network fault: ask again */
	if (qe.cls == KJ_ERR_AUTH || qe.cls == KJ_ERR_NETWORK || qe.cls == KJ_ERR_DENIED ||
	    qe.http_status >= 500 || qe.http_status == 429) {
		kj_buf_adds(last, qe.msg);
		return 0;
	}
	*e = qe;
	return -1;
}

int ready_wait(struct kube_client *kc, const struct ready_probe *p, int64_t timeout_ms, int64_t *took_ms,
               kj_err *e)
{
	int64_t t0 = kj_mono_ms(), backoff = BACKOFF_FIRST_MS;
	kj_buf last;
	int r, tries = 0;

	if (timeout_ms <= 0)
		timeout_ms = READY_TIMEOUT_MS;
	kj_buf_init(&last);
	for (;;) {
		tries++;
		r = ask(kc, p, &last, e);
		if (r != 0)
			break;
		int64_t left = timeout_ms - (kj_mono_ms() - t0);
		if (left <= 0)
			break;
		sleep_ms(backoff < left ? backoff : left);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	*took_ms = kj_mono_ms() - t0;
	if (r == 0) {
		char *what = ready_probe_describe(p);
		kj_err_set(e, KJ_ERR_FAIL,
		           _("the new credential was not ready within %.1f s: asked %d times as the new "
		             "token to %s; last answer: %s"),
		           (double)*took_ms / 1000.0, tries, what, last.len ? last.data : "-");
		free(what);
	}
	kj_buf_done(&last);
	return r == 1 ? 0 : -1;
}

int ready_wait_refused(struct kube_client *kc, int64_t timeout_ms, int64_t *took_ms, kj_err *e)
{
	int64_t t0 = kj_mono_ms(), backoff = BACKOFF_FIRST_MS * 4;
	kj_err qe;
	int tries = 0;

	if (timeout_ms <= 0)
		timeout_ms = REFUSED_TIMEOUT_MS;
	for (;;) {
		struct kube_user_info u;
		int rc;

		tries++;
		kj_err_clear(&qe);
		rc = kube_whoami(kc, &u, &qe);
		kube_user_info_done(&u);
		if (rc < 0 && qe.cls == KJ_ERR_AUTH) {
			*took_ms = kj_mono_ms() - t0;
			return 0;
		}
		int64_t left = timeout_ms - (kj_mono_ms() - t0);
		if (left <= 0)
			break;
		sleep_ms(backoff < left ? backoff : left);
		/* at most half a second late: someone waits for this answer */
		backoff = backoff * 2 > BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS / 2 : backoff * 2;
	}
	*took_ms = kj_mono_ms() - t0;
	if (qe.cls == KJ_ERR_NETWORK) {
		*e = qe;
		return kj_err_prefix(e, _("cannot confirm that the token is refused"));
	}
	kj_err_set(e, KJ_ERR_FAIL,
	           _("the revoked token was still accepted after %.1f s (asked %d times as the token)"),
	           (double)*took_ms / 1000.0, tries);
	return kj_err_hint(e, _("its objects are deleted, but an API server still accepts it; it may have a "
	                        "longer token cache, or kubejit reached another instance: check again "
	                        "later, or raise --wait-timeout"));
}
