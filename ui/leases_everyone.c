/* leases_everyone: the Leases screen's (leases.c) view of everyone's
 * kubejit leases on the target's cluster (engine/cluster_lease.h): its
 * table, the quiet reload job, moving to the next target, revoke. */
#include <stdlib.h>
#include <string.h>

#include "engine/target.h"
#include "ui/dialog.h"
#include "ui/leases_priv.h"
#include "ui/text.h"
#include "util/i18n.h"
#include "util/strbuf.h"

enum { E_ID, E_OWNER, E_SECRET, E_NS, E_EXPIRES, E_STATE, E_COUNT };

static const struct ui_table_col ecols[E_COUNT] = {
    {N_("ID"), 8, 0, 0},        {N_("OWNER"), 12, 4, 0},  {N_("SECRET"), 10, 3, 0},
    {N_("NAMESPACE"), 6, 1, 0}, {N_("EXPIRES"), 6, 0, 1}, {N_("STATE"), 0, 0, 0},
};

static void ecell(void *ud, const void *row, int col, char *buf, size_t n)
{
	struct leases *ls = ud;
	const struct cluster_lease *c = row;
	char *o;

	switch (col) {
	case E_ID:
		snprintf(buf, n, "%.8s", c->id);
		break;
	case E_OWNER:
		o = cluster_lease_owner_text(c);
		snprintf(buf, n, "%s%s", o, c->local ? _(" (mine)") : "");
		free(o);
		break;
	case E_SECRET:
		snprintf(buf, n, "%s", c->secret ? c->secret : "-");
		break;
	case E_NS:
		snprintf(buf, n, "%s", c->ns ? c->ns : "-");
		break;
	case E_EXPIRES:
		if (c->expires_at)
			ui_fmt_left(c->expires_at, ui_app_now(ls->base.app), _("due"), buf, n);
		else
			snprintf(buf, n, "-");
		break;
	case E_STATE:
		snprintf(buf, n, "%s", _(lease_state_name(c->state)));
		break;
	default:
		buf[0] = '\0';
	}
}

static int64_t enum_(void *ud, const void *row, int col)
{
	(void)ud;
	return col == E_EXPIRES ? ((const struct cluster_lease *)row)->expires_at : 0;
}

static enum ui_role erole(void *ud, const void *row)
{
	struct leases *ls = ud;
	const struct cluster_lease *c = row;

	if (c->state == LEASE_EXPIRED || c->state == LEASE_REVOKING)
		return R_WARN;
	if (c->state != LEASE_ACTIVE)
		return R_DIM;
	if (c->expires_at && c->expires_at - ui_app_now(ls->base.app) <= 60)
		return R_DANGER;
	return R_GOOD;
}

static const char *erow_id(void *ud, const void *row)
{
	(void)ud;
	return ((const struct cluster_lease *)row)->id;
}

static const struct ui_table_ops etable_ops = {ecell, enum_, erole, erow_id};

/* The target whose cluster is shown: the one kept, while it exists, else
 * the first saved target. */
static const char *everyone_target(struct leases *ls)
{
	struct target *v = NULL;
	size_t n = 0, i;
	int found = 0;
	kj_err e;

	kj_err_clear(&e);
	if (!ui_app_engine(ls->base.app) || target_list(ui_app_engine(ls->base.app), &v, &n, &e) != 0)
		return ls->cl_target;
	for (i = 0; ls->cl_target && i < n; i++)
		if (!strcmp(v[i].name, ls->cl_target))
			found = 1;
	if (!found) {
		free(ls->cl_target);
		ls->cl_target = n ? kj_xstrdup(v[0].name) : NULL;
	}
	target_list_free(v, n);
	return ls->cl_target;
}

struct elist_job {
	struct engine *eng;
	char *target;
	struct cluster_lease_list l;
};

static int elist_run(void *arg, kj_err *e)
{
	struct elist_job *j = arg;

	return cluster_lease_list(j->eng, j->target, &j->l, e);
}

/* Why the list may be incomplete, for the header: the kinds refused. */
void leases_denied_text(const struct cluster_lease_list *l, char *buf, size_t n)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < l->n_denied && k + 1 < n; i++) {
		int w = snprintf(buf + k, n - k, "%s%s (%s)", i ? ", " : "", l->denied[i].resource,
		                 l->denied[i].verb);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

static void elist_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct elist_job *j = arg;
	struct leases *ls = (struct leases *)owner;

	if (ls)
		ls->cl_loading = 0;
	/* an answer for a target the view has moved away from is dropped */
	if (ls && ls->cl_target && !strcmp(ls->cl_target, j->target)) {
		ls->cl_loaded = 1;
		if (rc == 0) {
			struct cluster_lease_list old = ls->cl;
			ls->cl = j->l;
			memset(&j->l, 0, sizeof(j->l));
			ls->cl_err[0] = '\0';
			ui_table_set_empty_text(ls->ctable, _("No kubejit lease on this target's cluster."));
			ui_table_set_rows(ls->ctable, ls->cl.v, ls->cl.n, sizeof(*ls->cl.v));
			cluster_lease_list_done(&old);
		} else if (rc != 0) {
			/* the header says why (no permission, cluster down); no dialog
			 * every few seconds */
			snprintf(ls->cl_err, sizeof(ls->cl_err), "%.300s", e->msg);
		}
	}
	cluster_lease_list_done(&j->l);
	free(j->target);
	free(j);
}

