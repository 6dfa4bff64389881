/* The end-to-end encryption of access requests (engine/reqcrypt.h): a
 * known answer computed independently (Python cryptography: ECDH P-256,
 * HKDF-SHA256, AES-256-GCM), round trips, and every kind of tampering or
 * wrong key refused. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/reqcrypt.h"
#include "engine/request.h"
#include "util/b64.h"
#include "util/strbuf.h"

/* The requester's key and its certificate request (openssl req -new). */
static const char rcpt_key[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggYoH5ZPdtUsWW9i2\n"
                               "F+eBeYr9HKfyuQLQ0c4VQKF+/aWhRANCAAT66pk7Exze/1kemWdjAsxj1aMSGq08\n"
                               "O+qpttDxMRijLJLN2nGFnmXOWHb79hJ83ZVBKIlvgwWODly0hg+O4yQU\n"
                               "-----END PRIVATE KEY-----\n";
static const char rcpt_csr[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
                               "MIHNMHUCAQAwEzERMA8GA1UEAwwIa2pyLXRlc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
                               "PQMBBwNCAAT66pk7Exze/1kemWdjAsxj1aMSGq08O+qpttDxMRijLJLN2nGFnmXO\n"
                               "WHb79hJ83ZVBKIlvgwWODly0hg+O4yQUoAAwCgYIKoZIzj0EAwIDSAAwRQIgWWXv\n"
                               "oW6yCW3oin3YrSHVYuLQHc2RFfQdsteVEnJ0XWcCIQDx9+WUEQN0mxeiw8vjHFJQ\n"
                               "d+ue+6YDsPny3NPmtkn3Nw==\n"
                               "-----END CERTIFICATE REQUEST-----\n";
/* The approver's one-time key of the known answer. */
static const char eph_key[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzrqFf0+ZdCxWJCMi\n"
                              "1mqe1VI6Nn1oFQMGVWDtmcIM/pShRANCAAQR/fyybXevi4aKkoqhy6qhlPrmnmm5\n"
                              "uGQ5vM/Jvp2loIybpBqJLknQBXovhmoQ3VLPqnFwngjsSCPYtH+QqRNY\n"
                              "-----END PRIVATE KEY-----\n";
static const char known_plain[] = "{\"v\":1,\"token\":\"known-answer\"}";
static const char known_sealed[] =
    "kjreq1:BBH9/"
    "LJtd6+LhoqSiqHLqqGU+uaeabm4ZDm8z8m+naWgjJukGokuSdAFei+GahDdUs+qcXCeCOxII9i0f5CpE1gBAgMEBQYHCA"
    "kKCwwjZ63+8avfbOJkSPEq7i7HUAHXQljSgBOfI6t8P7/FstjzS99BZfsoj5F4BKsi";
static const unsigned char known_nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
#define KNOWN_NAME "kjr-test"
#define KNOWN_UID  "0b9c3f5e-1111-4222-8333-944455556666"

Test(reqcrypt, known_answer)
{
	char *aad = reqcrypt_aad(KNOWN_NAME, KNOWN_UID), *out = NULL, *plain = NULL;
	kj_err e = {0};

	cr_assert_str_eq(aad, "kubejit.io/access-request\n" KNOWN_NAME "\n" KNOWN_UID);
	cr_assert_eq(reqcrypt_seal_with(rcpt_csr, eph_key, known_nonce, aad, known_plain, &out, &e), 0, "%s",
	             e.msg);
	cr_assert_str_eq(out, known_sealed);
	cr_assert_eq(reqcrypt_open(rcpt_key, aad, known_sealed, &plain, &e), 0, "%s", e.msg);
	cr_assert_str_eq(plain, known_plain);
	free(out);
	kj_free_secret(plain);
	free(aad);
}

Test(reqcrypt, fresh_round_trip_differs_each_time)
{
	char *key = NULL, *csr = NULL, *a = NULL, *b = NULL, *plain = NULL;
	kj_err e = {0};

	cr_assert_eq(reqcrypt_keygen("kjr-x", &key, &csr, &e), 0, "%s", e.msg);
	cr_assert_eq(reqcrypt_check_csr(csr, &e), 0, "%s", e.msg);
	cr_assert_eq(reqcrypt_seal(csr, "ad", "secret token", &a, &e), 0, "%s", e.msg);
	cr_assert_eq(reqcrypt_seal(csr, "ad", "secret token", &b, &e), 0, "%s", e.msg);
	/* a fresh ephemeral key and nonce each time */
	cr_assert_str_neq(a, b);
	cr_assert_null(strstr(a, "secret token"));
	cr_assert_eq(reqcrypt_open(key, "ad", a, &plain, &e), 0, "%s", e.msg);
	cr_assert_str_eq(plain, "secret token");
	kj_free_secret(plain);
	cr_assert_eq(reqcrypt_open(key, "ad", b, &plain, &e), 0, "%s", e.msg);
	cr_assert_str_eq(plain, "secret token");
	kj_free_secret(plain);
	kj_free_secret(key);
	free(csr);
	free(a);
	free(b);
}

/* The sealed text with byte `at` of its binary form flipped. */
static char *flip(const char *sealed, size_t at)
{
	size_t n = 0, pl = strlen(REQCRYPT_PREFIX);
	unsigned char *raw = kj_b64_decode(sealed + pl, &n);
	char *b64, *out;

	cr_assert(raw && at < n);
	raw[at] ^= 0x01;
	b64 = kj_b64_encode(raw, n);
	out = kj_xasprintf(REQCRYPT_PREFIX "%s", b64);
	free(b64);
	free(raw);
	return out;
}

Test(reqcrypt, tampering_is_refused)
{
	char *aad = reqcrypt_aad(KNOWN_NAME, KNOWN_UID), *plain = NULL, *bad;
	/* the ephemeral point, the nonce, the ciphertext and the tag */
	static const size_t where[] = {1, 40, 65, 70, 77, 90, 100};
	kj_err e = {0};
	size_t i;

	for (i = 0; i < sizeof where / sizeof where[0]; i++) {
		bad = flip(known_sealed, where[i]);
		kj_err_clear(&e);
		cr_assert_eq(reqcrypt_open(rcpt_key, aad, bad, &plain, &e), -1, "byte %zu", where[i]);
		cr_assert_null(plain);
		cr_assert(e.cls == KJ_ERR_AUTH, "byte %zu: class %d", where[i], e.cls);
		free(bad);
	}
	/* cut short, not ours, empty */
	cr_assert_eq(reqcrypt_open(rcpt_key, aad, "kjreq1:AAAA", &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(reqcrypt_open(rcpt_key, aad, "kjseal2:abc", &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(reqcrypt_open(rcpt_key, aad, NULL, &plain, &e), -1);
	free(aad);
}

Test(reqcrypt, another_request_or_key_does_not_open_it)
{
	char *other_aad = reqcrypt_aad(KNOWN_NAME, "another-uid"), *plain = NULL, *key = NULL, *csr = NULL;
	char *aad2 = reqcrypt_aad("kjr-other", KNOWN_UID);
	kj_err e = {0};

	/* moved to a re-created request of the same name, or to another one */
	cr_assert_eq(reqcrypt_open(rcpt_key, other_aad, known_sealed, &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_eq(reqcrypt_open(rcpt_key, aad2, known_sealed, &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	/* any other P-256 key, the approver's one-time key included */
	cr_assert_eq(reqcrypt_keygen(NULL, &key, &csr, &e), 0);
	free(other_aad);
	other_aad = reqcrypt_aad(KNOWN_NAME, KNOWN_UID);
	cr_assert_eq(reqcrypt_open(key, other_aad, known_sealed, &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_eq(reqcrypt_open(eph_key, other_aad, known_sealed, &plain, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_null(plain);
	kj_free_secret(key);
	free(csr);
	free(other_aad);
	free(aad2);
}

Test(reqcrypt, requests_that_prove_nothing_are_refused)
{
	char *csr = kj_xstrdup(rcpt_csr), *p, *out = NULL;
	kj_err e = {0};

	/* a changed signature: the request no longer proves the key */
	p = strstr(csr, "oW6yCW3o");
	cr_assert_not_null(p);
	p[0] = 'p';
	cr_assert_eq(reqcrypt_check_csr(csr, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(reqcrypt_seal(csr, "ad", "x", &out, &e), -1);
	cr_assert_null(out);
	cr_assert_eq(reqcrypt_check_csr("not a request", &e), -1);
	free(csr);
}

Test(reqcrypt, rbac_yaml_is_minimal_and_named)
{
	struct request_rbac_opts o = {0};
	kj_err e = {0};
	char *y;

	y = request_rbac_yaml(&o, &e);
	cr_assert_not_null(y);
	cr_assert_not_null(strstr(y, "verbs: [\"create\", \"get\", \"list\", \"delete\"]"));
	cr_assert_null(strstr(y, "signers"));
	cr_assert_null(strstr(y, "update"));
	cr_assert_not_null(strstr(y, "name: \"kubejit:requesters\""));
	free(y);
	o.approver = 1;
	o.service_account = "kube-system:kubejit-jit";
	y = request_rbac_yaml(&o, &e);
	cr_assert_not_null(y);
	cr_assert_not_null(strstr(y, "resourceNames: [\"" REQUEST_SIGNER "\"]"));
	cr_assert_not_null(
	    strstr(y, "kind: ServiceAccount\n  name: \"kubejit-jit\"\n  namespace: \"kube-system\""));
	free(y);
	o.user = "alice";
	cr_assert_null(request_rbac_yaml(&o, &e));
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	o.user = NULL;
	o.service_account = "no-colon";
	cr_assert_null(request_rbac_yaml(&o, &e));
	o.service_account = NULL;
	o.name = "a/b";
	cr_assert_null(request_rbac_yaml(&o, &e));
}

Test(reqcrypt, expiry_bounds)
{
	int64_t v = 0;
	kj_err e = {0};

	cr_assert_eq(request_parse_expiry("1h", &v, &e), 0);
	cr_assert_eq(v, 3600);
	cr_assert_eq(request_parse_expiry("2s", &v, &e), 0);
	cr_assert_eq(request_parse_expiry("24h", &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(request_parse_expiry("soon", &v, &e), -1);
}
