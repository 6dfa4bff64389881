#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/b64.h"
#include "util/err.h"
#include "util/file.h"
#include "util/json.h"
#include "util/jwt.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/strv.h"
#include "util/timeutil.h"
#include "util/ttl.h"

Test(err, set_returns_minus_one_and_keeps_message_and_hint)
{
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(kj_err_set(&e, KJ_ERR_NOTFOUND, "target \"%s\" not found", "prod"), -1);
	kj_err_hint(&e, "list targets with 'kubejit target list'");
	cr_assert_str_eq(e.msg, "target \"prod\" not found");
	cr_assert_str_eq(e.hint, "list targets with 'kubejit target list'");
	cr_assert_eq(kj_err_exit_code(&e), 4);
}

Test(err, prefix_adds_context)
{
	kj_err e;

	kj_err_set(&e, KJ_ERR_NETWORK, "connection refused");
	kj_err_prefix(&e, "checking target %s", "dev");
	cr_assert_str_eq(e.msg, "checking target dev: connection refused");
	cr_assert_eq(kj_err_exit_code(&e), 1);
}

Test(err, exit_codes_follow_the_documented_table)
{
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(kj_err_exit_code(&e), 0);
	kj_err_set(&e, KJ_ERR_USAGE, "x");
	cr_assert_eq(kj_err_exit_code(&e), 2);
	kj_err_set(&e, KJ_ERR_INVALID, "x");
	cr_assert_eq(kj_err_exit_code(&e), 2);
	kj_err_set(&e, KJ_ERR_DENIED, "x");
	cr_assert_eq(kj_err_exit_code(&e), 3);
	kj_err_set(&e, KJ_ERR_AUTH, "x");
	cr_assert_eq(kj_err_exit_code(&e), 1);
	cr_assert_eq(kj_err_set(NULL, KJ_ERR_FAIL, "ignored"), -1);
}

