#!/bin/sh
# Targets with the real kubectl next to `kubejit demo-cluster`: the RBAC
# kubejit prints is accepted by kubectl and does what preflight says.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"

tmp=$(mk_tmp)
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

demo_start "$tmp" --csr-signer-delay 300ms
url=$demo_url
export KUBECONFIG="$tmp/state/admin.kubeconfig"
unset KUBERNETES_SERVICE_HOST
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
kj() { "$KUBEJIT_BIN" --home "$tmp/home" "$@"; }
has() { grep -q -- "$2" "$tmp/$1"; }

tap_plan 18

# A fixed-only account built as the reference document builds it.
kj target add fixed --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/token-request-sa.token" >"$tmp/add" 2>&1
check "fixed-only account is saved" test $? -eq 0
check "preflight says revocable tokens need Secrets" has add 'revocable fixed tokens need Secret permissions'
check "preflight prints the RBAC that adds them" has add 'resources: \["secrets"\]'
# the YAML follows the first '---' line of the report
sed -n '/^---$/,$p' "$tmp/add" | sed 1d >"$tmp/fix.yaml"
k create --validate=false -f "$tmp/fix.yaml" >"$tmp/apply" 2>&1
check "kubectl accepts the fix" test $? -eq 0
# the API server's authorizer sees the new binding a moment later
revocable() { kj target check fixed --json >"$tmp/check.json" 2>&1 && grep -q '"revocable":[[:space:]]*true' "$tmp/check.json"; }
check "after the fix, fixed tokens are revocable (once the authorizer has the binding)" wait_for 10 revocable
k auth can-i delete secrets --as system:serviceaccount:kube-system:token-request-sa -n dev >"$tmp/cani" 2>&1 ||
	k --token "$(cat "$tmp/state/tokens/token-request-sa.token")" auth can-i delete secrets -n dev >"$tmp/cani" 2>&1
check "kubectl agrees: the account may delete secrets" has cani '^yes'

# `kubejit rbac dynamic` applied with kubectl, then a target for that account.
kj rbac dynamic --namespace default --name e2e-jit >"$tmp/dyn.yaml"
check "rbac dynamic prints a manifest" has dyn.yaml 'kind: ClusterRoleBinding'
k create --validate=false -f "$tmp/dyn.yaml" >"$tmp/dynapply" 2>&1
check "kubectl creates the dynamic manifest" test $? -eq 0
k create token e2e-jit -n default --duration 1h >"$tmp/e2e.token" 2>"$tmp/tokerr"
check "kubectl mints the account's token" test -s "$tmp/e2e.token"
# the authorizer sees the new ClusterRoleBinding a moment later (informer caches)
bound() { k auth can-i create serviceaccounts -n default --as system:serviceaccount:default:e2e-jit >/dev/null 2>&1; }
must wait_for 10 bound
kj target add dyn --server "$url" --ca-file "$tmp/state/ca.crt" --token-file - <"$tmp/e2e.token" >"$tmp/dynadd" 2>&1
check "dynamic target saved" test $? -eq 0
check "preflight: dynamic ready" has dynadd '^Dynamic: *ready'
check "preflight: sweeps ready" has dynadd '^Sweep: *ready'

# Bootstrap with the admin context of the same kubeconfig.
kj target bootstrap boot --mode fixed --namespace default --name e2e-fixed >"$tmp/boot" 2>&1
check "bootstrap saves a fixed target" has boot 'target "boot" saved'
k get clusterrolebinding e2e-fixed >"$tmp/crb" 2>&1
check "bootstrap created the binding" has crb '^e2e-fixed'

# A client certificate made through a CSR, then RBAC for its user.
kj target add certop --server "$url" --ca-file "$tmp/state/ca.crt" --csr --cn cert-op \
	--kubeconfig "$KUBECONFIG" >"$tmp/csr" 2>&1
check "CSR target saved" has csr 'target "certop" saved'
check "a new user holds nothing yet" has csr '^Fixed: *missing permissions'
kj rbac fixed --user cert-op --name cert-op >"$tmp/user.yaml"
k create --validate=false -f "$tmp/user.yaml" >"$tmp/userapply" 2>&1
check "kubectl creates the user's manifest" test $? -eq 0
certready() { kj target check certop >"$tmp/certcheck" 2>&1; has certcheck '^Fixed: *ready (revocable tokens)'; }
check "after it, the certificate user mints revocable fixed tokens" wait_for 10 certready

tap_done
