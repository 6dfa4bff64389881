/* The terminal interface (ui/ui.h) for the `kubejit` command: tui.so,
 * loaded only when kubejit opens its interface, so that the headless
 * commands do not load ncurses. */
#include "config.h"

#include "dl/loader.h"
#include "ui/ui.h"

int ui_main(const struct ui_main_opts *o, kj_err *e)
{
	int (*run)(const struct ui_main_opts *, kj_err *);

	*(void **)&run = kj_module_sym(KJ_MODULE_TUI, "ui_main", e);
	return run ? run(o, e) : -1;
}
