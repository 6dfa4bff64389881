/* wiz_target: name -> strategy -> details -> review -> check and save
 * (preflight) -> the preflight checklist with the RBAC YAML that fixes what
 * is missing.  Nothing is saved when the cluster cannot be reached or
 * refuses the credentials (target_add). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/wizard.h"
#include "ui/wizutil.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

enum { T_NAME, T_STRATEGY, T_DETAILS, T_REVIEW, T_RESULT, T_COUNT };

enum strategy { ST_TOKEN, ST_CERT_FILES, ST_CSR, ST_IN_CLUSTER, ST_KUBECONFIG, ST_COUNT };

static const char *const strategy_names[ST_COUNT] = {
    N_("bearer token + CA"), N_("client certificate from files"),
    N_("client certificate: generate key + CSR"), N_("in-cluster service account"),
    N_("import a kubeconfig context")};

/* detail fields, by strategy; values kept across steps and resizes */
enum {
	F_SERVER,
	F_CA,
	F_TLSNAME,
	F_TOKEN,
	F_CERT,
	F_KEY,
	F_CN,
	F_ORG,
	F_KEYTYPE,
	F_SADIR,
	F_KUBECONFIG,
	F_CONTEXT,
	F_COUNT
};

struct tgtwiz {
	struct ui_wizard w;
	char *name;
	int strategy;
	char *val[F_COUNT];
	int keytype;
	int rowof[F_COUNT]; /* form row of each field on the details step, -1 = absent */
	struct target_add_result res;
	int saved;
	char *report;
	int top;
};

/* after saving only the result is left (Back closes), but the steps stay listed */
static int result_skip(const struct tgtwiz *t)
{
	return !t->saved;
}

static const char *v(struct tgtwiz *t, int f)
{
	return t->val[f] ? t->val[f] : "";
}

static void add_field(struct tgtwiz *t, int f, const char *label, const char *help, int masked)
{
	int r;

	if (masked) {
		r = ui_form_masked(&t->w.form, label, help);
		ui_form_set_value(&t->w.form, r, v(t, f));
	} else {
		r = ui_form_text(&t->w.form, label, v(t, f), help);
	}
	t->rowof[f] = r;
}

static void name_enter(struct tgtwiz *t)
{
	ui_form_text(&t->w.form, _("Name"), t->name ? t->name : "",
	             _("a short DNS-style name, e.g. prod-eu"));
}

static void strategy_enter(struct tgtwiz *t)
{
	const char *items[ST_COUNT];
	int i;

	for (i = 0; i < ST_COUNT; i++)
		items[i] = _(strategy_names[i]);
	ui_form_choice(&t->w.form, _("Authentication"), items, ST_COUNT, t->strategy,
	               _("how kubejit signs in to the cluster; Left/Right or Space"));
}

