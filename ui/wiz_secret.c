/* wiz_secret: name -> about -> target -> mode -> fixed (namespace, service
 * account) | dynamic (role source, allowed namespaces) -> role YAML editor
 * -> TTL -> audiences -> review -> save.  Each step is one row of steps[]
 * (its form, its checks, its picker, its drawing and keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/browse.h"
#include "engine/engine.h"
#include "engine/rolespec.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/editor.h"
#include "ui/screens.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/wizard.h"
#include "ui/wizutil.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

enum { S_NAME, S_ABOUT, S_TARGET, S_MODE, S_FIXED, S_ROLE, S_YAML, S_TTL, S_AUD, S_REVIEW, S_COUNT };

struct secwiz {
	struct ui_wizard w;
	struct secret d; /* the draft */
	char *edit_path; /* NULL = new */
	char **targets;
	size_t ntargets;
	struct ui_editor *ed;
	char *review_error;
	char *tmpl_text; /* the template last loaded, to tell it from typed text */
};

static int fixed_skip(const struct secwiz *s)
{
	return s->d.mode != SECRET_FIXED;
}

static int role_skip(const struct secwiz *s)
{
	return s->d.mode != SECRET_DYNAMIC;
}

static int yaml_skip(const struct secwiz *s)
{
	return s->d.mode != SECRET_DYNAMIC || s->d.role_source != ROLE_SOURCE_YAML;
}

static const char *const role_sources[] = {N_("YAML role (editor, templates)"), N_("existing Role"),
                                           N_("existing ClusterRole")};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v && *v ? kj_xstrdup(v) : NULL;
}

static void name_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;

	ui_form_text(&w->form, _("Path"), s->d.path ? s->d.path : "",
	             _("folders allowed: /team/app/read-pods (letters, digits, . _ -)"));
}

static int name_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	kj_err e;
	char *norm = NULL;

	kj_err_clear(&e);
	if (secret_path_normalize(ui_form_value(&w->form, 0), &norm, &e) != 0) {
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	if (!s->edit_path || strcmp(norm, s->edit_path) != 0) {
		struct secret other;
		memset(&other, 0, sizeof(other));
		if (secret_get(ui_app_engine(w->base.app), norm, &other, &e) == 0) {
			secret_done(&other);
			kj_err_clear(&e);
			kj_err_set(&e, KJ_ERR_CONFLICT, _("a secret named %s exists already"), norm);
			kj_err_hint(&e, "%s",
			            _("choose another path, or edit that secret (e on the Secrets screen)"));
			ui_wiz_form_error(&w->form, 0, &e);
			free(norm);
			return -1;
		}
	}
	free(s->d.path);
	s->d.path = norm;
	return 0;
}

static void about_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	char *t;

	ui_form_text(&w->form, _("Description"), s->d.description ? s->d.description : "",
	             _("what the credential is for (optional)"));
	t = kj_strv_join(&s->d.tags, ", ");
	ui_form_text(&w->form, _("Tags"), t, _("comma-separated (optional)"));
	free(t);
	ui_form_check(&w->form, _("Delete protection"), s->d.delete_protection,
	              _("Space toggles; a protected secret cannot be deleted until this is off"));
}

static int about_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;

	set_str(&s->d.description, ui_form_value(&w->form, 0));
	kj_strv_done(&s->d.tags);
	kj_strv_split(&s->d.tags, ui_form_value(&w->form, 1));
	s->d.delete_protection = w->form.rows[2].checked;
	return 0;
}

static void target_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int sel = 0;
	size_t i;

	for (i = 0; i < s->ntargets; i++)
		if (s->d.target && !strcmp(s->targets[i], s->d.target))
			sel = (int)i;
	if (!s->ntargets)
		ui_wizard_set_note(w, 1, "%s",
		                   _("No target yet: add one first (Ctrl-X, then : Targets, n)."));
	ui_form_choice(&w->form, _("Target"), (const char *const *)s->targets, (int)s->ntargets, sel,
	               _("the cluster connection that mints; Left/Right or Space"));
}

static int target_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;

	if (!s->ntargets) {
		ui_form_set_error(&w->form, 0, _("there is no target to mint with yet"));
		return -1;
	}
	set_str(&s->d.target, s->targets[w->form.rows[0].choice]);
	return 0;
}

