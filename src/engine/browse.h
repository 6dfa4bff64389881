/* browse: names read from a target's cluster for the front ends' pick
 * lists (namespaces, service accounts, roles, cluster roles).
 *
 * Uses the engine's cached client of the saved target.  The names come
 * back sorted, as a malloc'd array of malloc'd strings; free it with
 * browse_names_free().  Blocking network call: run it off the UI thread,
 * on a context owned by that thread.  Returns 0 or -1 with `e` filled
 * (the server's reason kept, e.g. Forbidden when the target may not list). */
#ifndef KJ_ENGINE_BROWSE_H
#define KJ_ENGINE_BROWSE_H

#include <stddef.h>

#include "util/err.h"

struct engine;

enum browse_kind {
	BROWSE_NAMESPACES = 0,
	BROWSE_SERVICEACCOUNTS, /* in `ns` */
	BROWSE_ROLES,           /* in `ns` */
	BROWSE_CLUSTERROLES,
};

int browse_names(struct engine *en, const char *target, enum browse_kind kind, const char *ns, char ***out,
                 size_t *n, kj_err *e);
void browse_names_free(char **v, size_t n);

#endif
