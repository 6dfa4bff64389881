/* wiz_mint: secret -> namespace -> TTL -> review -> mint -> result (token
 * masked until revealed, expiries, claims, copy / kubeconfig / exec). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/browse.h"
#include "engine/engine.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "engine/secret.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/wizard.h"
#include "ui/wizutil.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/ttl.h"
#include "util/json.h"

enum { M_SECRET, M_NS, M_TTL, M_REVIEW, M_RESULT, M_COUNT };

struct mintwiz {
	struct ui_wizard w;
	struct secret *list;
	size_t nlist;
	struct secret sec; /* the chosen secret (copy) */
	int have_sec;
	char *ns;
	int64_t ttl;
	struct mint_result res;
	int have_result;
	int revealed;
	char *claims;  /* decoded JWT claims, display text */
	int collected; /* a collected access request: not a lease of this home */
};

static int ns_skip(const struct mintwiz *m)
{
	return m->have_sec && m->sec.mode == SECRET_FIXED;
}

static int result_skip(const struct mintwiz *m)
{
	return !m->have_result;
}

static void secret_enter(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	const char **items = kj_xcalloc(m->nlist + 1, sizeof(char *));
	int sel = 0;
	size_t i;

	for (i = 0; i < m->nlist; i++) {
		items[i] = m->list[i].path;
		if (m->have_sec && !strcmp(m->list[i].path, m->sec.path))
			sel = (int)i;
	}
	if (!m->nlist)
		ui_wizard_set_note(
		    w, 1, "%s",
		    _("No secrets yet: define one first (press Ctrl-X, then : Secrets, then n)."));
	ui_form_choice(&w->form, _("Secret"), items, (int)m->nlist, sel,
	               _("Left/Right to choose, Space for the list; Enter to go on"));
	free(items);
}

static void ns_enter(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	char *def = NULL;
	char *allowed = kj_strv_join(&m->sec.allowed_namespaces, ", ");
	kj_err e;

	kj_err_clear(&e);
	if (m->ns)
		def = kj_xstrdup(m->ns);
	else if (secret_resolve_namespace(&m->sec, NULL, &def, &e) != 0)
		def = NULL;
	ui_wizard_set_note(w, 0, _("Allowed namespaces for %s: %s"), m->sec.path, allowed);
	ui_form_text(&w->form, _("Namespace"), def ? def : "",
	             _("where the credential works; Ctrl-P picks from the allowed ones"));
	w->form.rows[0].pick = 1;
	free(def);
	free(allowed);
}

static void ttl_enter(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	char max[32];

	kj_ttl_format(m->sec.max_ttl, max, sizeof(max));
	ui_wiz_ttl_rows(&w->form, _("TTL"), m->ttl ? m->ttl : m->sec.default_ttl,
	                _("how long the lease lives; Left/Right changes the unit"));
	ui_wizard_set_note(w, 0,
	                   _("At most %s for this secret. Tokens live at least 10 minutes (cluster minimum); "
	                     "a shorter lease is revoked at its TTL."),
	                   max);
}

static int secret_leave(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	int idx;

	if (!m->nlist) {
		ui_form_set_error(&w->form, 0, _("there is no secret to mint from yet"));
		return -1;
	}
	idx = w->form.rows[0].choice;
	if (m->have_sec && strcmp(m->sec.path, m->list[idx].path) != 0) {
		free(m->ns);
		m->ns = NULL;
		m->ttl = 0;
	}
	if (m->have_sec)
		secret_done(&m->sec);
	secret_copy(&m->sec, &m->list[idx]);
	m->have_sec = 1;
	if (m->sec.mode == SECRET_FIXED) {
		free(m->ns);
		m->ns = kj_xstrdup(m->sec.ns);
	}
	return 0;
}

