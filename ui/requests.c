/* requests: the access requests of the current target's cluster
 * (engine/request.h) — a live list refreshed on background jobs, approve
 * (asks first), deny (with a reason), details; for a requester its own
 * requests with collect and withdraw.  It also keeps the status bar's
 * counter of pending requests, read on a background job while the
 * interface is idle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/mint.h"
#include "engine/request.h"
#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

enum { Q_ID, Q_REQUESTER, Q_SECRET, Q_NS, Q_TTL, Q_AGE, Q_STATE, Q_REASON, Q_COUNT };

static const struct ui_table_col cols[Q_COUNT] = {
    {N_("ID"), 8, 0, 0},  {N_("REQUESTER"), 9, 2, 0}, {N_("SECRET"), 10, 3, 0}, {N_("NAMESPACE"), 5, 1, 0},
    {N_("TTL"), 4, 0, 1}, {N_("AGE"), 4, 0, 1},       {N_("STATE"), 8, 0, 0},   {N_("REASON"), 6, 3, 0},
};

/* The engine's state words, marked for the catalogue; shown through _(). */
static const char *const state_words[] = {N_("pending"), N_("approved"),  N_("denied"),
                                          N_("expired"), N_("collected"), N_("cancelled")};

/* Seconds between list refreshes while the screen shows, and between
 * counts of pending requests for the status bar. */
#define LIST_EVERY  3
#define COUNT_EVERY 10

/* ---- the status-bar counter (one interface per process) ---- */

static struct {
	struct ui_app *app;
	char *target;      /* the target the counter and the screen use */
	int countdown;     /* seconds to the next count */
	int off;           /* the target may not list requests: no counter */
	int running;       /* a count job is out */
	unsigned long gen; /* bumped by forget(): a late job's answer is dropped */
} poll;

static void set_count(struct ui_app *app, size_t pending)
{
	char b[64];

	if (!pending) {
		ui_app_set_badge(app, NULL);
		return;
	}
	/* the key that opens the screen, so the counter says where to look */
	snprintf(b, sizeof(b), _("%s requests: %zu pending"), ui_keys_name(ACT_REQUESTS, SC_LEASES), pending);
	ui_app_set_badge(app, b);
}

/* The target to show: the one chosen before if it still exists, else the
 * first.  NULL when the home has none. */
static const char *current_target(struct ui_app *app)
{
	struct target *v = NULL;
	size_t n = 0, i;
	int found = 0;
	kj_err e;

	if (poll.app != app) {
		ui_requests_forget(poll.app);
		poll.app = app;
	}
	kj_err_clear(&e);
	if (!ui_app_engine(app) || target_list(ui_app_engine(app), &v, &n, &e) != 0)
		return poll.target;
	for (i = 0; poll.target && i < n; i++)
		if (!strcmp(v[i].name, poll.target))
			found = 1;
	if (!found) {
		free(poll.target);
		poll.target = n ? kj_xstrdup(v[0].name) : NULL;
		poll.off = 0;
	}
	target_list_free(v, n);
	return poll.target;
}

struct count_job {
	struct engine *eng;
	char *target;
	size_t n;
	unsigned long gen;
};

static int count_run(void *arg, kj_err *e)
{
	struct count_job *j = arg;

	return request_count_pending(j->eng, j->target, &j->n, e);
}

static void count_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct count_job *j = arg;

	if (j->gen == poll.gen && poll.app) {
		poll.running = 0;
		if (rc == 0 && poll.target && !strcmp(poll.target, j->target)) {
			set_count(poll.app, j->n);
		} else if (rc != 0) {
			/* no permission to list: nothing to count on this target;
			 * an unreachable cluster: try again later, quietly */
			if (e->cls == KJ_ERR_DENIED)
				poll.off = 1;
			ui_app_set_badge(poll.app, NULL);
		}
	}
	(void)owner;
	free(j->target);
	free(j);
}

void ui_requests_idle(struct ui_app *app)
{
	struct count_job *j;
	const char *t;

	if (poll.app != app) {
		ui_requests_forget(poll.app);
		poll.app = app;
		poll.countdown = 3; /* not in the first second: the home screen draws first */
	}
	if (poll.running || --poll.countdown > 0)
		return;
	poll.countdown = COUNT_EVERY;
	if (!ui_app_worker_engine(app) || ui_app_busy(app))
		return;
	t = current_target(app);
	if (!t || poll.off) {
		ui_app_set_badge(app, NULL);
		return;
	}
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(app);
	j->target = kj_xstrdup(t);
	j->gen = poll.gen;
	if (ui_app_job_quiet(app, NULL, _("counting access requests"), count_run, count_done, j) != 0) {
		free(j->target);
		free(j);
		return;
	}
	poll.running = 1;
}

