#include "ui/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "util/safetext.h"
#include "util/ttl.h"

/* width and length of the character at s (len bytes available) */
static int char_at(const char *s, size_t len, size_t *clen)
{
	mbstate_t st;
	wchar_t wc;
	size_t r;
	int w;

	/* ASCII, most of what is drawn, without the locale's decoder (the
	 * same answer: one column a byte, control bytes counted as one) */
	if (!(*s & 0x80)) {
		*clen = 1;
		return 1;
	}
	memset(&st, 0, sizeof(st));
	r = mbrtowc(&wc, s, len, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
		*clen = 1;
		return 1;
	}
	*clen = r;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int ui_text_width(const char *s)
{
	size_t len = strlen(s), i = 0, cl;
	int w = 0;

	while (i < len) {
		w += char_at(s + i, len - i, &cl);
		i += cl;
	}
	return w;
}

/* How many bytes of s fit in cols columns, and their width in *width. */
static size_t fit_width(const char *s, int cols, int *width)
{
	size_t len = strlen(s), i = 0, cl;
	int w = 0, cw;

	while (i < len) {
		cw = char_at(s + i, len - i, &cl);
		if (w + cw > cols)
			break;
		w += cw;
		i += cl;
	}
	*width = w;
	return i;
}

size_t ui_text_fit(const char *s, int cols)
{
	int w;

	return fit_width(s, cols, &w);
}

int ui_put(WINDOW *w, int y, int x, int cols, const char *s, chtype attr, int pad)
{
	size_t n, k;
	int used;
	char tmp[1024], safe[1024];
	chtype cells[1024];

	if (cols <= 0)
		return 0;
	if (!s)
		s = "";
	/* every string the interface draws passes here: text from the
	 * cluster (names, messages) could move the cursor, retitle the
	 * window or write the clipboard (util/safetext.h) */
	if (!kj_safe_is_clean(s, strlen(s), 0)) {
		kj_safe_copy(safe, sizeof(safe), s, 0);
		s = safe;
	}
	n = fit_width(s, cols, &used);
	if (n >= sizeof(tmp)) {
		n = sizeof(tmp) - 1;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		used = ui_text_width(tmp);
	}
	memcpy(tmp, s, n);
	/* the padding goes out with the text: one call, not one per blank */
	if (pad && used < cols) {
		size_t blanks = (size_t)(cols - used);

		if (blanks > sizeof(tmp) - 1 - n)
			blanks = sizeof(tmp) - 1 - n;
		memset(tmp + n, ' ', blanks);
		n += blanks;
	}
	tmp[n] = '\0';
	/* printable ASCII, most of what is drawn, goes into the window as
	 * characters with their attribute: waddstr() would decode each byte as
	 * a multibyte sequence first, the largest cost of a redraw */
	for (k = 0; k < n && tmp[k] >= 0x20 && tmp[k] < 0x7f; k++)
		cells[k] = (chtype)(unsigned char)tmp[k] | attr;
	if (k == n) {
		mvwaddchnstr(w, y, x, cells, (int)n);
	} else {
		wattrset(w, attr);
		mvwaddstr(w, y, x, tmp);
		wattrset(w, A_NORMAL);
	}
	return pad && used < cols ? cols : used;
}

int ui_put_ellipsis(WINDOW *w, int y, int x, int cols, const char *s, chtype attr, int pad)
{
	char tmp[1024], safe[1024];
	size_t n;

	if (!s)
		s = "";
	if (!kj_safe_is_clean(s, strlen(s), 0)) { /* measure what ui_put() will draw */
		kj_safe_copy(safe, sizeof(safe), s, 0);
		s = safe;
	}
	if (cols <= 1 || ui_text_width(s) <= cols)
		return ui_put(w, y, x, cols, s, attr, pad);
	n = ui_text_fit(s, cols - 1);
	if (n > sizeof(tmp) - 8)
		n = sizeof(tmp) - 8;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	strcat(tmp, "~");
	return ui_put(w, y, x, cols, tmp, attr, pad);
}

/* The next line of `s` in `cols` columns: its byte length, and where the
 * line after it starts (past the break's spaces or newline). */
size_t ui_text_wrap_next(const char *s, int cols, size_t *next)
{
	size_t seg = strcspn(s, "\n"), fit, cut, k;
	char tmp[2048];

	if (seg >= sizeof(tmp))
		seg = sizeof(tmp) - 1;
	memcpy(tmp, s, seg);
	tmp[seg] = '\0';
	fit = ui_text_fit(tmp, cols < 1 ? 1 : cols);
	cut = fit;
	if (fit < seg) {
		for (k = fit; k > 0 && tmp[k] != ' '; k--)
			;
		if (k > 0)
			cut = k;
		else if (cut == 0)
			cut = ui_text_next(tmp, seg, 0);
	}
	*next = cut;
	while (s[*next] == ' ')
		(*next)++;
	if (*next >= seg && s[seg] == '\n')
		*next = seg + 1;
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return cut;
}

int ui_put_wrap(WINDOW *w, int y, int x, int cols, int indent, int maxlines, int maxy, const char *s,
                chtype attr)
{
	int n = 0;

	if (!s)
		return 0;
	while (*s && n < maxlines && y + n < maxy) {
		int lx = n ? x + indent : x, lc = n ? cols - indent : cols;
		size_t next, len = ui_text_wrap_next(s, lc, &next);
		char line[2048];

		snprintf(line, sizeof(line), "%.*s", (int)len, s);
		s += next;
		if (*s && (n + 1 == maxlines || y + n + 1 >= maxy)) {
			/* the last line we may draw, and more to say */
			size_t room = ui_text_fit(line, lc - 1);
			snprintf(line + room, sizeof(line) - room, "~");
		}
		ui_put(w, y + n, lx, lc, line, attr, 0);
		n++;
	}
	return n;
}

int ui_wrap_lines(const char *s, int cols, int indent)
{
	int n = 0;
	size_t next;

	while (s && *s) {
		ui_text_wrap_next(s, n ? cols - indent : cols, &next);
		s += next;
		n++;
	}
	return n;
}

const char *ui_padded(const char *s, int cols)
{
	static char ring[16][256];
	static unsigned next;
	char *out = ring[next++ % 16];
	int w;

	snprintf(out, sizeof(ring[0]), "%s", s ? s : "");
	for (w = ui_text_width(out); w < cols && strlen(out) + 1 < sizeof(ring[0]); w++)
		strcat(out, " ");
	return out;
}

int ui_text_contains(const char *hay, const char *needle)
{
	size_t hn, nn, i, j;

	if (!needle || !*needle)
		return 1;
	if (!hay)
		return 0;
	hn = strlen(hay);
	nn = strlen(needle);
	for (i = 0; i + nn <= hn; i++) {
		for (j = 0; j < nn; j++)
			if (tolower((unsigned char)hay[i + j]) != tolower((unsigned char)needle[j]))
				break;
		if (j == nn)
			return 1;
	}
	return 0;
}

size_t ui_text_prev(const char *s, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)s[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

size_t ui_text_next(const char *s, size_t len, size_t pos)
{
	if (pos >= len)
		return len;
	pos++;
	while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

int ui_text_wrap(const char *s, int cols, void (*line)(void *ctx, const char *p, size_t n), void *ctx)
{
	int count = 0;

	if (cols < 1)
		cols = 1;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t seg = nl ? (size_t)(nl - s) : strlen(s);
		char tmp[2048];

		if (seg >= sizeof(tmp))
			seg = sizeof(tmp) - 1;
		memcpy(tmp, s, seg);
		tmp[seg] = '\0';
		if (seg == 0) {
			line(ctx, s, 0);
			count++;
		}
		{
			size_t off = 0;
			while (off < seg) {
				size_t fit = ui_text_fit(tmp + off, cols);
				size_t cut = fit;

				if (off + fit < seg) {
					/* break at the last space that fits */
					size_t k = fit;
					while (k > 0 && tmp[off + k] != ' ')
						k--;
					if (k > 0)
						cut = k;
				}
				if (cut == 0)
					cut = 1;
				line(ctx, s + off, cut);
				count++;
				off += cut;
				while (off < seg && tmp[off] == ' ')
					off++;
			}
		}
		s += seg;
		if (*s == '\n')
			s++;
		else if (nl)
			s = nl + 1;
	}
	return count;
}

void ui_fmt_left(int64_t t, int64_t now, const char *expired_text, char *buf, size_t n)
{
	if (t <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	if (t <= now) {
		snprintf(buf, n, "%s", expired_text);
		return;
	}
	kj_ttl_format(t - now, buf, n);
}

void ui_fmt_age(int64_t t, int64_t now, char *buf, size_t n)
{
	if (t <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	kj_ttl_human(now > t ? now - t : 0, buf, n);
}

void ui_fmt_time(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, n, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}
