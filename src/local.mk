bin_PROGRAMS += kubejit
# The command links libc alone: it answers a cached `kubejit get` itself
# (src/cli/fastget.h) and loads everything else from core.so, which loads
# net.so, demo.so and tui.so when a command needs them (src/dl/loader.h).
kubejit_SOURCES = src/cli/main.c src/cli/fastget.c src/cli/fastget.h \
	src/dl/loader.c src/dl/loader.h src/util/err.c src/util/safetext.c src/util/ttl.c \
	src/util/served.c
kubejit_LDADD = $(LIBINTL)

# core.so: the command line, engine, store and util.  Loaded with
# RTLD_GLOBAL, so the other modules take those from it.
kjmod_PROGRAMS += src/cli/core.so
src_cli_core_so_SOURCES = $(CLI_SOURCES) \
	src/dl/loader.c src/dl/loader.h src/dl/net.c src/dl/demo.c src/dl/tui.c
src_cli_core_so_LDFLAGS = $(KJ_MODULE_LINK) \
	-Wl,--whole-archive,src/libkjengine.a,src/util/libkjutil.a,--no-whole-archive
src_cli_core_so_DEPENDENCIES = src/libkjengine.a src/util/libkjutil.a
src_cli_core_so_LDADD = $(CJSON_LIBS) $(YAML_LIBS) $(SQLITE_LIBS) $(OPENSSL_LIBS) $(LIBINTL)

# kubectl runs `kubectl jit` as the first kubectl-jit on PATH: a link beside
# the binary, which then names itself "kubectl jit" (src/cli.c).
install-exec-hook: install-kj-kubectl-plugin
uninstall-hook: uninstall-kj-kubectl-plugin
install-kj-kubectl-plugin:
	cd '$(DESTDIR)$(bindir)' && rm -f kubectl-jit$(EXEEXT) && $(LN_S) kubejit$(EXEEXT) kubectl-jit$(EXEEXT)
uninstall-kj-kubectl-plugin:
	rm -f '$(DESTDIR)$(bindir)/kubectl-jit$(EXEEXT)'
.PHONY: install-kj-kubectl-plugin uninstall-kj-kubectl-plugin
