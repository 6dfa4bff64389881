# Man page and shell completion.
#
# kubejit.1 is written by hand in doc/kubejit.1.in; its KEYS section is
# generated at build time by doc/keys-roff from ui/keys.c's key table, the
# one the interface's help screen is drawn from.
EXTRA_PROGRAMS += doc/keys-roff
doc_keys_roff_SOURCES = doc/keys-roff.c
doc_keys_roff_LDADD = $(KJ_UI_LIB) $(UTIL_LIBS) $(NCURSES_LIBS)
CLEANFILES += doc/kubejit.1 doc/kubejit.1.tmp doc/kubejit.1.tmp.keys doc/keys-roff$(EXEEXT)

man_MANS = doc/kubejit.1
EXTRA_DIST += doc/kubejit.1.in doc/kubejit.bash doc/_kubejit

doc/kubejit.1: $(srcdir)/doc/kubejit.1.in doc/keys-roff$(EXEEXT) Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && \
	doc/keys-roff$(EXEEXT) > doc/kubejit.1.tmp.keys && \
	sed -e 's|@''VERSION@|$(PACKAGE_VERSION)|g' \
	    -e 's|@''DATE@|$(KJ_MAN_DATE)|g' \
	    -e 's|@''PKGDATADIR@|$(pkgdatadir)|g' \
	    -e 's|@''DATADIR@|$(datadir)|g' \
	    -e '/^@''KEYS@$$/{' -e 'r doc/kubejit.1.tmp.keys' -e 'd' -e '}' \
	    $(srcdir)/doc/kubejit.1.in > doc/kubejit.1.tmp && \
	rm -f doc/kubejit.1.tmp.keys && mv doc/kubejit.1.tmp doc/kubejit.1

# The page's date is the last change of its source, not the build day, so
# builds are reproducible.
KJ_MAN_DATE = $(shell date -u -r $(srcdir)/doc/kubejit.1.in +%Y-%m-%d 2>/dev/null || echo 2026-01-01)

# Completion scripts.  bash-completion loads completions/<command> on
# demand; zsh finds _kubejit in a site-functions directory on its fpath.
# Both sit under $(datadir), so `make install` honours --prefix and DESTDIR
# (for prefix /usr this is where pkg-config bash-completion points).
bashcompdir = $(datadir)/bash-completion/completions
zshcompdir = $(datadir)/zsh/site-functions

install-data-local: install-kj-completion
uninstall-local: uninstall-kj-completion
install-kj-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompdir)' '$(DESTDIR)$(zshcompdir)'
	$(INSTALL_DATA) $(srcdir)/doc/kubejit.bash '$(DESTDIR)$(bashcompdir)/kubejit'
	$(INSTALL_DATA) $(srcdir)/doc/_kubejit '$(DESTDIR)$(zshcompdir)/_kubejit'
uninstall-kj-completion:
	rm -f '$(DESTDIR)$(bashcompdir)/kubejit' '$(DESTDIR)$(zshcompdir)/_kubejit'
.PHONY: install-kj-completion uninstall-kj-completion
