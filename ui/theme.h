/* theme: colours and line drawing for the terminal interface.
 *
 * ui_theme_init() runs once after newterm(): it decides whether colour is
 * used (not when NO_COLOR is set, the terminal has none, or `mono` is asked)
 * and whether line drawing may use UTF-8 (the locale's charset is UTF-8 and
 * `ascii` is not asked); then ui_attr() gives the attribute for a role.
 * Without colour every role still reads: bold, reverse and underline stand
 * in.  Main thread only. */
#ifndef KJ_UI_THEME_H
#define KJ_UI_THEME_H

#include <curses.h>

enum ui_role {
	R_NORMAL = 0,
	R_TITLE,    /* top bar */
	R_STATUS,   /* bottom bar */
	R_KEY,      /* key names in the status bar */
	R_SELECTED, /* cursor row */
	R_HEADER,   /* table header */
	R_GOOD,     /* plenty of time left, check passed */
	R_WARN,     /* little time left, a notice */
	R_DANGER,   /* about to expire, missing permission */
	R_DIM,      /* revoked, expired, inactive */
	R_ERROR,    /* error text */
	R_FIELD,    /* an input field */
	R_FOCUS,    /* the focused input field */
	R_YAML_KEY, /* YAML syntax colouring */
	R_YAML_STR,
	R_YAML_COMMENT,
	R_YAML_PUNCT,
	R_BORDER,
	R_ROLE_COUNT
};

void ui_theme_init(int mono, int ascii);
chtype ui_attr(enum ui_role role);
int ui_theme_has_color(void);
int ui_theme_utf8(void);

/* Line-drawing glyphs as strings (UTF-8 or ASCII). */
enum ui_glyph {
	G_HLINE,
	G_VLINE,
	G_ULCORNER,
	G_URCORNER,
	G_LLCORNER,
	G_LRCORNER,
	G_TEE_RIGHT, /* tree branch ├ */
	G_TEE_LAST,  /* tree last branch └ */
	G_ARROW_UP,
	G_ARROW_DOWN,
	G_BULLET,
	G_CHECK,
	G_CROSS,
	G_BAR_FULL,
	G_BAR_EMPTY,
	G_ELLIPSIS,
	G_GLYPH_COUNT
};
const char *ui_glyph(enum ui_glyph g);

/* Draw a box with a title into `w` at (y, x) of size h x w. */
void ui_box(WINDOW *win, int y, int x, int h, int w, const char *title);

#endif
