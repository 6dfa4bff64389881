/* Security defects, each reproduced as an attacker would try it: a target's
 * credentials go only to its own cluster, sealed data is authenticated,
 * hostile files are refused.  Against the in-process demo cluster and the
 * built binary (KUBEJIT_BIN). */
#include "config.h"
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "target_fixture.h"
#include "util/strbuf.h"

TestSuite(security, .init = tf_setup, .fini = tf_teardown, .timeout = 60);

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	return kj_xasprintf("%s/tests/data/%s", top ? top : ".", name);
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
