bin_PROGRAMS += kubejit
kubejit_SOURCES = src/main.c src/cli.c src/cli.h
kubejit_SOURCES += src/cli_get.c src/cli_complete.c
kubejit_SOURCES += src/cli_target.c src/cli_target.h src/cli_target_view.c src/cli_rbac.c src/cli_seal.c
kubejit_SOURCES += src/cli_secret.c src/cli_mint.c src/cli_sweep.c
kubejit_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
kubejit_LDADD = $(KJ_UI_LIB) $(KJ_ENGINE_LIB) $(KJ_DEMO_LIB) $(UTIL_LIBS) \
	$(NCURSES_LIBS) $(ENGINE_LIBS) $(DEMO_LIBS)
