/* leases_revoke: revoking one lease, the selected ones or all of them
 * from the Leases screen (leases.c), as a job with progress. */
#include <stdlib.h>

#include "ui/dialog.h"
#include "ui/leases_priv.h"
#include "util/i18n.h"
#include "util/strbuf.h"

struct revoke_job {
	struct engine *eng;
	struct ui_app *app;
	char **ids;
	size_t n;
	size_t ok, failed;
	kj_err first;
	int everything; /* no filter: every live lease, through the engine's parallel bulk revoke */
	size_t base;    /* ids revoked by earlier chunks, for the progress */
};

static void revoke_job_free(struct revoke_job *j)
{
	size_t i;

	for (i = 0; j->ids && i < j->n; i++)
		free(j->ids[i]);
	free(j->ids);
	free(j);
}

/* called by lease_revoke_all() and lease_revoke_ids() on the worker
 * thread, once per lease */
static void bulk_progress(void *ud, size_t done, size_t total, const char *lease_id, const kj_err *err)
{
	struct revoke_job *j = ud;

	(void)lease_id;
	if (err && !j->first.msg[0])
		j->first = *err;
	ui_app_job_progress(j->app, (int)(j->base + done), (int)(j->everything ? total : j->n));
}

/* Ids revoked together per engine call: as many as the engine puts in one
 * stage; Esc is noticed between them. */
#define REVOKE_CHUNK 256

static int revoke_run(void *arg, kj_err *e)
{
	struct revoke_job *j = arg;
	size_t i;

	kj_err_clear(&j->first);
	if (j->everything) {
		struct lease_filter f = LEASE_FILTER_ANY;
		struct lease_bulk_result res = {0, 0, 0};
		f.live_only = 1;
		if (lease_revoke_all(j->eng, &f, 0, bulk_progress, j, &res, e) != 0)
			return -1;
		j->n = res.total;
		j->ok = res.revoked;
		j->failed = res.failed;
		if (j->failed) {
			*e = j->first;
			kj_err_prefix(e, _("%zu of %zu revokes failed; the first"), j->failed, j->n);
			return -1;
		}
		return 0;
	}
	if (j->n == 1) {
		kj_err one;

		kj_err_clear(&one);
		if (lease_revoke(j->eng, j->ids[0], &one) == 0) {
			j->ok++;
		} else {
			j->first = one;
			j->failed++;
		}
		ui_app_job_progress(j->app, 1, 1);
	}
	/* the leases the filter shows, revoked together (as --all), a chunk at a time */
	for (i = 0; j->n > 1 && i < j->n; i += REVOKE_CHUNK) {
		struct lease_bulk_result res = {0, 0, 0};
		size_t m = j->n - i < REVOKE_CHUNK ? j->n - i : REVOKE_CHUNK;

		if (i && ui_app_job_cancelled(j->app))
			return kj_err_set(e, KJ_ERR_CANCELLED, _("revoke cancelled after %zu of %zu"), i,
			                  j->n);
		j->base = i;
		lease_revoke_ids(j->eng, j->ids + i, m, 0, bulk_progress, j, &res, e);
		j->ok += res.revoked;
		j->failed += res.failed;
	}
	if (j->failed) {
		*e = j->first;
		if (j->n > 1)
			kj_err_prefix(e, _("%zu of %zu revokes failed; the first"), j->failed, j->n);
		return -1;
	}
	return 0;
}

static void revoke_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct revoke_job *j = arg;

	if (owner) {
		leases_reload((struct leases *)owner);
		if (rc != 0)
			ui_app_error(owner->app, e);
		else if (j->n == 1)
			ui_app_status(owner->app, "%s",
			              _("lease revoked: its token stops working within about 10 s"));
		else
			ui_app_status(owner->app,
			              _("%zu leases revoked: their tokens stop working within about 10 s"),
			              j->ok);
	}
	revoke_job_free(j);
}

static void revoke_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	struct revoke_job *j = ctx;

	if (!owner || !yes) {
		revoke_job_free(j);
		return;
	}
	if (ui_app_job(owner->app, owner, j->n == 1 ? _("revoking the lease") : _("revoking leases"),
	               revoke_run, revoke_done, j) != 0)
		revoke_job_free(j);
}

void leases_ask_revoke(struct leases *ls, int all)
{
	struct revoke_job *j = kj_xcalloc(1, sizeof(*j));
	char *text;
	size_t cap = 0;

	j->eng = ui_app_worker_engine(ls->base.app);
	j->app = ls->base.app;
	if (all && !ui_table_filter(ls->table)[0]) {
		/* everything and no filter: the engine finds and revokes them in parallel */
		j->everything = 1;
		j->n = ls->counts.live;
	} else if (all) {
		/* the live leases the filter shows, read a page at a time */
		struct lease *v = NULL;
		size_t off = 0, n = 0, i;
		kj_err e;

		kj_err_clear(&e);
		do {
			if (lease_view_page(ui_app_engine(ls->base.app), &ls->view, off, 1000, &v, &n, &e) <
			    0) {
				ui_app_error(ls->base.app, &e);
				n = 0;
			}
			for (i = 0; i < n; i++) {
				if (!leases_live(&v[i]))
					continue;
				if (j->n == cap) {
					cap = cap ? cap * 2 : 16;
					j->ids = kj_xrealloc(j->ids, cap * sizeof(char *));
				}
				j->ids[j->n++] = kj_xstrdup(v[i].id);
			}
			lease_list_free(v, n);
			off += n;
		} while (n == 1000);
	} else {
		const struct lease *l = ui_table_selected(ls->table);
		if (l && leases_live(l)) {
			j->ids = kj_xcalloc(1, sizeof(char *));
			j->ids[j->n++] = kj_xstrdup(l->id);
		}
	}
	if (!j->n) {
		ui_app_status(ls->base.app, "%s",
		              all ? _("no live lease is shown: nothing to revoke")
		                  : _("this lease is not live: nothing to revoke"));
		revoke_job_free(j);
		return;
	}
	if (all) {
		text = kj_xasprintf(
		    _("Revoke all %zu live leases shown%s%s? Their tokens stop working within about 10 s."),
		    j->n, ui_table_filter(ls->table)[0] ? _(" (filter: ") : "",
		    ui_table_filter(ls->table)[0] ? ui_table_filter(ls->table) : "");
		if (ui_table_filter(ls->table)[0]) {
			char *t2 = kj_xasprintf(
			    _("Revoke all %zu live leases shown (filter \"%s\")? Their tokens stop "
			      "working within about 10 s."),
			    j->n, ui_table_filter(ls->table));
			free(text);
			text = t2;
		}
	} else {
		const struct lease *l = ui_table_selected(ls->table);
		text = kj_xasprintf(
		    _("Revoke lease %.8s of %s in %s? %s"), l->id, l->secret, l->ns ? l->ns : "-",
		    l->revocable ? _("The token stops working within about 10 s (API servers "
		                     "remember a good token that long).")
		                 : _("This fixed token cannot be revoked early: the lease is closed, "
		                     "but the token keeps working until its token expiry."));
	}
	ui_dialog_confirm(ls->base.app, &ls->base, all ? _("Revoke all shown") : _("Revoke lease"), text,
	                  revoke_confirmed, j);
	free(text);
}
