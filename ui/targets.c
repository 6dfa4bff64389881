/* targets: saved cluster connections with their preflight state. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

enum { T_NAME, T_AUTH, T_SERVER, T_HEALTH, T_CERT, T_SUMMARY, T_COUNT };

static const struct ui_table_col tcols[T_COUNT] = {
    {N_("NAME"), 10, 1, 0},     {N_("AUTH"), 11, 0, 0},        {N_("ENDPOINT"), 16, 2, 0},
    {N_("PREFLIGHT"), 9, 0, 0}, {N_("CERT EXPIRY"), 11, 0, 1}, {N_("IDENTITY / CHECK"), 12, 3, 0},
};

/* Engine words shown through _(): target health and preflight states. */
static const char *const engine_words[] = {N_("never"), N_("ok"),      N_("warn"),    N_("fail"),
                                           N_("held"),  N_("partial"), N_("missing"), N_("unknown")};

struct targets {
	struct ui_screen base;
	struct ui_table *table;
	struct target *v;
	size_t n;
};

static void tcell(void *ud, const void *row, int col, char *buf, size_t n)
{
	struct targets *ts = ud;
	const struct target *t = row;
	int64_t left;

	buf[0] = '\0';
	switch (col) {
	case T_NAME:
		snprintf(buf, n, "%s", t->name);
		break;
	case T_AUTH:
		snprintf(buf, n, "%s", target_auth_name(t->auth));
		break;
	case T_SERVER:
		snprintf(buf, n, "%s", t->server ? t->server : "");
		break;
	case T_HEALTH:
		(void)sizeof(engine_words);
		snprintf(buf, n, "%s", _(target_health_name(t->health)));
		break;
	case T_CERT:
		left = target_expires_in(t);
		if (left == INT64_MAX)
			snprintf(buf, n, "-");
		else if (left <= 0)
			snprintf(buf, n, "%s", _("EXPIRED"));
		else
			kj_ttl_human(left, buf, n);
		(void)ts;
		break;
	case T_SUMMARY:
		snprintf(buf, n, "%s",
		         t->preflight_summary ? t->preflight_summary : (t->identity ? t->identity : ""));
		break;
	}
}

static int64_t tnum(void *ud, const void *row, int col)
{
	(void)ud;
	(void)col;
	return target_expires_in(row);
}

static enum ui_role trole(void *ud, const void *row)
{
	struct targets *ts = ud;
	const struct target *t = row;

	if (t->health == TARGET_HEALTH_FAIL)
		return R_DANGER;
	if (t->health == TARGET_HEALTH_WARN || target_expiry_warning(ui_app_engine(ts->base.app), t))
		return R_WARN;
	if (t->health == TARGET_HEALTH_OK)
		return R_GOOD;
	return R_NORMAL;
}

static const char *tid(void *ud, const void *row)
{
	(void)ud;
	return ((const struct target *)row)->name;
}

static const struct ui_table_ops tops = {tcell, tnum, trole, tid};

static void treload(struct targets *ts)
{
	struct target *v = NULL;
	size_t n = 0;
	kj_err e;

	if (!ui_app_engine(ts->base.app))
		return;
	kj_err_clear(&e);
	if (target_list(ui_app_engine(ts->base.app), &v, &n, &e) != 0) {
		ui_app_error(ts->base.app, &e);
		return;
	}
	ui_table_set_rows(ts->table, v, n, sizeof(*v));
	target_list_free(ts->v, ts->n);
	ts->v = v;
	ts->n = n;
}

static void tdraw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	struct targets *ts = (struct targets *)s;
	char line[160];

	snprintf(line, sizeof(line), _("%zu targets: cluster connections that mint"), ts->n);
	ui_put(w, y, 1, cols - 2, line, ui_attr(R_DIM), 0);
	ui_table_draw(ts->table, s->app, w, y + 1, h - 1, cols);
}

