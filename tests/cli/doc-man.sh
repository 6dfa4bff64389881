#!/bin/sh
# kubejit(1): renders without warnings in groff and mandoc, and covers every
# command and every long option the binary knows.
. "${top_srcdir:-.}/tests/support/lib.sh"

man="${top_builddir:-.}/doc/kubejit.1"
[ -f "$man" ] || tap_skip_all "doc/kubejit.1 is not built"
command -v groff >/dev/null || tap_skip_all "groff not found"

tmp=$(mk_tmp)
trap 'rm -rf "$tmp"' EXIT

tap_plan 7
check "groff -ww -man renders it without warnings" \
	sh -c 'groff -ww -man -Tutf8 "$0" >/dev/null 2>"$1/groff.err" && [ ! -s "$1/groff.err" ] ||
		{ cat "$1/groff.err" >&2; false; }' "$man" "$tmp"
if command -v mandoc >/dev/null; then
	check "mandoc -Tlint finds nothing" \
		sh -c 'out=$(mandoc -Tlint "$0" 2>&1); [ -z "$out" ] || { echo "$out" >&2; false; }' "$man"
else
	echo "ok 2 # SKIP mandoc not found"
	TAP_N=2
fi
check "no placeholder survived the build" sh -c '! grep -n "@[A-Z]*@" "$0"' "$man"
check "the KEYS section comes from the key table" \
	sh -c 'sed -n "/^\.SH KEYS/,/^\.SH /p" "$0" | grep -q "^\.SS "' "$man"
# Keys the application loop answers before any screen (Q when the terminal
# is too small, Esc while busy) are in the table too.
check "the KEYS section lists Q when too small and Esc while busy" \
	sh -c 'sed -n "/^\.SH KEYS/,/^\.SH /p" "$0" | tr "\n" " " |
		grep -q "\.SS While busy \.TP \.B Esc .*\.SS Terminal too small \.TP \.B Q "' "$man"

missing=""
for c in $("$KUBEJIT_BIN" __complete commands); do
	esc=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
	grep -q -- "fBkubejit $esc" "$man" || missing="$missing $c"
done
# A command or option the page does not name is a failure: the page is the
# reference, so it changes with the code.
[ -n "$missing" ] && diag "undocumented commands:$missing"
check "every command is documented" test -z "$missing"

# Long options, as each command's --help lists them.
gaps=""
for c in $("$KUBEJIT_BIN" __complete commands); do
	subs=$("$KUBEJIT_BIN" __complete subcommands "$c")
	for s in ${subs:-""}; do
		for o in $("$KUBEJIT_BIN" $c $s --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
			grep -q -- "$esc" "$man" || gaps="$gaps $c${s:+ $s} $o;"
		done
	done
done
[ -n "$gaps" ] && diag "undocumented options:$gaps"
check "every long option is documented" test -z "$gaps"
tap_done