static void mode_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	const char *modes[2] = {_("dynamic: a new ServiceAccount and role per lease"),

	                        _("fixed: tokens for an existing ServiceAccount")};
	ui_form_choice(&w->form, _("Mode"), modes, 2, s->d.mode == SECRET_FIXED ? 1 : 0,
	               _("Left/Right to switch"));
}

static int mode_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;

	s->d.mode = w->form.rows[0].choice == 1 ? SECRET_FIXED : SECRET_DYNAMIC;
	if (s->d.mode == SECRET_FIXED)
		s->d.role_source = ROLE_SOURCE_NONE;
	else if (s->d.role_source == ROLE_SOURCE_NONE)
		s->d.role_source = ROLE_SOURCE_YAML;
	return 0;
}

static void fixed_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int r;

	r = ui_form_text(&w->form, _("Namespace"), s->d.ns ? s->d.ns : "",
	                 _("Ctrl-P picks from the cluster"));
	w->form.rows[r].pick = 1;
	r = ui_form_text(&w->form, _("Service account"), s->d.service_account ? s->d.service_account : "",
	                 _("Ctrl-P picks from the namespace"));
	w->form.rows[r].pick = 1;
	ui_form_check(&w->form, _("Revocable"), s->d.revocable,
	              _("bind each token to an anchor Secret so revoke kills it (needs Secret permissions)"));
}

static int fixed_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int bad = 0;

	if (!ui_form_value(&w->form, 0)[0]) {
		ui_form_set_error(&w->form, 0, _("the namespace of the ServiceAccount is required"));
		bad = 1;
	}
	if (!ui_form_value(&w->form, 1)[0]) {
		ui_form_set_error(&w->form, 1, _("the ServiceAccount is required"));
		if (!bad)
			w->form.focus = 1;
		bad = 1;
	}
	if (bad) {
		if (!ui_form_value(&w->form, 0)[0])
			w->form.focus = 0;
		return -1;
	}
	set_str(&s->d.ns, ui_form_value(&w->form, 0));
	set_str(&s->d.service_account, ui_form_value(&w->form, 1));
	s->d.revocable = w->form.rows[2].checked;
	return 0;
}

static void role_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	char *t;
	int r;
	const char *srcs[3];
	int i, sel = 0;

	for (i = 0; i < 3; i++)
		srcs[i] = _(role_sources[i]);
	if (s->d.role_source == ROLE_SOURCE_ROLE)
		sel = 1;
	else if (s->d.role_source == ROLE_SOURCE_CLUSTER_ROLE)
		sel = 2;
	ui_form_choice(&w->form, _("Role source"), srcs, 3, sel, _("Left/Right to switch"));
	r = ui_form_text(&w->form, _("Role name"), s->d.role_name ? s->d.role_name : "",
	                 _("Ctrl-P picks from the cluster"));
	w->form.rows[r].pick = 1;
	ui_form_check(&w->form, _("Cluster-wide"), s->d.cluster_scope,
	              _("ClusterRole only: one ClusterRoleBinding instead of a RoleBinding per namespace"));
	t = kj_strv_join(&s->d.allowed_namespaces, ", ");
	r = ui_form_text(
	    &w->form, _("Allowed namespaces"), t,
	    _("names, * or patterns like team-*, comma-separated; Ctrl-P checks from the cluster"));
	w->form.rows[r].pick = 1;
	free(t);
}

/* Is one of the comma-separated entries of `v` blank ("dev,,x", "dev, ")?
 * An empty value as a whole is not: that has its own message. */
static int has_empty_entry(const char *v)
{
	const char *p = v;
	int seen = 0;

	for (; *p == ' '; p++)
		;
	if (!*p)
		return 0;
	for (p = v;; p++) {
		if (*p == ',' || !*p) {
			if (!seen)
				return 1;
			if (!*p)
				return 0;
			seen = 0;
		} else if (*p != ' ' && *p != '\t') {
			seen = 1;
		}
	}
}

