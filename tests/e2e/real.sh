#!/bin/sh
# kubejit keeps its promises on a cluster that behaves like production:
# `kubejit demo-cluster` with its token cache, RBAC informer lag, asynchronous
# CSR signer and throttling on (shortened where a test would wait, never off),
# driven by kubejit and the real kubectl.
#   minted means working: a credential works with kubectl the moment mint
#     returns, and the mint says how long the cluster took to accept it;
#   revoked means dead: a revoked token is still accepted inside the cache
#     window, and `revoke --wait` returns only once kubectl is refused;
#   a 429 or 503 with Retry-After is retried;
#   a CSR is issued by the signer later, or never (a managed cluster).
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# start_cluster NAME OPTION...: a demo cluster in $tmp/NAME; sets $url
start_cluster() {
	name=$1
	shift
	"$KUBEJIT_BIN" demo-cluster --state "$tmp/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pids="$pids $!"
	if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/$name.out"; then
		cat "$tmp/$name.err" >&2
		tap_plan 1
		check "demo cluster $name starts" false
		tap_done
	fi
	url=$(sed -n 's/^demo cluster listening on //p' "$tmp/$name.out")
}

export KUBEJIT_HOME="$tmp/home"
unset KUBECONFIG KUBERNETES_SERVICE_HOST
kj() { "$KUBEJIT_BIN" "$@"; }
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
rc() {
	want=$1
	shift
	"$@" >"$tmp/last" 2>&1
	got=$?
	[ "$got" = "$want" ] || { diag "exit $got, wanted $want: $*"; sed 's/^/# /' "$tmp/last"; return 1; }
}
has() { grep -q -- "$2" "$1"; }

tap_plan 22

# As kube-apiserver and its controller manager: a 10 s token cache, a
# 250 ms informer lag, a signer that issues 1 s after approval (the
# defaults, said out loud).
start_cluster real --token-cache-ttl 10s --rbac-delay 250ms --csr-signer-delay 1s
real_url=$url
check "the admin authenticates" rc 0 k --kubeconfig "$tmp/real/admin.kubeconfig" auth whoami
check "target added" rc 0 kj target add demo --server "$real_url" --ca-file "$tmp/real/ca.crt" \
	--token-file "$tmp/real/tokens/kubejit-jit.token"
check "dynamic secret" rc 0 kj secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces dev --role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m

# minted means working, even though the binding reaches the authoriser 250 ms late
check "mint" rc 0 kj mint /dev/read-pods -n dev -o kubeconfig --out "$tmp/dev.kubeconfig"
lease=$(sed -n 's/^lease \([0-9a-f-]*\):.*/\1/p' "$tmp/last")
check "... waited for the informer lag and says how long" has "$tmp/last" "ready after 0\.[2-9][0-9] s\|ready after [1-9][0-9.]* s"
check "kubectl works at once" rc 0 k --kubeconfig "$tmp/dev.kubeconfig" get pods
check "kubectl auth can-i agrees" rc 0 k --kubeconfig "$tmp/dev.kubeconfig" auth can-i list pods
sed -n 's/^ *token: *//p' "$tmp/dev.kubeconfig" | tr -d '"' >"$tmp/dev.token"
check "the kubeconfig holds the token" test -s "$tmp/dev.token"

# revoked means dead, honestly
check "revoke says the token may live on for the cache time" rc 0 kj revoke "$lease"
check "... in its words" has "$tmp/last" "token cache time (10 s by default)"
# (the cache entry dates from the mint's own check, seconds ago; the binding
# is gone, so the authoriser refuses pods once its informer sees that, but
# the token itself still authenticates)
check "the revoked token still authenticates within the cache window" rc 0 \
	k --kubeconfig "$tmp/dev.kubeconfig" auth whoami
check "revoke --wait returns once the token is refused" rc 0 kj revoke "$lease" --wait \
	--token-file "$tmp/dev.token"
check "... having asked as the token" has "$tmp/last" "refused (401) after"
check "kubectl is refused now" rc 1 k --kubeconfig "$tmp/dev.kubeconfig" get pods
check "... as Unauthorized" has "$tmp/last" "Unauthorized\|logged in"

# throttling: the next two creates of a ServiceAccount answer 429 and 503
fault() { printf '%s' "$1" >"$tmp/fault" && k --kubeconfig "$tmp/real/admin.kubeconfig" create --raw /kubejit/faults -f "$tmp/fault"; }
check "faults added at run time" rc 0 fault 'POST:/api/v1/namespaces/dev/serviceaccounts:1:status=429'
fault 'POST:/api/v1/namespaces/dev/serviceaccounts:1:status=503' >/dev/null
check "mint goes through 429 and 503, after Retry-After" rc 0 kj mint /dev/read-pods -n dev -o token --out "$tmp/t2"
check "... and made one ServiceAccount" sh -c \
	"test \$('$KUBECTL' --kubeconfig '$tmp/real/admin.kubeconfig' get sa -n dev -l app.kubernetes.io/managed-by=kubejit -o name | wc -l) = 1"

# CSR: a managed cluster whose controller manager never signs
start_cluster managed --token-cache-ttl 2s --csr-signer none
check "target add --csr on a cluster without the signer fails" rc 1 kj target add certop --server "$url" \
	--ca-file "$tmp/managed/ca.crt" --csr --cn cert-op --kubeconfig "$tmp/managed/admin.kubeconfig" \
	--issue-timeout 3s
check "... saying it was approved but never issued" has "$tmp/last" "was approved, but no certificate was issued"
check "... and what to use instead" has "$tmp/last" "target bootstrap"
# ... and the realistic one signs a moment after approval
check "target add --csr where the signer runs" rc 0 kj target add certop --server "$real_url" \
	--ca-file "$tmp/real/ca.crt" --csr --cn cert-op --kubeconfig "$tmp/real/admin.kubeconfig"
tap_done
