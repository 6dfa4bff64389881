/* leases: the home screen — a live lease table with countdowns, sort,
 * filter, details, revoke and revoke-all; it also runs the background
 * sweep while the interface is open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/cluster_lease.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/sweep.h"
#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/leases_priv.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

enum { C_SECRET, C_MODE, C_NS, C_SA, C_CREATED, C_EXPIRES, C_TOKEN, C_STATE, C_COUNT };

static const struct ui_table_col cols[C_COUNT] = {
    /* widths come from the (translated) headers and the values shown; the
     * minimums keep countdowns ("59m59s") from shifting the columns */
    {N_("SECRET"), 12, 3, 0},         {N_("MODE"), 4, 0, 0},  {N_("NAMESPACE"), 6, 1, 0},
    {N_("SERVICE ACCOUNT"), 8, 3, 0}, {N_("AGE"), 4, 0, 1},   {N_("EXPIRES"), 6, 0, 1},
    {N_("TOKEN EXP"), 6, 0, 1},       {N_("STATE"), 0, 0, 0},
};

/* The engine's state words, marked here so the translation catalogue has
 * them; the table shows _(lease_state_name(...)). */
static const char *const state_words[] = {N_("creating"), N_("active"),  N_("revoking"),
                                          N_("revoked"),  N_("expired"), N_("failed")};

/* Rows read around the one asked for when it is not in the window: a
 * screenful and a half each way, so moving and redrawing read nothing. */
#define WINDOW_BEFORE 32
#define WINDOW_ROWS   128

/* Seconds between reads of the cluster while everyone's leases show. */
#define EVERYONE_EVERY 3

int leases_live(const struct lease *l)
{
	return l->state == LEASE_CREATING || l->state == LEASE_ACTIVE || l->state == LEASE_REVOKING;
}

static void cell(void *ud, const void *row, int col, char *buf, size_t n)
{
	struct leases *ls = ud;
	const struct lease *l = row;
	int64_t now = ui_app_now(ls->base.app);

	switch (col) {
	case C_SECRET:
		snprintf(buf, n, "%s", l->secret ? l->secret : "");
		break;
	case C_MODE:
		/* '*': fixed token that cannot be revoked before its token expiry */
		snprintf(buf, n, "%s%s", ls->w_mode[l->mode == SECRET_FIXED ? 0 : 1],
		         l->revocable ? "" : "*");
		break;
	case C_NS:
		snprintf(buf, n, "%s", l->ns ? l->ns : "");
		break;
	case C_SA:
		snprintf(buf, n, "%s", l->service_account ? l->service_account : "");
		break;
	case C_CREATED:
		ui_fmt_age(l->created_at, now, buf, n);
		break;
	case C_EXPIRES:
		if (leases_live(l))
			ui_fmt_left(l->lease_expiry, now, ls->w_due, buf, n);
		else
			snprintf(buf, n, "-");
		break;
	case C_TOKEN:
		if (leases_live(l) || (!l->revocable && l->state != LEASE_FAILED))
			ui_fmt_left(l->token_expiry, now, ls->w_dead, buf, n);
		else
			snprintf(buf, n, "-");
		break;
	case C_STATE:
		(void)sizeof(state_words);
		/* past its TTL, not yet swept: expired, objects still there */
		if (lease_is_overdue(l, now))
			snprintf(buf, n, "%s*", ls->w_expired);
		else if ((unsigned)l->state < LEASE_STATE_COUNT)
			snprintf(buf, n, "%s", ls->w_state[l->state]);
		else
			snprintf(buf, n, "%s", _(lease_state_name(l->state)));
		break;
	default:
		buf[0] = '\0';
	}
}

static int64_t num(void *ud, const void *row, int col)
{
	const struct lease *l = row;

	(void)ud;
	switch (col) {
	case C_CREATED:
		return -l->created_at; /* age: newest is smallest */
	case C_EXPIRES:
		return l->lease_expiry;
	case C_TOKEN:
		return l->token_expiry;
	default:
		return 0;
	}
}

static enum ui_role role(void *ud, const void *row)
{
	struct leases *ls = ud;
	const struct lease *l = row;
	int64_t left, ttl;

