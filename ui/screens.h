/* screens: constructors of the interface's screens and wizards.
 *
 * Each returns a new screen for ui_app_push() (the app owns and frees it).
 * The screens reach the engine through ui_app_engine() and the src/engine headers,
 * and run cluster calls through ui_app_job().  Main thread only. */
#ifndef KJ_UI_SCREENS_H
#define KJ_UI_SCREENS_H

#include "ui/app.h"

enum ui_screen_id {
	UI_SCR_LEASES,
	UI_SCR_SECRETS,
	UI_SCR_TARGETS,
	UI_SCR_AUDIT,
	UI_SCR_HELP,
	UI_SCR_REQUESTS
};

struct ui_screen *ui_leases_new(struct ui_app *app);
struct ui_screen *ui_secrets_new(struct ui_app *app);
struct ui_screen *ui_targets_new(struct ui_app *app);
struct ui_screen *ui_audit_new(struct ui_app *app);
struct ui_screen *ui_help_new(struct ui_app *app);
/* Access requests of the current target's cluster (engine/request.h). */
struct ui_screen *ui_requests_new(struct ui_app *app);
/* Called once a second by the home screen while idle: counts the pending
 * requests now and then on a background job and shows the count in the
 * status bar.  ui_requests_forget() drops that state (the home screen
 * closes). */
void ui_requests_idle(struct ui_app *app);
void ui_requests_forget(struct ui_app *app);
/* Show the lease table (the root screen) with lease `id` selected. */
void ui_leases_focus(struct ui_app *app, const char *id);
/* If the top screen is the Secrets screen, reload it and select `path`. */
void ui_secrets_focus(struct ui_app *app, const char *path);
/* The `:` menu: pick a screen to jump to. */
struct ui_screen *ui_jump_new(struct ui_app *app);
/* Open screen `id` on top of the home screen. */
void ui_jump_to(struct ui_app *app, enum ui_screen_id id);

/* Wizards.  `secret_path` / `target_name` may be NULL (new). */
struct ui_screen *ui_wiz_target_new(struct ui_app *app);
struct ui_screen *ui_wiz_secret_new(struct ui_app *app, const char *edit_path);
struct ui_screen *ui_wiz_mint_new(struct ui_app *app, const char *secret_path);
/* The mint result screen for a credential received another way (a
 * collected access request); takes over *res (zeroed). */
struct mint_result;
struct ui_screen *ui_mint_result_new(struct ui_app *app, struct mint_result *res);

/* A read-only text view (details, RBAC YAML, ExecCredential); `text` is
 * copied; `wipe` wipes the copy when the view closes (secrets). */
struct ui_screen *ui_textview_new(struct ui_app *app, const char *title, const char *text, int wipe);
/* Save `text` to a new file `path` (0600; an existing file is never
 * replaced), then say so in the status bar, or show the error.  0 or -1. */
int ui_save_text(struct ui_app *app, const char *path, const char *text);

/* The preflight report as readable text: checklist per mode, notices and
 * the RBAC YAML that fixes what is missing.  Malloc'd. */
struct preflight_report;
char *ui_preflight_text(const struct preflight_report *r);

#endif