static int role_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int src = w->form.rows[0].choice;

	s->d.role_source = src == 0   ? ROLE_SOURCE_YAML
	                   : src == 1 ? ROLE_SOURCE_ROLE
	                              : ROLE_SOURCE_CLUSTER_ROLE;
	if (src != 0 && !ui_form_value(&w->form, 1)[0]) {
		ui_form_set_error(&w->form, 1, _("name the existing role to bind (Ctrl-P lists them)"));
		return -1;
	}
	set_str(&s->d.role_name, src != 0 ? ui_form_value(&w->form, 1) : NULL);
	s->d.cluster_scope = src == 2 && w->form.rows[2].checked;
	if (has_empty_entry(ui_form_value(&w->form, 3))) {
		/* splitting drops it: "dev,,prod" is a typo to point out, as the
		 * command line does */
		ui_form_set_error(&w->form, 3,
		                  _("the list has an empty entry: separate names with single "
		                    "commas, e.g. dev, team-*"));
		return -1;
	}
	kj_strv_done(&s->d.allowed_namespaces);
	kj_strv_split(&s->d.allowed_namespaces, ui_form_value(&w->form, 3));
	if (!s->d.allowed_namespaces.n && !s->d.cluster_scope) {
		ui_form_set_error(&w->form, 3,
		                  _("allow at least one namespace (a name, * or a pattern like team-*)"));
		return -1;
	}
	return 0;
}

static int yaml_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int line, col;
	const char *msg;
	char *text;

	if (ui_editor_is_empty(s->ed)) {
		ui_wizard_set_note(w, 1, "%s", _("write the role, or press Ctrl-T to start from a template"));
		return -1;
	}
	if (ui_editor_error(s->ed, &line, &col, &msg) != 0) {
		ui_wizard_set_note(w, 1, _("fix the YAML first: %s"), msg);
		return -1;
	}
	text = ui_editor_text(s->ed);
	free(s->d.role_yaml);
	s->d.role_yaml = text;
	return 0;
}

static void ttl_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;

	ui_wiz_ttl_rows(&w->form, _("Default TTL"), s->d.default_ttl, _("used when a mint does not ask"));
	ui_wiz_ttl_rows(&w->form, _("Max TTL"), s->d.max_ttl, _("the longest a mint may ask for"));
	ui_form_note(&w->form,
	             _("Tokens live at least 10 minutes (the cluster's minimum). A shorter TTL is kept "
	               "by revoking at the TTL - except fixed tokens that are not revocable."));
}

static int ttl_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	kj_err e;
	int64_t def, max;

	kj_err_clear(&e);
	if (ui_wiz_ttl_read(&w->form, 0, _("default TTL"), &def, &e) != 0) {
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	if (ui_wiz_ttl_read(&w->form, 2, _("max TTL"), &max, &e) != 0) {
		ui_wiz_form_error(&w->form, 2, &e);
		return -1;
	}
	if (def > max) {
		char a[32], b[32];
		kj_ttl_format(def, a, sizeof(a));
		kj_ttl_format(max, b, sizeof(b));
		kj_err_set(&e, KJ_ERR_INVALID, _("the default TTL %s is longer than the max TTL %s"), a, b);
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	if (def < SECRET_MIN_TTL) {
		kj_err_set(&e, KJ_ERR_INVALID, _("a TTL under %d seconds is too short for the sweep to keep"),
		           SECRET_MIN_TTL);
		ui_wiz_form_error(&w->form, 0, &e);
		return -1;
	}
	s->d.default_ttl = def;
	s->d.max_ttl = max;
	return 0;
}

static void aud_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	char *t;

	t = kj_strv_join(&s->d.audiences, ", ");
	ui_form_text(&w->form, _("Audiences"), t,
	             _("comma-separated; empty = the cluster's default audience"));
	free(t);
	ui_form_text(&w->form, _("Name prefix"), s->d.name_prefix ? s->d.name_prefix : "",
	             _("generated object names start with it; empty = kubejit"));
}

/* The command line's rules (secret_check_audience(), _name_prefix()),
 * beside the field that breaks them. */