void ui_requests_forget(struct ui_app *app)
{
	if (!app || poll.app != app)
		return;
	free(poll.target);
	poll.target = NULL;
	poll.app = NULL;
	poll.off = 0;
	poll.running = 0;
	poll.gen++;
}

/* ---- the screen ---- */

struct reqs {
	struct ui_screen base;
	struct ui_table *table;
	struct request *v; /* the rows the table shows */
	size_t n;
	struct request *all; /* everything listed; v is all or the own ones */
	size_t nall;
	size_t pending;
	int mine_only;
	int loading;   /* a list job is out */
	int loaded;    /* a list arrived */
	int failed;    /* the last list failed (the error was shown once) */
	int want;      /* a reload could not start (another job ran): next second */
	char err[300]; /* the last list's error, shown in the header */
	unsigned ticks;
};

static void reload(struct reqs *q);

static int64_t shown_ttl(const struct request *r)
{
	return r->ttl;
}

static void cell(void *ud, const void *row, int col, char *buf, size_t n)
{
	struct reqs *q = ud;
	const struct request *r = row;

	buf[0] = '\0';
	switch (col) {
	case Q_ID:
		snprintf(buf, n, "%s", r->id ? r->id : "");
		break;
	case Q_REQUESTER:
		/* '*': asked from this home */
		snprintf(buf, n, "%s%s", r->requester ? r->requester : "?", r->mine ? "*" : "");
		break;
	case Q_SECRET:
		snprintf(buf, n, "%s", r->secret ? r->secret : "");
		break;
	case Q_NS:
		snprintf(buf, n, "%s", r->ns ? r->ns : "-");
		break;
	case Q_TTL:
		if (shown_ttl(r) > 0)
			kj_ttl_format(shown_ttl(r), buf, n);
		else
			snprintf(buf, n, "%s", _("default"));
		break;
	case Q_AGE:
		ui_fmt_age(r->created_at, ui_app_now(q->base.app), buf, n);
		break;
	case Q_STATE:
		(void)sizeof(state_words);
		snprintf(buf, n, "%s", _(request_state_name(r->state)));
		break;
	case Q_REASON:
		snprintf(buf, n, "%s", r->reason ? r->reason : "");
		break;
	default:
		break;
	}
}

static int64_t num(void *ud, const void *row, int col)
{
	const struct request *r = row;

	(void)ud;
	if (col == Q_TTL)
		return shown_ttl(r);
	return -r->created_at; /* age: newest is smallest */
}

static enum ui_role role(void *ud, const void *row)
{
	const struct request *r = row;

	(void)ud;
	switch (r->state) {
	case REQUEST_PENDING:
		return R_WARN;
	case REQUEST_APPROVED:
		return R_GOOD;
	case REQUEST_DENIED:
		return R_ERROR;
	default:
		return R_DIM;
	}
}

static const char *row_id(void *ud, const void *row)
{
	(void)ud;
	return ((const struct request *)row)->id;
}

static const struct ui_table_ops table_ops = {cell, num, role, row_id};

static void set_empty_text(struct reqs *q)
{
	const char *hint = ui_app_opts(q->base.app)->request_hint;

	if (!poll.target)
		ui_table_set_empty_text(q->table,
		                        _("No targets yet: requests are read from a target's cluster. "
		                          "Press : and pick Targets, then n."));
	else if (!q->loaded)
		ui_table_set_empty_text(q->table, _("Reading the requests from the cluster..."));
	else if (q->mine_only)
		ui_table_set_empty_text(q->table,
		                        _("You have no requests on this cluster. Ask with kubejit request "
		                          "SECRET --reason TEXT; o shows everyone's."));
	else if (hint)
		ui_table_set_empty_text(q->table, hint);
	else
		ui_table_set_empty_text(q->table,
		                        _("No access requests on this cluster. A requester asks with kubejit "
		                          "request SECRET --reason TEXT; they show here for approval."));
}