Test(err, long_messages_are_truncated_not_overflowed)
{
	kj_err e;
	char big[4000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kj_err_set(&e, KJ_ERR_FAIL, "%s", big);
	cr_assert_eq(strlen(e.msg), KJ_ERR_MSG_MAX - 1);
}

/* A value typed or sent with control characters or 10 kB of text is shown
 * as safe text (util/safetext.h escapes), and the rest of the sentence (what
 * is wrong with it) survives. */
Test(err, hostile_values_are_escaped_and_shortened)
{
	kj_err e;
	char big[10241];

	kj_err_set(&e, KJ_ERR_INVALID, "namespace \"%s\" is not valid", "a\nb\033[2J\xff");
	cr_assert(strstr(e.msg, "\\u000A") && strstr(e.msg, "\\u001B[2J") && strstr(e.msg, "\\xFF"), "%s",
	          e.msg);
	cr_assert(strstr(e.msg, "\" is not valid"), "%s", e.msg);
	kj_err_set(&e, KJ_ERR_INVALID, "path \"%s\" ok", "/d\xc3\xa9v/\xe2\x9c\x93");
	cr_assert_str_eq(e.msg, "path \"/d\xc3\xa9v/\xe2\x9c\x93\" ok", "valid UTF-8 is kept: %s", e.msg);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[sizeof(big) - 2] = 'z';
	kj_err_set(&e, KJ_ERR_INVALID, "name \"%s\" is not a DNS label", big);
	cr_assert(strstr(e.msg, "\xe2\x80\xa6"), "shortened with an ellipsis: %s", e.msg);
	cr_assert(strstr(e.msg, "az\" (10240 bytes) is not a DNS label"), "%s", e.msg);
	cr_assert_lt(strlen(e.msg), 200);
	kj_err_set(&e, KJ_ERR_INVALID, "x");
	kj_err_hint(&e, "a hint \"%s\"", big);
	cr_assert(strstr(e.hint, "(10240 bytes)"), "%s", e.hint);
}

Test(ttl, parses_units_and_combinations)
{
	int64_t v;
	kj_err e;

	cr_assert_eq(kj_ttl_parse("90s", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 90);
	cr_assert_eq(kj_ttl_parse("15m", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 900);
	cr_assert_eq(kj_ttl_parse("2h", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 7200);
	cr_assert_eq(kj_ttl_parse("1d", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 86400);
	cr_assert_eq(kj_ttl_parse("1h30m", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 5400);
	cr_assert_eq(kj_ttl_parse("600", "--ttl", &v, &e), 0);
	cr_assert_eq(v, 600);
}

Test(ttl, refuses_bad_input_with_field_and_value)
{
	int64_t v;
	kj_err e;

	cr_assert_eq(kj_ttl_parse("15x", "--ttl", &v, &e), -1);
	cr_assert_str_eq(e.msg, "--ttl: \"15x\" is not a duration");
	cr_assert(strstr(e.hint, "15m") != NULL);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(kj_ttl_parse("", "--ttl", &v, &e), -1);
	cr_assert_eq(kj_ttl_parse("0s", "--ttl", &v, &e), -1);
	cr_assert(strstr(e.msg, "longer than zero") != NULL);
	cr_assert_eq(kj_ttl_parse("-5m", "--ttl", &v, &e), -1);
	cr_assert_eq(kj_ttl_parse("m", "--ttl", &v, &e), -1);
	cr_assert_eq(kj_ttl_parse("5m3", "--ttl", &v, &e), -1);
	cr_assert_eq(kj_ttl_parse("99999999999999999999s", "--ttl", &v, &e), -1);
	cr_assert(strstr(e.msg, "too large") != NULL);
}

Test(ttl, formats_compactly)
{
	char b[32];

	kj_ttl_format(90, b, sizeof(b));
	cr_assert_str_eq(b, "1m30s");
	kj_ttl_format(3600, b, sizeof(b));
	cr_assert_str_eq(b, "1h");
	kj_ttl_format(86400 + 7200, b, sizeof(b));
	cr_assert_str_eq(b, "1d2h");
	kj_ttl_format(0, b, sizeof(b));
	cr_assert_str_eq(b, "0s");
	kj_ttl_format(-61, b, sizeof(b));
	cr_assert_str_eq(b, "-1m1s");
}

Test(ttl, human_duration_matches_kubectl_age)
{
	char b[32];

	kj_ttl_human(45, b, sizeof(b));
	cr_assert_str_eq(b, "45s");
	kj_ttl_human(330, b, sizeof(b));
	cr_assert_str_eq(b, "5m30s");
	kj_ttl_human(3600, b, sizeof(b));
	cr_assert_str_eq(b, "60m");
	kj_ttl_human(5 * 3600 + 120, b, sizeof(b));
	cr_assert_str_eq(b, "5h2m");
	kj_ttl_human(30 * 3600, b, sizeof(b));
	cr_assert_str_eq(b, "30h");
	kj_ttl_human(3 * 86400 + 3600, b, sizeof(b));
	cr_assert_str_eq(b, "3d1h");
	kj_ttl_human(-5, b, sizeof(b));
	cr_assert_str_eq(b, "<invalid>");
}

Test(timeutil, rfc3339_round_trip)
{
	char b[32];
	int64_t t;

	kj_time_rfc3339(1735787045, b, sizeof(b));
	cr_assert_str_eq(b, "2025-01-02T03:04:05Z");
	cr_assert_eq(kj_time_parse_rfc3339(b, &t), 0);
	cr_assert_eq(t, 1735787045);
	cr_assert_eq(kj_time_parse_rfc3339("2025-01-02T04:04:05.123+01:00", &t), 0);
	cr_assert_eq(t, 1735787045);
	cr_assert_eq(kj_time_parse_rfc3339("2025-13-02T03:04:05Z", &t), -1);
	cr_assert_eq(kj_time_parse_rfc3339("2025-01-02 03:04", &t), -1);
	cr_assert_eq(kj_time_parse_rfc3339("2025-01-02T03:04:05", &t), -1);
}

Test(timeutil, offset_shifts_now)
{
	int64_t a = kj_now();

	kj_time_set_offset(3600);
	cr_assert_geq(kj_now() - a, 3600);
	cr_assert_leq(kj_now() - a, 3602);
	kj_time_set_offset(0);
}

Test(b64, round_trips_all_lengths)
{
	unsigned char in[64];
	size_t i, n;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		char *s = kj_b64_encode(in, n);
		char *u = kj_b64url_encode(in, n);
		size_t l1, l2;
		unsigned char *d1 = kj_b64_decode(s, &l1);
		unsigned char *d2 = kj_b64url_decode(u, &l2);
		cr_assert_not_null(d1);
		cr_assert_not_null(d2);
		cr_assert_eq(l1, n);
		cr_assert_eq(l2, n);
		cr_assert_arr_eq(d1, in, n);
		cr_assert_arr_eq(d2, in, n);
		cr_assert_null(strchr(u, '='));
		free(s);
		free(u);
		free(d1);
		free(d2);
	}
}

Test(b64, known_vectors_and_garbage)
{
	char *s = kj_b64_encode("foobar", 6);
	size_t n;
	unsigned char *d;

	cr_assert_str_eq(s, "Zm9vYmFy");
	free(s);
	s = kj_b64_encode("fo", 2);
	cr_assert_str_eq(s, "Zm8=");
	free(s);
	d = kj_b64_decode("Zm9v\nYmFy", &n);
	cr_assert_str_eq((char *)d, "foobar");
	free(d);
	cr_assert_null(kj_b64_decode("Zm9v!", &n));
	cr_assert_null(kj_b64_decode("Zm=9v", &n));
}

Test(names, dns1123)
{
	cr_assert(kj_is_dns1123_label("kubejit-read-pods-x7k2p"));
	cr_assert_not(kj_is_dns1123_label("Bad_Name"));
	cr_assert_not(kj_is_dns1123_label("-a"));
	cr_assert_not(kj_is_dns1123_label("a.b"));
	cr_assert_not(kj_is_dns1123_label(""));
	cr_assert(kj_is_dns1123_subdomain("a.b-c.d"));
	cr_assert_not(kj_is_dns1123_subdomain("a..b"));
	cr_assert_not(kj_is_dns1123_subdomain("a."));
	char long64[65];
	memset(long64, 'a', 64);
	long64[64] = '\0';
	cr_assert_not(kj_is_dns1123_label(long64));
}

Test(names, slug_random_uuid_glob)
{
	char b[64];
	char u[37];
	char r[6];
	char r2[6];

	kj_slug("/prod/Read Pods", 63, b, sizeof(b));
	cr_assert_str_eq(b, "prod-read-pods");
	kj_slug("///", 63, b, sizeof(b));
	cr_assert_str_eq(b, "x");
	kj_slug("abcdefghij", 4, b, sizeof(b));
	cr_assert_str_eq(b, "abcd");
	kj_random_suffix(r, 5);
	kj_random_suffix(r2, 5);
	cr_assert_eq(strlen(r), 5);
	cr_assert(kj_is_dns1123_label(r));
	cr_assert_str_neq(r, r2);
	kj_uuid4(u);
	cr_assert_eq(strlen(u), 36);
	cr_assert_eq(u[14], '4');
	cr_assert(kj_glob_match("team-*", "team-a"));
	cr_assert(kj_glob_match("*", "anything"));
	cr_assert_not(kj_glob_match("team-*", "prod"));
	cr_assert(kj_glob_match("d?v", "dev"));
}

Test(strbuf, grows_and_steals)
{
	kj_buf b;
	char *s;
	int i;

	kj_buf_init(&b);
	for (i = 0; i < 1000; i++)
		kj_buf_printf(&b, "%d,", i);
	cr_assert_eq(b.len, strlen(b.data));
	cr_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	s = kj_buf_steal(&b);
	cr_assert_null(b.data);
	free(s);
	s = kj_buf_steal(&b);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(jwt, decodes_claims_and_fingerprints)
{
	/* {"alg":"RS256","kid":"k"} . {"sub":"system:serviceaccount:dev:ci","aud":["x"]} . sig */
	char *h = kj_b64url_encode("{\"alg\":\"RS256\",\"kid\":\"k\"}", 25);
	const char *cl = "{\"sub\":\"system:serviceaccount:dev:ci\",\"aud\":[\"x\"]}";
	char *c = kj_b64url_encode(cl, strlen(cl));
	char *tok = kj_xasprintf("%s.%s.c2ln", h, c);
	cJSON *hdr, *claims;
	kj_err e;
	char fp[65];

	cr_assert_eq(kj_jwt_decode(tok, &hdr, &claims, &e), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(hdr, "kid")->valuestring, "k");
	cr_assert_str_eq(cJSON_GetObjectItem(claims, "sub")->valuestring, "system:serviceaccount:dev:ci");
	cJSON_Delete(hdr);
	cJSON_Delete(claims);
	cr_assert_eq(kj_jwt_decode("not-a-jwt", NULL, NULL, &e), -1);
	cr_assert_eq(kj_jwt_decode("a.b.c", NULL, NULL, &e), -1);
	kj_token_fingerprint("abc", fp);
	cr_assert_str_eq(fp, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(h);
	free(c);
	free(tok);
}

Test(json, getters_and_adders)
{
	cJSON *o = cJSON_Parse("{\"a\":\"x\",\"n\":1,\"metadata\":{\"name\":\"web\"}}");
	char *s;

	cr_assert_str_eq(kj_json_str(o, "a"), "x");
	cr_assert_null(kj_json_str(o, "n"));
	cr_assert_null(kj_json_str(NULL, "a"));
	cr_assert_str_eq(kj_json_str0(o, "missing"), "");
	cr_assert_str_eq(kj_json_meta0(o, "name"), "web");
	cr_assert_str_eq(kj_json_meta0(o, "namespace"), "");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"verbs\":[\"get\",\"list\"],\"s\":\"x\"}");
	cr_assert_eq(kj_json_array_len(o, "verbs"), 2);
	cr_assert_eq(kj_json_array_len(o, "s"), 0);
	cr_assert_null(kj_json_array(o, "missing"));
	cr_assert(kj_json_array_has(kj_json_array(o, "verbs"), "list"));
	cr_assert_not(kj_json_array_has(kj_json_array(o, "verbs"), "watch"));
	cr_assert_not(kj_json_array_has(NULL, "get"));
	cJSON_Delete(o);
	o = cJSON_CreateObject();
	kj_json_add_time(o, "t", 1735787045);
	kj_json_add_time(o, "never", 0);
	kj_json_add_str_or_null(o, "s", "v");
	kj_json_add_str_or_null(o, "z", NULL);
	s = cJSON_PrintUnformatted(o);
	cr_assert_str_eq(s, "{\"t\":\"2025-01-02T03:04:05Z\",\"never\":null,\"s\":\"v\",\"z\":null}");
	free(s);
	cJSON_Delete(o);
}

Test(json, numbers_from_outside_are_clamped_not_cast)
{
	cJSON *j =
	    cJSON_Parse("{\"exp\":1e300,\"neg\":-1e300,\"ok\":1764836400.9,\"s\":\"7\",\"code\":4.9e26}");

	cr_assert_not_null(j);
	cr_expect_eq(kj_json_int(j, "exp", 0, KJ_TIME_MAX, -1), KJ_TIME_MAX);
	cr_expect_eq(kj_json_int(j, "neg", 0, KJ_TIME_MAX, -1), 0);
	cr_expect_eq(kj_json_int(j, "ok", 0, KJ_TIME_MAX, -1), 1764836400);
	cr_expect_eq(kj_json_int(j, "s", 0, 10, -1), -1, "a string is not a number");
	cr_expect_eq(kj_json_int(j, "missing", 0, 10, 5), 5);
	cr_expect_eq(kj_json_int(j, "code", 0, 999, 0), 999);
	cr_expect_eq(kj_clamp_double(-0.5, -3, 3), 0);
	cr_expect_eq(kj_clamp_double(1.0 / 0.0, -3, 3), 3);
	cJSON_Delete(j);
}

Test(strv, null_terminated_list_push_format_and_free)
{
	char **v = NULL;

	cr_assert_eq(kj_nullv_len(v), 0);
	cr_assert_not(kj_nullv_contains(v, "x"));
	kj_nullv_push(&v, "default");
	kj_nullv_pushf(&v, "%s-%d", "team", 7);
	cr_assert_eq(kj_nullv_len(v), 2);
	cr_assert_str_eq(v[0], "default");
	cr_assert_str_eq(v[1], "team-7");
	cr_assert_null(v[2]);
	cr_assert(kj_nullv_contains(v, "team-7"));
	cr_assert_not(kj_nullv_contains(v, "team"));
	kj_nullv_free(v);
	kj_nullv_free(NULL);
}

Test(file, write_private_never_clobbers_and_replaces_atomically)
{
	char dir[] = "/tmp/kj-file-XXXXXX";
	struct stat st;
	char *path, *back = NULL;
	size_t len = 0;
	kj_err e;

	cr_assert_not_null(mkdtemp(dir));
	path = kj_xasprintf("%s/out", dir);
	cr_assert_eq(kj_file_write_private(path, "one\n", 4, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(kj_file_write_private(path, "two\n", 4, 0, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.msg, path), "%s", e.msg);
	cr_assert(strstr(e.hint, "--force"), "%s", e.hint);
	cr_assert_eq(kj_file_read(path, 0, &back, &len, &e), 0, "%s", e.msg);
	cr_assert_str_eq(back, "one\n", "a refused write left the file alone");
	free(back);
	cr_assert_eq(kj_file_write_private(path, "two\n", 4, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(kj_file_read(path, 0, &back, &len, &e), 0, "%s", e.msg);
	cr_assert_str_eq(back, "two\n");
	cr_assert_eq(len, 4);
	free(back);
	unlink(path);
	cr_assert_eq(rmdir(dir), 0, "no temporary file was left in %s", dir);
	free(path);
}

Test(file, read_names_the_path_and_refuses_oversized_files)
{
	char dir[] = "/tmp/kj-file-XXXXXX";
	char *path, *out = (char *)"untouched";
	kj_err e;

	cr_assert_not_null(mkdtemp(dir));
	path = kj_xasprintf("%s/missing", dir);
	cr_assert_eq(kj_file_read(path, 0, &out, NULL, &e), -1);
	cr_assert_null(out);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, path), "%s", e.msg);
	cr_assert(e.hint[0]);
	cr_assert_eq(kj_file_write_private(path, "0123456789", 10, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(kj_file_read(path, 9, &out, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "larger than 9 bytes"), "%s", e.msg);
	cr_assert_eq(kj_file_read(path, 10, &out, NULL, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out, "0123456789");
	free(out);
	unlink(path);
	rmdir(dir);
	free(path);
}

Test(file, read_head_cuts_and_read_line_takes_the_first_line)
{
	char dir[] = "/tmp/kj-file-XXXXXX";
	char *path, *out;
	size_t len = 0;
	kj_err e;

	cr_assert_not_null(mkdtemp(dir));
	path = kj_xasprintf("%s/pass", dir);
	cr_assert_eq(kj_file_read_line(path, 0, &out, &e), -1);
	cr_assert_eq(errno, ENOENT, "errno tells a missing file from others");
	cr_assert_null(out);
	cr_assert_eq(kj_file_write_private(path, "s3cret word\r\nsecond line\n", 25, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(kj_file_read_line(path, 0, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out, "s3cret word", "the line ending is not part of the passphrase");
	free(out);
	cr_assert_eq(kj_file_read_line(path, 4, &out, &e), 0, "%s", e.msg);
	cr_assert_str_eq(out, "s3cr", "only the first max bytes are read");
	free(out);
	cr_assert_eq(kj_file_read(path, 10, &out, NULL, &e), -1);
	cr_assert_eq(errno, EFBIG);
	cr_assert_eq(kj_file_read_head(path, 10, &out, &len, &e), 0, "%s", e.msg);
	cr_assert_eq(len, 10);
	cr_assert_str_eq(out, "s3cret wor", "a long file is cut, not refused");
	free(out);
	unlink(path);
	rmdir(dir);
	free(path);
}

Test(json, strings_builds_an_array_in_order)
{
	const char *v[] = {"https://kubernetes.default.svc", "vault"};
	cJSON *a = kj_json_strings(v, 2), *none = kj_json_strings(NULL, 0);
	char *text = cJSON_PrintUnformatted(a);

	cr_assert_str_eq(text, "[\"https://kubernetes.default.svc\",\"vault\"]");
	cr_assert(cJSON_IsArray(none));
	cr_assert_eq(cJSON_GetArraySize(none), 0);
	free(text);
	cJSON_Delete(a);
	cJSON_Delete(none);
}

static int count_entries(const char *key, void *val, void *ctx)
{
	(void)key;
	(void)val;
	(*(size_t *)ctx)++;
	return 0;
}

/* Keys are copied, found after the table grew, gone once deleted; a
 * deleted key's neighbours in its bucket stay. */
Test(strmap, put_get_delete_across_growth)
{
	struct kj_strmap m = KJ_STRMAP_INIT;
	char key[32];
	size_t seen = 0;

	cr_assert_null(kj_strmap_get(&m, "x"));
	cr_assert_null(kj_strmap_del(&m, "x"));
	for (uintptr_t i = 1; i <= 5000; i++) {
		snprintf(key, sizeof key, "k%lu", (unsigned long)i);
		*kj_strmap_slot(&m, key) = (void *)i;
	}
	cr_assert_eq(m.n, 5000);
	cr_assert_geq(m.nb, 5000, "the table grows with its entries");
	*kj_strmap_slot(&m, "k7") = (void *)(uintptr_t)70000; /* a second put replaces */
	cr_assert_eq(m.n, 5000);
	for (uintptr_t i = 1; i <= 5000; i++) {
		snprintf(key, sizeof key, "k%lu", (unsigned long)i);
		cr_assert_eq((uintptr_t)kj_strmap_get(&m, key), i == 7 ? 70000 : i, "%s", key);
	}
	for (uintptr_t i = 1; i <= 5000; i += 2) {
		snprintf(key, sizeof key, "k%lu", (unsigned long)i);
		cr_assert_eq((uintptr_t)kj_strmap_del(&m, key), i == 7 ? 70000 : i);
	}
	cr_assert_eq(m.n, 2500);
	for (uintptr_t i = 1; i <= 5000; i++) {
		snprintf(key, sizeof key, "k%lu", (unsigned long)i);
		if (i % 2)
			cr_assert_null(kj_strmap_get(&m, key), "%s was deleted", key);
		else
			cr_assert_eq((uintptr_t)kj_strmap_get(&m, key), i);
	}
	kj_strmap_foreach(&m, count_entries, &seen);
	cr_assert_eq(seen, 2500);
	kj_strmap_done(&m, NULL);
	cr_assert_eq(m.n, 0);
	cr_assert_null(kj_strmap_get(&m, "k2"));
}
