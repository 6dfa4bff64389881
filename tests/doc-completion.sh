#!/bin/sh
# The bash and zsh completion scripts load, and complete commands from the
# binary itself.
. "${top_srcdir:-.}/tests/lib.sh"

src="${top_srcdir:-.}/doc"
tap_plan 4
if command -v bash >/dev/null; then
	bash_loads() { bash -c 'source "$0" && complete -p kubejit' "$1" | grep -q "_kubejit kubejit"; }
	check "bash loads doc/kubejit.bash" bash_loads "$src/kubejit.bash"
	check "bash completes the binary's commands, no hidden ones, and global options" \
		bash -c 'source "$0"
		COMP_WORDS=("$1" ""); COMP_CWORD=1; _kubejit
		[ "$(printf "%s\n" "${COMPREPLY[@]}" | grep . | sort)" = "$("$1" __complete commands | sort)" ] || exit 1
		printf "%s\n" "${COMPREPLY[@]}" | grep -q __complete && exit 1
		COMP_WORDS=("$1" --q); COMP_CWORD=1; _kubejit
		[ "${COMPREPLY[*]}" = --quiet ]' "$src/kubejit.bash" "$KUBEJIT_BIN"
else
	echo "ok 1 # SKIP bash not found"
	echo "ok 2 # SKIP bash not found"
	TAP_N=2
fi
if command -v zsh >/dev/null; then
	check "zsh loads doc/_kubejit after compinit" \
		zsh -fc 'autoload -U compinit; compinit -u -D; source "$0"; [[ ${_comps[kubejit]} == _kubejit ]]' \
		"$src/_kubejit"
	check "zsh finds it on fpath" \
		zsh -fc 'fpath=("$0" $fpath); autoload -U compinit; compinit -u -D; [[ ${_comps[kubejit]} == _kubejit ]]' \
		"$src"
else
	echo "ok 3 # SKIP zsh not found"
	echo "ok 4 # SKIP zsh not found"
	TAP_N=4
fi
tap_done
