/* mint_priv.h: what a mint carries between its steps, and the steps that
 * src/engine/mint.c (the mint, dynamic mode) shares with
 * src/engine/mint_fixed.c (fixed mode and its spare anchors). */
#ifndef KJ_ENGINE_MINT_PRIV_H
#define KJ_ENGINE_MINT_PRIV_H

#include <cjson/cJSON.h>

#include "engine/mint.h"
#include "engine/ready.h"
#include "kube/api.h"
#include "util/strbuf.h"
#include "util/strv.h"

/* Everything one mint carries between its steps. */
struct minting {
	struct engine *eng;
	struct kube_client *kc;
	const struct secret *s;
	struct lease lease; /* the row, objects appended as they are made */
	const struct mint_request *req;
	struct kj_strv audiences;
	int64_t ttl;
	char name[64]; /* generated object name (all kinds share it) */
	kj_buf warnings;
	struct ready_probe probe; /* what to ask as the new token (READY_WHOAMI by default) */
	int hold;                 /* engine_lease_hold() while minting, -1 if none */
};

/* After a failed create of the lease's first object: 1 (and `e` cleared)
 * when it was a name collision and a new name is drawn, else 0. */
int mint_retry_with_new_name(struct minting *m, int *tries, kj_err *e);
/* A step: a crash point `id` (tests) and `what` for the caller's callback. */
void mint_step(struct minting *m, const char *id, const char *what);
/* A warning for the result (shown once with it). */
void mint_warn(struct minting *m, const char *text);
/* Record an object the cluster made for the lease (store row first). */
void mint_record(struct minting *m, enum kube_kind_id kind, const cJSON *created);
/* A failed step's error with its hint and `what` before it; returns -1. */
int mint_explain(struct minting *m, const char *what, kj_err *e);
/* The TokenRequest body, bound to the Secret `bound_name` when given. */
cJSON *mint_token_body(struct minting *m, const char *bound_name, const char *bound_uid);
/* The token from a TokenRequest answer into `out`. */
int mint_take_token(struct minting *m, const cJSON *answer, struct mint_result *out, kj_err *e);

/* mint_fixed.c: a fixed-mode mint (anchor Secret and TokenRequest, with a
 * spare anchor for the next one). */
int mint_fixed(struct minting *m, struct mint_result *out, kj_err *e);

#endif