static int ns_leave(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	char *out = NULL;
	const char *v = ui_form_value(&w->form, 0);
	kj_err e;

	kj_err_clear(&e);
	if (secret_resolve_namespace(&m->sec, v[0] ? v : NULL, &out, &e) != 0) {
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	free(m->ns);
	m->ns = out;
	return 0;
}

static int ttl_leave(struct mintwiz *m)
{
	struct ui_wizard *w = &m->w;
	int64_t t, eff;
	kj_err e;

	kj_err_clear(&e);
	if (ui_wiz_ttl_read(&w->form, 0, _("TTL"), &t, &e) != 0 ||
	    secret_resolve_ttl(&m->sec, t, &eff, &e) != 0) {
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	m->ttl = eff;
	return 0;
}

static void pick_done(struct ui_screen *owner, void *ctx, int choice)
{
	struct mintwiz *m = (struct mintwiz *)owner;
	char **items = ctx;

	if (m && choice >= 0 && m->w.step == M_NS)
		ui_form_set_value(&m->w.form, 0, items[choice]);
	ui_wiz_items_free(items);
}

static void secret_pick(struct mintwiz *m, int row)
{
	const char **v = kj_xcalloc(m->nlist + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < m->nlist; i++)
		v[i] = m->list[i].path;
	ui_wiz_pick_choice(&m->w, row, v, (int)m->nlist);
	free(v);
}

static void ns_pick(struct mintwiz *m, int row)
{
	struct ui_wizard *w = &m->w;
	char **items;
	size_t n;

	(void)row;
	if (m->sec.mode == SECRET_DYNAMIC) {
		size_t i;
		for (i = 0; i < m->sec.allowed_namespaces.n; i++)
			if (strpbrk(m->sec.allowed_namespaces.v[i], "*?[")) {
				/* patterns: list the cluster's namespaces that match them */
				ui_wiz_pick_from_cluster_allowed(w, 0, m->sec.target, BROWSE_NAMESPACES,
				                                 &m->sec.allowed_namespaces);
				return;
			}
	}
	items = ui_wiz_allowed_namespaces(w->base.app, &m->sec, &n);
	if (!n) {
		ui_app_status(w->base.app, "%s", _("no namespace list available: type the name"));
		ui_wiz_items_free(items);
		return;
	}
	ui_dialog_menu(w->base.app, &w->base, _("Namespace"), (const char *const *)items, (int)n, 0,
	               pick_done, items);
}

/* ---- mint job ---- */

struct mint_job {
	struct engine *eng;
	char *secret, *ns;
	int64_t ttl;
	struct mint_result res;
};

static int mint_job_run(void *arg, kj_err *e)
{
	struct mint_job *j = arg;
	struct mint_request rq = {0};

	rq.secret = j->secret;
	rq.ns = j->ns;
	rq.ttl = j->ttl;
	return mint_run(j->eng, &rq, &j->res, e);
}

static void decode_claims(struct mintwiz *m)
{
	cJSON *claims = NULL, *it;
	kj_err e;
	kj_buf b;

	kj_err_clear(&e);
	free(m->claims);
	m->claims = NULL;
	if (!m->res.token || kj_jwt_decode(m->res.token, NULL, &claims, &e) != 0)
		return;
	kj_buf_init(&b);
	cJSON_ArrayForEach(it, claims)
	{
		char *v;
		if (!strcmp(it->string, "kubernetes.io")) {
			cJSON *ns = cJSON_GetObjectItemCaseSensitive(it, "namespace");
			cJSON *sa = cJSON_GetObjectItemCaseSensitive(it, "serviceaccount");
			cJSON *sec = cJSON_GetObjectItemCaseSensitive(it, "secret");
			kj_buf_printf(
			    &b, "  kubernetes.io: namespace=%s serviceaccount=%s%s%s\n",
			    cJSON_IsString(ns) ? ns->valuestring : "?",
			    sa ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sa, "name")) : "?",
			    sec ? " bound-secret=" : "",
			    sec ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "name")) : "");
			continue;
		}
		if (cJSON_IsNumber(it) && (!strcmp(it->string, "exp") || !strcmp(it->string, "iat") ||
		                           !strcmp(it->string, "nbf"))) {
			char tm[32];
			ui_fmt_time(kj_clamp_double(it->valuedouble, 0, KJ_TIME_MAX), tm, sizeof(tm));
			kj_buf_printf(&b, "  %s: %s UTC\n", it->string, tm);
			continue;
		}
		v = cJSON_IsString(it) ? kj_xstrdup(it->valuestring) : cJSON_PrintUnformatted(it);
		kj_buf_printf(&b, "  %s: %s\n", it->string, v ? v : "");
		free(v);
	}
	cJSON_Delete(claims);
	m->claims = kj_buf_steal(&b);
}

