/* store/audit: the append-only audit table (model/audit.h rows).
 * Thread-safety: as kj_db.  Memory: audit_list_free() frees a list. */
#ifndef KJ_STORE_AUDIT_H
#define KJ_STORE_AUDIT_H

#include <stddef.h>

#include "model/audit.h"
#include "store/db.h"
#include "util/err.h"

int store_audit_insert(kj_db *db, const struct audit_entry *a, kj_err *e);
int store_audit_list(kj_db *db, const struct audit_filter *f, struct audit_entry **out, size_t *n, kj_err *e);

#endif
