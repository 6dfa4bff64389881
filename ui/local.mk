# ncurses front end; reaches the engine only through src/engine/*.h.
noinst_LIBRARIES += ui/libkjui.a
KJ_UI_LIB = ui/libkjui.a
# Position independent: the same objects make tui.so (src/dl/loader.h).
ui_libkjui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) -fPIC
kjmod_PROGRAMS += ui/tui.so
ui_tui_so_SOURCES =
ui_tui_so_LDFLAGS = $(KJ_MODULE_LINK) -Wl,--whole-archive,$(KJ_UI_LIB),--no-whole-archive
ui_tui_so_DEPENDENCIES = $(KJ_UI_LIB)
ui_tui_so_LDADD = $(NCURSES_LIBS) $(CJSON_LIBS) $(LIBINTL)
ui_libkjui_a_SOURCES = \
	ui/ui.h ui/main.c \
	ui/app.c ui/app.h ui/app_priv.h \
	ui/app_stack.c ui/app_jobs.c ui/app_status.c ui/app_draw.c \
	ui/keys.c ui/keys.h \
	ui/theme.c ui/theme.h \
	ui/text.c ui/text.h \
	ui/form.c ui/form.h \
	ui/dialog.c ui/dialog.h \
	ui/table.c ui/table.h \
	ui/editor.c ui/editor.h \
	ui/wizard.c ui/wizard.h \
	ui/wizutil.c ui/wizutil.h \
	ui/screens.h \
	ui/views.c \
	ui/jump.c \
	ui/leases.c ui/leases_priv.h \
	ui/leases_revoke.c \
	ui/leases_everyone.c \
	ui/secrets.c \
	ui/targets.c \
	ui/audit.c \
	ui/requests.c \
	ui/wiz_mint.c \
	ui/wiz_secret.c \
	ui/wiz_target.c
