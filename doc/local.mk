# Man page and shell completion.
#
# kubejit.1 is written by hand in doc/kubejit.1.in; its KEYS section is
# generated at build time by doc/keys-roff from ui/keys.c's key table, the
# one the interface's help screen is drawn from.
EXTRA_DIST += doc/kubejit.1.in doc/keys-roff.c doc/kubejit.bash doc/_kubejit

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
