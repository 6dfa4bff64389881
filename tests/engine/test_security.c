/* Security defects, each reproduced as an attacker would try it: a target's
 * credentials go only to its own cluster, sealed data is authenticated,
 * hostile files are refused.  Against the in-process demo cluster and the
 * built binary (KUBEJIT_BIN). */
#include "config.h"
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "engine/audit.h"
#include "engine/rolespec.h"
#include "kube/http.h"
#include "kube/kubeconfig.h"
#include "kube/status.h"
#include "store/db.h"
#include "store/targets.h"
#include "tests/support/target_fixture.h"
#include "util/b64.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(security, .init = tf_setup, .fini = tf_teardown, .timeout = 60);

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	return kj_xasprintf("%s/tests/support/data/%s", top ? top : ".", name);
}

static uint64_t demo_requests(void)
{
	struct demo_stats st;

	demo_get_stats(dc, &st);
	return st.requests;
}

/* ---- 1: the CA given for a target replaces the system's CAs ---------------- */

/* A private mount namespace whose /etc/ssl/certs trusts only the demo
 * cluster's CA, as a corporate TLS-inspection root would be trusted: both as
 * a hashed file (libcurl's CApath) and as the bundle (its CAfile). */
static int private_system_store(void)
{
	if (geteuid() != 0)
		return -1;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("kj-certs", "/etc/ssl/certs", "tmpfs", 0, "mode=0755") < 0)
		return -1;
	return 0;
}

static void plant_system_ca(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	char path[128];
	FILE *f;

	cr_assert_not_null(x);
	snprintf(path, sizeof path, "/etc/ssl/certs/%08lx.0", X509_subject_name_hash(x));
	X509_free(x);
	BIO_free(bio);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(pem, f);
	fclose(f);
	f = fopen("/etc/ssl/certs/ca-certificates.crt", "w");
	cr_assert_not_null(f);
	fputs(pem, f);
	fclose(f);
}