static void details_enter(struct tgtwiz *t)
{
	struct ui_wizard *w = &t->w;

	switch (t->strategy) {
	case ST_TOKEN:
		add_field(t, F_SERVER, _("API server URL"), _("https://host:6443"), 0);
		add_field(t, F_CA, _("CA file"), _("PEM of the cluster CA; empty = system trust"), 0);
		add_field(t, F_TLSNAME, _("TLS server name"),
		          _("optional: the name in the server certificate"), 0);
		add_field(t, F_TOKEN, _("Token"), _("paste the bearer token (hidden as you type)"), 1);
		break;
	case ST_CERT_FILES:
		add_field(t, F_SERVER, _("API server URL"), _("https://host:6443"), 0);
		add_field(t, F_CA, _("CA file"), _("PEM of the cluster CA; empty = system trust"), 0);
		add_field(t, F_TLSNAME, _("TLS server name"), _("optional"), 0);
		add_field(t, F_CERT, _("Certificate file"), _("client certificate, PEM"), 0);
		add_field(t, F_KEY, _("Key file"), _("its private key, PEM (read once, stored apart)"), 0);
		break;
	case ST_CSR: {
		const char *kt[2] = {"RSA-2048", "EC P-256"};
		add_field(t, F_SERVER, _("API server URL"), _("https://host:6443"), 0);
		add_field(t, F_CA, _("CA file"), _("PEM of the cluster CA; empty = system trust"), 0);
		add_field(t, F_CN, _("Common name"), _("the user name the certificate carries"), 0);
		add_field(t, F_ORG, _("Organization"), _("optional group (Subject O)"), 0);
		t->rowof[F_KEYTYPE] = ui_form_choice(&w->form, _("Key type"), kt, 2, t->keytype, NULL);
		add_field(t, F_TOKEN, _("Submit with token"),
		          _("token allowed to create CSRs; empty = your kubeconfig's current context"), 1);
		break;
	}
	case ST_IN_CLUSTER:
		if (!t->val[F_SADIR])
			t->val[F_SADIR] = kj_xstrdup(TARGET_SA_DIR_DEFAULT);
		add_field(t, F_SADIR, _("Service account dir"), _("token, ca.crt and namespace of the pod"),
		          0);
		break;
	case ST_KUBECONFIG:
		if (!t->val[F_KUBECONFIG]) {
			char *kc = target_kubeconfig_default();

			/* the form takes one file: the first of $KUBECONFIG */
			t->val[F_KUBECONFIG] = kc ? kj_xstrndup(kc, strcspn(kc, ":")) : kj_xstrdup("");
			free(kc);
		}
		add_field(t, F_KUBECONFIG, _("Kubeconfig file"), NULL, 0);
		add_field(t, F_CONTEXT, _("Context"),
		          _("empty = current-context; Ctrl-P picks from the file"), 0);
		w->form.rows[t->rowof[F_CONTEXT]].pick = 1;
		break;
	}
}

static int name_leave(struct tgtwiz *t)
{
	struct ui_wizard *w = &t->w;
	kj_err e;
	const char *n = ui_form_value(&w->form, 0);
	struct target other;

	kj_err_clear(&e);
	if (!kj_is_dns1123_label(n)) {
		ui_form_set_error(
		    &w->form, 0,
		    _("use lower-case letters, digits and '-', starting and ending with a letter or "
		      "digit (at most 63)"));
		return -1;
	}
	memset(&other, 0, sizeof(other));
	if (target_get(ui_app_engine(w->base.app), n, &other, &e) == 0) {
		target_done(&other);
		ui_form_set_error(&w->form, 0, _("a target with this name exists already"));
		return -1;
	}
	free(t->name);
	t->name = kj_xstrdup(n);
	return 0;
}

static int strategy_leave(struct tgtwiz *t)
{
	t->strategy = t->w.form.rows[0].choice;
	return 0;
}

static int details_leave(struct tgtwiz *t)
{
	struct ui_wizard *w = &t->w;
	kj_err e;
	int f;

	kj_err_clear(&e);
	for (f = 0; f < F_COUNT; f++) {
		int r = t->rowof[f];
		if (r < 0 || f == F_KEYTYPE)
			continue;
		if (t->val[f])
			kj_free_secret(t->val[f]);
		t->val[f] = kj_xstrdup(ui_form_value(&w->form, r));
	}
	if (t->rowof[F_KEYTYPE] >= 0)
		t->keytype = w->form.rows[t->rowof[F_KEYTYPE]].choice;
	if (t->rowof[F_SERVER] >= 0 && strncmp(v(t, F_SERVER), "https://", 8) != 0) {
		ui_form_set_error(&w->form, t->rowof[F_SERVER], _("the API server URL starts with https://"));
		return -1;
	}
	/* the rest of the command line's rules (no user info, query or '..'),
	 * beside the field rather than after the review */
	if (t->rowof[F_SERVER] >= 0 && engine_check_server(t->name, v(t, F_SERVER), &e) != 0) {
		ui_wiz_form_error(&w->form, t->rowof[F_SERVER], &e);
		return -1;
	}
	if (t->rowof[F_TOKEN] >= 0 && t->strategy == ST_TOKEN && !v(t, F_TOKEN)[0]) {
		ui_form_set_error(&w->form, t->rowof[F_TOKEN], _("paste the token the target signs in with"));
		return -1;
	}
	if (t->rowof[F_CN] >= 0 && !v(t, F_CN)[0]) {
		ui_form_set_error(&w->form, t->rowof[F_CN],
		                  _("the certificate needs a common name (user name)"));
		return -1;
	}
	/* files must be readable now, not at save time */
	for (f = 0; f < F_COUNT; f++) {
		char *data;
		if (t->rowof[f] < 0 || !(f == F_CA || f == F_CERT || f == F_KEY))
			continue;
		if (f == F_CA && !v(t, f)[0])
			continue;
		if (!v(t, f)[0]) {
			ui_form_set_error(&w->form, t->rowof[f], _("type the path of the file"));
			return -1;
		}
		if (ui_wiz_read_file(v(t, f), _("file"), &data, &e) != 0) {
			ui_wiz_form_error(&w->form, t->rowof[f], &e);
			return -1;
		}
		kj_free_secret(data);
	}
	return 0;
}