	if (l->state == LEASE_FAILED)
		return R_ERROR;
	if (!leases_live(l))
		return R_DIM;
	if (lease_is_overdue(l, ui_app_now(ls->base.app)))
		return R_WARN;
	left = l->lease_expiry - ui_app_now(ls->base.app);
	ttl = l->lease_expiry - l->created_at;
	if (left <= 60)
		return R_DANGER;
	if (left <= 300 || (ttl > 0 && left * 4 < ttl))
		return R_WARN;
	return R_GOOD;
}

static const char *row_id(void *ud, const void *row)
{
	(void)ud;
	return ((const struct lease *)row)->id;
}

static const struct ui_table_ops table_ops = {cell, num, role, row_id};

static void drop_window(struct leases *ls)
{
	lease_list_free(ls->win, ls->win_n);
	ls->win = NULL;
	ls->win_off = ls->win_n = 0;
}

static void load_failed(struct leases *ls, const kj_err *e)
{
	if (!ls->load_failed)
		ui_app_error(ls->base.app, e);
	ls->load_failed = 1;
}

/* The table's column as the store's order. */
static enum lease_order column_order(int col, int rev, int *reverse)
{
	*reverse = rev;
	switch (col) {
	case C_SECRET:
		return LEASE_ORDER_SECRET;
	case C_MODE:
		return LEASE_ORDER_MODE;
	case C_NS:
		return LEASE_ORDER_NAMESPACE;
	case C_SA:
		return LEASE_ORDER_SERVICE_ACCOUNT;
	case C_EXPIRES:
		return LEASE_ORDER_EXPIRY;
	case C_TOKEN:
		return LEASE_ORDER_TOKEN_EXPIRY;
	case C_STATE:
		return LEASE_ORDER_STATE;
	default: /* AGE, or no sort: newest first */
		if (col < 0)
			*reverse = 0;
		return LEASE_ORDER_NEWEST;
	}
}

static size_t src_query(void *ud, const char *filter, int col, int rev, size_t *total)
{
	struct leases *ls = ud;
	struct engine *eng = ui_app_engine(ls->base.app);
	struct lease_view was = ls->view;
	size_t was_shown = ls->shown;
	char *was_filter = ls->filter;
	int s, narrower;
	kj_err e;

	ls->filter = kj_xstrdup(filter ? filter : "");
	memset(&ls->view, 0, sizeof(ls->view));
	ls->view.text = ls->filter;
	ls->view.order = column_order(col, rev, &ls->view.reverse);
	/* the words the table shows for states and modes match too */
	for (s = 0; ls->filter[0] && s < LEASE_STATE_COUNT; s++)
		if (ui_text_contains(_(lease_state_name((enum lease_state)s)), ls->filter))
			ls->view.state_bits |= 1u << s;
	if (ls->filter[0] && ui_text_contains(_("fix"), ls->filter))
		ls->view.mode_bits |= 1u << SECRET_FIXED;
	if (ls->filter[0] && ui_text_contains(_("dyn"), ls->filter))
		ls->view.mode_bits |= 1u << SECRET_DYNAMIC;
	/* a key typed at the end of the filter can only narrow it (every test
	 * is "contains"): when as many leases match as before, they are the
	 * same leases in the same order, and the rows read stay good */
	narrower = was_filter && ls->win && strlen(ls->filter) > strlen(was_filter) &&
	           !strncmp(ls->filter, was_filter, strlen(was_filter)) && was.order == ls->view.order &&
	           was.reverse == ls->view.reverse;
	free(was_filter);
	ls->shown = 0;
	*total = ls->counts.total;
	if (!eng) {
		drop_window(ls);
		return 0;
	}
	kj_err_clear(&e);
	if (lease_view_count(eng, &ls->view, &ls->shown, &e) < 0) {
		load_failed(ls, &e);
		ls->shown = 0;
	}
	if (!narrower || ls->shown != was_shown)
		drop_window(ls);
	return ls->shown;
}

