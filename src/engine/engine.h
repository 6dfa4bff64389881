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

#include "util/err.h"

/* Opaque here: the front ends never see the store or the cluster client
 * (doc/ARCHITECTURE.md, "Layers"); engine modules include their headers. */
struct engine;
struct kj_db;
struct kube_client;
struct target;
struct target_cred;

/* The home directory the rules above pick (heap string, caller frees). */
int engine_resolve_home(const char *home_arg, char **out, kj_err *e);
/* 1 when `home` is the one picked with neither --home nor $KUBEJIT_HOME. */
int engine_home_is_default(const char *home);
/* 1 when the home the rules pick holds a store already (nothing is
 * created): for callers that must not make one, such as shell completion. */
int engine_store_exists(const char *home_arg);

/* Resolve the home, create it (0700) if needed and open the store. */
int engine_open(const char *home_arg, struct engine **out, kj_err *e);
void engine_close(struct engine *en); /* NULL allowed; frees the cached clients */

const char *engine_home(const struct engine *en);
struct kj_db *engine_db(struct engine *en); /* engine modules and tests only */

/* "user@host" of the person running kubejit ($USER or the passwd entry,
 * gethostname()); override with engine_set_actor() (tests, in-cluster). */
const char *engine_actor(const struct engine *en);
void engine_set_actor(struct engine *en, const char *actor);

/* Bound every request to a cluster to `ms` milliseconds (0 = the client's
 * default, 30 s), as kubectl's --request-timeout does.  Applies to clients
 * made after the call. */
void engine_set_request_timeout(struct engine *en, int64_t ms);
int64_t engine_request_timeout(const struct engine *en); /* 0 = the client's default */

/* Lease locks: the process minting or revoking a lease holds an exclusive
 * flock on <home>/run/<lease-id>.lock (0600, the directory 0700) for as
 * long as it works on it.  The kernel drops the lock when the process dies
 * (even by SIGKILL), so engine_lease_held() tells a sweep whether a lease
 * left in `creating` or `revoking` still has a living owner on this
 * machine: 1 held, 0 not (no file, or the lock is free).
 * engine_lease_hold() returns the descriptor or -1 (then nothing is held:
 * the sweep falls back to its time limit); engine_lease_release() unlocks
 * and removes the file (fd -1: nothing to do). */
int engine_lease_hold(struct engine *en, const char *lease_id);
void engine_lease_release(struct engine *en, const char *lease_id, int fd);
int engine_lease_held(struct engine *en, const char *lease_id);

/* Test hook: when $KUBEJIT_TEST_PAUSE_AT equals `step` (e.g. "mint:objects",
 * "revoke:deleted"), print "kubejit: paused at STEP" on stderr and stop
 * there until killed, so a test can SIGKILL the process at that step. */
void engine_crash_point(const char *step);

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
/* Forget the cached client of `name` (after the target changed). */
void engine_drop_client(struct engine *en, const char *name);
/* Forget the cached client and what was learned of the server of `name`
 * (after the target went). */
void engine_forget_target(struct engine *en, const char *name);
/* The setting that remembers a target's server answered over HTTP/1.1:
 * prefix + target name, value "1". */
#define ENGINE_HTTP1_PREFIX "http1:"

/* The username the API server authenticates target `name`'s credential as
 * (SelfSubjectReview), which mints write into the owner annotation of their
 * objects.  Learned once per engine and target and kept with the cached
 * client (a changed target, engine_drop_client(), asks again).  The identity
 * the target's last preflight saw is used without asking, except for exec
 * plugins, which may answer as someone else from one run to the next.
 * Cleaned with kj_printable() to at most ENGINE_IDENTITY_MAX bytes.  Owned
 * by the engine; NULL with `e` set when it cannot be learned. */
#define ENGINE_IDENTITY_MAX 253
const char *engine_identity(struct engine *en, const char *name, kj_err *e);
/* What engine_identity() learned for `name` in this context, or NULL; no
 * network. */
const char *engine_identity_cached(struct engine *en, const char *name);

/* A fresh, uncached client on the cluster of saved target `name` that
 * authenticates with `token` instead of the target's own credential: to
 * ask as a minted token whether it works or is refused.  The caller frees
 * it with kube_client_free(). */
int engine_token_client(struct engine *en, const char *name, const char *token, struct kube_client **out,
                        kj_err *e);
/* A fresh, uncached client for a target that may not be saved yet (add,
 * preflight of a draft).  The caller frees it with kube_client_free().
 * Refuses a server that is not https:// before anything is sent. */
