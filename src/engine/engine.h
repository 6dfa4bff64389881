/* engine: the context every engine call runs in.
 *
 * One `struct engine` per front end (TUI, a CLI command, the exec plugin):
 * it owns the resolved home directory, the open store, the actor string
 * written into audit rows and cluster annotations, and one cluster client
 * per target, made on first use and kept for the life of the context so a
 * process does one TLS handshake per target.
 *
 * Home directory, first that is set: the `home` argument (--home),
 * $KUBEJIT_HOME, $XDG_DATA_HOME/kubejit, ~/.local/share/kubejit.
 *
 * Time: the engine reads the clock only through kj_now() (util/timeutil.h),
 * so tests shift it with kj_time_set_offset().
 *
 * Call order: engine_open() -> any engine call -> engine_close().  A context
 * is used by one thread at a time; a second thread opens its own context
 * (the store is safe with several open at once). */
#ifndef KJ_ENGINE_ENGINE_H
#define KJ_ENGINE_ENGINE_H

#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

struct engine;
struct kube_client;
struct target;
struct target_cred;

/* The home directory the rules above pick (heap string, caller frees). */
int engine_resolve_home(const char *home_arg, char **out, kj_err *e);

/* Resolve the home, create it (0700) if needed and open the store. */
int engine_open(const char *home_arg, struct engine **out, kj_err *e);
void engine_close(struct engine *en); /* NULL allowed; frees the cached clients */

const char *engine_home(const struct engine *en);
kj_db *engine_db(struct engine *en);

/* "user@host" of the person running kubejit ($USER or the passwd entry,
 * gethostname()); override with engine_set_actor() (tests, in-cluster). */
const char *engine_actor(const struct engine *en);
void engine_set_actor(struct engine *en, const char *actor);

/* Warn when a target's client certificate or stored token expires within
 * this many seconds.  Default 30 days; $KUBEJIT_CERT_WARN (a duration such
 * as "14d") overrides it at engine_open(). */
int64_t engine_cert_warn(const struct engine *en);
void engine_set_cert_warn(struct engine *en, int64_t secs);

/* The cluster client of saved target `name`, made and cached on first use.
 * The client stays owned by the engine (do not free it); it is valid until
 * engine_drop_client() for that target or engine_close().
 * KJ_ERR_NOTFOUND when there is no such target. */
int engine_client(struct engine *en, const char *name, struct kube_client **out, kj_err *e);
/* Hand a client made by engine_connect() to the cache under `name` (the
 * engine owns it from now on; an older one of that name is freed). */
void engine_keep_client(struct engine *en, const char *name, struct kube_client *kc);
/* Forget the cached client of `name` (after the target changed or went). */
void engine_drop_client(struct engine *en, const char *name);

/* A fresh, uncached client for a target that may not be saved yet (add,
 * preflight of a draft).  The caller frees it with kube_client_free(). */
int engine_connect(struct engine *en, const struct target *t, const struct target_cred *cred,
                   struct kube_client **out, kj_err *e);

#endif
