# ncurses front end; reaches the engine only through src/engine/*.h.
noinst_LIBRARIES += ui/libkjui.a
KJ_UI_LIB = ui/libkjui.a
ui_libkjui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) -DKJ_UI_DEMO=1
ui_libkjui_a_SOURCES = \
	ui/ui.h ui/main.c \
	ui/app.c ui/app.h \
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
	ui/leases.c \
	ui/secrets.c \
	ui/targets.c \
	ui/audit.c \
	ui/wiz_mint.c \
	ui/wiz_secret.c \
	ui/wiz_target.c
