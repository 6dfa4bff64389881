/* Drawing: the title bar, the screens from the lowest one shown up, the
 * status bar (ui/app_status.c), the demo's guide panel, and the screen as
 * text for tests. */
#include "ui/app_priv.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"

void ui_app_toggle_guide(struct ui_app *app)
{
	if (!app->opts.guide) {
		ui_app_status(app, "%s", _("no guide in this session (it comes with kubejit --demo)"));
		return;
	}
	app->guide_shown = !app->guide_shown;
}

int ui_app_guide_shown(struct ui_app *app)
{
	return app->guide_shown && app->opts.guide;
}

struct wrap_ctx {
	WINDOW *w;
	int y, x, cols, maxy;
};

static void guide_line(void *ctx, const char *p, size_t n)
{
	struct wrap_ctx *c = ctx;
	char tmp[512];

	if (c->y >= c->maxy)
		return;
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	ui_put(c->w, c->y++, c->x, c->cols, tmp, A_NORMAL, 1);
}

static void count_line(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

int ui_app_guide_rows(struct ui_app *app, int cols)
{
	if (!app->opts.guide)
		return 0;
	return ui_text_wrap(app->opts.guide, cols - 4, count_line, NULL) + 2;
}

void ui_app_draw_guide(struct ui_app *app, WINDOW *w, int y, int h, int cols)
{
	struct wrap_ctx c = {w, y + 1, 2, cols - 4, y + h - 1};
	int i;

	for (i = 0; i < h; i++)
		ui_put(w, y + i, 0, cols, "", A_NORMAL, 1);
	ui_box(w, y, 0, h, cols, _("First steps (g hides this guide)"));
	ui_text_wrap(app->opts.guide, cols - 4, guide_line, &c);
}

static void draw_title(struct ui_app *app, int cols)
{
	struct ui_screen *base = NULL;
	char left[256];
	int used;

	if (app->depth > 0 && !app->stack[app_base(app)]->overlay)
		base = app->stack[app_base(app)];
	snprintf(left, sizeof(left), " kubejit %s %s", ui_glyph(G_BULLET),
	         base ? (base->title ? base->title : _(base->ops->name)) : "");
	ui_put(stdscr, 0, 0, cols, left, ui_attr(R_TITLE), 1);
	used = ui_text_width(left);
	if (app->opts.banner) {
		int bw = ui_text_width(app->opts.banner) + 1;
		if (used + bw + 2 <= cols)
			ui_put(stdscr, 0, cols - bw, bw, app->opts.banner, ui_attr(R_TITLE), 1);
	}
}

static void draw_too_small(void)
{
	char a[128], b[256];
	struct wrap_ctx c;
	int y = LINES / 2 - 2;

	snprintf(a, sizeof(a), _("Terminal too small: %dx%d"), COLS, LINES);
	snprintf(b, sizeof(b), _("kubejit needs at least %dx%d. Enlarge the window, or press Q to quit."),
	         UI_MIN_COLS, UI_MIN_LINES);
	if (y < 0)
		y = 0;
	ui_put(stdscr, y, 0, COLS, a, A_BOLD, 0);
	c.w = stdscr;
	c.y = y + 1;
	c.x = 0;
	c.cols = COLS;
	c.maxy = LINES;
	ui_text_wrap(b, COLS, guide_line, &c);
}

void ui_app_draw(struct ui_app *app)
{
	int i;

	if (app->repaint) {
		clearok(curscr, TRUE);
		app->repaint = 0;
	}
	werase(stdscr);
	app->cur_y = -1;
	if (LINES < UI_MIN_LINES || COLS < UI_MIN_COLS) {
		draw_too_small();
	} else {
		draw_title(app, COLS);
		for (i = app_base(app); i < app->depth; i++) {
			struct ui_screen *s = app->stack[i];
			s->ops->draw(s, stdscr, 1, LINES - 2, COLS);
		}
		app_draw_status(app, LINES - 1, COLS);
	}
	if (app->cur_y >= 0) {
		curs_set(1);
		wmove(stdscr, app->cur_y, app->cur_x);
	} else {
		curs_set(0);
		wmove(stdscr, LINES - 1, 0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

char *ui_app_screen_text(struct ui_app *app)
{
	kj_buf b;
	int y, x;

	(void)app;
	kj_buf_init(&b);
	for (y = 0; y < LINES; y++) {
		for (x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t ws[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			char mb[MB_LEN_MAX * (CCHARW_MAX + 1) + 1];
			size_t n;

			if (mvwin_wch(stdscr, y, x, &cc) == ERR ||
			    getcchar(&cc, ws, &at, &pair, NULL) == ERR) {
				kj_buf_addc(&b, ' ');
				continue;
			}
			if (!ws[0])
				continue;
			n = wcstombs(mb, ws, sizeof(mb));
			if (n == (size_t)-1)
				kj_buf_addc(&b, '?');
			else
				kj_buf_add(&b, mb, n);
		}
		kj_buf_addc(&b, '\n');
	}
	return kj_buf_steal(&b);
}
