bin_PROGRAMS += kubejit
kubejit_SOURCES = $(CLI_SOURCES)
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

# kubectl runs `kubectl jit` as the first kubectl-jit on PATH: a link beside
# the binary, which then names itself "kubectl jit" (src/cli.c).
install-exec-hook: install-kj-kubectl-plugin
uninstall-hook: uninstall-kj-kubectl-plugin
install-kj-kubectl-plugin:
	cd '$(DESTDIR)$(bindir)' && rm -f kubectl-jit$(EXEEXT) && $(LN_S) kubejit$(EXEEXT) kubectl-jit$(EXEEXT)
uninstall-kj-kubectl-plugin:
	rm -f '$(DESTDIR)$(bindir)/kubectl-jit$(EXEEXT)'
.PHONY: install-kj-kubectl-plugin uninstall-kj-kubectl-plugin