static int aud_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	kj_err e;

	kj_err_clear(&e);
	if (has_empty_entry(ui_form_value(&w->form, 0))) {
		/* splitting would drop it, as with the allowed namespaces */
		ui_form_set_error(&w->form, 0,
		                  _("an audience may not be empty: separate audiences with single commas, "
		                    "e.g. vault, https://example.com"));
		return -1;
	}
	kj_strv_done(&s->d.audiences);
	kj_strv_split(&s->d.audiences, ui_form_value(&w->form, 0));
	for (size_t i = 0; i < s->d.audiences.n; i++)
		if (secret_check_audience(s->d.audiences.v[i], &e) < 0) {
			ui_wiz_form_error(&w->form, 0, &e);
			return -1;
		}
	if (secret_check_name_prefix(ui_form_value(&w->form, 1), &e) < 0) {
		ui_wiz_form_error(&w->form, 1, &e);
		return -1;
	}
	set_str(&s->d.name_prefix, ui_form_value(&w->form, 1));
	return 0;
}

static void review_enter(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	kj_err e;

	kj_err_clear(&e);
	free(s->review_error);
	s->review_error = NULL;
	if (secret_validate(&s->d, &e) != 0) {
		s->review_error = e.hint[0] ? kj_xasprintf("%s (%s)", e.msg, e.hint) : kj_xstrdup(e.msg);
		ui_wizard_set_note(w, 1, "%s", s->review_error);
	}
}

static int review_leave(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	kj_err e;

	kj_err_clear(&e);
	if (secret_validate(&s->d, &e) != 0) {
		ui_wizard_set_note(w, 1, "%s%s%s", e.msg, e.hint[0] ? " - " : "", e.hint);
		return -1;
	}
	return 0;
}

static void fixed_pick(struct secwiz *s, int row)
{
	struct ui_wizard *w = &s->w;

	if (row == 0)
		ui_wiz_pick_from_cluster(w, row, s->d.target, BROWSE_NAMESPACES, NULL, 0);
	else if (row == 1)
		ui_wiz_pick_from_cluster(w, row, s->d.target, BROWSE_SERVICEACCOUNTS,
		                         ui_form_value(&w->form, 0), 0);
}

static void role_pick(struct secwiz *s, int row)
{
	struct ui_wizard *w = &s->w;

	if (row == 1) {
		int src = w->form.rows[0].choice;
		if (src == 1) {
			/* Roles live in a namespace: list them from the first allowed exact one */
			struct kj_strv ns = {0};
			const char *first = NULL;
			size_t i;
			kj_strv_split(&ns, ui_form_value(&w->form, 3));
			for (i = 0; i < ns.n; i++)
				if (!strpbrk(ns.v[i], "*?[")) {
					first = ns.v[i];
					break;
				}
			if (!first)
				ui_app_status(w->base.app, "%s",
				              _("type an allowed namespace first: Roles are listed from it"));
			else
				ui_wiz_pick_from_cluster(w, row, s->d.target, BROWSE_ROLES, first, 0);
			kj_strv_done(&ns);
		} else if (src == 2) {
			ui_wiz_pick_from_cluster(w, row, s->d.target, BROWSE_CLUSTERROLES, NULL, 0);
		} else {
			ui_app_status(w->base.app, "%s",
			              _("a YAML role is written in the next step; no name needed"));
		}
	} else if (row == 3)
		ui_wiz_pick_from_cluster(w, row, s->d.target, BROWSE_NAMESPACES, NULL, 1);
}

/* The Role step shows only the fields the chosen role source uses: a YAML
 * role has no name to bind and no cluster-wide binding, a Role no
 * cluster-wide binding. */
static void role_sync(struct secwiz *s)
{
	struct ui_wizard *w = &s->w;
	int src;

	if (w->form.n < 4)
		return;
	src = w->form.rows[0].choice;
	ui_form_set_hidden(&w->form, 1, src == 0);
	ui_form_set_hidden(&w->form, 2, src != 2);
}

/* ---- the YAML step ---- */

static int validate_yaml(const char *text, int *line, int *col, char *msg, size_t n)
{
	struct rolespec rs;
	struct rolespec_pos pos = {0, 0};
	kj_err e;

	kj_err_clear(&e);
	if (rolespec_parse(text, "role.yaml", &rs, &pos, &e) != 0) {
		*line = pos.line;
		*col = pos.column;
		snprintf(msg, n, "%s", e.msg);
		return -1;
	}
	rolespec_done(&rs);
	return 0;
}

struct tmpl_ctx {
	char **names;
	size_t n;
};