/* Show all rows or only this home's, keeping the lists. */
static void show_rows(struct reqs *q)
{
	size_t i, k = 0;

	if (q->v != q->all)
		free(q->v); /* only the array: the rows belong to `all` */
	q->v = q->all;
	q->n = q->nall;
	if (q->mine_only) {
		q->v = kj_xcalloc(q->nall + 1, sizeof(*q->v));
		for (i = 0; i < q->nall; i++)
			if (q->all[i].mine)
				q->v[k++] = q->all[i];
		q->n = k;
	}
	q->pending = 0;
	for (i = 0; i < q->nall; i++)
		if (q->all[i].state == REQUEST_PENDING)
			q->pending++;
	set_empty_text(q);
	ui_table_set_rows(q->table, q->v, q->n, sizeof(*q->v));
}

static void drop_rows(struct reqs *q)
{
	ui_table_set_rows(q->table, NULL, 0, sizeof(struct request));
	if (q->v != q->all)
		free(q->v);
	request_list_free(q->all, q->nall);
	q->v = q->all = NULL;
	q->n = q->nall = 0;
}

struct list_job {
	struct engine *eng;
	char *target;
	struct request *v;
	size_t n;
};

static int list_run(void *arg, kj_err *e)
{
	struct list_job *j = arg;

	return request_list(j->eng, j->target, REQUEST_LIST_ALL | REQUEST_LIST_LOCAL, &j->v, &j->n, e);
}

static void list_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct list_job *j = arg;
	struct reqs *q = (struct reqs *)owner;

	if (q) {
		q->loading = 0;
		if (rc == 0 && poll.target && !strcmp(poll.target, j->target)) {
			drop_rows(q);
			q->all = j->v;
			q->nall = j->n;
			j->v = NULL;
			j->n = 0;
			q->loaded = 1;
			q->failed = 0;
			q->err[0] = '\0';
			show_rows(q);
			set_count(owner->app, q->pending);
		} else if (rc != 0) {
			/* say why once (no permission, cluster down); the header keeps it */
			if (!q->failed)
				ui_app_error(owner->app, e);
			q->failed = 1;
			q->loaded = 1;
			snprintf(q->err, sizeof(q->err), "%.290s", e->msg);
			set_empty_text(q);
		}
	}
	request_list_free(j->v, j->n);
	free(j->target);
	free(j);
}

/* Read the list again on a background job; the screen keeps drawing. */
static void reload(struct reqs *q)
{
	struct list_job *j;
	const char *t = current_target(q->base.app);

	if (!t) {
		drop_rows(q);
		set_empty_text(q);
		return;
	}
	if (q->loading || !ui_app_worker_engine(q->base.app))
		return;
	if (ui_app_busy(q->base.app)) {
		q->want = 1;
		return;
	}
	q->want = 0;
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(q->base.app);
	j->target = kj_xstrdup(t);
	if (ui_app_job_quiet(q->base.app, &q->base, _("reading access requests"), list_run, list_done, j) !=
	    0) {
		free(j->target);
		free(j);
		return;
	}
	q->loading = 1;
}

static void draw(struct ui_screen *s, WINDOW *w, int y, int h, int cols_)
{
	struct reqs *q = (struct reqs *)s;
	char line[400];
	int n;

	if (!poll.target)
		snprintf(line, sizeof(line), "%s", _("no target"));
	else if (q->err[0])
		snprintf(line, sizeof(line), _("target %s: cannot read the requests: %s"), poll.target,
		         q->err);
	else
		snprintf(line, sizeof(line), _("target %s: %zu pending of %zu requests%s"), poll.target,
		         q->pending, q->nall, q->mine_only ? _(" (showing yours)") : "");
	n = ui_put_wrap(w, y, 1, cols_ - 2, 0, 2, y + h, line, ui_attr(q->err[0] ? R_ERROR : R_DIM));
	ui_table_draw(q->table, s->app, w, y + n, h - n, cols_);
}

static void tick(struct ui_screen *s)
{
	struct reqs *q = (struct reqs *)s;

	/* decisions made elsewhere (another approver, the requester's
	 * kubejit) show within a few seconds */
	if (ui_app_top(s->app) == s && (++q->ticks >= LIST_EVERY || q->want) &&
	    !ui_table_filtering(q->table)) {
		q->ticks = 0;
		reload(q);
	}
}

/* ---- approve ---- */

struct act_job {
	struct engine *eng;
	struct ui_app *app;
	char *target;
	char *id;
	char *text;             /* deny reason */
	char *lease_id;         /* approve: the minted lease */
	struct mint_result res; /* collect */
};

