/* request_priv.h: what the files of access requests (src/engine/request*.c)
 * share and nothing else includes:
 *   request.c          records, the target a call talks through, local
 *                      records, CSRs read as requests (list, get, sweep)
 *   request_ask.c      the requester's side: create, collect, wait, cancel
 *   request_approve.c  the approver's side: approve (which mints) and deny
 *   request_rbac.c     the RBAC YAML for requests
 * Errors as in engine/request.h. */
#ifndef KJ_ENGINE_REQUEST_PRIV_H
#define KJ_ENGINE_REQUEST_PRIV_H

#include <cjson/cJSON.h>

#include "engine/engine.h"
#include "engine/request.h"
#include "util/err.h"

/* The label on every request CSR, so a list asks only for ours; the signer
 * name is checked again on every item, since anyone may set a label. */
#define REQUEST_LABEL     "kubejit.io/access-request"
#define REQUEST_ID_PREFIX "kjr-"

struct kube_client;

/* request.c: a state's name back to the state; -1 when unknown. */
int request_state_parse(const char *s, enum request_state *out);
/* request.c: `name`, or the only target of the home (*out to free). */
int request_pick_target(struct engine *en, const char *name, char **out, kj_err *e);
/* request.c: the engine's client for `target`. */
int request_client_of(struct engine *en, const char *target, struct kube_client **kc, kj_err *e);
/* request.c: the local record of `id` (a cJSON tree holding the sealed or
 * plain key: free with kube_json_free_secret), or NULL when this home has
 * none. */
cJSON *request_local_read(struct engine *en, const char *id);
/* request.c: write the local record of `id` (0600). */
int request_local_write(struct engine *en, const char *id, const cJSON *j, kj_err *e);
/* request.c: change the state of a local record; the key goes with a final
 * state. */
void request_local_set_state(struct engine *en, const char *id, enum request_state st);
/* request.c: fill `r` from a CSR of our signer read through `target`. */
void request_from_csr(struct engine *en, const char *target, const cJSON *csr, struct request *r);
/* request.c: GET the CSR of `id`; KJ_ERR_NOTFOUND (with a hint) when it is
 * gone or not ours. */
int request_fetch(struct kube_client *kc, const char *id, cJSON **csr, kj_err *e);
/* request_ask.c: an audit row whose failure to write is not the caller's
 * failure. */
void request_audit_quiet(struct engine *en, const char *action, const char *secret, const char *lease,
                         const char *target, int ok, const char *detail);

#endif
