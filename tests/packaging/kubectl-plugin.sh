#!/bin/sh
# `kubectl jit`: the real kubectl finds the kubectl-jit link on PATH, lists
# it as a plugin and runs it; kubejit then behaves as itself, naming itself
# "kubectl jit" in help and errors, and mints a kubeconfig that works.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/out"; then
	cat "$tmp/err" >&2
	tap_plan 1
	check "demo cluster starts" false
	tap_done
fi
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")

# What `make install` makes: a relative link beside the binary.
mkdir "$tmp/bin"
ln -s "$(cd "$(dirname "$KUBEJIT_BIN")" && pwd)/$(basename "$KUBEJIT_BIN")" "$tmp/bin/kubejit"
ln -s kubejit "$tmp/bin/kubectl-jit"
PATH="$tmp/bin:$PATH"
export PATH KUBEJIT_HOME="$tmp/home" KUBECONFIG="$tmp/state/admin.kubeconfig"
unset KUBERNETES_SERVICE_HOST
# rc EXPECTED CMD...: the command exits with EXPECTED; output in $tmp/last
rc() {
	want=$1
	shift
	"$@" >"$tmp/last" 2>&1
	got=$?
	[ "$got" = "$want" ] || { diag "exit $got, wanted $want: $*"; sed 's/^/# /' "$tmp/last"; return 1; }
}
has() { grep -q -- "$1" "$tmp/last" || { diag "no \"$1\" in:"; sed 's/^/# /' "$tmp/last"; false; }; }
hasnt() { ! grep -q -- "$1" "$tmp/last" || { diag "\"$1\" in:"; sed 's/^/# /' "$tmp/last"; false; }; }

tap_plan 16

check "kubectl plugin list shows kubectl-jit" rc 0 "$KUBECTL" plugin list
check "  with its path" has "$tmp/bin/kubectl-jit"
check "kubectl jit --version" rc 0 "$KUBECTL" jit --version
check "  is kubejit's version" has "^kubejit [0-9]"
check "kubectl jit --help" rc 0 "$KUBECTL" jit --help
check "  usage names kubectl jit" has "^Usage: kubectl jit \[--home DIR\]"
check "  so do its pointers to commands" has "Run 'kubectl jit COMMAND --help'"
check "  and no invocation names kubejit" sh -c "'$KUBECTL' jit --help | grep -q '^Usage:' && ! '$KUBECTL' jit --help | grep -q \"'kubejit \""
check "kubectl jit mint --help names kubectl jit" sh -c "'$KUBECTL' jit mint --help | grep -q '^  kubectl jit mint /prod/read-pods'"
check "an unknown command is a usage error (2)" rc 2 "$KUBECTL" jit frobnicate
check "  that says kubectl jit" has '^kubectl jit: unknown command "frobnicate"'
check "  and where to look" has "Try 'kubectl jit --help'"

check "kubectl jit target add" rc 0 "$KUBECTL" jit target add demo --server "$url" \
	--ca-file "$tmp/state/ca.crt" --token-file "$tmp/state/tokens/kubejit-jit.token"
rc 0 "$KUBECTL" jit secret add /prod/read-pods --target demo --mode dynamic --allowed-namespaces dev \
	--role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m ||
	diag "secret add failed"
check "kubectl jit mint /prod/read-pods -n dev -o kubeconfig --out F" \
	rc 0 "$KUBECTL" jit mint /prod/read-pods -n dev -o kubeconfig --out "$tmp/dev.kubeconfig"
check "the minted kubeconfig works with kubectl" \
	rc 0 "$KUBECTL" --kubeconfig "$tmp/dev.kubeconfig" --cache-dir "$tmp/cache2" get pods -n dev
check "the lease is kubejit's own (the same store)" \
	sh -c "'$KUBEJIT_BIN' leases --json | grep -q '\"secret\":[[:space:]]*\"/prod/read-pods\"'"
tap_done