static void mint_job_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct mint_job *j = arg;
	struct mintwiz *m = (struct mintwiz *)owner;

	if (m && rc == 0) {
		m->res = j->res; /* ownership moves to the wizard */
		memset(&j->res, 0, sizeof(j->res));
		m->have_result = 1;
		m->revealed = 0;
		decode_claims(m);
		ui_wizard_goto(&m->w, M_RESULT);
	} else if (m) {
		ui_app_error(owner->app, e);
	} else if (rc == 0) {
		/* cancelled or closed meanwhile: the lease exists (see the table), the token is dropped */
	}
	mint_result_done(&j->res);
	free(j->secret);
	free(j->ns);
	free(j);
}

static void finish(struct ui_wizard *w)
{
	struct mintwiz *m = (struct mintwiz *)w;
	struct mint_job *j;

	if (m->have_result) {
		ui_wizard_close(w);
		return;
	}
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(w->base.app);
	j->secret = kj_xstrdup(m->sec.path);
	j->ns = m->ns ? kj_xstrdup(m->ns) : NULL;
	j->ttl = m->ttl;
	if (ui_app_job(w->base.app, &w->base, _("minting"), mint_job_run, mint_job_done, j) != 0) {
		free(j->secret);
		free(j->ns);
		free(j);
	}
}

/* ---- drawing ---- */

static int put_line(WINDOW *win, int y, int maxy, int x, int cols, const char *s, chtype at)
{
	if (y >= maxy)
		return y;
	return y + ui_put_wrap(win, y, x, cols, 2, 3, maxy, s, at);
}

