/* A kubeconfig whose user runs `kubejit get` (engine/output.h). */
#include "engine/output.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "kube/kubeconfig.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

/* The absolute path of this binary, for the kubeconfig's exec command. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0) /* no /proc: let kubectl look it up in PATH */
		return kj_xstrdup("kubejit");
	buf[n] = '\0';
	return kj_xstrdup(buf);
}

int output_plugin_kubeconfig(struct engine *en, const struct output_plugin *p, char **text, char **context,
                             kj_err *e)
{
	const char *args[8];
	size_t n_args = 0;
	char *path = NULL, *ns = NULL, *home = NULL, *self = NULL, *user = NULL, *ctx = NULL;
	char *pass_abs = NULL;
	const char *pass;
	struct kubeconfig_env env;
	char slug[40];
	struct secret s;
	struct target t;
	struct kubeconfig_spec spec;
	int rc = -1;

	*text = NULL;
	*context = NULL;
	secret_init(&s);
	memset(&t, 0, sizeof(t));
	memset(&spec, 0, sizeof(spec));
	if (secret_path_normalize(p->secret, &path, e) < 0 || secret_get(en, path, &s, e) < 0 ||
	    secret_resolve_namespace(&s, p->ns, &ns, e) < 0 || target_get(en, s.target, &t, e) < 0)
		goto out;

	/* kubectl runs the plugin from any directory: the home must be absolute */
	home = realpath(engine_home(en), NULL);
	if (!home)
		home = kj_xstrdup(engine_home(en));
	self = self_path();
	if (!engine_home_is_default(home)) {
		args[n_args++] = "--home";
		args[n_args++] = home;
	}
	args[n_args++] = "get";
	args[n_args++] = path;
	args[n_args++] = "--namespace";
	args[n_args++] = ns;
	if (p->ready_timeout) {
		args[n_args++] = "--ready-timeout";
		args[n_args++] = p->ready_timeout;
	}

	kj_slug(path, 30, slug, sizeof(slug));
	user = kj_xasprintf("kubejit-%s", slug);
	ctx = kj_xasprintf("%s-%s-%s", t.name, slug, ns);
	spec.cluster_name = t.name;
	spec.user_name = user;
	spec.context_name = ctx;
	spec.server = t.server;
	spec.ca_pem = t.ca_pem;
	spec.tls_server_name = t.tls_server_name;
	spec.namespace = ns;
	spec.exec_command = self;
	spec.exec_api_version = "client.authentication.k8s.io/v1";
	spec.exec_args = args;
	spec.n_exec_args = n_args;
	spec.exec_provide_cluster_info = 0;
	/* a sealed store needs its passphrase to mint, and the plugin has no
	 * terminal to ask on: hand over the file this shell uses */
	pass = getenv("KUBEJIT_PASSPHRASE_FILE");
	if (pass && pass[0]) {
		pass_abs = realpath(pass, NULL);
		env.name = "KUBEJIT_PASSPHRASE_FILE";
		env.value = pass_abs ? pass_abs : pass;
		spec.exec_env = &env;
		spec.n_exec_env = 1;
	}
	spec.exec_install_hint = _("kubejit is needed to get credentials for this kubeconfig");
	*text = kubeconfig_render(&spec, e);
	if (!*text)
		goto out;
	*context = ctx;
	ctx = NULL;
	rc = 0;
out:
	free(pass_abs);
	free(user);
	free(ctx);
	free(self);
	free(home);
	free(ns);
	free(path);
	target_done(&t);
	secret_done(&s);
	return rc;
}