char *ui_preflight_text(const struct preflight_report *r)
{
	kj_buf b;
	size_t i;
	static const struct {
		unsigned bit;
		const char *name;
	} modes[] = {{PREFLIGHT_NEED_FIXED, N_("fixed mode")},
	             {PREFLIGHT_NEED_REVOCABLE, N_("revocable fixed tokens")},
	             {PREFLIGHT_NEED_DYNAMIC, N_("dynamic mode")},
	             {PREFLIGHT_NEED_SWEEP, N_("cluster sweep")}};
	size_t m;

	kj_buf_init(&b);
	kj_buf_printf(&b, "%s:\n", _("Connection"));
	kj_buf_printf(&b, "  [%s] %s %s\n", r->reachable ? "x" : " ", _("reachable:"),
	              r->server ? r->server : "");
	kj_buf_printf(&b, "  [%s] %s\n", r->tls_verified ? "x" : " ", _("TLS verified"));
	if (r->server_version)
		kj_buf_printf(&b, "      %s %s\n", _("server version"), r->server_version);
	kj_buf_printf(&b, "  [%s] %s %s\n", r->authenticated ? "x" : " ", _("authenticated as"),
	              r->username ? r->username : "?");
	if (r->failure)
		kj_buf_printf(&b, "  %s %s\n", _("FAILED:"), r->failure);
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		int ready = modes[m].bit == PREFLIGHT_NEED_FIXED       ? r->fixed_ready
		            : modes[m].bit == PREFLIGHT_NEED_REVOCABLE ? r->fixed_revocable
		            : modes[m].bit == PREFLIGHT_NEED_DYNAMIC   ? r->dynamic_ready
		                                                       : r->sweep_ready;
		kj_buf_printf(&b, "\n%s: %s\n", _(modes[m].name), ready ? _("ready") : _("NOT ready"));
		for (i = 0; i < r->n_perms; i++) {
			const struct preflight_perm *p = &r->perms[i];
			const char *mark;
			if (!(p->needed_by & modes[m].bit))
				continue;
			mark = p->state == PREFLIGHT_HELD      ? "[x]"
			       : p->state == PREFLIGHT_PARTIAL ? "[~]"
			       : p->state == PREFLIGHT_MISSING ? "[ ]"
			                                       : "[?]";
			kj_buf_printf(&b, "  %s %s %s%s%s  (%s)\n", mark, p->verb,
			              p->group && p->group[0] ? p->group : "",
			              p->group && p->group[0] ? "/" : "", p->resource,
			              _(preflight_state_name(p->state)));
		}
	}
	if (r->notices)
		for (i = 0; r->notices[i]; i++)
			kj_buf_printf(&b, "\n%s %s\n", _("Notice:"), r->notices[i]);
	if (r->fix_yaml_fixed || r->fix_yaml_dynamic) {
		kj_buf_printf(&b, "\n%s\n",
		              _("RBAC to grant what is missing (apply with an admin: kubectl apply -f "
		                "FILE; press w to save this text):"));
		if (r->fix_yaml_fixed)
			kj_buf_printf(&b, "\n# %s\n%s\n", _("fixed mode"), r->fix_yaml_fixed);
		if (r->fix_yaml_dynamic)
			kj_buf_printf(&b, "\n# %s\n%s\n", _("dynamic mode"), r->fix_yaml_dynamic);
	}
	return kj_buf_steal(&b);
}

static void tdetails(struct targets *ts, const struct target *t)
{
	kj_buf b;
	char tm[32];
	struct preflight_report *r = NULL;
	kj_err e;

	kj_buf_init(&b);
	kj_buf_printf(&b, "%s:\n", _("Target"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("name"), 18), t->name);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("endpoint"), 18), t->server ? t->server : "");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("authentication"), 18), target_auth_name(t->auth));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("CA"), 18),
	              t->ca_pem ? _("pinned (PEM stored)") : _("system trust"));
	if (t->tls_server_name)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("TLS server name"), 18), t->tls_server_name);
	if (t->cert_not_after) {
		ui_fmt_time(t->cert_not_after, tm, sizeof(tm));
		kj_buf_printf(&b, "  %s %s UTC%s\n", ui_padded(_("certificate until"), 18), tm,
		              target_expiry_warning(ui_app_engine(ts->base.app), t) ? _("  (renew soon!)")
		                                                                    : "");
	}
	if (t->token_expires_at) {
		ui_fmt_time(t->token_expires_at, tm, sizeof(tm));
		kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("token until"), 18), tm);
	}
	if (t->renew_sa) {
		if (t->renewed_at) {
			ui_fmt_time(t->renewed_at, tm, sizeof(tm));
			kj_buf_printf(&b, "  %s %s UTC (%s)\n", ui_padded(_("token renewed"), 18), tm,
			              t->renew_sa);
		} else {
			kj_buf_printf(&b, "  %s %s (%s)\n", ui_padded(_("token renewed"), 18),
			              /* xgettext:no-c-format */
			              _("not yet: at 80% of its lifetime"), t->renew_sa);
		}
	} else if (t->token_expires_at) {
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("token renewed"), 18),
		              _("cannot renew itself; replace it before it expires"));
	}
	if (t->exec_json) {
		char *cmd = target_exec_describe(t);
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("exec plugin"), 18), cmd ? cmd : "?");
		free(cmd);
	}
	if (t->proxy_url) {
		char *px = target_proxy_display(t);
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("proxy"), 18), px);
		free(px);
	}
	if (t->kubeconfig_context)
		kj_buf_printf(&b, "  %s %s (%s)\n", ui_padded(_("from kubeconfig"), 18),
		              t->kubeconfig_context, t->kubeconfig_path ? t->kubeconfig_path : "");
	ui_fmt_time(t->preflight_at, tm, sizeof(tm));
	kj_buf_printf(&b, "  %s %s (%s UTC)\n", ui_padded(_("last preflight"), 18),
	              _(target_health_name(t->health)), tm);
	kj_buf_printf(&b, "\n");
	kj_err_clear(&e);
	if (t->preflight_json && preflight_report_from_json(t->preflight_json, &r, &e) == 0 && r) {
		char *txt = ui_preflight_text(r);
		kj_buf_adds(&b, txt);
		free(txt);
		preflight_report_free(r);
	} else {
		kj_buf_printf(&b, "%s\n",
		              _("No preflight report yet: press c on the target list to check it."));
	}
	ui_app_push(ts->base.app, ui_textview_new(ts->base.app, t->name, b.data, 0));
	kj_buf_done(&b);
}

