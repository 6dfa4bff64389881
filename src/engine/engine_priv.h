/* engine_priv.h: struct engine, shared by the files it was split into and
 * included by nothing else (the rest of the engine uses engine/engine.h):
 *   engine.c       open and close, home and actor, cluster clients
 *   engine_seal.c  the sealed store: passphrase, key, sealed secret material
 *   engine_crash.c lease locks and test crash points (needs engine.h only) */
#ifndef KJ_ENGINE_ENGINE_PRIV_H
#define KJ_ENGINE_ENGINE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "store/db.h"
#include "store/seal.h"

struct cached_client {
	char *name;
	struct kube_client *kc;
	int64_t renew_at; /* reload (and renew the token) from then on; 0 = never */
	char *identity;   /* engine_identity(), once learned */
	int http1;        /* what the store said of the server's HTTP version (engine.c) */
};

struct engine {
	char *home;
	kj_db *db;
	char *actor;
	int64_t cert_warn;
	struct cached_client *clients;
	size_t n_clients;
	int have_key; /* key holds the sealing key */
	unsigned char key[SEAL_KEY_LEN];
	engine_passphrase_fn ask;
	void *ask_ud;
	int64_t request_timeout_ms; /* 0 = the client's default */
};

#endif