static const void *src_row(void *ud, size_t i)
{
	struct leases *ls = ud;
	struct engine *eng = ui_app_engine(ls->base.app);
	size_t off;
	kj_err e;

	if (i >= ls->shown || !eng)
		return NULL;
	if (!ls->win || i < ls->win_off || i >= ls->win_off + ls->win_n) {
		drop_window(ls);
		off = i > WINDOW_BEFORE ? i - WINDOW_BEFORE : 0;
		kj_err_clear(&e);
		if (lease_view_page(eng, &ls->view, off, WINDOW_ROWS, &ls->win, &ls->win_n, &e) < 0) {
			load_failed(ls, &e);
			return NULL;
		}
		ls->win_off = off;
		if (i >= off + ls->win_n)
			return NULL;
	}
	return &ls->win[i - ls->win_off];
}

static long src_find(void *ud, const char *id)
{
	struct leases *ls = ud;
	struct engine *eng = ui_app_engine(ls->base.app);
	long pos = -1;
	kj_err e;

	/* rows already read are where they were */
	for (size_t i = 0; ls->win && i < ls->win_n; i++)
		if (!strcmp(ls->win[i].id, id))
			return (long)(ls->win_off + i);
	kj_err_clear(&e);
	if (!eng || lease_view_position(eng, &ls->view, id, &pos, &e) < 0)
		return -1;
	return pos;
}

static const struct ui_table_source table_source = {src_query, src_row, src_find};

/* What to do first depends on what exists: a newcomer is led from
 * target to secret to mint. */
static void set_empty_text(struct leases *ls)
{
	struct engine *eng = ui_app_engine(ls->base.app);
	struct target *tv = NULL;
	struct secret *sv = NULL;
	size_t tn = 0, sn = 0;
	kj_err e;

	kj_err_clear(&e);
	if (target_list(eng, &tv, &tn, &e) == 0)
		target_list_free(tv, tn);
	if (secret_list(eng, NULL, &sv, &sn, &e) == 0)
		secret_list_free(sv, sn);
	if (!tn)
		ui_table_set_empty_text(ls->table,
		                        _("No leases yet. Start by connecting a cluster: press : and pick "
		                          "Targets, then n. (To try kubejit on a built-in demo cluster, quit "
		                          "and run kubejit --demo.)"));
	else if (!sn)
		ui_table_set_empty_text(ls->table,
		                        _("No leases yet. Next, define a secret (what to mint, where, how "
		                          "long): press : and pick Secrets, then n."));
	else
		ui_table_set_empty_text(ls->table,
		                        _("No leases yet. Press m to mint a credential from a secret."));
}

/* Re-read the counts and the window (the table keeps its cursor). */
void leases_reload(struct leases *ls)
{
	kj_err e;

	if (!ui_app_engine(ls->base.app))
		return;
	kj_err_clear(&e);
	if (lease_counts(ui_app_engine(ls->base.app), &ls->counts, &e) != 0) {
		load_failed(ls, &e);
		return;
	}
	ls->load_failed = 0;
	if (!ls->counts.total)
		set_empty_text(ls);
	ui_table_refilter(ls->table);
}

static void draw(struct ui_screen *s, WINDOW *w, int y, int h, int cols_)
{
	struct leases *ls = (struct leases *)s;
	int gh = 0, th;
	char line[256];

	if (ui_app_guide_shown(s->app)) {
		/* the guide gets what the table can spare, keeping five rows of leases */
		gh = ui_app_guide_rows(s->app, cols_);
		if (gh > h - 7)
			gh = h - 7;
		if (gh < 6)
			gh = 0;
	}
	if (ls->everyone) {
		char why[400], head[512];
		int n;
		if (ls->cl_err[0])
			snprintf(head, sizeof(head),
			         _("everyone's leases on target %s: cannot list them: %s"),
			         ls->cl_target ? ls->cl_target : "-", ls->cl_err);
		else if (!ls->cl_loaded)
			snprintf(head, sizeof(head),
			         _("everyone's leases on target %s: reading the cluster..."),
			         ls->cl_target ? ls->cl_target : "-");
		else if (ls->cl.n_denied) {
			leases_denied_text(&ls->cl, why, sizeof(why));
			snprintf(head, sizeof(head),
			         _("everyone's leases on target %s: %zu shown, list incomplete: may not "
			           "list %s"),
			         ls->cl_target, ls->cl.n, why);
		} else
			snprintf(head, sizeof(head),
			         _("everyone's leases on target %s: %zu (press %s for yours)"), ls->cl_target,
			         ls->cl.n, ui_keys_name(ACT_EVERYONE, SC_LEASES));
		n = ui_put_wrap(w, y, 1, cols_ - 2, 0, 2, y + h, head,
		                ui_attr(ls->cl_err[0] || ls->cl.n_denied ? R_ERROR : R_DIM));
		ui_table_draw(ls->ctable, s->app, w, y + n, h - n, cols_);
		return;
	}
	snprintf(line, sizeof(line), _("%zu live of %zu leases"), ls->counts.live, ls->counts.total);
	ui_put(w, y, 1, cols_ - 2, line, ui_attr(R_DIM), 0);
	if (ls->counts.unrevocable_live)
		ui_put_ellipsis(w, y, 1 + ui_text_width(line) + 2, cols_ - ui_text_width(line) - 4,
		                _("* = expiry-only: cannot be revoked before its token expiry"),
		                ui_attr(R_WARN), 0);
	th = h - 1 - gh;
	ui_table_draw(ls->table, s->app, w, y + 1, th, cols_);
	if (gh)
		ui_app_draw_guide(s->app, w, y + h - gh, gh, cols_);
}