Test(security, ca_of_a_target_replaces_the_system_store)
{
	char *other_ca = data_path("kube-ca.crt");
	char *tf = write_file("tok", token_of("kube-system/kubejit-jit"));
	char *out;
	uint64_t before;

	if (private_system_store() < 0)
		cr_skip_test("needs root to make a private mount namespace with its own /etc/ssl/certs "
		             "(%s)",
		             strerror(errno));
	plant_system_ca(demo_ca_pem(dc));
	/* the planted store really is trusted: a target without a CA connects */
	cr_assert_eq(run(&out, "target add sys --server %s --token-file %s", demo_url(dc), tf), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target show sys"), 0, "%s", out);
	cr_assert(strstr(out, "the system trust store is used"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target show sys --json"), 0, "%s", out);
	cr_assert(strstr(out, "\"trust\":\t\"system\"") || strstr(out, "\"trust\": \"system\""), "%s", out);
	free(out);

	before = demo_requests();
	cr_assert_neq(run(&out, "target add pinned --server %s --ca-file %s --token-file %s", demo_url(dc),
	                  other_ca, tf),
	              0, "%s", out);
	cr_assert(strstr(out, "CA given does not match"), "%s", out);
	cr_assert_null(strstr(out, token_of("kube-system/kubejit-jit")), "%s", out);
	free(out);
	cr_assert_eq(demo_requests(), before,
	             "the server got a request (and the token) from a "
	             "target whose CA does not sign its certificate");
	free(other_ca);
	free(tf);
}

/* ---- 2: every check on the server URL comes before the first byte ---------- */

/* A plain-TCP listener that counts the bytes anyone sends it, then hangs up. */
struct listener {
	int fd, port;
	pthread_t th;
	volatile size_t bytes;
	volatile int stop;
};

static void *listen_loop(void *arg)
{
	struct listener *l = arg;

	while (!l->stop) {
		struct pollfd p = {l->fd, POLLIN, 0};
		char buf[4096];
		ssize_t n;
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(l->fd, NULL, NULL);
		if (c < 0)
			continue;
		p.fd = c;
		while (poll(&p, 1, 300) > 0 && (n = read(c, buf, sizeof buf)) > 0)
			l->bytes += (size_t)n;
		close(c);
	}
	return NULL;
}

static void listener_start(struct listener *l)
{
	struct sockaddr_in a = {0};
	socklen_t len = sizeof a;

	memset(l, 0, sizeof *l);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(l->fd >= 0);
	cr_assert_eq(bind(l->fd, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(l->fd, 8), 0);
	cr_assert_eq(getsockname(l->fd, (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	cr_assert_eq(pthread_create(&l->th, NULL, listen_loop, l), 0);
}

static size_t listener_stop(struct listener *l)
{
	l->stop = 1;
	pthread_join(l->th, NULL);
	close(l->fd);
	return l->bytes;
}

Test(security, csr_over_plain_http_sends_nothing)
{
	struct listener l;
	char *tf = write_file("tok", token_of("kube-system/kubejit-jit"));
	char *kc, *out;

	listener_start(&l);
	cr_assert_neq(
	    run(&out, "target add c --server http://127.0.0.1:%d --csr --cn x --token-file %s", l.port, tf),
	    0, "%s", out);
	cr_assert(strstr(out, "not an https:// URL"), "%s", out);
	free(out);
	/* the same through a kubeconfig context that submits the request */
	kc = kj_xasprintf("apiVersion: v1\nkind: Config\ncurrent-context: plain\n"
	                  "clusters:\n- name: plain\n  cluster:\n    server: http://127.0.0.1:%d\n"
	                  "users:\n- name: u\n  user:\n    token: %s\n"
	                  "contexts:\n- name: plain\n  context: {cluster: plain, user: u}\n",
	                  l.port, token_of("kube-system/kubejit-jit"));
	{
		char *text = kc;
		kc = write_file("plain.kubeconfig", text);
		free(text);
	}
	cr_assert_neq(run(&out, "target add c2 --csr --cn x --kubeconfig %s", kc), 0, "%s", out);
	cr_assert(strstr(out, "not an https:// URL"), "%s", out);
	free(out);
	cr_assert_eq(listener_stop(&l), 0, "the token went over plain http");
	free(kc);
	free(tf);
}

/* ---- 3: bootstrap's admin context is held to --from-kubeconfig's rules ------ */

static char *admin_kubeconfig(const char *server, const char *cluster_extra)
{
	char *text = kj_xasprintf("apiVersion: v1\nkind: Config\ncurrent-context: admin\n"
	                          "clusters:\n- name: c\n  cluster:\n    server: %s\n%s"
	                          "users:\n- name: u\n  user:\n    token: %s\n"
	                          "contexts:\n- name: admin\n  context: {cluster: c, user: u}\n",
	                          server, cluster_extra, demo_admin_token(dc));
	char *path = write_file("admin.kubeconfig", text);

	free(text);
	return path;
}

Test(security, bootstrap_refuses_insecure_and_plain_http)
{
	struct listener l;
	char *kc, *out, *url;
	uint64_t before = demo_requests();

	kc = admin_kubeconfig(demo_url(dc), "    insecure-skip-tls-verify: true\n");
	cr_assert_neq(run(&out, "target bootstrap b --mode fixed --kubeconfig %s", kc), 0, "%s", out);
	cr_assert(strstr(out, "skips TLS verification"), "%s", out);
	cr_assert(strstr(out, "certificate-authority-data"), "the fix is named: %s", out);
	cr_assert_null(strstr(out, demo_admin_token(dc)), "%s", out);
	free(out);
	free(kc);
	cr_assert_eq(demo_requests(), before, "admin credentials went to an unverified server");

	listener_start(&l);
	url = kj_xasprintf("http://127.0.0.1:%d", l.port);
	kc = admin_kubeconfig(url, "");
	cr_assert_neq(run(&out, "target bootstrap b --mode fixed --kubeconfig %s", kc), 0, "%s", out);
	cr_assert(strstr(out, "not an https:// URL"), "%s", out);
	free(out);
	cr_assert_eq(listener_stop(&l), 0, "admin credentials went over plain http");
	free(kc);
	free(url);
}

/* ---- 6: sealed values are authenticated, and so is where they go ------------ */

static void sql(struct engine *eng, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(struct engine *eng, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;
	char *err = NULL;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	cr_assert_eq(sqlite3_exec(db_sqlite(engine_db(eng)), b.data, NULL, NULL, &err), SQLITE_OK, "%s: %s",
	             b.data, err ? err : "?");
	kj_buf_done(&b);
}

static char *raw_cred(struct engine *eng, const char *target, const char *column)
{
	sqlite3_stmt *st;
	char *q = kj_xasprintf("SELECT %s FROM target_secrets JOIN targets ON id = target_id WHERE name = ?1",
	                       column);
	char *out = NULL;

	cr_assert_eq(sqlite3_prepare_v2(db_sqlite(engine_db(eng)), q, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = kj_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	free(q);
	return out;
}

static struct engine *reopen(const char *passphrase)
{
	struct engine *eng;
	char *home = kj_xasprintf("%s/home", tmp);
	kj_err e = {0};

	cr_assert_eq(engine_open(home, &eng, &e), 0, "%s", e.msg);
	cr_assert_eq(engine_unlock(eng, passphrase, &e), 0, "%s", e.msg);
	free(home);
	return eng;
}

Test(security, sealed_values_are_bound_to_their_place)
{
	struct target_spec s;
	struct target_add_result r;
	struct target_cred c;
	struct kube_client *kc;
	struct engine *other;
	struct listener l;
	char *a_tok, *url;
	kj_err e = {0};

	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	token_spec(&s, "a", token_of("kube-system/kubejit-jit"));
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	token_spec(&s, "b", token_of("kube-system/token-request-sa"));
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	cr_assert_eq(engine_seal(en, "bound phrase", &e), 0, "%s", e.msg);

	/* a's sealed token copied into b's row is refused, not used as b's */
	a_tok = raw_cred(en, "a", "token");
	sql(en,
	    "UPDATE target_secrets SET token = '%s' WHERE target_id = (SELECT id FROM targets WHERE name = "
	    "'b')",
	    a_tok);
	other = reopen("bound phrase");
	cr_assert_eq(target_get_cred(other, "b", &c, &e), -1, "a token sealed for a opened as b's");
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert(strstr(e.msg, "does not belong to it"), "%s", e.msg);
	engine_close(other);

	/* plaintext where a sealed value is expected is refused */
	sql(en, "UPDATE target_secrets SET token = 'planted.plain.token' WHERE target_id = (SELECT id FROM "
	        "targets WHERE name = 'b')");
	other = reopen("bound phrase");
	cr_assert_eq(target_get_cred(other, "b", &c, &e), -1, "a plaintext token used in a sealed store");
	cr_assert(strstr(e.msg, "plain text in a sealed store"), "%s", e.msg);
	engine_close(other);

	/* pointing a sealed target at another server is found before anything is sent */
	listener_start(&l);
	url = kj_xasprintf("https://127.0.0.1:%d", l.port);
	sql(en, "UPDATE targets SET server = '%s' WHERE name = 'a'", url);
	other = reopen("bound phrase");
	cr_assert_eq(engine_client(other, "a", &kc, &e), -1, "a redirected target connected");
	cr_assert(strstr(e.msg, "changed outside kubejit"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, token_of("kube-system/kubejit-jit")));
	engine_close(other);
	cr_assert_eq(listener_stop(&l), 0, "the redirected server was contacted");
	free(url);
	free(a_tok);
}

/* Values of the first format (no associated data, scrypt N=2^15, no
 * parameters kept) made by an earlier kubejit with passphrase "old
 * passphrase" and the salt below. */
#define V1_SALT  "MDc+RUxTWmFob3Z9hIuSmQ=="
#define V1_CHECK "kjseal1:rI+6xxVEcmfjKahPdswP5yhQsmQzWtTUrVEaQyF1TU/38xOEtOaoz206T14Nr5EP"
#define V1_TOKEN "kjseal1:N07PxpCHDL1DuHnHfrRpsn0bMeNcWqsvxmHU0ezR0YWbyyoo5ul/WhMhg3BKWmqb5nnj"

Test(security, a_store_sealed_by_an_older_kubejit_opens_and_is_upgraded)
{
	struct target t = {0};
	struct target_cred c = {0};
	struct engine *other;
	char *kdf = NULL, *raw;
	kj_err e = {0};

	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	t.name = kj_xstrdup("old");
	t.server = kj_xstrdup(demo_url(dc));
	t.auth = TARGET_AUTH_TOKEN;
	t.created_by = kj_xstrdup("test@host");
	c.token = kj_xstrdup(V1_TOKEN);
	cr_assert_eq(store_target_insert(engine_db(en), &t, &c, &e), 0, "%s", e.msg);
	target_done(&t);
	target_cred_done(&c);
	cr_assert_eq(db_setting_set(engine_db(en), "seal.salt", V1_SALT, &e), 0);
	cr_assert_eq(db_setting_set(engine_db(en), "seal.check", V1_CHECK, &e), 0);

	other = reopen("old passphrase");
	cr_assert_eq(target_get_cred(other, "old", &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.token, "v1-sealed-token-abc.def");
	target_cred_done(&c);
	/* re-sealed at once: current parameters beside the salt, bound values */
	cr_assert_eq(db_setting_get(engine_db(other), "seal.kdf", &kdf, &e), 0);
	cr_assert_str_eq(kdf ? kdf : "(none)", "scrypt:N=131072:r=8:p=1");
	raw = raw_cred(other, "old", "token");
	cr_assert(!strncmp(raw, "kjseal2:", 8), "%s", raw);
	free(raw);
	free(kdf);
	engine_close(other);
	other = reopen("old passphrase");
	cr_assert_eq(target_get_cred(other, "old", &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(c.token, "v1-sealed-token-abc.def");
	target_cred_done(&c);
	engine_close(other);
}

/* ---- 5: hostile YAML is refused before it is expanded ----------------------- */

/* Nine levels of nine aliases: 519 bytes that expand to 10^9 nodes. */
static char *laughs(void)
{
	kj_buf b;

	kj_buf_init(&b);
	kj_buf_adds(&b, "apiVersion: v1\nkind: Config\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
	                "\"lol\",\"lol\",\"lol\",\"lol\"]\n");
	for (char c = 'b'; c <= 'i'; c++)
		kj_buf_printf(&b, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c, c - 1, c - 1,
		              c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	kj_buf_adds(&b, "clusters: *i\n");
	return kj_buf_steal(&b);
}

Test(security, kubeconfig_alias_bomb_and_self_reference_are_refused, .timeout = 20)
{
	char *text = laughs();
	char *path = write_file("bomb.kubeconfig", text);
	struct kubeconfig *kc = NULL;
	int64_t t0 = kj_mono_ms();
	kj_err e = {0};

	cr_assert_eq(kubeconfig_load(path, &kc, &e), -1, "a billion laughs loaded");
	cr_assert(strstr(e.msg, "bomb.kubeconfig:"), "%s", e.msg);
	cr_assert(strstr(e.msg, "aliases expand"), "%s", e.msg);
	cr_assert_lt(kj_mono_ms() - t0, 2000, "refusing took %lld ms", (long long)(kj_mono_ms() - t0));
	free(path);
	free(text);

	path = write_file("self.kubeconfig", "apiVersion: v1\nkind: Config\nclusters: &x\n- name: c\n"
	                                     "  cluster: {server: 'https://x', more: *x}\n");
	cr_assert_eq(kubeconfig_load(path, &kc, &e), -1, "a self-referencing alias loaded");
	cr_assert(strstr(e.msg, "self.kubeconfig:5:"), "%s", e.msg);
	cr_assert(strstr(e.msg, "may not refer to its own anchor"), "%s", e.msg);
	free(path);

	text = kj_xasprintf("apiVersion: v1\nkind: Config\nclusters: %0*d", 100, 0);
	memset(strstr(text, "clusters: ") + 10, '[', 100);
	path = write_file("deep.kubeconfig", text);
	cr_assert_eq(kubeconfig_load(path, &kc, &e), -1, "100 levels of nesting loaded");
	cr_assert(strstr(e.msg, "deep.kubeconfig:3:") && strstr(e.msg, "nested deeper"), "%s", e.msg);
	free(path);
	free(text);
}

Test(security, role_yaml_with_aliases_is_refused_with_its_position, .timeout = 20)
{
	kj_buf b;
	struct rolespec rs;
	struct rolespec_pos pos;
	int64_t t0 = kj_mono_ms();
	kj_err e = {0};

	kj_buf_init(&b);
	kj_buf_adds(&b, "kind: Role\nx: &v [get, list, watch, create, update, patch, delete]\n"
	                "rules:\n");
	for (int i = 0; i < 800; i++)
		kj_buf_adds(&b, "- {apiGroups: [\"\"], resources: [pods], verbs: *v}\n");
	cr_assert_eq(rolespec_parse(b.data, "role.yaml", &rs, &pos, &e), -1, "aliases accepted");
	cr_assert(strstr(e.msg, "role.yaml:4:47: YAML aliases (*v) are not allowed"), "%s", e.msg);
	cr_assert_eq(pos.line, 4);
	cr_assert_eq(pos.column, 47);
	cr_assert_lt(kj_mono_ms() - t0, 2000);
	kj_buf_done(&b);
}

/* ---- 7: a demo state directory must be the user's alone --------------------- */

static int demo_with_state(const char *dir, kj_err *e)
{
	struct demo_opts o = {0};
	struct demo_cluster *d = NULL;
	int rc;

	o.state_dir = dir;
	rc = demo_start(&o, &d, e);
	if (rc == 0)
		demo_stop(d);
	return rc;
}

Test(security, demo_state_dir_of_others_is_refused_and_symlinks_are_not_followed)
{
	char *shared = kj_xasprintf("%s/shared", tmp), *own = kj_xasprintf("%s/own", tmp);
	char *victim = write_file("victim", "precious\n"), *link, *text;
	struct stat st;
	kj_err e = {0};

	cr_assert_eq(mkdir(shared, 0700), 0);
	chmod(shared, 0777);
	cr_assert_eq(demo_with_state(shared, &e), -1, "a world-writable state directory was used");
	cr_assert(strstr(e.msg, "may be written by other users (mode 0777)"), "%s", e.msg);
	cr_assert(strstr(e.hint, "chmod 700"), "%s", e.hint);
	if (geteuid() == 0) {
		chmod(shared, 0700);
		cr_assert_eq(chown(shared, 65534, 65534), 0);
		cr_assert_eq(demo_with_state(shared, &e), -1, "another user's state directory was used");
		cr_assert(strstr(e.msg, "belongs to another user"), "%s", e.msg);
	}

	/* a symlink planted where a file is written is replaced, not followed */
	cr_assert_eq(mkdir(own, 0700), 0);
	link = kj_xasprintf("%s/admin.kubeconfig", own);
	cr_assert_eq(symlink(victim, link), 0);
	cr_assert_eq(demo_with_state(own, &e), 0, "%s", e.msg);
	text = NULL;
	{
		FILE *f = fopen(victim, "r");
		char buf[64] = "";
		cr_assert_not_null(f);
		cr_assert_not_null(fgets(buf, sizeof buf, f));
		fclose(f);
		cr_assert_str_eq(buf, "precious\n", "the symlink's target was overwritten");
	}
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISREG(st.st_mode), "admin.kubeconfig is still a symlink");
	cr_assert_eq(st.st_mode & 0777, 0600);
	free(text);
	free(link);
	free(victim);
	free(own);
	free(shared);
}

/* ---- 10: a token file ending in a newline works for --csr too --------------- */

Test(security, csr_token_file_with_a_trailing_newline)
{
	char *text = kj_xasprintf("%s\n", demo_admin_token(dc));
	char *tf = write_file("admin.token", text);
	char *ca = write_file("ca.crt", demo_ca_pem(dc));
	char *out;

	/* the demo signs CSRs after a short delay; approval by the admin token */
	cr_assert_eq(run(&out, "target add c --server %s --ca-file %s --csr --cn nl-user --token-file %s",
	                 demo_url(dc), ca, tf),
	             0, "%s", out);
	cr_assert(strstr(out, "target \"c\" saved"), "%s", out);
	cr_assert_null(strstr(out, demo_admin_token(dc)), "%s", out);
	free(out);
	free(ca);
	free(tf);
	free(text);
}

/* ---- 9: one rule for the passphrase file ----------------------------------- */

Test(security, passphrase_file_first_line_seals_and_unlocks)
{
	char *tf = write_file("tok", token_of("kube-system/kubejit-jit"));
	char *pf = write_file("pass", "the first line\nnotes on a second line\n");
	char *ca = write_file("ca.crt", demo_ca_pem(dc));
	char *out;

	cr_assert_eq(run(&out, "target add p --server %s --ca-file %s --token-file %s", demo_url(dc), ca, tf),
	             0, "%s", out);
	free(out);
	setenv("KUBEJIT_PASSPHRASE_FILE", pf, 1);
	cr_assert_eq(run(&out, "seal on"), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target show p --reveal --json"), 0,
	             "sealed with one passphrase, "
	             "unlocked with another: %s",
	             out);
	cr_assert(strstr(out, token_of("kube-system/kubejit-jit")));
	free(out);
	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	free(ca);
	free(pf);
	free(tf);
}

/* ---- 12: times read from outside are bounded --------------------------------- */

Test(security, jwt_exp_of_1e300_is_bounded)
{
	struct target t = {0};
	char *payload = kj_b64url_encode(
	    (const unsigned char *)"{\"exp\":1e300,\"iat\":-1e300,\"kubernetes.io\":{\"namespace\":\"ns\","
	                           "\"serviceaccount\":{\"name\":\"sa\"}}}",
	    strlen("{\"exp\":1e300,\"iat\":-1e300,\"kubernetes.io\":{\"namespace\":\"ns\","
	           "\"serviceaccount\":{\"name\":\"sa\"}}}"));
	char *jwt = kj_xasprintf("eyJhbGciOiJSUzI1NiJ9.%s.c2ln", payload);

	t.auth = TARGET_AUTH_TOKEN;
	target_token_renewal(&t, jwt);
	cr_assert_str_eq(t.renew_sa ? t.renew_sa : "", "ns/sa");
	/* 9999-12-31T23:59:59Z at most, never a wrapped negative */
	cr_assert_eq(t.token_seconds, INT64_C(253402300799), "%lld", (long long)t.token_seconds);
	target_done(&t);
	free(jwt);
	free(payload);
}

/* ---- hardening: no core files from any kubejit process ----------------------- */

Test(security, kubejit_processes_make_no_core_files)
{
	char *state = kj_xasprintf("%s/st", tmp), *cmd, *limits, *kc;
	FILE *p;
	char line[256];
	int pid = 0, found = 0;

	cmd = kj_xasprintf("'%s' demo-cluster --state '%s' >/dev/null 2>&1 & echo $!", getenv("KUBEJIT_BIN"),
	                   state);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%d", &pid), 1);
	pclose(p);
	limits = kj_xasprintf("/proc/%d/limits", pid);
	kc = kj_xasprintf("%s/admin.kubeconfig", state);
	for (int i = 0; i < 200 && !found; i++) {
		usleep(50000);
		if (access(kc, F_OK) != 0)
			continue; /* until kubejit itself runs, not the shell before exec */
		p = fopen(limits, "r");
		while (p && fgets(line, sizeof line, p))
			if (!strncmp(line, "Max core file size", 18)) {
				cr_assert_not_null(strstr(line, " 0 "), "%s", line);
				found = 1;
			}
		if (p)
			fclose(p);
	}
	kill(pid, SIGTERM);
	cr_assert(found, "no limits for process %d", pid);
	free(kc);
	free(limits);
	free(cmd);
	free(state);
}

/* ---- 11: server text never reaches a terminal or the audit log raw ---------- */

/* A byte a terminal acts on (C0, DEL, C1 in UTF-8, RLO/LRO/isolates). */
static int raw_control(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; u && *u; u++)
		if (*u < 0x20 || *u == 0x7f || (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) ||
		    (*u == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) ||
		    (*u == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9))
			return 1;
	return 0;
}

#define HOSTILE                                                                                              \
	"\033[2J\033]52;c;ZWNobyBvd25lZA==\007\033]0;TITLE\007ok\rNOT OK \xe2\x80\xae"                       \
	"exe \xc2\x9b"                                                                                       \
	"31m"

Test(security, server_text_is_escaped_in_errors_warnings_and_the_audit_log)
{
	const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
	                   "\"pods \\\"\\u001b[2Jx\\\" is forbidden\\r\\u202e\\u009b\",\"reason\":"
	                   "\"Forbidden\\u001b]0;t\\u0007\",\"code\":403}";
	struct audit_entry *rows = NULL;
	struct audit_filter f = {0};
	char **warnings = NULL;
	size_t n = 0, nw = 0;
	kj_err e;

	/* a Status body from the server, as an error */
	kube_status_to_err(403, body, strlen(body), "https://x", &e);
	cr_assert_not(raw_control(e.msg), "%s", e.msg);
	cr_assert_not(raw_control(e.reason), "%s", e.reason);
	cr_assert(strstr(e.msg, "pods \"\\u001B[2Jx\" is forbidden\\u000D\\u202E\\u009B"), "%s", e.msg);

	/* Warning headers */
	cr_assert_eq(
	    kube_warning_parse("299 - \"deprecated \033]52;c;eA==\007 \xe2\x80\xae\"", &warnings, &nw), 1);
	cr_assert_not(raw_control(warnings[0]), "%s", warnings[0]);
	cr_assert(strstr(warnings[0], "deprecated \\u001B]52;c;eA==\\u0007"), "%s", warnings[0]);
	free(warnings[0]);
	free(warnings);

	/* the audit writer, whoever calls it */
	cr_assert_eq(audit_record(en, "mint", "/s", "l-1", "t" HOSTILE, 0, "failed: " HOSTILE, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(audit_list(en, &f, &rows, &n, &e), 0, "%s", e.msg);
	cr_assert_geq(n, 1);
	cr_assert_not(raw_control(rows[0].detail), "%s", rows[0].detail);
	cr_assert_not(raw_control(rows[0].target), "%s", rows[0].target);
	cr_assert(strstr(rows[0].detail, "failed: \\u001B[2J\\u001B]52;c;ZWNobyBvd25lZA==\\u0007"), "%s",
	          rows[0].detail);
	audit_list_free(rows, n);
}
