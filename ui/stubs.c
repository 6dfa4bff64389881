#include "ui/screens.h"
struct ui_screen *ui_wiz_target_new(struct ui_app *app)
{
	(void)app;
	return NULL;
}
struct ui_screen *ui_wiz_secret_new(struct ui_app *app, const char *edit_path)
{
	(void)app;
	(void)edit_path;
	return NULL;
}