static void draw_review(struct mintwiz *m, WINDOW *win, int y, int h, int cols)
{
	char buf[512], t[32];
	int maxy = y + h;

	kj_ttl_format(m->ttl, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s %s", ui_padded(_("Secret"), 12), m->sec.path);
	y = put_line(win, y, maxy, 2, cols - 4, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "%s %s (%s)", ui_padded(_("Target"), 12), m->sec.target,
	         secret_mode_name(m->sec.mode));
	y = put_line(win, y, maxy, 2, cols - 4, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "%s %s", ui_padded(_("Namespace"), 12), m->ns ? m->ns : "");
	y = put_line(win, y, maxy, 2, cols - 4, buf, A_NORMAL);
	snprintf(buf, sizeof(buf), "%s %s", ui_padded(_("TTL"), 12), t);
	y = put_line(win, y, maxy, 2, cols - 4, buf, A_NORMAL);
	if (m->sec.mode == SECRET_DYNAMIC)
		y = put_line(win, y, maxy, 2, cols - 4,
		             _("Creates a ServiceAccount, a role and its binding, then a token."),
		             ui_attr(R_DIM));
	else
		y = put_line(win, y, maxy, 2, cols - 4,
		             m->sec.revocable
		                 ? _("Creates an anchor Secret and a token bound to it (revocable).")
		                 : _("Requests a token for the ServiceAccount (expiry-only, not revocable)."),
		             ui_attr(R_DIM));
	y++;
	put_line(win, y, maxy, 2, cols - 4, _("Press Enter to mint, Esc to go back."), A_BOLD);
}

static void draw_result(struct mintwiz *m, WINDOW *win, int y, int h, int cols)
{
	char buf[700], a[32], b[32], ta[32], tb[32];
	int maxy = y + h, nleave;
	int64_t now = ui_app_now(m->w.base.app);
	struct mint_result *r = &m->res;
	const char *leave;

	snprintf(buf, sizeof(buf), _("Lease %.8s  %s in %s  (%s, service account %s)"), r->lease_id,
	         r->secret, r->ns ? r->ns : "-", secret_mode_name(r->mode),
	         r->service_account ? r->service_account : "-");
	y = put_line(win, y, maxy, 1, cols - 2, buf, A_BOLD);
	ui_fmt_left(r->lease_expiry, now, _("ended"), a, sizeof(a));
	ui_fmt_left(r->token_expiry, now, _("expired"), b, sizeof(b));
	ui_fmt_time(r->lease_expiry, ta, sizeof(ta));
	ui_fmt_time(r->token_expiry, tb, sizeof(tb));
	snprintf(buf, sizeof(buf), _("Lease ends in %s (%s UTC)"), a, ta);
	y = put_line(win, y, maxy, 1, cols - 2, buf, ui_attr(R_GOOD));
	snprintf(
	    buf, sizeof(buf), _("Token expires in %s (%s UTC)%s"), b, tb,
	    r->token_expiry > r->lease_expiry + 5
	        ? (r->revocable ? _(" - revoked at the lease end") : _(" - NOT revocable: valid until then"))
	        : "");
	y = put_line(win, y, maxy, 1, cols - 2, buf, r->revocable ? A_NORMAL : ui_attr(R_WARN));
	if (r->ready_ms >= 0 && r->ready_check) {
		snprintf(buf, sizeof(buf), _("Works: ready after %.2f s (asked as the new token: %s)"),
		         (double)r->ready_ms / 1000.0, r->ready_check);
		y = put_line(win, y, maxy, 1, cols - 2, buf, ui_attr(R_GOOD));
	} else if (r->ready_check) {
		y = put_line(win, y, maxy, 1, cols - 2, r->ready_check, ui_attr(R_DIM));
	}
	if (r->warning)
		y = put_line(win, y, maxy, 1, cols - 2, r->warning, ui_attr(R_WARN));
	y++;
	if (y < maxy) {
		int x = 1 + ui_put(win, y, 1, 8, _("Token:"), A_BOLD, 0) + 1;
		if (m->revealed && r->token) {
			/* the token wraps over as many lines as it needs */
			size_t len = strlen(r->token), off = 0;
			int w = cols - x - 1;
			while (off < len && y < maxy) {
				char part[512];
				size_t n = len - off < (size_t)w ? len - off : (size_t)w;
				if (n >= sizeof(part))
					n = sizeof(part) - 1;
				memcpy(part, r->token + off, n);
				part[n] = '\0';
				ui_put(win, y++, x, w, part, ui_attr(R_FOCUS), 0);
				kj_wipe(part, sizeof(part));
				off += n;
			}
		} else {
			char dots[200] = "";
			int i;
			for (i = 0; i < 24; i++)
				strcat(dots, ui_glyph(G_BULLET));
			snprintf(buf, sizeof(buf), _("%s  (hidden: v shows it)"), dots);
			ui_put(win, y++, x, cols - x - 1, buf, A_NORMAL, 0);
		}
	}
	leave = _("q leaves and clears the token from the screen and from memory");
	nleave = ui_wrap_lines(leave, cols - 2, 2) > 1 ? 2 : 1;
	if (m->claims && y + 1 < maxy) {
		const char *p = m->claims;
		y = put_line(win, y, maxy, 1, cols - 2, _("Claims (decoded, not verified):"),
		             ui_attr(R_HEADER));
		while (*p && y < maxy - 1 - nleave) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
			y = put_line(win, y, maxy, 1, cols - 2, buf, A_NORMAL);
			p += n + (nl ? 1 : 0);
		}
	}
	put_line(win, maxy - nleave, maxy, 1, cols - 2, leave, ui_attr(R_DIM));
}

static void result_draw(struct mintwiz *m, WINDOW *win, int y, int h, int cols)
{
	if (m->have_result)
		draw_result(m, win, y, h, cols);
}

/* ---- result actions ---- */

