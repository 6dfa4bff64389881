#include "engine/engine.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube/http.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

#define CERT_WARN_DEFAULT (30 * 86400)

struct cached_client {
	char *name;
	struct kube_client *kc;
};

struct engine {
	char *home;
	kj_db *db;
	char *actor;
	int64_t cert_warn;
	struct cached_client *clients;
	size_t n_clients;
};

static const char *user_home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

int engine_resolve_home(const char *home_arg, char **out, kj_err *e)
{
	const char *v;
	const char *h;

	*out = NULL;
	if (home_arg && *home_arg) {
		*out = kj_xstrdup(home_arg);
		return 0;
	}
	v = getenv("KUBEJIT_HOME");
	if (v && *v) {
		*out = kj_xstrdup(v);
		return 0;
	}
	/* XDG: only an absolute $XDG_DATA_HOME counts */
	v = getenv("XDG_DATA_HOME");
	if (v && v[0] == '/') {
		*out = kj_xasprintf("%s/kubejit", v);
		return 0;
	}
	h = user_home();
	if (!h) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot find your home directory for the kubejit store"));
		return kj_err_hint(e, _("set $KUBEJIT_HOME or pass --home DIR"));
	}
	*out = kj_xasprintf("%s/.local/share/kubejit", h);
	return 0;
}

static char *default_actor(void)
{
	const char *user = getenv("USER");
	struct passwd *pw;
	char host[HOST_NAME_MAX + 1];

	if (!user || !*user) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return kj_xasprintf("%s@%s", user, host);
}

int engine_open(const char *home_arg, struct engine **out, kj_err *e)
{
	struct engine *en;
	const char *w;

	*out = NULL;
	en = kj_xcalloc(1, sizeof(*en));
	if (engine_resolve_home(home_arg, &en->home, e) < 0 || db_open(en->home, &en->db, e) < 0) {
		engine_close(en);
		return -1;
	}
	en->actor = default_actor();
	en->cert_warn = CERT_WARN_DEFAULT;
	w = getenv("KUBEJIT_CERT_WARN");
	if (w && *w) {
		int64_t secs;

		if (kj_ttl_parse(w, "$KUBEJIT_CERT_WARN", &secs, e) < 0) {
			engine_close(en);
			return -1;
		}
		en->cert_warn = secs;
	}
	*out = en;
	return 0;
}

void engine_close(struct engine *en)
{
	size_t i;

	if (!en)
		return;
	for (i = 0; i < en->n_clients; i++) {
		kube_client_free(en->clients[i].kc);
		free(en->clients[i].name);
	}
	free(en->clients);
	db_close(en->db);
	free(en->home);
	free(en->actor);
	free(en);
}

const char *engine_home(const struct engine *en)
{
	return en->home;
}

kj_db *engine_db(struct engine *en)
{
	return en->db;
}

const char *engine_actor(const struct engine *en)
{
	return en->actor;
}

void engine_set_actor(struct engine *en, const char *actor)
{
	free(en->actor);
	en->actor = kj_xstrdup(actor);
}

int64_t engine_cert_warn(const struct engine *en)
{
	return en->cert_warn;
}

void engine_set_cert_warn(struct engine *en, int64_t secs)
{
	en->cert_warn = secs;
}

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "re");
	kj_buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 1024 * 1024)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	return kj_buf_steal(&b);
}

int engine_connect(struct engine *en, const struct target *t, const struct target_cred *cred,
                   struct kube_client **out, kj_err *e)
{
	struct kube_conn conn = {0};
	char *ca = NULL;
	int rc;

	(void)en;
	conn.server = t->server;
	conn.ca = t->ca_pem;
	/* in-cluster: the CA bundle can rotate like the token; read it afresh */
	if (t->sa_dir) {
		char *path = kj_xasprintf("%s/ca.crt", t->sa_dir);

		ca = read_small_file(path);
		free(path);
		if (ca && strstr(ca, "-----BEGIN CERTIFICATE-----"))
			conn.ca = ca;
	}
	conn.tls_server_name = t->tls_server_name;
	conn.token_file = t->token_file;
	conn.token = t->token_file ? NULL : (cred ? cred->token : NULL);
	if (t->client_cert_pem && cred && cred->client_key_pem) {
		conn.client_cert = t->client_cert_pem;
		conn.client_key = cred->client_key_pem;
	}
	rc = kube_client_new(&conn, out, e);
	free(ca);
	if (rc < 0)
		return kj_err_prefix(e, _("target \"%s\""), t->name ? t->name : "?");
	return 0;
}

int engine_client(struct engine *en, const char *name, struct kube_client **out, kj_err *e)
{
	struct target t;
	struct target_cred cred;
	struct kube_client *kc;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < en->n_clients; i++) {
		if (!strcmp(en->clients[i].name, name)) {
			*out = en->clients[i].kc;
			return 0;
		}
	}
	if (store_targets_get(en->db, name, &t, e) < 0)
		return -1;
	if (store_targets_get_cred(en->db, t.id, &cred, e) < 0) {
		target_done(&t);
		return -1;
	}
	rc = engine_connect(en, &t, &cred, &kc, e);
	target_cred_done(&cred);
	target_done(&t);
	if (rc < 0)
		return -1;
	engine_keep_client(en, name, kc);
	*out = kc;
	return 0;
}

void engine_keep_client(struct engine *en, const char *name, struct kube_client *kc)
{
	engine_drop_client(en, name);
	en->clients = kj_xrealloc(en->clients, (en->n_clients + 1) * sizeof(*en->clients));
	en->clients[en->n_clients].name = kj_xstrdup(name);
	en->clients[en->n_clients].kc = kc;
	en->n_clients++;
}

void engine_drop_client(struct engine *en, const char *name)
{
	size_t i;

	for (i = 0; i < en->n_clients; i++) {
		if (strcmp(en->clients[i].name, name))
			continue;
		kube_client_free(en->clients[i].kc);
		free(en->clients[i].name);
		en->clients[i] = en->clients[--en->n_clients];
		return;
	}
}
