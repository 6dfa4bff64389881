#!/bin/sh
# `kubejit target bootstrap --remove NAME` against `kubejit demo-cluster`,
# checked with the real kubectl: it lists what bootstrap made (found by its
# label), refuses while the target has live leases, asks unless --yes, and
# deletes the ServiceAccount, ClusterRole, binding and the target.
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
	[ -n "${KJ_KEEP:-}" ] || rm -rf "$tmp"
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
export KUBECONFIG="$tmp/state/admin.kubeconfig" KUBEJIT_HOME="$tmp/home"
unset KUBERNETES_SERVICE_HOST HTTPS_PROXY https_proxy
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
kj() { "$KUBEJIT_BIN" "$@"; }
has() { grep -q -- "$2" "$tmp/$1"; }

tap_plan 12

kj target bootstrap lab --mode dynamic --namespace default --name kj-lab >"$tmp/boot" 2>&1
check "bootstrap makes the target" test $? -eq 0
k get clusterrole kj-lab -o jsonpath='{.metadata.labels}' >"$tmp/label" 2>&1
check "kubectl sees bootstrap's label on the ClusterRole" has label 'kubejit.io/bootstrap-target":"lab"'
must kj secret add /lab/pods --target lab --mode dynamic --allowed-namespaces dev \
	--role-yaml "$DATA/templates/pods-read-only.yaml"
must kj mint /lab/pods -n dev -o token
lease=$(kj leases --json | sed -n 's/.*"id":[[:space:]]*"\([0-9a-f-]*\)".*/\1/p' | head -n 1)

kj target bootstrap --remove lab --yes >"$tmp/refused" 2>&1
check "refused while the target has a live lease (exit 1)" test $? -eq 1
check "... saying why and what to do" sh -c "grep -q '1 live lease' '$tmp/refused' && grep -q 'revoke them first' '$tmp/refused'"
k get serviceaccount kj-lab -n default >/dev/null 2>&1
check "... and nothing was deleted" test $? -eq 0

must kj revoke "$lease"
kj target bootstrap --remove lab </dev/null >"$tmp/noyes" 2>&1
check "without --yes and without a terminal: a usage error (exit 2)" test $? -eq 2
kj target bootstrap --remove lab --yes >"$tmp/removed" 2>&1
check "--remove --yes succeeds" test $? -eq 0
check "... listing the binding, the role and the account" \
	sh -c "grep -q 'ClusterRoleBinding kj-lab' '$tmp/removed' && grep -q 'ClusterRole kj-lab' '$tmp/removed' &&
		grep -q 'ServiceAccount default/kj-lab' '$tmp/removed'"
k get clusterrole kj-lab >"$tmp/kcr" 2>&1
check "kubectl: the ClusterRole is gone" has kcr 'NotFound'
k get clusterrolebinding kj-lab >"$tmp/kcrb" 2>&1
check "kubectl: the binding is gone" has kcrb 'NotFound'
k get serviceaccount kj-lab -n default >"$tmp/ksa" 2>&1
check "kubectl: the ServiceAccount is gone" has ksa 'NotFound'
check "the target is kept while a secret uses it, and says so" has removed 'is kept: secrets still use it'

tap_done
