#!/bin/sh
# The real kubectl against a demo cluster that behaves like production:
# paged lists, Terminating namespaces, Foreground deletion, 429 with
# Retry-After, a CSR the signer never issues, and RBAC that takes effect a
# moment after the binding is made (auth can-i says no, then yes).
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
command -v openssl >/dev/null 2>&1 || tap_skip_all "openssl not found"

tmp=$(mk_tmp)
[ -n "${KJ_KEEP_TMP:-}" ] && diag "keeping $tmp"
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	[ -n "${KJ_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Longer than the defaults where a test must see the state in between; a
# managed cluster's signer; room for one request at a time.
demo_start "$tmp" --rbac-delay 10s --gc-delay 10s --csr-signer none --max-inflight 1 \
	--fault 'GET:/api/v1/namespaces/prod/secrets:1:delay=10s'
export KUBECONFIG="$demo_kubeconfig"
unset KUBERNETES_SERVICE_HOST
k() { "$KUBECTL" --cache-dir "$tmp/cache" --request-timeout 20s "$@"; }
# as the demo's kubejit-jit account (not system:masters, so throttled)
kjit() {
	"$KUBECTL" --kubeconfig=/dev/null --cache-dir "$tmp/cache2" --server="$demo_url" \
		--certificate-authority="$tmp/ca.crt" --token="$(cat "$tmp/state/tokens/kubejit-jit.token")" "$@"
}
out() {
	f=$1
	shift
	"$@" >"$tmp/$f" 2>&1
}
has() { grep -q -- "$2" "$tmp/$1"; }

tap_plan 17

# ------------------------------------------------------------------ paging
out pages k get pods -A --chunk-size=2 -v=6
check "get --chunk-size=2 asks for pages" has pages '/api/v1/pods?limit=2&.* 200 OK'
check "... follows metadata.continue" has pages 'pods?continue=.*limit=2'
check "... and shows every pod" test "$(grep -c ' Running ' "$tmp/pages")" = 5

# ---------------------------------------------------- namespace lifecycle
must k create namespace tmp
must k create configmap c -n tmp
out nsdel k delete namespace tmp --wait=false
check "delete namespace" has nsdel 'namespace "tmp" deleted'
out nsget k get namespace tmp
check "the namespace is Terminating" has nsget '^tmp  *Terminating'
out nsnew k create configmap new -n tmp
check "no new content while it terminates" has nsnew 'configmaps "new" is forbidden: unable to create new content in namespace tmp because it is being terminated'
gone() { REFUSED_QUIET=1 refused_with '^Error from server \(NotFound\): .* not found' k get "$@"; }
check "the namespace controller removes it" wait_for 30 gone namespace tmp

# ------------------------------------------------------ foreground delete
must k create configmap owner -n dev
uid=$(k get configmap owner -n dev -o jsonpath='{.metadata.uid}')
cat >"$tmp/dep.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: dep
  namespace: dev
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: owner, uid: "$uid", blockOwnerDeletion: true}
EOF
must k create -f "$tmp/dep.yaml"
out fg k delete configmap owner -n dev --cascade=foreground --wait=false
check "delete --cascade=foreground" has fg 'configmap "owner" deleted'
out fgget k get configmap owner -n dev -o jsonpath='{.metadata.finalizers} {.metadata.deletionTimestamp}'
check "the owner waits with the foregroundDeletion finalizer" has fgget '\["foregroundDeletion"\] 20'
out fgwait k wait --for=delete configmap/owner -n dev --timeout=30s
check "kubectl wait sees the owner go" has fgwait 'condition met'
check "its dependent went first" gone configmap dep -n dev

# ------------------------------------------------------------- throttling
# a slow request holds the only slot; kubectl is answered 429 + Retry-After
# and retries as client-go does
kjit get --raw /api/v1/namespaces/prod/secrets >/dev/null 2>&1 &
slow=$!
# the slow request is in flight once its fault fired (the admin is never throttled)
fired() { k get --raw /kubejit/faults | grep -q '"fired":true'; }
must wait_for 20 fired
out thr kjit get --raw /version -v=8
wait $slow
check "429 Too Many Requests while another request is in flight" has thr 'Response Status: 429 Too Many Requests'
check "... with Retry-After: 1" grep -qi 'Retry-After: 1' "$tmp/thr"
check "... which kubectl honours, asking again after it" has thr 'Got a Retry-After 1s response for attempt 1'

# ------------------------------------------------------- CSR never issued
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/u.key" \
	-subj "/CN=carol/O=devs" -out "$tmp/u.csr" 2>/dev/null
cat >"$tmp/csr.yaml" <<EOF
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: carol
spec:
  request: $(base64 -w0 "$tmp/u.csr")
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
EOF
must k create -f "$tmp/csr.yaml"
must k certificate approve carol
sleep 2
out csr k get csr carol
check "with --csr-signer none an approved CSR stays unissued" has csr '^carol .* Approved *$'

# ------------------------------------------------------------- RBAC delay
must k create sa ci -n dev
must k create role pod-lister -n dev --verb=list --resource=pods
must k create rolebinding ci-pods -n dev --role=pod-lister --serviceaccount=dev:ci
out cani1 k auth can-i list pods -n dev --as=system:serviceaccount:dev:ci
check "auth can-i says no right after the binding is made" has cani1 '^no'
cani() { k auth can-i list pods -n dev --as=system:serviceaccount:dev:ci 2>/dev/null | grep -q '^yes'; }
check "... then yes, once the authorizer's informer has it" wait_for 20 cani

tap_done