static void act_job_free(struct act_job *j)
{
	free(j->target);
	free(j->id);
	free(j->text);
	free(j->lease_id);
	mint_result_done(&j->res);
	free(j);
}

static struct act_job *act_job_new(struct reqs *q, const struct request *r)
{
	struct act_job *j = kj_xcalloc(1, sizeof(*j));

	j->eng = ui_app_worker_engine(q->base.app);
	j->app = q->base.app;
	j->target = kj_xstrdup(poll.target);
	j->id = kj_xstrdup(r->id);
	return j;
}

static void approve_step(void *ud, const char *step)
{
	struct act_job *j = ud;

	ui_app_job_message(j->app, step);
}

static int approve_run(void *arg, kj_err *e)
{
	struct act_job *j = arg;
	struct request_approve_opts o = {0};

	o.step = approve_step;
	o.step_ud = j;
	return request_approve(j->eng, j->target, j->id, &o, &j->lease_id, e);
}

static void approve_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct act_job *j = arg;

	if (owner) {
		if (rc != 0)
			ui_app_error(owner->app, e);
		else
			ui_app_status(
			    owner->app,
			    _("request %s approved: lease %.8s minted, the credential waits sealed for "
			      "the requester"),
			    j->id, j->lease_id ? j->lease_id : "");
		reload((struct reqs *)owner);
	}
	act_job_free(j);
}

static void approve_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	struct act_job *j = ctx;

	if (!owner || !yes) {
		act_job_free(j);
		return;
	}
	if (ui_app_job(owner->app, owner, _("approving the request"), approve_run, approve_done, j) != 0)
		act_job_free(j);
}

static void ask_approve(struct reqs *q, const struct request *r)
{
	char ttl[32];
	char *text;

	if (r->state != REQUEST_PENDING) {
		ui_app_status(q->base.app, _("request %s is %s: only a pending request can be approved"),
		              r->id, _(request_state_name(r->state)));
		return;
	}
	if (r->ttl > 0)
		kj_ttl_format(r->ttl, ttl, sizeof(ttl));
	else
		snprintf(ttl, sizeof(ttl), "%s", _("the secret's default TTL"));
	text = kj_xasprintf(_("Approve request %s of %s: secret %s in namespace %s for %s?\n"
	                      "Reason: %s\n"
	                      "kubejit mints it now with your target and seals the credential so that only "
	                      "the requester's kubejit can read it."),
	                    r->id, r->requester ? r->requester : "?", r->secret ? r->secret : "?",
	                    r->ns ? r->ns : _("(the secret's default)"), ttl, r->reason ? r->reason : "");
	ui_dialog_confirm(q->base.app, &q->base, _("Approve request"), text, approve_confirmed,
	                  act_job_new(q, r));
	free(text);
}

/* ---- deny ---- */

static int deny_run(void *arg, kj_err *e)
{
	struct act_job *j = arg;

	return request_deny(j->eng, j->target, j->id, j->text, e);
}

static void deny_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct act_job *j = arg;

	if (owner) {
		if (rc != 0)
			ui_app_error(owner->app, e);
		else
			ui_app_status(owner->app, _("request %s denied"), j->id);
		reload((struct reqs *)owner);
	}
	act_job_free(j);
}

static void deny_reason(struct ui_screen *owner, void *ctx, const char *text)
{
	struct act_job *j = ctx;
	const char *p = text;

	while (p && (*p == ' ' || *p == '\t'))
		p++;
	if (!owner || !text) {
		act_job_free(j);
		return;
	}
	if (!*p) {
		kj_err e;
		kj_err_clear(&e);
		kj_err_set(&e, KJ_ERR_USAGE, _("request %s is not denied: a reason is required"), j->id);
		kj_err_hint(&e, _("press d again and say why (the requester reads it)"));
		ui_app_error(owner->app, &e);
		act_job_free(j);
		return;
	}
	j->text = kj_xstrdup(p);
	if (ui_app_job(owner->app, owner, _("denying the request"), deny_run, deny_done, j) != 0)
		act_job_free(j);
}

