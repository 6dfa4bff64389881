#!/bin/sh
# The kubejit built in the build tree speaks the user's language before it is
# installed (src/dl/loader.h, kj_locale_dir), and key names follow the
# keyboard's labels (ui/keys.c, ui_keys_local).
. "${top_srcdir:-.}/tests/support/lib.sh"

grep -qx de "${top_srcdir:-.}/po/LINGUAS" || tap_skip_all "no German catalogue in po/LINGUAS"
tmp=$(mk_tmp)
trap 'rm -rf "$tmp"' EXIT
export KUBEJIT_HOME="$tmp/home"

tap_plan 4
# LANGUAGE is honoured with any locale but C; C.UTF-8 is on every Debian system
check "an error is German with LANGUAGE=de" \
	sh -c 'LANG=C.UTF-8 LC_ALL= LANGUAGE=de "$0" mint 2>&1 | grep -q "nimmt genau einen SECRET-Pfad"' "$KUBEJIT_BIN"
check "help is German with LANGUAGE=de" \
	sh -c 'LANG=C.UTF-8 LC_ALL= LANGUAGE=de "$0" --help | grep -q "^Aufruf: kubejit"' "$KUBEJIT_BIN"
check "and English without it" \
	sh -c 'LANG=C.UTF-8 LC_ALL= LANGUAGE= "$0" --help | grep -q "^Usage: kubejit"' "$KUBEJIT_BIN"
check "the catalogue comes from the build tree" \
	test -f "${top_builddir:-.}/po/locale/de/LC_MESSAGES/kubejit.mo"
tap_done
