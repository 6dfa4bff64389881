/* safetext: text that came from outside, made safe to show or store.
 *
 * Text kubejit did not write and the user did not type — API server
 * responses (Status messages, Warning headers, object names, annotations,
 * CSR conditions), exec-plugin output, kubeconfig and other files — may
 * carry terminal control sequences: ESC [2J clears the screen, OSC 52
 * writes the clipboard, OSC 0 sets the window title, CR overwrites what
 * was printed, and bidirectional overrides make text read differently
 * from what it is.  The boundaries where such text is shown or stored
 * pass it through here: error construction (util/err.c), the audit
 * writer, the terminal interface's drawing (ui/text.c) and the command
 * line's standard output and error (src/cli/cli.c).
 *
 * Escaped (not dropped, so the reader sees that something was there):
 *   - C0 controls U+0000..U+001F (keep \n and \t with KJ_SAFE_LINES) and DEL;
 *   - C1 controls U+0080..U+009F (8-bit CSI, OSC, ST ...);
 *   - bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E,
 *     U+2066..U+2069, and the separators U+2028, U+2029;
 *   - bytes that are not well-formed UTF-8 (a lone 0x9B is CSI to an
 *     8-bit terminal).
 * A code point becomes \u00XX or \uXXXX (also a valid escape inside a JSON
 * string, so JSON output stays JSON); a byte that is not UTF-8 becomes \xXX.
 * Anything else passes byte for byte; the backslash itself is not escaped
 * (as kubectl's own terminal escaping does).
 *
 * Pure functions, thread-safe. */
#ifndef KJ_UTIL_SAFETEXT_H
#define KJ_UTIL_SAFETEXT_H

#include <stddef.h>

#include "util/strbuf.h"

enum {
	KJ_SAFE_LINES = 1 /* keep \n and \t (multi-line output); else one line */
};

/* One character (or byte that is not UTF-8) at s: the bytes it takes, and
 * in esc its escape, or "" when it passes unchanged.  With `final` 0, 0
 * when a UTF-8 sequence is cut by the end of s.  For safetext_buf.c. */
size_t kj_safe_step(const char *s, size_t len, int final, char esc[8], int flags);

/* Length of the prefix of s[0..len) that passes unchanged. */
size_t kj_safe_prefix(const char *s, size_t len, int flags);

/* 1 when s[0..len) passes unchanged. */
int kj_safe_is_clean(const char *s, size_t len, int flags);

/* Append the safe form of s[0..len) to `out`.  With `final` 0, an
 * incomplete UTF-8 sequence at the end (at most 3 bytes) is left for the
 * next call (streams cut anywhere); returns the bytes consumed. */
size_t kj_safe_append(kj_buf *out, const char *s, size_t len, int flags, int final);

/* The safe form of `s` (malloc'd; "" for NULL). */
char *kj_safe_dup(const char *s, int flags);

/* The safe form of `s` into dst[size], cut at a character (or escape)
 * boundary when it does not fit; always NUL-terminated when size > 0.
 * `dst` and `s` may be the same buffer only through a copy: they must not
 * overlap.  Returns strlen(dst). */
size_t kj_safe_copy(char *dst, size_t size, const char *s, int flags);

#endif
