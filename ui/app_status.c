/* The status bar: a running job (spinner, message, progress), else a
 * message, else a tip, else the keys of the top screen from the key table
 * (ui/keys.c), the same table Help and the man page are made from. */
#include "ui/app_priv.h"

#include <stdarg.h>
#include <string.h>

#include "ui/dialog.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/timeutil.h"

void ui_app_status(struct ui_app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->msg, sizeof(app->msg), fmt, ap);
	va_end(ap);
	app->msg_error = 0;
	app->msg_until_ms = kj_mono_ms() + 5000;
}

void ui_app_tip(struct ui_app *app, const char *text)
{
	snprintf(app->tip, sizeof(app->tip), "%s", text ? text : "");
	app->tip_until_ms = kj_mono_ms() + 5000;
}

void ui_app_set_badge(struct ui_app *app, const char *text)
{
	snprintf(app->badge, sizeof(app->badge), "%s", text ? text : "");
}

void ui_app_error(struct ui_app *app, const kj_err *e)
{
	ui_dialog_error(app, e);
}

void app_draw_status(struct ui_app *app, int y, int cols)
{
	static const char *const spin_utf8[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
	                                        "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
	static const char *const spin_ascii[] = {"|", "/", "-", "\\"};
	struct ui_screen *top = ui_app_top(app);
	unsigned scope;
	const struct ui_key *k;
	int x = 0;

	ui_put(stdscr, y, 0, cols, "", ui_attr(R_STATUS), 1);
	if ((app->job.running && !app->job.quiet) || app->pending.set) {
		const char *label = app->pending.set ? app->pending.label : app->job.label;
		int64_t t = app->opts.no_anim ? 0 : (kj_mono_ms() - app->job.started_ms) / 100;
		const char *f = ui_theme_utf8() ? spin_utf8[t % 10] : spin_ascii[t % 4];
		char line[700];
		int pd = atomic_load(&app->job.prog_done), pt = atomic_load(&app->job.prog_total);

		char jm[256];

		pthread_mutex_lock(&app->job_lock);
		snprintf(jm, sizeof(jm), "%s", app->job.msg);
		pthread_mutex_unlock(&app->job_lock);
		if (jm[0])
			snprintf(line, sizeof(line), " %s %s: %s  %s", f, label, jm, _("Esc: cancel"));
		else if (pt > 0)
			snprintf(line, sizeof(line), " %s %s (%d/%d)  %s", f, label, pd, pt,
			         _("Esc: cancel"));
		else
			snprintf(line, sizeof(line), " %s %s%s  %s", f, label, ui_glyph(G_ELLIPSIS),
			         _("Esc: cancel"));
		ui_put(stdscr, y, 0, cols, line, ui_attr(R_STATUS) | A_BOLD, 1);
		if (pt > 0 && cols > 60) {
			wattrset(stdscr, ui_attr(R_STATUS));
			ui_progress_draw(stdscr, y, cols - 30, 29, pd, pt);
			wattrset(stdscr, A_NORMAL);
		}
		return;
	}
	if (app->msg[0] && kj_mono_ms() < app->msg_until_ms) {
		char line[600];
		snprintf(line, sizeof(line), " %s", app->msg);
		ui_put(stdscr, y, 0, cols, line, ui_attr(R_STATUS) | (app->msg_error ? A_BOLD : 0), 1);
		return;
	}
	app->msg[0] = '\0';
	if (app->tip[0] && kj_mono_ms() < app->tip_until_ms) {
		char line[600];
		snprintf(line, sizeof(line), " %s", app->tip);
		ui_put_wrap(stdscr, y, 0, cols, 0, 1, y + 1, line, ui_attr(R_STATUS));
		return;
	}
	app->tip[0] = '\0';
	if (!top)
		return;
	if (app->badge[0] && ui_text_width(app->badge) + 24 < cols) {
		/* drawn first, so the key hints stop before it */
		int bw = ui_text_width(app->badge) + 2;
		ui_put(stdscr, y, cols - bw, bw, app->badge, ui_attr(R_KEY), 0);
		cols -= bw + 1;
	}
	scope = top->ops->cur_scope ? top->ops->cur_scope(top) : top->ops->scope;
	for (k = ui_keys_table(); k->act != ACT_NONE; k++) {
		char name[64];
		const char *comma;
		size_t n;
		int need;

		if (!k->label || !(k->scopes & scope) || (k->scopes == SC_ALL))
			continue;
		if (k->act == ACT_GUIDE && !app->opts.guide)
			continue;
		ui_keys_local(k->names, name, sizeof(name));
		comma = strchr(name, ',');
		n = comma ? (size_t)(comma - name) : strlen(name);
		name[n] = '\0';
		need = ui_text_width(name) + ui_text_width(_(k->label)) + 3;
		if (x + need > cols)
			break;
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, name, ui_attr(R_KEY), 0);
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, _(k->label), ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
	}
}
