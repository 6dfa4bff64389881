#!/bin/sh
# A client-certificate target made through a CertificateSigningRequest renews
# through a new one (`kubejit target renew`), against the demo cluster with
# its production signer delay (1 s after approval): the target submits and
# approves its own request, kubejit waits for the signer, the new
# certificate works; kubectl, as the admin, sees the request approved and
# issued for the same user.  A target without the rights keeps its
# certificate and is told what it lacks.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export HOME="$tmp" KUBEJIT_HOME="$tmp/home" NO_COLOR=1
kj() { "$KUBEJIT_BIN" "$@"; }
admin() { "$KUBECTL" --kubeconfig "$demo_kubeconfig" --cache-dir "$tmp/acache" --request-timeout 20s "$@"; }
has() { grep -q -- "$2" "$1"; }

demo_start "$tmp" # default realism: the signer issues 1 s after approval
tap_plan 11

admin apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubejit-cert-self-renewal}
rules:
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests]
  verbs: [create, get, list, delete]
- apiGroups: [certificates.k8s.io]
  resources: [certificatesigningrequests/approval]
  verbs: [update]
- apiGroups: [certificates.k8s.io]
  resources: [signers]
  resourceNames: [kubernetes.io/kube-apiserver-client]
  verbs: [approve]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubejit-cert-self-renewal}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubejit-cert-self-renewal}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: kj-cert}
EOF
check "the admin grants user kj-cert self-renewal" test $? = 0

kj target add certy --csr --cn kj-cert --org ops --cert-ttl 10m --kubeconfig "$demo_kubeconfig" \
	>"$tmp/add.out" 2>&1
check "a target with a certificate made through a CSR" has "$tmp/add.out" "CertificateSigningRequest"
must kj target add plain --csr --cn kj-plain --cert-ttl 10m --kubeconfig "$demo_kubeconfig"
kj target show certy >"$tmp/show.1" 2>&1

t0=$(date +%s%N)
kj target renew certy >"$tmp/renew.out" 2>"$tmp/renew.err"
rc=$?
t1=$(date +%s%N)
sed 's/^/# /' "$tmp/renew.out" "$tmp/renew.err"
check "target renew renews the certificate through a new CSR" \
	sh -c '[ "$0" = 0 ] && grep -q "client certificate renewed (CertificateSigningRequest kubejit-kj-cert-" "$1"' \
	"$rc" "$tmp/renew.out"
diag "renewal took $(((t1 - t0) / 1000000)) ms (the demo's signer issues 1 s after approval)"
check "... waiting for the signer (at least its 1 s delay)" test $(((t1 - t0) / 1000000)) -ge 1000
csr=$(sed -n 's/.*(CertificateSigningRequest \([^)]*\)).*/\1/p' "$tmp/renew.out")
admin get csr "$csr" -o jsonpath='{.spec.username} {.status.conditions[*].type} {.spec.expirationSeconds}' \
	>"$tmp/csr.txt" 2>&1
diag "kubectl get csr $csr: $(cat "$tmp/csr.txt")"
check "kubectl sees it submitted by kj-cert itself, approved, for the same 10 minutes" \
	sh -c 'grep -q "^kj-cert Approved 600$" "$0"' "$tmp/csr.txt"
check "... and issued" sh -c '[ -n "$("$0" --kubeconfig "$1" get csr "$2" -o jsonpath="{.status.certificate}")" ]' \
	"$KUBECTL" "$demo_kubeconfig" "$csr"
kj target check certy >"$tmp/check.out" 2>&1
check "the renewed certificate authenticates as kj-cert" has "$tmp/check.out" "kj-cert"
kj target show certy >"$tmp/show.2" 2>&1
check "target show names the new request and the renewal" \
	sh -c 'grep -q "$1" "$0" && grep -qi "^Renewed:" "$0"' "$tmp/show.2" "$csr"
kj audit --limit 5 >"$tmp/audit.out" 2>&1
check "the renewal is audited" sh -c 'grep "target-renew" "$0" | grep -q "$1"' "$tmp/audit.out" "$csr"

kj target renew plain >"$tmp/plain.out" 2>"$tmp/plain.err"
rc=$?
sed 's/^/# /' "$tmp/plain.err"
check "a target that may not approve its own request is refused (exit 3) and told what it lacks" \
	sh -c '[ "$0" = 3 ] && grep -q "kube-apiserver-client" "$1" && grep -q -- "--replace --csr --cn kj-plain" "$1"' \
	"$rc" "$tmp/plain.err"
check "... and leaves no request behind (only the one that made the target)" \
	sh -c '[ "$("$0" --kubeconfig "$1" get csr -o name | grep -c kubejit-kj-plain-)" = 1 ]' \
	"$KUBECTL" "$demo_kubeconfig"

tap_done