static void ask_deny(struct reqs *q, const struct request *r)
{
	char *prompt;

	if (r->state != REQUEST_PENDING) {
		ui_app_status(q->base.app, _("request %s is %s: only a pending request can be denied"), r->id,
		              _(request_state_name(r->state)));
		return;
	}
	prompt = kj_xasprintf(_("Why is request %s of %s denied? (the requester reads this)"), r->id,
	                      r->requester ? r->requester : "?");
	ui_dialog_input(q->base.app, &q->base, _("Deny request"), prompt, "", 0, deny_reason,
	                act_job_new(q, r));
	free(prompt);
}

/* ---- collect and withdraw (the requester's side) ---- */

static int collect_run(void *arg, kj_err *e)
{
	struct act_job *j = arg;

	return request_collect(j->eng, j->target, j->id, &j->res, e);
}

static void collect_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct act_job *j = arg;

	if (owner) {
		if (rc != 0) {
			ui_app_error(owner->app, e);
			reload((struct reqs *)owner);
		} else {
			reload((struct reqs *)owner);
			/* the result screen owns the token from here, masked until v */
			ui_app_push(owner->app, ui_mint_result_new(owner->app, &j->res));
		}
	}
	act_job_free(j);
}

static void collect(struct reqs *q, const struct request *r)
{
	struct act_job *j;

	if (!r->mine) {
		ui_app_status(q->base.app,
		              _("request %s was not made from this home: only its requester can "
		                "collect it"),
		              r->id);
		return;
	}
	if (r->state != REQUEST_APPROVED) {
		ui_app_status(q->base.app, _("request %s is %s: only an approved request can be collected"),
		              r->id, _(request_state_name(r->state)));
		return;
	}
	j = act_job_new(q, r);
	if (ui_app_job(q->base.app, &q->base, _("collecting the credential"), collect_run, collect_done, j) !=
	    0)
		act_job_free(j);
}

static int withdraw_run(void *arg, kj_err *e)
{
	struct act_job *j = arg;

	return request_cancel(j->eng, j->target, j->id, e);
}

static void withdraw_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct act_job *j = arg;

	if (owner) {
		if (rc != 0)
			ui_app_error(owner->app, e);
		else
			ui_app_status(owner->app, _("request %s withdrawn"), j->id);
		reload((struct reqs *)owner);
	}
	act_job_free(j);
}

static void withdraw_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	struct act_job *j = ctx;

	if (!owner || !yes) {
		act_job_free(j);
		return;
	}
	if (ui_app_job(owner->app, owner, _("withdrawing the request"), withdraw_run, withdraw_done, j) != 0)
		act_job_free(j);
}

static void ask_withdraw(struct reqs *q, const struct request *r)
{
	char *text;

	if (!r->mine) {
		ui_app_status(q->base.app,
		              _("request %s was not made from this home: only its requester can "
		                "withdraw it"),
		              r->id);
		return;
	}
	if (r->state != REQUEST_PENDING && r->state != REQUEST_APPROVED) {
		ui_app_status(q->base.app, _("request %s is %s: nothing to withdraw"), r->id,
		              _(request_state_name(r->state)));
		return;
	}
	text = kj_xasprintf(_("Withdraw request %s for %s? It is deleted from the cluster%s."), r->id,
	                    r->secret ? r->secret : "?",
	                    r->state == REQUEST_APPROVED ? _(" with its credential, unread") : "");
	ui_dialog_confirm(q->base.app, &q->base, _("Withdraw request"), text, withdraw_confirmed,
	                  act_job_new(q, r));
	free(text);
}

/* ---- details ---- */