static void tick(struct ui_screen *s)
{
	struct leases *ls = (struct leases *)s;

	/* Countdowns are computed at draw time, so the store is read only every
	 * few seconds (changes made elsewhere: the CLI, another TUI); our own
	 * revokes, mints and sweeps reload at once. */
	if (ls->everyone) {
		/* leases minted and revoked elsewhere show within a few seconds */
		if (ui_app_top(s->app) == s && ++ls->cl_ticks >= EVERYONE_EVERY &&
		    !ui_table_filtering(ls->ctable)) {
			ls->cl_ticks = 0;
			leases_everyone_reload(ls);
		}
		return;
	}
	if (++ls->ticks >= ls->reload_every) {
		int64_t t0 = kj_mono_ms();
		ls->ticks = 0;
		if (ui_app_engine(s->app) && !lease_store_changed(ui_app_engine(s->app), ls->store_mark))
			return;
		leases_reload(ls);
		/* a huge history must not stall the keyboard: read it less often
		 * the longer a read takes (300 ms -> every 30 s) */
		ls->reload_every = (unsigned)((kj_mono_ms() - t0) / 10);
		if (ls->reload_every < 3)
			ls->reload_every = 3;
	}
}

/* ---- details ---- */

static void show_details(struct leases *ls)
{
	const struct lease *sel = ui_table_selected(ls->table);
	struct engine *eng = ui_app_engine(ls->base.app);
	struct lease l = {0};
	struct audit_filter af = {0};
	struct audit_entry *ev = NULL;
	size_t nev = 0, i;
	kj_err e;
	kj_buf b;
	char t1[32], t2[32], t3[32], t4[32];

	if (!sel || !eng)
		return;
	kj_err_clear(&e);
	if (lease_get(eng, sel->id, &l, &e) != 0) {
		ui_app_error(ls->base.app, &e);
		return;
	}
	kj_buf_init(&b);
	ui_fmt_time(l.created_at, t1, sizeof(t1));
	ui_fmt_time(l.lease_expiry, t2, sizeof(t2));
	ui_fmt_time(l.token_expiry, t3, sizeof(t3));
	ui_fmt_time(l.ended_at, t4, sizeof(t4));
	kj_buf_printf(&b, "%s:\n", _("Lease"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("id"), 16), l.id);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("secret"), 16), l.secret ? l.secret : "");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("target"), 16), l.target ? l.target : "");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("mode"), 16), secret_mode_name(l.mode));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("namespace"), 16), l.ns ? l.ns : "-");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("service account"), 16),
	              l.service_account ? l.service_account : "-");
	if (lease_is_overdue(&l, ui_app_now(ls->base.app)))
		kj_buf_printf(
		    &b, "  %s %s\n", ui_padded(_("state"), 16),
		    _("expired: past its TTL, objects not yet removed (the next sweep removes them)"));
	else
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("state"), 16), _(lease_state_name(l.state)));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("revocable"), 16),
	              l.revocable ? _("yes") : _("no: the token lives until its token expiry"));
	kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("created"), 16), t1);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("created by"), 16), l.created_by ? l.created_by : "");
	kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("lease expiry"), 16), t2);
	kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("token expiry"), 16), t3);
	if (l.ended_at)
		kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("ended"), 16), t4);
	kj_buf_printf(&b, "  %s %.16s%s\n", ui_padded(_("token sha256"), 16), l.fingerprint,
	              l.fingerprint[0] ? "..." : "");
	if (l.jti)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("token jti"), 16), l.jti);
	if (l.error)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("error"), 16), l.error);
	kj_buf_printf(&b, "\n%s:\n", _("Objects created (in order)"));
	if (!l.n_objects)
		kj_buf_printf(&b, "  %s\n", _("none"));
	for (i = 0; i < l.n_objects; i++)
		kj_buf_printf(&b, "  %s %s/%s%s%s\n", l.objects[i].kind,
		              l.objects[i].ns ? l.objects[i].ns : "-", l.objects[i].name,
		              l.objects[i].deleted ? "  " : "", l.objects[i].deleted ? _("(deleted)") : "");
	af.lease = l.id;
	kj_buf_printf(&b, "\n%s:\n", _("Events"));
	if (audit_list(eng, &af, &ev, &nev, &e) == 0) {
		for (i = nev; i-- > 0;) {
			ui_fmt_time(ev[i].time, t1, sizeof(t1));
			kj_buf_printf(&b, "  %s  %-8s %s %s\n", t1, ev[i].action,
			              ev[i].ok ? _("ok") : _("error"), ev[i].detail ? ev[i].detail : "");
		}
		if (!nev)
			kj_buf_printf(&b, "  %s\n", _("none"));
		audit_list_free(ev, nev);
	}
	ui_app_push(ls->base.app, ui_textview_new(ls->base.app, _("Lease details"), b.data, 0));
	kj_buf_done(&b);
	lease_done(&l);
}