struct ctx_pick {
	struct kj_strv names;
	int row;
};

static void context_chosen(struct ui_screen *owner, void *ctx, int choice)
{
	struct ui_wizard *w = (struct ui_wizard *)owner;
	struct ctx_pick *cp = ctx;

	if (w && choice >= 0 && w->step == T_DETAILS)
		ui_form_set_value(&w->form, cp->row, cp->names.v[choice]);
	kj_strv_done(&cp->names);
	free(cp);
}

static void details_pick(struct tgtwiz *t, int row)
{
	struct ui_wizard *w = &t->w;

	if (row == t->rowof[F_CONTEXT]) {
		struct ctx_pick *cp = kj_xcalloc(1, sizeof(*cp));
		kj_err e;

		kj_err_clear(&e);
		cp->row = row;
		/* the engine's loader, so the list is what the import will accept */
		if (target_kubeconfig_contexts(ui_form_value(&w->form, t->rowof[F_KUBECONFIG]), &cp->names,
		                               &e) < 0) {
			ui_app_error(w->base.app, &e);
			free(cp);
			return;
		}
		if (!cp->names.n) {
			ui_app_status(w->base.app, "%s", _("no contexts found in that kubeconfig file"));
			free(cp);
			return;
		}
		ui_dialog_menu(w->base.app, &w->base, _("Context"), (const char *const *)cp->names.v,
		               (int)cp->names.n, 0, context_chosen, cp);
	}
}

/* ---- save (preflight) on the worker ---- */

struct add_job {
	struct engine *eng;
	struct ui_app *app;
	struct target_spec spec;
	char *strs[16]; /* owned copies the spec points to */
	int nstrs;
	struct target_add_result res;
};

static const char *keep(struct add_job *j, const char *s, int secret)
{
	(void)secret;
	if (!s || !*s)
		return NULL;
	j->strs[j->nstrs] = kj_xstrdup(s);
	return j->strs[j->nstrs++];
}

static void add_job_free(struct add_job *j)
{
	int i;

	for (i = 0; i < j->nstrs; i++)
		kj_free_secret(j->strs[i]);
	target_add_result_done(&j->res);
	free(j);
}

static int add_progress(void *ud, const char *msg)
{
	struct add_job *j = ud;

	ui_app_job_message(j->app, msg);
	return ui_app_job_cancelled(j->app);
}

static int add_run(void *arg, kj_err *e)
{
	struct add_job *j = arg;

	return target_add(j->eng, &j->spec, &j->res, e);
}

static void add_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct add_job *j = arg;
	struct tgtwiz *t = (struct tgtwiz *)owner;

	if (t && rc == 0) {
		kj_buf b;
		size_t i;
		kj_buf_init(&b);
		kj_buf_printf(&b, _("Target %s saved.\n\n"), t->name);
		if (j->res.notices)
			for (i = 0; j->res.notices[i]; i++)
				kj_buf_printf(&b, "%s %s\n", _("Notice:"), j->res.notices[i]);
		if (j->res.report) {
			char *txt = ui_preflight_text(j->res.report);
			kj_buf_adds(&b, txt);
			free(txt);
		}
		t->report = kj_buf_steal(&b);
		t->saved = 1;
		ui_wizard_goto(&t->w, T_RESULT);
	} else if (t) {
		ui_app_error(owner->app, e);
	}
	add_job_free(j);
}

