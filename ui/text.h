/* text: drawing strings by display columns (UTF-8 aware) and small string
 * helpers shared by the widgets.  Pure functions or plain curses calls on
 * the window given; main thread only. */
#ifndef KJ_UI_TEXT_H
#define KJ_UI_TEXT_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

/* Display width of a UTF-8 string (invalid bytes count as one column). */
int ui_text_width(const char *s);
/* Byte length of the longest prefix of `s` that fits in `cols` columns. */
size_t ui_text_fit(const char *s, int cols);
/* Draw `s` at (y, x) clipped to `cols` columns; with `pad`, fill the rest of
 * the columns with spaces.  Returns the columns drawn. */
int ui_put(WINDOW *w, int y, int x, int cols, const char *s, chtype attr, int pad);
/* Same, but a string that does not fit ends with an ellipsis. */
int ui_put_ellipsis(WINDOW *w, int y, int x, int cols, const char *s, chtype attr, int pad);
/* Word-wrap `s` from (y, x) in `cols` columns, lines after the first
 * indented by `indent`, at most `maxlines` lines and none at or past row
 * `maxy`; when text is left over, the last line ends with an ellipsis.
 * Returns the lines drawn. */
int ui_put_wrap(WINDOW *w, int y, int x, int cols, int indent, int maxlines, int maxy, const char *s,
                chtype attr);
/* One wrapped line of `s` in `cols` columns: returns its byte length and
 * sets `next` to where the following line starts (past spaces or a newline). */
size_t ui_text_wrap_next(const char *s, int cols, size_t *next);
/* Lines ui_put_wrap() would draw without limits. */
int ui_wrap_lines(const char *s, int cols, int indent);
/* `s` padded with spaces to `cols` display columns (%-Ns counts bytes,
 * which misaligns translated labels such as "Löschschutz").  The result
 * lives in one of a few static buffers: use it at once, main thread only. */
const char *ui_padded(const char *s, int cols);
/* Case-insensitive substring test (ASCII folding), for `/` filters. */
int ui_text_contains(const char *hay, const char *needle);
/* Byte offset of the previous / next UTF-8 character boundary. */
size_t ui_text_prev(const char *s, size_t pos);
size_t ui_text_next(const char *s, size_t len, size_t pos);
/* Word-wrap `s` into lines of at most `cols` columns; calls `line` for each
 * line (not NUL-terminated: pointer + length).  Returns the line count. */
int ui_text_wrap(const char *s, int cols, void (*line)(void *ctx, const char *p, size_t n), void *ctx);

/* "1m59s" until `t` (from `now`), or `expired_text` once passed. */
void ui_fmt_left(int64_t t, int64_t now, const char *expired_text, char *buf, size_t n);
/* "5m ago"-style age. */
void ui_fmt_age(int64_t t, int64_t now, char *buf, size_t n);
/* "2026-11-28 17:31:02" in UTC; "" for 0. */
void ui_fmt_time(int64_t t, char *buf, size_t n);

#endif