static void quit_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	(void)ctx;
	if (owner && yes)
		ui_app_quit(owner->app);
}

static int key(struct ui_screen *s, int ch, enum ui_action act)
{
	struct leases *ls = (struct leases *)s;
	const struct lease *sel;

	if (ls->everyone) {
		if (ui_table_key(ls->ctable, ch, act) == UI_HANDLED)
			return UI_HANDLED;
		switch (act) {
		case ACT_EVERYONE:
			leases_toggle_everyone(ls);
			return UI_HANDLED;
		case ACT_REVOKE:
			leases_ask_erevoke(ls);
			return UI_HANDLED;
		case ACT_REVOKE_ALL:
			ui_app_status(s->app,
			              _("revoke all works on your own leases: press %s to show them first"),
			              ui_keys_name(ACT_EVERYONE, SC_LEASES));
			return UI_HANDLED;
		case ACT_ENTER:
			return UI_HANDLED;
		case ACT_NEXT_TARGET:
			leases_everyone_next_target(ls);
			return UI_HANDLED;
		default:
			break;
		}
	}
	if (!ls->everyone && ui_table_key(ls->table, ch, act) == UI_HANDLED)
		return UI_HANDLED;
	switch (act) {
	case ACT_EVERYONE:
		leases_toggle_everyone(ls);
		return UI_HANDLED;
	case ACT_ENTER:
		show_details(ls);
		return UI_HANDLED;
	case ACT_REVOKE:
		leases_ask_revoke(ls, 0);
		return UI_HANDLED;
	case ACT_REVOKE_ALL:
		leases_ask_revoke(ls, 1);
		return UI_HANDLED;
	case ACT_MINT:
	case ACT_NEW:
		sel = ls->everyone ? NULL : ui_table_selected(ls->table);
		ui_app_push(s->app, ui_wiz_mint_new(s->app, act == ACT_MINT && sel ? sel->secret : NULL));
		return UI_HANDLED;
	case ACT_GUIDE:
		ui_app_toggle_guide(s->app);
		return UI_HANDLED;
	case ACT_BACK:
	case ACT_QUIT:
		/* leaving the demo throws its cluster away: ask first */
		if (ui_app_opts(s->app)->guide) {
			ui_dialog_confirm(
			    s->app, s, _("Quit"),
			    _("Quit kubejit? The demo cluster, its secrets and leases go away with it."),
			    quit_confirmed, NULL);
			return UI_HANDLED;
		}
		return 0;
	default:
		return 0;
	}
}

static void resume(struct ui_screen *s)
{
	leases_reload((struct leases *)s);
	if (((struct leases *)s)->everyone)
		leases_everyone_reload((struct leases *)s);
}

