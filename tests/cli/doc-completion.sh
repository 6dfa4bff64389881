#!/bin/sh
# The bash, zsh and fish completion scripts load, and complete commands from
# the binary itself.
. "${top_srcdir:-.}/tests/support/lib.sh"

src="${top_srcdir:-.}/doc"
tap_plan 9
if command -v bash >/dev/null; then
	bash_loads() { bash -c 'source "$0" && complete -p kubejit' "$1" | grep -q "_kubejit kubejit"; }
	check "bash loads doc/kubejit.bash" bash_loads "$src/kubejit.bash"
	check "bash completes the binary's commands, no hidden ones, global options and request formats" \
		bash -c 'source "$0"
		COMP_WORDS=("$1" ""); COMP_CWORD=1; _kubejit
		[ "$(printf "%s\n" "${COMPREPLY[@]}" | grep . | sort)" = "$("$1" __complete commands | sort)" ] || exit 1
		printf "%s\n" "${COMPREPLY[@]}" | grep -q __complete && exit 1
		COMP_WORDS=("$1" revoke --cl); COMP_CWORD=2; _kubejit
		[ "${COMPREPLY[*]}" = --cluster ] || exit 1
		COMP_WORDS=("$1" --q); COMP_CWORD=1; _kubejit
		[ "${COMPREPLY[*]}" = --quiet ] || exit 1
		COMP_WORDS=("$1" request /x -o ""); COMP_CWORD=4; _kubejit
		printf "%s\n" "${COMPREPLY[@]}" | grep -qx kubeconfig || exit 1
		COMP_WORDS=("$1" request /x --reason ""); COMP_CWORD=4; _kubejit
		[ ${#COMPREPLY[@]} -eq 0 ]' "$src/kubejit.bash" "$KUBEJIT_BIN"
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
	# compadd and friends only exist inside the completion system: stand-ins
	# print what would be offered
	zsh_offers() {
		zsh -f -c '
		compadd() { if [[ $1 == -a ]]; then print -l -- ${(P)2}; else [[ $1 == -- ]] && shift; print -l -- "$@"; fi }
		_files() { :; }; _message() { :; }; compdef() { :; }
		source "$1"; shift
		words=("$@"); CURRENT=$#
		_kubejit' zsh "$src/_kubejit" "$KUBEJIT_BIN" "$@"
	}
	zsh_completes() {
		[ "$(zsh_offers "" | sort)" = "$("$KUBEJIT_BIN" __complete commands | sort)" ] &&
			zsh_offers mint /x -o "" | grep -qx exec-v1beta1 &&
			zsh_offers target "" | grep -qx bootstrap &&
			zsh_offers request /x -o "" | grep -qx kubeconfig &&
			zsh_offers rbac "" | grep -qx approver &&
			zsh_offers leases --cl | grep -qx -- --cluster
	}
	check "zsh completes commands, mint formats and sub-commands" zsh_completes
else
	echo "ok 3 # SKIP zsh not found"
	echo "ok 4 # SKIP zsh not found"
	echo "ok 5 # SKIP zsh not found"
	TAP_N=5
fi
if command -v fish >/dev/null; then
	# `complete -C LINE` prints what fish offers for LINE; the binary is
	# found on PATH under its own name, as the completion is registered
	bindir=$(mk_tmp)
	trap 'rm -rf "$bindir"' EXIT
	ln -s "$(cd "$(dirname "$KUBEJIT_BIN")" && pwd)/$(basename "$KUBEJIT_BIN")" "$bindir/kubejit"
	fish_offers() {
		PATH="$bindir:$PATH" fish --no-config -c 'source $argv[1]; complete -C"$argv[2]"' \
			"$src/kubejit.fish" "$1" | cut -f1
	}
	check "fish loads doc/kubejit.fish" \
		fish --no-config -c 'source $argv[1]; and complete -c kubejit | string match -q "*__kubejit_complete*"' \
		"$src/kubejit.fish"
	fish_commands() { [ "$(fish_offers "kubejit " | sort)" = "$("$KUBEJIT_BIN" __complete commands | sort)" ]; }
	check "fish completes the binary's commands, no hidden ones" fish_commands
	fish_completes() {
		fish_offers "kubejit mint /x -o " | grep -qx exec-v1beta1 &&
			fish_offers "kubejit target " | grep -qx bootstrap &&
			fish_offers "kubejit --q" | grep -qx -- --quiet &&
			fish_offers "kubejit sweep --in" | grep -qx -- --in-cluster &&
			[ -z "$(fish_offers "kubejit mint /x --ttl ")" ] &&
			fish_offers "kubejit revoke --cl" | grep -qx -- --cluster &&
			fish_offers "kubejit request /x -o " | grep -qx token &&
			fish_offers "kubejit rbac " | grep -qx requester &&
			[ -z "$(fish_offers "kubejit request /x --reason ")" ]
	}
	check "fish completes mint formats, sub-commands and options" fish_completes
	fish_files() {
		[ -z "$(fish_offers "kubejit leases " | grep /)" ] &&
			fish_offers "kubejit mint /x --out /" | grep -q "^/"
	}
	check "fish names files only where an option takes one" fish_files
else
	for i in 6 7 8 9; do echo "ok $i # SKIP fish not found"; done
	TAP_N=9
fi
tap_done