struct check_job {
	struct engine *eng;
	char *name;
	struct preflight_report *rep;
};

static int check_run(void *arg, kj_err *e)
{
	struct check_job *j = arg;

	return target_check(j->eng, j->name, NULL, &j->rep, e);
}

static void check_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct check_job *j = arg;

	if (owner) {
		treload((struct targets *)owner);
		if (j->rep) {
			char *txt = ui_preflight_text(j->rep);
			char *title = kj_xasprintf(_("Preflight of %s"), j->name);
			ui_app_push(owner->app, ui_textview_new(owner->app, title, txt, 0));
			free(title);
			free(txt);
		}
		if (rc != 0)
			ui_app_error(owner->app, e);
	}
	preflight_report_free(j->rep);
	free(j->name);
	free(j);
}

static void tdelete_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	char *name = ctx;
	kj_err e;

	if (owner && yes) {
		kj_err_clear(&e);
		if (target_remove(ui_app_engine(owner->app), name, &e) != 0)
			ui_app_error(owner->app, &e);
		else
			ui_app_status(owner->app, _("target %s removed"), name);
		treload((struct targets *)owner);
	}
	free(name);
}

static int tkey(struct ui_screen *s, int ch, enum ui_action act)
{
	struct targets *ts = (struct targets *)s;
	const struct target *t;
	char *q;

	if (ui_table_key(ts->table, ch, act) == UI_HANDLED)
		return UI_HANDLED;
	t = ui_table_selected(ts->table);
	switch (act) {
	case ACT_ENTER:
		if (t)
			tdetails(ts, t);
		return UI_HANDLED;
	case ACT_NEW:
		ui_app_push(s->app, ui_wiz_target_new(s->app));
		return UI_HANDLED;
	case ACT_CHECK:
		if (t) {
			struct check_job *j = kj_xcalloc(1, sizeof(*j));
			j->eng = ui_app_worker_engine(s->app);
			j->name = kj_xstrdup(t->name);
			if (ui_app_job(s->app, s, _("running preflight"), check_run, check_done, j) != 0) {
				free(j->name);
				free(j);
			}
		}
		return UI_HANDLED;
	case ACT_DELETE:
		if (!t)
			return UI_HANDLED;
		q = kj_xasprintf(
		    _("Remove target %s and its stored credentials? Secrets that use it must be deleted "
		      "first."),
		    t->name);
		ui_dialog_confirm(s->app, s, _("Remove target"), q, tdelete_confirmed, kj_xstrdup(t->name));
		free(q);
		return UI_HANDLED;
	default:
		return 0;
	}
}

static void tresume(struct ui_screen *s)
{
	treload((struct targets *)s);
}

static unsigned tscope(struct ui_screen *s)
{
	return ui_table_filtering(((struct targets *)s)->table) ? SC_FILTER : SC_TARGETS;
}

static void tfree(struct ui_screen *s)
{
	struct targets *ts = (struct targets *)s;

	ui_table_free(ts->table);
	target_list_free(ts->v, ts->n);
	free(ts);
}

static const struct ui_screen_ops tops_screen = {
    .name = N_("Targets"),
    .scope = SC_TARGETS,
    .draw = tdraw,
    .key = tkey,
    .cur_scope = tscope,
    .resume = tresume,
    .free = tfree,
};

struct ui_screen *ui_targets_new(struct ui_app *app)
{
	struct targets *ts = kj_xcalloc(1, sizeof(*ts));

	ts->base.ops = &tops_screen;
	ts->base.app = app;
	ts->table = ui_table_new(tcols, T_COUNT, &tops, ts);
	ui_table_set_empty_text(ts->table,
	                        _("No targets yet. Press n to connect a cluster: a token, a client "
	                          "certificate, the pod's service account, or a kubeconfig context."));
	treload(ts);
	return &ts->base;
}