static unsigned cur_scope(struct ui_screen *s)
{
	struct leases *ls = (struct leases *)s;

	return ui_table_filtering(ls->everyone ? ls->ctable : ls->table) ? SC_FILTER : SC_LEASES;
}

static void lfree(struct ui_screen *s)
{
	struct leases *ls = (struct leases *)s;

	ui_app_set_idle(s->app, NULL, NULL);
	ui_requests_forget(s->app);
	ui_table_free(ls->table);
	ui_table_free(ls->ctable);
	cluster_lease_list_done(&ls->cl);
	free(ls->cl_target);
	drop_window(ls);
	free(ls->filter);
	free(ls);
}

/* ---- background sweep ---- */

struct sweep_job {
	struct engine *eng;
	struct sweep_report rep;
};

static int sweep_job_run(void *arg, kj_err *e)
{
	struct sweep_job *j = arg;
	struct sweep_opts o = {0};

	o.local = 1;
	o.cluster = 1;
	return sweep_run(j->eng, &o, &j->rep, e);
}

static void sweep_job_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct sweep_job *j = arg;

	if (owner && rc == 0 && (j->rep.leases_closed || j->rep.objects_deleted)) {
		ui_app_status(owner->app, _("sweep: %zu expired leases closed, %zu leftover objects removed"),
		              j->rep.leases_closed, j->rep.objects_deleted);
		leases_reload((struct leases *)owner);
	} else if (owner && rc != 0) {
		/* a sweep failing is not worth a dialog every few seconds */
		ui_app_status(owner->app, _("background sweep failed: %s"), e->msg);
	}
	if (rc == 0)
		sweep_report_done(&j->rep);
	free(j);
}

static void idle(struct ui_app *app, void *ctx)
{
	struct leases *ls = ctx;
	int interval = ui_app_opts(app)->sweep_interval;
	struct sweep_job *j;

	if (!ui_app_worker_engine(app))
		return;
	if (interval < 0 || --ls->sweep_countdown > 0) {
		ui_requests_idle(app); /* the status bar's count of pending requests */
		return;
	}
	ls->sweep_countdown = interval;
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(app);
	if (ui_app_job_quiet(app, &ls->base, _("background sweep"), sweep_job_run, sweep_job_done, j) != 0)
		free(j);
}

static const struct ui_screen_ops ops = {
    .name = N_("Leases"),
    .scope = SC_LEASES,
    .draw = draw,
    .key = key,
    .tick = tick,
    .cur_scope = cur_scope,
    .resume = resume,
    .free = lfree,
};

struct ui_screen *ui_leases_new(struct ui_app *app)
{
	struct leases *ls = kj_xcalloc(1, sizeof(*ls));

	ls->base.ops = &ops;
	ls->base.app = app;
	ls->w_mode[0] = _("fix");
	ls->w_mode[1] = _("dyn");
	for (int s = 0; s < LEASE_STATE_COUNT; s++)
		ls->w_state[s] = _(lease_state_name((enum lease_state)s));
	ls->w_expired = _("expired");
	ls->w_due = _("due");
	ls->w_dead = _("dead");
	ls->table = ui_table_new(cols, C_COUNT, &table_ops, ls);
	ui_table_set_empty_text(ls->table, _("No leases yet. Press m to mint a credential from a secret "
	                                     "(define secrets first: press : and pick Secrets)."));
	ls->sweep_countdown = 2;
	ls->reload_every = 3;
	if (ui_app_engine(app) && lease_counts(ui_app_engine(app), &ls->counts, NULL) == 0 &&
	    !ls->counts.total)
		set_empty_text(ls);
	ui_table_set_source(ls->table, &table_source, ls);
	leases_everyone_init(ls);
	ui_app_set_idle(app, idle, ls);
	return &ls->base;
}

void ui_leases_focus(struct ui_app *app, const char *id)
{
	struct ui_screen *s;

	ui_app_pop_to_root(app);
	s = ui_app_top(app);
	if (!s || s->ops != &ops)
		return;
	leases_reload((struct leases *)s);
	ui_table_set_filter(((struct leases *)s)->table, "");
	ui_table_select(((struct leases *)s)->table, id);
}
