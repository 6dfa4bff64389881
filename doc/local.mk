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
# kubectl-jit(1), the plugin link's page, is kubejit(1)
dist_man_MANS += doc/kubectl-jit.1
EXTRA_DIST += doc/kubejit.1.in doc/kubejit.bash doc/_kubejit doc/kubejit.fish doc/BENCHMARKS.md doc/FUZZING.md

doc/kubejit.1: $(srcdir)/doc/kubejit.1.in doc/keys-roff$(EXEEXT) Makefile
	$(AM_V_GEN)$(MKDIR_P) doc && \
	doc/keys-roff$(EXEEXT) > doc/kubejit.1.tmp.keys && \
	sed -e 's|@''VERSION@|$(PACKAGE_VERSION)|g' \
	    -e 's|@''DATE@|$(KJ_MAN_DATE)|g' \
	    -e 's|@''PKGDATADIR@|$(call kj_man_path,$(pkgdatadir))|g' \
	    -e 's|@''DATADIR@|$(call kj_man_path,$(datadir))|g' \
	    -e 's|@''BINDIR@|$(call kj_man_path,$(bindir))|g' \
	    -e 's|@''SYSTEMDUSERUNITDIR@|$(call kj_man_path,$(systemduserunitdir))|g' \
	    -e '/^@''KEYS@$$/{' -e 'r doc/kubejit.1.tmp.keys' -e 'd' -e '}' \
	    $(srcdir)/doc/kubejit.1.in > doc/kubejit.1.tmp && \
	rm -f doc/kubejit.1.tmp.keys && mv doc/kubejit.1.tmp doc/kubejit.1

# An installation path in the page may break after any slash (groff's \:),
# so a long --prefix (make distcheck's) cannot make a line impossible to
# fill; the page renders the same under any prefix.
kj_man_path = $(subst /,/\\:,$(1))

# The page's date is the last change of its source, not the build day, so
# builds are reproducible.
KJ_MAN_DATE = $(shell date -u -r $(srcdir)/doc/kubejit.1.in +%Y-%m-%d 2>/dev/null || echo 2026-01-01)

# Completion scripts.  bash-completion loads completions/<command> on
# demand; zsh finds _kubejit in a directory on its fpath (Debian's zsh puts
# vendor-completions there); fish loads vendor_completions.d/<command>.fish
# on demand.  All sit under $(datadir), so `make install` honours --prefix
# and DESTDIR (for prefix /usr these are where the shells' packages look).
bashcompdir = $(datadir)/bash-completion/completions
zshcompdir = $(datadir)/zsh/vendor-completions
fishcompdir = $(datadir)/fish/vendor_completions.d

install-data-local: install-kj-completion
uninstall-local: uninstall-kj-completion
install-kj-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompdir)' '$(DESTDIR)$(zshcompdir)' '$(DESTDIR)$(fishcompdir)'
	$(INSTALL_DATA) $(srcdir)/doc/kubejit.bash '$(DESTDIR)$(bashcompdir)/kubejit'
	$(INSTALL_DATA) $(srcdir)/doc/_kubejit '$(DESTDIR)$(zshcompdir)/_kubejit'
	$(INSTALL_DATA) $(srcdir)/doc/kubejit.fish '$(DESTDIR)$(fishcompdir)/kubejit.fish'
uninstall-kj-completion:
	rm -f '$(DESTDIR)$(bashcompdir)/kubejit' '$(DESTDIR)$(zshcompdir)/_kubejit' \
	      '$(DESTDIR)$(fishcompdir)/kubejit.fish'
.PHONY: install-kj-completion uninstall-kj-completion
EXTRA_DIST += doc/ARCHITECTURE.md doc/KUBERNETES.md
