#include "ui/theme.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

#include "ui/text.h"
#include "util/safetext.h"
#include "util/strbuf.h"

static int use_color;
static int use_utf8;
static chtype attrs[R_ROLE_COUNT];

static const char *const glyph_utf8[G_GLYPH_COUNT] = {
    "\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u251c", "\u2514",
    "\u25b2", "\u25bc", "\u2022", "\u2713", "\u2717", "\u2588", "\u2591", "\u2026",
};
static const char *const glyph_ascii[G_GLYPH_COUNT] = {
    "-", "|", "+", "+", "+", "+", "|", "`", "^", "v", "*", "+", "x", "#", ".", "~",
};

void ui_theme_init(int mono, int ascii)
{
	const char *nc = getenv("NO_COLOR");
	const char *cs = nl_langinfo(CODESET);
	int i;

	use_utf8 = !ascii && cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	/* https://no-color.org: any non-empty value switches colour off */
	use_color = !mono && !(nc && *nc) && has_colors();
	for (i = 0; i < R_ROLE_COUNT; i++)
		attrs[i] = A_NORMAL;
	attrs[R_TITLE] = A_REVERSE | A_BOLD;
	attrs[R_STATUS] = A_REVERSE;
	attrs[R_KEY] = A_REVERSE | A_BOLD;
	attrs[R_SELECTED] = A_REVERSE;
	attrs[R_HEADER] = A_BOLD | A_UNDERLINE;
	attrs[R_WARN] = A_BOLD;
	attrs[R_DANGER] = A_BOLD | A_UNDERLINE;
	attrs[R_DIM] = A_DIM;
	attrs[R_ERROR] = A_BOLD;
	attrs[R_FIELD] = A_UNDERLINE;
	attrs[R_FOCUS] = A_REVERSE;
	attrs[R_YAML_KEY] = A_BOLD;
	attrs[R_YAML_COMMENT] = A_DIM;
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_GREEN, -1);
	init_pair(3, COLOR_YELLOW, -1);
	init_pair(4, COLOR_RED, -1);
	init_pair(5, COLOR_CYAN, -1);
	init_pair(6, COLOR_BLACK, COLOR_CYAN);
	init_pair(7, COLOR_YELLOW, COLOR_BLUE);
	init_pair(8, COLOR_MAGENTA, -1);
	attrs[R_TITLE] = COLOR_PAIR(1) | A_BOLD;
	attrs[R_STATUS] = COLOR_PAIR(1);
	attrs[R_KEY] = COLOR_PAIR(7) | A_BOLD;
	attrs[R_SELECTED] = COLOR_PAIR(6);
	attrs[R_HEADER] = COLOR_PAIR(5) | A_BOLD;
	attrs[R_GOOD] = COLOR_PAIR(2);
	attrs[R_WARN] = COLOR_PAIR(3) | A_BOLD;
	attrs[R_DANGER] = COLOR_PAIR(4) | A_BOLD;
	attrs[R_ERROR] = COLOR_PAIR(4) | A_BOLD;
	attrs[R_FOCUS] = COLOR_PAIR(6);
	attrs[R_YAML_KEY] = COLOR_PAIR(5) | A_BOLD;
	attrs[R_YAML_STR] = COLOR_PAIR(2);
	attrs[R_YAML_COMMENT] = COLOR_PAIR(8);
	attrs[R_YAML_PUNCT] = COLOR_PAIR(3);
	attrs[R_BORDER] = COLOR_PAIR(5);
}

chtype ui_attr(enum ui_role role)
{
	return attrs[role];
}

int ui_theme_has_color(void)
{
	return use_color;
}

int ui_theme_utf8(void)
{
	return use_utf8;
}

const char *ui_glyph(enum ui_glyph g)
{
	return use_utf8 ? glyph_utf8[g] : glyph_ascii[g];
}

void ui_box(WINDOW *win, int y, int x, int h, int w, const char *title)
{
	int i;

	if (h < 2 || w < 2)
		return;
	wattrset(win, ui_attr(R_BORDER));
	mvwaddstr(win, y, x, ui_glyph(G_ULCORNER));
	mvwaddstr(win, y, x + w - 1, ui_glyph(G_URCORNER));
	mvwaddstr(win, y + h - 1, x, ui_glyph(G_LLCORNER));
	mvwaddstr(win, y + h - 1, x + w - 1, ui_glyph(G_LRCORNER));
	for (i = 1; i < w - 1; i++) {
		mvwaddstr(win, y, x + i, ui_glyph(G_HLINE));
		mvwaddstr(win, y + h - 1, x + i, ui_glyph(G_HLINE));
	}
	for (i = 1; i < h - 1; i++) {
		mvwaddstr(win, y + i, x, ui_glyph(G_VLINE));
		mvwaddstr(win, y + i, x + w - 1, ui_glyph(G_VLINE));
	}
	if (title && *title) {
		char safe[512], *t;
		size_t n;

		/* a title may name things from the cluster (util/safetext.h) */
		kj_safe_copy(safe, sizeof(safe), title, 0);
		n = ui_text_fit(safe, w - 6 > 0 ? w - 6 : 0);
		t = kj_xasprintf(" %.*s ", (int)n, safe);
		ui_put(win, y, x + 2, w - 4, t, ui_attr(R_BORDER) | A_BOLD, 0);
		free(t);
	}
	wattrset(win, A_NORMAL);
}
