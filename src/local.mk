bin_PROGRAMS += kubejit
kubejit_SOURCES = src/main.c src/cli.c src/cli.h
kubejit_SOURCES += src/cli_get.c src/cli_complete.c
kubejit_SOURCES += src/cli_target.c src/cli_target.h src/cli_target_view.c src/cli_rbac.c src/cli_seal.c
kubejit_SOURCES += src/cli_secret.c src/cli_mint.c src/cli_sweep.c
# The command links neither libcurl, nor libmicrohttpd/GnuTLS, nor ncurses:
# it loads net.so, demo.so and tui.so when a command needs them
# (src/dl/loader.h), through stand-ins for src/kube/http.h, src/demo/demo.h
# and ui/ui.h.  The whole engine and util are linked in and exported, since
# the modules call into them.
kubejit_SOURCES += src/dl/loader.c src/dl/loader.h src/dl/net.c src/dl/demo.c src/dl/tui.c
kubejit_LDFLAGS = $(AM_LDFLAGS) -Wl,--export-dynamic \
	-Wl,--whole-archive,src/libkjengine.a,src/util/libkjutil.a,--no-whole-archive
kubejit_DEPENDENCIES = src/libkjengine.a src/util/libkjutil.a
kubejit_LDADD = $(CJSON_LIBS) $(YAML_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(LIBINTL)