struct tmpl_load {
	char *name;
	char *text;
};

static void load_template(struct secwiz *s, const char *text)
{
	ui_editor_set_text(s->ed, text);
	free(s->tmpl_text);
	s->tmpl_text = kj_xstrdup(text);
}

static void replace_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	struct secwiz *s = (struct secwiz *)owner;
	struct tmpl_load *tl = ctx;

	if (s && yes && s->w.step == S_YAML)
		load_template(s, tl->text);
	else if (s)
		ui_app_status(owner->app, "%s", _("template not loaded; your text is kept"));
	free(tl->name);
	free(tl->text);
	free(tl);
}

/* Text the user wrote (or a stored role being edited), not an untouched
 * template: a template must not replace it without asking. */
static int has_typed_text(const struct secwiz *s)
{
	char *t;
	int typed;

	if (ui_editor_is_empty(s->ed))
		return 0;
	if (!s->tmpl_text)
		return 1;
	t = ui_editor_text(s->ed);
	typed = strcmp(t, s->tmpl_text) != 0;
	free(t);
	return typed;
}

static void template_chosen(struct ui_screen *owner, void *ctx, int choice)
{
	struct secwiz *s = (struct secwiz *)owner;
	struct tmpl_ctx *tc = ctx;
	kj_err e;

	if (s && choice >= 0 && s->w.step == S_YAML) {
		char *text;
		kj_err_clear(&e);
		text = ui_template_read(tc->names[choice], &e);
		if (!text) {
			ui_app_error(owner->app, &e);
		} else if (has_typed_text(s)) {
			struct tmpl_load *tl = kj_xcalloc(1, sizeof(*tl));
			char *q;
			tl->name = kj_xstrdup(tc->names[choice]);
			tl->text = text;
			q = kj_xasprintf(_("Replace the text in the editor with the template %s? What you "
			                   "typed is lost."),
			                 tl->name);
			ui_dialog_confirm(owner->app, owner, _("Replace the text?"), q, replace_confirmed,
			                  tl);
			free(q);
			text = NULL;
		} else {
			load_template(s, text);
		}
		free(text);
	}
	ui_templates_free(tc->names, tc->n);
	free(tc);
}

static void yaml_draw(struct secwiz *s, WINDOW *win, int y, int h, int cols)
{
	ui_editor_draw(s->ed, s->w.base.app, win, y, h, cols);
}

static void review_draw(struct secwiz *s, WINDOW *win, int y, int h, int cols)
{
	char buf[600], a[32], b[32];
	char *t;
	int maxy = y + h;
#define LINE(...)                                                                                            \
	do {                                                                                                 \
		snprintf(buf, sizeof(buf), __VA_ARGS__);                                                     \
		if (y < maxy)                                                                                \
			y += ui_put_wrap(win, y, 2, cols - 4, 21, 3, maxy, buf, A_NORMAL);                   \
	} while (0)
	LINE("%s %s", ui_padded(_("Path"), 20), s->d.path ? s->d.path : "");
	LINE("%s %s", ui_padded(_("Description"), 20), s->d.description ? s->d.description : "");
	t = kj_strv_join(&s->d.tags, ", ");
	LINE("%s %s%s", ui_padded(_("Tags"), 20), t,
	     s->d.delete_protection ? _("  (delete protection on)") : "");
	free(t);
	LINE("%s %s", ui_padded(_("Target"), 20), s->d.target ? s->d.target : "");
	LINE("%s %s", ui_padded(_("Mode"), 20), secret_mode_name(s->d.mode));
	if (s->d.mode == SECRET_FIXED) {
		LINE("%s %s/%s%s", ui_padded(_("Service account"), 20), s->d.ns ? s->d.ns : "",
		     s->d.service_account ? s->d.service_account : "",
		     s->d.revocable ? _("  (revocable)") : _("  (expiry-only)"));
	} else {
		LINE("%s %s%s%s", ui_padded(_("Role"), 20), secret_role_source_name(s->d.role_source),
		     s->d.role_name ? " " : "", s->d.role_name ? s->d.role_name : "");
		t = kj_strv_join(&s->d.allowed_namespaces, ", ");
		LINE("%s %s", ui_padded(_("Allowed namespaces"), 20), t);
		free(t);
	}
	kj_ttl_format(s->d.default_ttl, a, sizeof(a));
	kj_ttl_format(s->d.max_ttl, b, sizeof(b));
	LINE("%s %s / %s", ui_padded(_("TTL default / max"), 20), a, b);
	t = kj_strv_join(&s->d.audiences, ", ");
	LINE("%s %s", ui_padded(_("Audiences"), 20), t[0] ? t : _("(cluster default)"));
	free(t);
	y++;
	if (y < maxy)
		ui_put(win, y, 2, cols - 4,
		       s->review_error ? _("Fix the problem above (Esc goes back).")
		                       : _("Press Enter to save."),
		       A_BOLD, 0);
#undef LINE
}