static char *read_or_null(const char *path)
{
	char *d = NULL;
	kj_err e;

	if (!path || !*path)
		return NULL;
	kj_err_clear(&e);
	ui_wiz_read_file(path, "", &d, &e);
	return d;
}

static void finish(struct ui_wizard *w)
{
	struct tgtwiz *t = (struct tgtwiz *)w;
	struct add_job *j;
	char *ca, *cert, *key;

	if (t->saved) {
		ui_wizard_close(w);
		return;
	}
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(w->base.app);
	j->app = w->base.app;
	j->spec.name = keep(j, t->name, 0);
	j->spec.server = keep(j, v(t, F_SERVER), 0);
	ca = read_or_null(v(t, F_CA));
	j->spec.ca_pem = keep(j, ca, 0);
	free(ca);
	j->spec.tls_server_name = keep(j, v(t, F_TLSNAME), 0);
	j->spec.token = keep(j, v(t, F_TOKEN), 1);
	j->spec.progress = add_progress;
	j->spec.progress_ud = j;
	switch (t->strategy) {
	case ST_TOKEN:
		j->spec.auth = TARGET_AUTH_TOKEN;
		break;
	case ST_CERT_FILES:
		j->spec.auth = TARGET_AUTH_CLIENT_CERT;
		cert = read_or_null(v(t, F_CERT));
		key = read_or_null(v(t, F_KEY));
		j->spec.client_cert_pem = keep(j, cert, 0);
		j->spec.client_key_pem = keep(j, key, 1);
		free(cert);
		kj_free_secret(key);
		break;
	case ST_CSR:
		j->spec.auth = TARGET_AUTH_CLIENT_CERT;
		j->spec.csr = 1;
		j->spec.csr_cn = keep(j, v(t, F_CN), 0);
		j->spec.csr_org = keep(j, v(t, F_ORG), 0);
		j->spec.key_type = t->keytype ? TARGET_KEY_EC_P256 : TARGET_KEY_RSA2048;
		break;
	case ST_IN_CLUSTER:
		j->spec.auth = TARGET_AUTH_IN_CLUSTER;
		j->spec.sa_dir = keep(j, v(t, F_SADIR), 0);
		break;
	case ST_KUBECONFIG:
		j->spec.auth = TARGET_AUTH_KUBECONFIG;
		j->spec.kubeconfig_path = keep(j, v(t, F_KUBECONFIG), 0);
		j->spec.context = keep(j, v(t, F_CONTEXT), 0);
		break;
	}
	if (ui_app_job(w->base.app, &w->base, _("checking the target (preflight) and saving"), add_run,
	               add_done, j) != 0)
		add_job_free(j);
}

/* ---- drawing ---- */

struct wctx {
	WINDOW *win;
	int y, maxy, cols, skip;
};

static void wline(void *ctx, const char *p, size_t n)
{
	struct wctx *c = ctx;
	char buf[1024];

	if (c->skip > 0) {
		c->skip--;
		return;
	}
	if (c->y >= c->maxy)
		return;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
	ui_put(c->win, c->y++, 2, c->cols - 4, buf,
	       strstr(buf, "[ ]") || strstr(buf, "NOT ready") ? ui_attr(R_WARN) : A_NORMAL, 0);
}

static void result_draw(struct tgtwiz *t, WINDOW *win, int y, int h, int cols)
{
	int maxy = y + h, total;
	struct wctx c = {win, y, maxy - 1, cols, 0};
	struct wctx count = {win, 0, 0, cols, 1 << 30};

	if (!t->report)
		return;
	total = ui_text_wrap(t->report, cols - 4, wline, &count);
	if (t->top > total - (h - 1))
		t->top = total - (h - 1) > 0 ? total - (h - 1) : 0;
	c.skip = t->top;
	ui_text_wrap(t->report, cols - 4, wline, &c);
	ui_put(win, maxy - 1, 2, cols - 4, _("j/k scroll  w save the text (RBAC YAML) to a file  q done"),
	       ui_attr(R_DIM), 0);
}

