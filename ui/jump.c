/* jump: open a screen on top of the home screen (the `:` menu's action). */
#include "ui/screens.h"

void ui_jump_to(struct ui_app *app, enum ui_screen_id id)
{
	ui_app_pop_to_root(app);
	switch (id) {
	case UI_SCR_LEASES:
		break;
	case UI_SCR_SECRETS:
		ui_app_push(app, ui_secrets_new(app));
		break;
	case UI_SCR_TARGETS:
		ui_app_push(app, ui_targets_new(app));
		break;
	case UI_SCR_AUDIT:
		ui_app_push(app, ui_audit_new(app));
		break;
	case UI_SCR_HELP:
		ui_app_push(app, ui_help_new(app));
		break;
	case UI_SCR_REQUESTS:
		ui_app_push(app, ui_requests_new(app));
		break;
	}
}