static int yaml_key(struct secwiz *s, int ch, enum ui_action act)
{
	struct ui_wizard *w = &s->w;
	kj_err e;

	switch (act) {
	case ACT_TEMPLATE: {
		struct tmpl_ctx *tc = kj_xcalloc(1, sizeof(*tc));
		tc->names = ui_templates_list(&tc->n);
		if (!tc->n) {
			ui_app_status(w->base.app, "%s",
			              _("no templates found (set KUBEJIT_DATADIR to the directory holding "
			                "templates/)"));
			free(tc);
			return UI_HANDLED;
		}
		ui_dialog_menu(w->base.app, &w->base, _("Start from a template"),
		               (const char *const *)tc->names, (int)tc->n, 0, template_chosen, tc);
		return UI_HANDLED;
	}
	case ACT_EXTERNAL_EDITOR:
		kj_err_clear(&e);
		if (ui_editor_external(s->ed, w->base.app, &e) != 0)
			ui_app_error(w->base.app, &e);
		return UI_HANDLED;
	case ACT_BACK: /* done: validate and go on */
		if (yaml_leave(s) == 0)
			ui_wizard_next(w);
		return UI_HANDLED;
	case ACT_PREV:
		ui_wizard_back(w);
		return UI_HANDLED;
	case ACT_REDRAW:
		return 0;
	default:
		ui_editor_key(s->ed, ch, act);
		return UI_HANDLED;
	}
}

/* ---- the steps ---- */

/* One row per step: what it shows and reads.  The wizard's ops below only
 * look a step up here. */
struct secret_step {
	const char *name;                        /* N_() */
	void (*enter)(struct secwiz *s);         /* build the form from the draft; NULL: no form */
	int (*leave)(struct secwiz *s);          /* read and check the form: 0, or -1 (errors shown) */
	int (*skip)(const struct secwiz *s);     /* 1: the step does not apply; NULL: always applies */
	void (*pick)(struct secwiz *s, int row); /* Ctrl-P on a text row; NULL: none */
	void (*sync)(struct secwiz *s);          /* show the rows that apply; NULL: all */
	void (*draw)(struct secwiz *s, WINDOW *win, int y, int h, int cols); /* under the form */
	int (*key)(struct secwiz *s, int ch, enum ui_action act);            /* before the form */
	unsigned scope;                                                      /* 0: SC_WIZARD */
};

static const struct secret_step steps[S_COUNT] = {
    [S_NAME] = {N_("Name"), name_enter, name_leave},
    [S_ABOUT] = {N_("About"), about_enter, about_leave},
    [S_TARGET] = {N_("Target"), target_enter, target_leave},
    [S_MODE] = {N_("Mode"), mode_enter, mode_leave},
    [S_FIXED] = {N_("Fixed"), fixed_enter, fixed_leave, fixed_skip, fixed_pick},
    [S_ROLE] = {N_("Role"), role_enter, role_leave, role_skip, role_pick, role_sync},
    [S_YAML] = {N_("YAML"), NULL, yaml_leave, yaml_skip, .draw = yaml_draw, .key = yaml_key,
                .scope = SC_EDITOR},
    [S_TTL] = {N_("TTL"), ttl_enter, ttl_leave},
    [S_AUD] = {N_("Audiences"), aud_enter, aud_leave},
    [S_REVIEW] = {N_("Review"), review_enter, review_leave, .draw = review_draw},
};

static const char *step_name(struct ui_wizard *w, int step)
{
	(void)w;
	return _(steps[step].name);
}