static void review_draw(struct tgtwiz *t, WINDOW *win, int y, int h, int cols)
{
	char buf[600];
	int maxy = y + h;

#define LINE(...)                                                                                            \
	do {                                                                                                 \
		snprintf(buf, sizeof(buf), __VA_ARGS__);                                                     \
		if (y < maxy)                                                                                \
			y += ui_put_wrap(win, y, 2, cols - 4, 19, 3, maxy, buf, A_NORMAL);                   \
	} while (0)
	LINE("%s %s", ui_padded(_("Name"), 18), t->name ? t->name : "");
	LINE("%s %s", ui_padded(_("Authentication"), 18), _(strategy_names[t->strategy]));
	if (t->val[F_SERVER] && t->strategy <= ST_CSR)
		LINE("%s %s", ui_padded(_("API server"), 18), v(t, F_SERVER));
	if (t->strategy <= ST_CSR)
		LINE("%s %s", ui_padded(_("CA"), 18), v(t, F_CA)[0] ? v(t, F_CA) : _("system trust"));
	if (t->strategy == ST_TOKEN)
		LINE("%s %s", ui_padded(_("Token"), 18), v(t, F_TOKEN)[0] ? _("(given, hidden)") : "");
	if (t->strategy == ST_CERT_FILES)
		LINE("%s %s / %s", ui_padded(_("Certificate / key"), 18), v(t, F_CERT), v(t, F_KEY));
	if (t->strategy == ST_CSR)
		LINE("%s CN=%s O=%s", ui_padded(_("CSR subject"), 18), v(t, F_CN), v(t, F_ORG));
	if (t->strategy == ST_IN_CLUSTER)
		LINE("%s %s", ui_padded(_("Service account"), 18), v(t, F_SADIR));
	if (t->strategy == ST_KUBECONFIG)
		LINE("%s %s (%s)", ui_padded(_("Kubeconfig"), 18), v(t, F_KUBECONFIG),
		     v(t, F_CONTEXT)[0] ? v(t, F_CONTEXT) : _("current"));
	y++;
	if (y < maxy)
		ui_put(win, y, 2, cols - 4,
		       _("Press Enter to check the target (preflight) and save it. Nothing is saved if the "
		         "cluster "
		         "cannot be reached or refuses the credentials."),
		       A_BOLD, 0);
#undef LINE
}

static void save_report(struct ui_screen *owner, void *ctx, const char *path)
{
	struct tgtwiz *t = (struct tgtwiz *)owner;

	(void)ctx;
	if (!t || !path || !*path)
		return;
	ui_save_text(owner->app, path, t->report);
}

static int result_key(struct tgtwiz *t, int ch, enum ui_action act)
{
	struct ui_wizard *w = &t->w;

	(void)ch;
	switch (act) {
	case ACT_DOWN:
		t->top++;
		return UI_HANDLED;
	case ACT_UP:
		if (t->top > 0)
			t->top--;
		return UI_HANDLED;
	case ACT_PGDN:
		t->top += 10;
		return UI_HANDLED;
	case ACT_PGUP:
		t->top = t->top > 10 ? t->top - 10 : 0;
		return UI_HANDLED;
	case ACT_SAVE_FILE:
		ui_dialog_input(w->base.app, &w->base, _("Save the report"),
		                _("File name (the RBAC YAML is at its end):"), "kubejit-rbac.txt", 0,
		                save_report, NULL);
		return UI_HANDLED;
	case ACT_BACK:
	case ACT_ENTER:
		ui_wizard_close(w);
		return UI_HANDLED;
	case ACT_HELP:
	case ACT_JUMP:
	case ACT_REDRAW:
	case ACT_QUIT:
		return 0;
	default:
		return UI_HANDLED;
	}
}

