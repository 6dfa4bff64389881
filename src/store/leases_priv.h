/* leases_priv.h: what src/store/leases.c (the lease rows) shares with
 * src/store/leases_view.c (the lease table's view: pages, positions and
 * counts over the sort and group indexes). */
#ifndef KJ_STORE_LEASES_PRIV_H
#define KJ_STORE_LEASES_PRIV_H

#include <sqlite3.h>

#include "store/leases.h"

/* The columns leases_read_row() reads, in its order. */
#define LEASE_COLUMNS                                                                                        \
	"id, secret, target, mode, namespace, service_account, state, revocable, created_at, lease_expiry,"  \
	" token_expiry, ended_at, created_by, fingerprint, jti, error"

/* A lease from a row of "SELECT " LEASE_COLUMNS (objects not read). */
void leases_read_row(sqlite3_stmt *st, struct lease *l);

#endif