/* Read everyone's leases again on a background job; the screen keeps drawing. */
void leases_everyone_reload(struct leases *ls)
{
	struct elist_job *j;
	const char *t = everyone_target(ls);

	if (!t) {
		snprintf(ls->cl_err, sizeof(ls->cl_err), "%s",
		         _("no target: add one (press : and pick Targets) to see its cluster's leases"));
		return;
	}
	if (ls->cl_loading || !ui_app_worker_engine(ls->base.app) || ui_app_busy(ls->base.app))
		return;
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(ls->base.app);
	j->target = kj_xstrdup(t);
	if (ui_app_job_quiet(ls->base.app, &ls->base, _("reading everyone's leases"), elist_run, elist_done,
	                     j) != 0) {
		free(j->target);
		free(j);
		return;
	}
	ls->cl_loading = 1;
}

/* The everyone view moves on to the next saved target's cluster. */
void leases_everyone_next_target(struct leases *ls)
{
	struct target *v = NULL;
	size_t n = 0, i;
	kj_err e;

	kj_err_clear(&e);
	if (target_list(ui_app_engine(ls->base.app), &v, &n, &e) != 0) {
		ui_app_error(ls->base.app, &e);
		return;
	}
	for (i = 0; i < n; i++)
		if (ls->cl_target && !strcmp(v[i].name, ls->cl_target))
			break;
	if (n > 1) {
		free(ls->cl_target);
		ls->cl_target = kj_xstrdup(v[(i + 1) % n].name);
		ls->cl_loaded = 0;
		ls->cl_err[0] = '\0';
		ui_table_set_rows(ls->ctable, NULL, 0, sizeof(*ls->cl.v));
		cluster_lease_list_done(&ls->cl);
		memset(&ls->cl, 0, sizeof(ls->cl));
		leases_everyone_reload(ls);
	} else {
		ui_app_status(ls->base.app, "%s", _("this home has one target: nothing to switch to"));
	}
	target_list_free(v, n);
}

void leases_toggle_everyone(struct leases *ls)
{
	ls->everyone = !ls->everyone;
	ls->cl_ticks = 0;
	if (ls->everyone) {
		ui_table_set_empty_text(ls->ctable, _("Reading the leases from the cluster..."));
		leases_everyone_reload(ls);
	} else {
		leases_reload(ls);
	}
}

struct erevoke_job {
	struct engine *eng;
	char *target;
	char id[37];
	struct cluster_revoke_result r;
};

static void erevoke_free(struct erevoke_job *j)
{
	cluster_revoke_result_done(&j->r);
	free(j->target);
	free(j);
}

static int erevoke_run(void *arg, kj_err *e)
{
	struct erevoke_job *j = arg;
	return cluster_lease_revoke(j->eng, j->target, j->id, &j->r, e);
}

static void erevoke_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct erevoke_job *j = arg;
	struct leases *ls = (struct leases *)owner;

	if (ls) {
		if (rc != 0) {
			ui_app_error(owner->app, e);
		} else {
			char *o = cluster_lease_owner_text(&j->r.lease);
			ui_app_status(
			    owner->app,
			    _("lease %.8s of %s revoked from the cluster (%zu objects deleted): API "
			      "servers may accept its token for up to about 10 s"),
			    j->id, o, j->r.deleted);
			free(o);
		}
		leases_reload(ls);
		leases_everyone_reload(ls);
	}
	erevoke_free(j);
}

static void erevoke_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	struct erevoke_job *j = ctx;

	if (!owner || !yes) {
		erevoke_free(j);
		return;
	}
	if (ui_app_job(owner->app, owner, _("revoking the lease on the cluster"), erevoke_run, erevoke_done,
	               j) != 0)
		erevoke_free(j);
}

void leases_ask_erevoke(struct leases *ls)
{
	const struct cluster_lease *c = ui_table_selected(ls->ctable);
	struct erevoke_job *j;
	char *o, *text;

	if (!c || !ls->cl_target) {
		ui_app_status(ls->base.app, "%s", _("no lease is selected: nothing to revoke"));
		return;
	}
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(ls->base.app);
	j->target = kj_xstrdup(ls->cl_target);
	snprintf(j->id, sizeof(j->id), "%s", c->id);
	o = cluster_lease_owner_text(c);
	text = kj_xasprintf(_("Revoke lease %.8s of %s (secret %s, namespace %s) on the cluster of target "
	                      "%s? Its objects are deleted; API servers may accept its token for up to "
	                      "about 10 s (they remember a good token that long)."),
	                    c->id, o, c->secret ? c->secret : "-", c->ns ? c->ns : "-", ls->cl_target);
	ui_dialog_confirm(ls->base.app, &ls->base, _("Revoke lease"), text, erevoke_confirmed, j);
	free(text);
	free(o);
}

void leases_everyone_init(struct leases *ls)
{
	ls->ctable = ui_table_new(ecols, E_COUNT, &etable_ops, ls);
	ui_table_set_empty_text(ls->ctable, _("No kubejit lease on this target's cluster."));
}