static void copy_osc52(struct mintwiz *m)
{
	char *b64 = kj_b64_encode(m->res.token, strlen(m->res.token));
	FILE *out = ui_app_out(m->w.base.app);

	/* OSC 52 sets the terminal's clipboard, also through SSH */
	fprintf(out, "\033]52;c;%s\a", b64);
	fflush(out);
	kj_free_secret(b64);
	ui_app_status(m->w.base.app, "%s",
	              _("token copied to the clipboard (OSC 52; the terminal must allow it)"));
}

static void write_done(struct ui_screen *owner, void *ctx, const char *path)
{
	struct mintwiz *m = (struct mintwiz *)owner;
	char *data;
	kj_err e;

	(void)ctx;
	if (!m || !path || !*path || !m->have_result)
		return;
	kj_err_clear(&e);
	data = output_render(&m->res, OUTPUT_KUBECONFIG);
	if (!data || output_write_file(path, data, 0, &e) != 0) {
		if (!data)
			kj_err_set(&e, KJ_ERR_FAIL, "%s", _("cannot render the kubeconfig"));
		ui_app_error(owner->app, &e);
	} else {
		ui_app_status(owner->app,
		              _("kubeconfig written (0600): kubectl --kubeconfig %s get pods -n %s"), path,
		              m->res.ns ? m->res.ns : "default");
	}
	kj_free_secret(data);
}

static int result_key(struct mintwiz *m, int ch, enum ui_action act)
{
	struct ui_wizard *w = &m->w;
	char *def, *data;

	(void)ch;
	if (!m->have_result)
		return 0;
	switch (act) {
	case ACT_REVEAL:
		m->revealed = !m->revealed;
		if (!m->revealed)
			ui_app_repaint(w->base.app);
		return UI_HANDLED;
	case ACT_COPY:
		copy_osc52(m);
		return UI_HANDLED;
	case ACT_WRITE: {
		char slug[64];
		mint_object_name("kubejit", m->res.secret, slug);
		/* drop the random suffix: a stable, readable default name */
		if (strrchr(slug, '-'))
			*strrchr(slug, '-') = '\0';
		def = kj_xasprintf("%s.kubeconfig", slug);
		ui_dialog_input(w->base.app, &w->base, _("Write kubeconfig"),
		                _("File to write (mode 0600; an existing file is never replaced):"), def, 0,
		                write_done, NULL);
		free(def);
		return UI_HANDLED;
	}
	case ACT_EXEC:
		data = output_render(&m->res, OUTPUT_EXEC);
		if (data)
			ui_app_push(w->base.app,
			            ui_textview_new(w->base.app,
			                            _("ExecCredential (client.authentication.k8s.io/v1)"),
			                            data, 1));
		kj_free_secret(data);
		return UI_HANDLED;
	case ACT_BACK:
	case ACT_ENTER:
	case ACT_QUIT: {
		/* leaving: the token goes from memory and from the screen; the
		 * lease table shows the new lease counting down */
		struct ui_app *app = w->base.app;
		char id[sizeof(m->res.lease_id)];
		int collected = m->collected;
		memcpy(id, m->res.lease_id, sizeof(id));
		ui_app_repaint(app);
		ui_wizard_close(w);
		if (!collected)
			ui_leases_focus(app, id);
		return UI_HANDLED;
	}
	case ACT_HELP:
	case ACT_JUMP:
	case ACT_REDRAW:
		return 0;
	default:
		return UI_HANDLED;
	}
}

/* ---- the steps ---- */

/* One row per step, as in ui/wiz_secret.c; the wizard's ops look it up. */
struct mint_step {
	const char *name;                                                     /* N_() */
	void (*enter)(struct mintwiz *m);                                     /* NULL: no form */
	int (*leave)(struct mintwiz *m);                                      /* NULL: nothing to read */
	int (*skip)(const struct mintwiz *m);                                 /* NULL: always applies */
	void (*pick)(struct mintwiz *m, int row);                             /* NULL: none */
	void (*draw)(struct mintwiz *m, WINDOW *win, int y, int h, int cols); /* under the form */
	int (*key)(struct mintwiz *m, int ch, enum ui_action act);            /* before the form */
	unsigned scope;                                                       /* 0: SC_WIZARD */
};

