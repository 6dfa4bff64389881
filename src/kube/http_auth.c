/* http_auth: the HTTPS client's credentials that change under it: a
 * bearer token file re-read when rotated, and exec plugin credentials. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/http_priv.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define MAX_TOKEN_FILE (64u << 10)

/* A token goes into a header line: no white space or control characters. */
int http_token_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* Re-read the token file when it changed (kubelet rotates projected tokens by
 * replacing the file, which changes inode and mtime). */
int http_refresh_token(struct kube_client *c, kj_err *e)
{
	if (!c->token_file)
		return 0;
	struct stat st;
	if (stat(c->token_file, &st) == 0 && c->token && st.st_ino == c->token_st.st_ino &&
	    st.st_mtim.tv_sec == c->token_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == c->token_st.st_mtim.tv_nsec && st.st_size == c->token_st.st_size)
		return 0;
	int fd = open(c->token_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (c->token)
			return 0; /* keep the last good token, as client-go does */
		kj_err_set(e, KJ_ERR_AUTH, _("cannot read token file %s: %s"), c->token_file,
		           strerror(errno));
		return kj_err_hint(e, _("check that the file exists and is readable"));
	}
	char *buf = kj_xmalloc(MAX_TOKEN_FILE + 1);
	size_t n = 0;
	ssize_t r;
	while (n < MAX_TOKEN_FILE && (r = read(fd, buf + n, MAX_TOKEN_FILE - n)) > 0)
		n += (size_t)r;
	fstat(fd, &st);
	close(fd);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (!n) {
		kj_wipe(buf, MAX_TOKEN_FILE + 1);
		free(buf);
		if (c->token)
			return 0;
		return kj_err_set(e, KJ_ERR_AUTH, _("token file %s is empty"), c->token_file);
	}
	if (!http_token_ok(buf)) {
		kj_wipe(buf, MAX_TOKEN_FILE + 1);
		free(buf);
		return kj_err_set(e, KJ_ERR_AUTH,
		                  _("token file %s holds more than one token or control characters"),
		                  c->token_file);
	}
	kj_free_secret(c->token);
	c->token = kj_xstrdup(buf);
	kj_wipe(buf, MAX_TOKEN_FILE + 1);
	free(buf);
	c->token_st = st;
	c->stats.token_reads++;
	return 0;
}

/* A new client certificate must not ride on connections made with the old
 * one (client-go closes them too). */
static void reset_connections(struct kube_client *c)
{
	for (int i = 0; i < MAX_PARALLEL; i++) {
		if (c->pool[i])
			curl_easy_cleanup(c->pool[i]);
		c->pool[i] = NULL;
	}
	curl_multi_cleanup(c->multi);
	c->multi = http_new_multi(c);
}

/* Run the credential plugin when there is no credential yet, when it has
 * expired, or (force) after the server refused it. */
int http_exec_credential(struct kube_client *c, int force, kj_err *e)
{
	struct kube_exec_cred n;
	int new_cert;

	if (!c->exec || (!force && !kube_exec_cred_expired(&c->exec_cred, kj_now())))
		return 0;
	struct kube_exec_cluster cl = {
	    .server = c->server,
	    .tls_server_name = c->tls_name,
	    .insecure = c->insecure,
	    .ca_pem = c->ca_pem,
	    .proxy_url = c->proxy_url,
	    .disable_compression = !c->compress,
	};
	if (kube_exec_run(c->exec, &cl, &n, e) < 0)
		return kj_err_prefix(e, _("getting credentials"));
	c->stats.exec_runs++;
	new_cert = (n.client_cert_pem || c->cert_pem) &&
	           (!n.client_cert_pem || !c->cert_pem || strcmp(n.client_cert_pem, c->cert_pem) != 0);
	kj_free_secret(c->token);
	free(c->cert_pem);
	kj_free_secret(c->key_pem);
	c->token = kj_xstrdup(n.token);
	c->cert_pem = kj_xstrdup(n.client_cert_pem);
	c->key_pem = kj_xstrdup(n.client_key_pem);
	kube_exec_cred_done(&c->exec_cred);
	c->exec_cred = n;
	if (new_cert)
		reset_connections(c);
	return 0;
}

int64_t kube_client_exec_expiry(const struct kube_client *c)
{
	return c->exec ? c->exec_cred.expires_at : 0;
}