static void enter(struct ui_wizard *w, int step)
{
	if (steps[step].enter)
		steps[step].enter((struct secwiz *)w);
}

static int leave(struct ui_wizard *w, int step)
{
	return steps[step].leave((struct secwiz *)w);
}

static int skip(struct ui_wizard *w, int step)
{
	return steps[step].skip && steps[step].skip((struct secwiz *)w);
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
		steps[step].pick((struct secwiz *)w, row);
}

static void sync_rows(struct ui_wizard *w, int step)
{
	if (steps[step].sync)
		steps[step].sync((struct secwiz *)w);
}

static void draw(struct ui_wizard *w, int step, WINDOW *win, int y, int h, int cols)
{
	if (steps[step].draw)
		steps[step].draw((struct secwiz *)w, win, y, h, cols);
}

static int key(struct ui_wizard *w, int step, int ch, enum ui_action act)
{
	return steps[step].key ? steps[step].key((struct secwiz *)w, ch, act) : 0;
}

static unsigned scope(struct ui_wizard *w, int step)
{
	(void)w;
	return steps[step].scope ? steps[step].scope : SC_WIZARD;
}

static void save(struct ui_wizard *w)
{
	struct secwiz *s = (struct secwiz *)w;
	kj_err e;
	int rc;
	struct ui_app *app = w->base.app;
	char *path = kj_xstrdup(s->d.path);

	kj_err_clear(&e);
	if (s->edit_path)
		rc = secret_edit(ui_app_engine(app), s->edit_path, &s->d, &e);
	else
		rc = secret_add(ui_app_engine(app), &s->d, &e);
	if (rc != 0) {
		ui_app_error(app, &e);
		free(path);
		return;
	}
	ui_wizard_close(w);
	ui_secrets_focus(app, path);
	ui_app_status(app, _("secret %s saved; press m on it to mint"), path);
	free(path);
}

static void sfree(struct ui_wizard *w)
{
	struct secwiz *s = (struct secwiz *)w;
	size_t i;

	secret_done(&s->d);
	free(s->edit_path);
	for (i = 0; i < s->ntargets; i++)
		free(s->targets[i]);
	free(s->targets);
	ui_editor_free(s->ed);
	free(s->review_error);
	free(s->tmpl_text);
	free(s);
}

static const struct ui_wizard_ops ops = {
    .title = N_("Secret"),
    .nsteps = S_COUNT,
    .step_name = step_name,
    .enter = enter,
    .leave = leave,
    .skip = skip,
    .draw = draw,
    .key = key,
    .scope = scope,
    .pick = pick,
    .finish = save,
    .free = sfree,
    .sync_rows = sync_rows,
};

struct ui_screen *ui_wiz_secret_new(struct ui_app *app, const char *edit_path)
{
	struct secwiz *s = kj_xcalloc(1, sizeof(*s));
	struct target *tv = NULL;
	size_t tn = 0, i;
	kj_err e;

	kj_err_clear(&e);
	secret_init(&s->d);
	if (edit_path) {
		secret_done(&s->d);
		memset(&s->d, 0, sizeof(s->d));
		if (secret_get(ui_app_engine(app), edit_path, &s->d, &e) != 0) {
			ui_app_error(app, &e);
			free(s);
			return NULL;
		}
		s->edit_path = kj_xstrdup(edit_path);
	}
	if (ui_app_engine(app) && target_list(ui_app_engine(app), &tv, &tn, &e) == 0) {
		s->targets = kj_xcalloc(tn + 1, sizeof(char *));
		for (i = 0; i < tn; i++)
			s->targets[i] = kj_xstrdup(tv[i].name);
		s->ntargets = tn;
		target_list_free(tv, tn);
	}
	if (!s->d.target && s->ntargets == 1)
		s->d.target = kj_xstrdup(s->targets[0]);
	if (!edit_path) {
		s->d.mode = SECRET_DYNAMIC;
		s->d.role_source = ROLE_SOURCE_YAML;
	}
	s->ed = ui_editor_new(s->d.role_yaml ? s->d.role_yaml : "", validate_yaml);
	ui_wizard_init(&s->w, app, &ops);
	if (edit_path)
		s->w.base.title = _("Edit secret");
	return &s->w.base;
}