/* ---- the steps ---- */

/* One row per step, as in ui/wiz_secret.c; the wizard's ops look it up. */
struct target_step {
	const char *name;                                                    /* N_() */
	void (*enter)(struct tgtwiz *t);                                     /* NULL: no form */
	int (*leave)(struct tgtwiz *t);                                      /* NULL: nothing to read */
	int (*skip)(const struct tgtwiz *t);                                 /* NULL: always applies */
	void (*pick)(struct tgtwiz *t, int row);                             /* text rows; NULL: none */
	void (*draw)(struct tgtwiz *t, WINDOW *win, int y, int h, int cols); /* under the form */
	int (*key)(struct tgtwiz *t, int ch, enum ui_action act);            /* before the form */
	unsigned scope;                                                      /* 0: SC_WIZARD */
};

static const struct target_step steps[T_COUNT] = {
    [T_NAME] = {N_("Name"), name_enter, name_leave},
    [T_STRATEGY] = {N_("Strategy"), strategy_enter, strategy_leave},
    [T_DETAILS] = {N_("Details"), details_enter, details_leave, .pick = details_pick},
    [T_REVIEW] = {N_("Review"), .draw = review_draw},
    [T_RESULT] = {N_("Preflight"), .skip = result_skip, .draw = result_draw, .key = result_key,
                  .scope = SC_DETAIL},
};

static const char *step_name(struct ui_wizard *w, int step)
{
	(void)w;
	return _(steps[step].name);
}

static void enter(struct ui_wizard *w, int step)
{
	struct tgtwiz *t = (struct tgtwiz *)w;
	int i;

	for (i = 0; i < F_COUNT; i++)
		t->rowof[i] = -1;
	if (steps[step].enter)
		steps[step].enter(t);
}

static int leave(struct ui_wizard *w, int step)
{
	return steps[step].leave ? steps[step].leave((struct tgtwiz *)w) : 0;
}

static int skip(struct ui_wizard *w, int step)
{
	return steps[step].skip && steps[step].skip((struct tgtwiz *)w);
}

static void pick(struct ui_wizard *w, int step, int row)
{
	if (w->form.rows[row].kind == ROW_CHOICE) {
		const char *items[16];
		int i;
		for (i = 0; i < w->form.rows[row].nchoices && i < 16; i++)
			items[i] = w->form.rows[row].choices[i];
		ui_wiz_pick_choice(w, row, items, i);
		return;
	}
	if (steps[step].pick)
		steps[step].pick((struct tgtwiz *)w, row);
}

static void draw(struct ui_wizard *w, int step, WINDOW *win, int y, int h, int cols)
{
	if (steps[step].draw)
		steps[step].draw((struct tgtwiz *)w, win, y, h, cols);
}

static int key(struct ui_wizard *w, int step, int ch, enum ui_action act)
{
	return steps[step].key ? steps[step].key((struct tgtwiz *)w, ch, act) : 0;
}

static unsigned scope(struct ui_wizard *w, int step)
{
	(void)w;
	return steps[step].scope ? steps[step].scope : SC_WIZARD;
}

static void tfree(struct ui_wizard *w)
{
	struct tgtwiz *t = (struct tgtwiz *)w;
	int i;

	free(t->name);
	for (i = 0; i < F_COUNT; i++)
		if (t->val[i])
			kj_free_secret(t->val[i]);
	free(t->report);
	free(t);
}

static const struct ui_wizard_ops ops = {
    .title = N_("Target"),
    .nsteps = T_COUNT,
    .step_name = step_name,
    .enter = enter,
    .leave = leave,
    .skip = skip,
    .draw = draw,
    .key = key,
    .scope = scope,
    .pick = pick,
    .finish = finish,
    .free = tfree,
};

struct ui_screen *ui_wiz_target_new(struct ui_app *app)
{
	struct tgtwiz *t = kj_xcalloc(1, sizeof(*t));

	ui_wizard_init(&t->w, app, &ops);
	return &t->w.base;
}