static const struct mint_step steps[M_COUNT] = {
    [M_SECRET] = {N_("Secret"), secret_enter, secret_leave, .pick = secret_pick},
    [M_NS] = {N_("Namespace"), ns_enter, ns_leave, ns_skip, ns_pick},
    [M_TTL] = {N_("TTL"), ttl_enter, ttl_leave},
    [M_REVIEW] = {N_("Review"), .draw = draw_review},
    [M_RESULT] = {N_("Result"), .skip = result_skip, .draw = result_draw, .key = result_key,
                  .scope = SC_RESULT},
};

static const char *step_name(struct ui_wizard *w, int step)
{
	(void)w;
	return _(steps[step].name);
}

static void enter(struct ui_wizard *w, int step)
{
	if (steps[step].enter)
		steps[step].enter((struct mintwiz *)w);
}

static int leave(struct ui_wizard *w, int step)
{
	return steps[step].leave ? steps[step].leave((struct mintwiz *)w) : 0;
}

static int skip(struct ui_wizard *w, int step)
{
	return steps[step].skip && steps[step].skip((struct mintwiz *)w);
}

static void pick(struct ui_wizard *w, int step, int row)
{
	if (steps[step].pick)
		steps[step].pick((struct mintwiz *)w, row);
}

static void draw(struct ui_wizard *w, int step, WINDOW *win, int y, int h, int cols)
{
	if (steps[step].draw)
		steps[step].draw((struct mintwiz *)w, win, y, h, cols);
}

static int key(struct ui_wizard *w, int step, int ch, enum ui_action act)
{
	return steps[step].key ? steps[step].key((struct mintwiz *)w, ch, act) : 0;
}

static unsigned scope(struct ui_wizard *w, int step)
{
	(void)w;
	return steps[step].scope ? steps[step].scope : SC_WIZARD;
}

static void tick(struct ui_wizard *w, int step)
{
	(void)w;
	(void)step; /* the countdown is redrawn every tick anyway */
}

static void mfree(struct ui_wizard *w)
{
	struct mintwiz *m = (struct mintwiz *)w;

	secret_list_free(m->list, m->nlist);
	if (m->have_sec)
		secret_done(&m->sec);
	free(m->ns);
	mint_result_done(&m->res);
	if (m->claims)
		kj_free_secret(m->claims);
	free(m);
}

static const struct ui_wizard_ops ops = {
    .title = N_("Mint"),
    .nsteps = M_COUNT,
    .step_name = step_name,
    .enter = enter,
    .leave = leave,
    .skip = skip,
    .draw = draw,
    .key = key,
    .scope = scope,
    .pick = pick,
    .finish = finish,
    .free = mfree,
    .tick = tick,
};

struct ui_screen *ui_wiz_mint_new(struct ui_app *app, const char *secret_path)
{
	struct mintwiz *m = kj_xcalloc(1, sizeof(*m));
	kj_err e;
	size_t i;

	kj_err_clear(&e);
	if (ui_app_engine(app) && secret_list(ui_app_engine(app), NULL, &m->list, &m->nlist, &e) != 0)
		ui_app_error(app, &e);
	if (secret_path)
		for (i = 0; i < m->nlist; i++)
			if (!strcmp(m->list[i].path, secret_path)) {
				secret_copy(&m->sec, &m->list[i]);
				m->have_sec = 1;
			}
	ui_wizard_init(&m->w, app, &ops);
	return &m->w.base;
}

struct ui_screen *ui_mint_result_new(struct ui_app *app, struct mint_result *res)
{
	struct mintwiz *m = kj_xcalloc(1, sizeof(*m));

	m->res = *res;
	memset(res, 0, sizeof(*res));
	m->have_result = 1;
	m->collected = 1;
	decode_claims(m);
	ui_wizard_init(&m->w, app, &ops);
	ui_wizard_goto(&m->w, M_RESULT);
	m->w.base.title = _("Collected credential");
	return &m->w.base;
}