static void show_details(struct reqs *q, const struct request *r)
{
	char t[32], ttl[32];
	kj_buf b;
	size_t i;

	kj_buf_init(&b);
	kj_buf_printf(&b, "%s:\n", _("Access request"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("id"), 16), r->id);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("state"), 16), _(request_state_name(r->state)));
	kj_buf_printf(&b, "  %s %s%s\n", ui_padded(_("requester"), 16), r->requester ? r->requester : "?",
	              r->mine ? _(" (this home)") : "");
	if (r->requester_groups.n) {
		kj_buf_printf(&b, "  %s ", ui_padded(_("groups"), 16));
		for (i = 0; i < r->requester_groups.n; i++)
			kj_buf_printf(&b, "%s%s", i ? ", " : "", r->requester_groups.v[i]);
		kj_buf_printf(&b, "\n");
	}
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("secret"), 16), r->secret ? r->secret : "");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("namespace"), 16),
	              r->ns ? r->ns : _("the secret's default"));
	if (r->ttl > 0)
		kj_ttl_format(r->ttl, ttl, sizeof(ttl));
	else
		snprintf(ttl, sizeof(ttl), "%s", _("the secret's default"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("TTL"), 16), ttl);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("reason"), 16), r->reason ? r->reason : "");
	ui_fmt_time(r->created_at, t, sizeof(t));
	kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("asked"), 16), t);
	if (r->expires_at) {
		ui_fmt_time(r->expires_at, t, sizeof(t));
		kj_buf_printf(&b, "  %s %s UTC\n",
		              ui_padded(r->state == REQUEST_PENDING ? _("open until") : _("ends"), 16), t);
	}
	if (r->decided_by)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("decided by"), 16), r->decided_by);
	if (r->decided_at) {
		ui_fmt_time(r->decided_at, t, sizeof(t));
		kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("decided"), 16), t);
	}
	if (r->deny_reason)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("denied because"), 16), r->deny_reason);
	if (r->lease_id)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("lease"), 16), r->lease_id);
	if (r->state == REQUEST_APPROVED)
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("credential"), 16),
		              r->delivered ? _("sealed in the cluster, waiting for the requester")
		                           : _("not delivered yet"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("target"), 16), r->target ? r->target : "");
	ui_app_push(q->base.app, ui_textview_new(q->base.app, _("Access request"), b.data, 0));
	kj_buf_done(&b);
}

static int key(struct ui_screen *s, int ch, enum ui_action act)
{
	struct reqs *q = (struct reqs *)s;
	const struct request *r;

	if (ui_table_key(q->table, ch, act) == UI_HANDLED)
		return UI_HANDLED;
	r = ui_table_selected(q->table);
	switch (act) {
	case ACT_ENTER:
		if (r)
			show_details(q, r);
		return UI_HANDLED;
	case ACT_APPROVE:
		if (r)
			ask_approve(q, r);
		return UI_HANDLED;
	case ACT_DENY:
		if (r)
			ask_deny(q, r);
		return UI_HANDLED;
	case ACT_COLLECT:
		if (r)
			collect(q, r);
		return UI_HANDLED;
	case ACT_WITHDRAW:
		if (r)
			ask_withdraw(q, r);
		return UI_HANDLED;
	case ACT_MINE:
		q->mine_only = !q->mine_only;
		show_rows(q);
		return UI_HANDLED;
	case ACT_NEXT_TARGET: {
		struct target *v = NULL;
		size_t n = 0, i;
		kj_err e;

		kj_err_clear(&e);
		if (target_list(ui_app_engine(s->app), &v, &n, &e) != 0) {
			ui_app_error(s->app, &e);
			return UI_HANDLED;
		}
		for (i = 0; i < n; i++)
			if (poll.target && !strcmp(v[i].name, poll.target))
				break;
		if (n > 1) {
			free(poll.target);
			poll.target = kj_xstrdup(v[(i + 1) % n].name);
			poll.off = 0;
			drop_rows(q);
			q->loaded = q->failed = 0;
			q->err[0] = '\0';
			q->pending = 0;
			set_empty_text(q);
			reload(q);
		} else {
			ui_app_status(s->app, "%s", _("this home has one target: nothing to switch to"));
		}
		target_list_free(v, n);
		return UI_HANDLED;
	}
	case ACT_REQUESTS:
		return UI_HANDLED; /* already here */
	default:
		return 0;
	}
}

static void resume(struct ui_screen *s)
{
	reload((struct reqs *)s);
}

static unsigned cur_scope(struct ui_screen *s)
{
	return ui_table_filtering(((struct reqs *)s)->table) ? SC_FILTER : SC_REQUESTS;
}

static void qfree(struct ui_screen *s)
{
	struct reqs *q = (struct reqs *)s;

	drop_rows(q);
	ui_table_free(q->table);
	free(q);
}

static const struct ui_screen_ops ops = {
    .name = N_("Access requests"),
    .scope = SC_REQUESTS,
    .draw = draw,
    .key = key,
    .tick = tick,
    .cur_scope = cur_scope,
    .resume = resume,
    .free = qfree,
};

struct ui_screen *ui_requests_new(struct ui_app *app)
{
	struct reqs *q = kj_xcalloc(1, sizeof(*q));

	q->base.ops = &ops;
	q->base.app = app;
	q->table = ui_table_new(cols, Q_COUNT, &table_ops, q);
	current_target(app);
	set_empty_text(q);
	reload(q);
	return &q->base;
}
