/* leases_priv.h: the Leases screen's state, shared by the files it was
 * split into and included by nothing else (screens reach it through
 * ui/screens.h):
 *   leases.c           the lease table, drawing, keys, details, the
 *                      background sweep, the constructor
 *   leases_revoke.c    revoke one, the selected or all leases
 *   leases_everyone.c  everyone's kubejit leases on the target's cluster
 * All of it runs on the interface thread; jobs hand results back through
 * their done callbacks (ui/app.h). */
#ifndef KJ_UI_LEASES_PRIV_H
#define KJ_UI_LEASES_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/cluster_lease.h"
#include "engine/lease.h"
#include "ui/app.h"
#include "ui/table.h"

struct leases {
	struct ui_screen base;
	struct ui_table *table;
	/* the table reads the store through a view (engine/lease.h): a window
	 * of rows and the counts, never the whole history */
	struct lease_view view;
	char *filter;
	size_t shown;
	struct lease *win; /* rows win_off .. win_off + win_n - 1 of the view */
	size_t win_off, win_n;
	struct lease_counts counts;
	int load_failed;
	int sweep_countdown;
	unsigned ticks;
	unsigned reload_every; /* seconds between store reads */
	int64_t store_mark[2]; /* lease_store_changed(): skip reading an unchanged store */
	/* the words the cells show, translated once: a redraw formats every
	 * cell on screen, and a catalogue look-up costs more than the cell */
	const char *w_mode[2], *w_state[LEASE_STATE_COUNT], *w_expired, *w_due, *w_dead;
	/* "everyone's on this target": every kubejit lease on the cluster
	 * (engine/cluster_lease.h), read by a quiet job every few seconds */
	int everyone;
	struct ui_table *ctable;
	struct cluster_lease_list cl;
	char *cl_target;
	int cl_loading, cl_loaded, cl_ticks;
	char cl_err[320];
};

/* leases.c: read the store again (the window, the counts). */
void leases_reload(struct leases *ls);
/* leases.c: whether a lease is still live (creating, active or revoking). */
int leases_live(const struct lease *l);

/* leases_revoke.c: ask, then revoke the selected lease, or with `all`
 * every live lease the filter shows. */
void leases_ask_revoke(struct leases *ls, int all);

/* leases_everyone.c: the table of everyone's leases, at construction. */
void leases_everyone_init(struct leases *ls);
/* leases_everyone.c: start a quiet read of the cluster's leases. */
void leases_everyone_reload(struct leases *ls);
/* leases_everyone.c: switch between this store's leases and everyone's. */
void leases_toggle_everyone(struct leases *ls);
/* leases_everyone.c: move everyone's view to the next saved target. */
void leases_everyone_next_target(struct leases *ls);
/* leases_everyone.c: ask, then revoke the selected lease of everyone's. */
void leases_ask_erevoke(struct leases *ls);
/* leases_everyone.c: why everyone's list may be incomplete, for the
 * header: the kinds refused, into buf. */
void leases_denied_text(const struct cluster_lease_list *l, char *buf, size_t n);

#endif