/* 0 when `server` is an https:// URL, else KJ_ERR_USAGE (none) or
 * KJ_ERR_INVALID with the reason and the fix; `name` names the target. */
int engine_check_server(const char *name, const char *server, kj_err *e);
int engine_connect(struct engine *en, const struct target *t, const struct target_cred *cred,
                   struct kube_client **out, kj_err *e);

/* ---- sealed secret material ------------------------------------------------
 * A store can be sealed with a passphrase: target secret material (tokens,
 * client keys) is then kept encrypted (store/seal.h: scrypt + AES-256-GCM).
 * The engine asks for the passphrase the first time it needs it: from the
 * file named by $KUBEJIT_PASSPHRASE_FILE, else through the front end's
 * callback (the CLI prompts on the terminal, the TUI in a dialog), else it
 * fails with KJ_ERR_DENIED.  The derived key lives in the engine until
 * engine_close() (wiped). */
enum engine_seal_state {
	ENGINE_SEAL_PLAIN = 0, /* not sealed */
	ENGINE_SEAL_LOCKED,    /* sealed, passphrase not given yet */
	ENGINE_SEAL_OPEN,      /* sealed, key at hand */
};
/* Return the passphrase (malloc'd; the engine wipes and frees it) or NULL to
 * cancel.  `is_new`: a passphrase being chosen (ask twice). */
typedef char *(*engine_passphrase_fn)(void *ud, int is_new);
void engine_set_passphrase_fn(struct engine *en, engine_passphrase_fn fn, void *ud);
/* The callback engine_open() gives every new engine (process-wide; set it
 * once before opening engines, e.g. the CLI's terminal prompt). */
void engine_set_default_passphrase_fn(engine_passphrase_fn fn, void *ud);

/* Exec credential plugins (targets with the exec strategy, admin contexts):
 * `tty(1, ud)` before an interactive plugin takes the terminal and
 * `tty(0, ud)` after (a full-screen front end leaves curses meanwhile);
 * `err(text, ud)` receives what a non-interactive plugin wrote to stderr
 * (NULL = it goes to our stderr).  Process-wide; may be called from the
 * thread that runs the request.  Set once at start-up. */
typedef void (*engine_plugin_tty_fn)(int suspend, void *ud);
typedef void (*engine_plugin_stderr_fn)(const char *text, void *ud);
void engine_set_plugin_hooks(engine_plugin_tty_fn tty, engine_plugin_stderr_fn err, void *ud);
enum engine_seal_state engine_seal_state(struct engine *en);
/* Check a passphrase and keep its key (KJ_ERR_AUTH when wrong). */
int engine_unlock(struct engine *en, const char *passphrase, kj_err *e);
/* Seal every target's secret material under `passphrase` (KJ_ERR_CONFLICT
 * when already sealed), or turn sealing off again (asks for the passphrase
 * if needed).  Each is one transaction. */
int engine_seal(struct engine *en, const char *passphrase, kj_err *e);
int engine_unseal(struct engine *en, kj_err *e);
/* For engine modules that read or write struct target_cred of target `t`:
 * seal before storing (no-op on a plain store), open after reading (in
 * place).  In a sealed store every value is bound to its target and column,
 * and a sealed digest of t's connection (server, CA, TLS name, credential
 * sources, exec plugin, proxy) is kept with them: opening refuses plaintext,
 * a value from another row, and a connection changed outside kubejit
 * (KJ_ERR_AUTH).  Whatever writes a target's connection fields or secret
 * material must seal again through engine_cred_seal(). */
int engine_cred_seal(struct engine *en, const struct target *t, struct target_cred *c, kj_err *e);
int engine_cred_open(struct engine *en, const struct target *t, struct target_cred *c, kj_err *e);
/* engine_cred_open() of a saved target, for callers that send something
 * other than its own credentials to its server; 0 when it may be used. */
int engine_check_target(struct engine *en, const struct target *t, kj_err *e);
/* A secret kept outside the target tables (e.g. an access request's
 * private key): sealed under the store's key with associated data `ad`
 * when the store is sealed, copied as is when not.  Opening refuses a
 * plain value in a sealed store and a value sealed for another `ad`
 * (KJ_ERR_AUTH).  *out / *plain are secrets (kj_free_secret). */
int engine_value_seal(struct engine *en, const char *ad, const char *plain, char **out, kj_err *e);
int engine_value_open(struct engine *en, const char *ad, const char *stored, char **plain, kj_err *e);
/* The passphrase a file holds: its first line, the line ending removed
 * (one rule for `seal on` and for unlocking).  NULL with e set. */
char *engine_passphrase_from_file(const char *path, kj_err *e);

#endif
