#!/bin/sh
# The demo cluster's authentication and authorisation, driven by the real
# kubectl, beyond e2e-kubectl.sh's token story: exact kubectl texts for the
# 10-minute minimum and Forbidden, whoami groups, auth can-i (no, yes,
# --list) for a ServiceAccount token, and a client certificate issued through
# a CertificateSigningRequest approved with `kubectl certificate approve`.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"
command -v openssl >/dev/null 2>&1 || tap_skip_all "openssl not found"

tmp=$(mk_tmp)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export HOME="$tmp"

demo_start "$tmp" --kubeconfig "$tmp/admin.kubeconfig" --csr-signer-delay 300ms
tap_plan 21
server=$(sed -n 's/^ *server: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"')
sed -n 's/^ *certificate-authority-data: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"' |
	base64 -d >"$tmp/ca.crt"

# admin (client certificate) and "as a token" / "as a certificate" helpers;
# the token and certificate users get no kubeconfig so nothing else is sent
adm() { KUBECONFIG="$tmp/admin.kubeconfig" "$KUBECTL" --cache-dir "$tmp/kcache" --request-timeout 20s "$@"; }
as_tok() { # as_tok TOKENFILE kubectl-args...
	t=$(cat "$1")
	shift
	"$KUBECTL" --kubeconfig=/dev/null --cache-dir "$tmp/kcache" --request-timeout 20s --server="$server" \
		--certificate-authority="$tmp/ca.crt" --token="$t" "$@"
}
# run kubectl, keep stdout+stderr in $tmp/out, compare exit status
runs() { # runs WANT_RC cmd...
	want=$1
	shift
	"$@" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || {
		diag "exit $rc, wanted $want: $*" "$(cat "$tmp/out")"
		return 1
	}
}
out_has() { grep -qF -- "$1" "$tmp/out" || { diag "missing: $1" "$(cat "$tmp/out")"; return 1; }; }

check "create a ServiceAccount" runs 0 adm create serviceaccount e2e -n dev
check "create token --duration 5m fails" runs 1 adm create token e2e -n dev --duration 5m
check "... with the 10-minute message" out_has \
	'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes'
adm create token e2e -n dev --duration 1h >"$tmp/sa.token" 2>"$tmp/err"
check "create token --duration 1h works" test -s "$tmp/sa.token"
check "auth whoami names the ServiceAccount" runs 0 as_tok "$tmp/sa.token" auth whoami
check "... with its groups" out_has '[system:serviceaccounts system:serviceaccounts:dev system:authenticated]'
check "listing pods is Forbidden" runs 1 as_tok "$tmp/sa.token" get pods -n dev
check "... with the apiserver's message" out_has \
	'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:dev:e2e" cannot list resource "pods" in API group "" in the namespace "dev"'
check "auth can-i says no" runs 1 as_tok "$tmp/sa.token" auth can-i list pods -n dev
must adm create role e2e-pods -n dev --verb=get,list --resource=pods
must adm create rolebinding e2e-pods -n dev --role=e2e-pods --serviceaccount=dev:e2e
# the authorizer sees the new binding a moment later (informer caches)
check "after a Role and RoleBinding, listing pods works" wait_for 5 as_tok "$tmp/sa.token" get pods -n dev
check "auth can-i says yes" runs 0 as_tok "$tmp/sa.token" auth can-i list pods -n dev
check "the admin may impersonate it: can-i --as" runs 0 adm auth can-i list pods -n dev \
	--as system:serviceaccount:dev:e2e
check "auth can-i --list works" runs 0 as_tok "$tmp/sa.token" auth can-i --list -n dev
check "... pods get list" grep -qE '^pods +\[\] +\[\] +\[get list\]' "$tmp/out"
# escalation prevention: the dashboard account may create Roles, so what
# refuses a Role granting more than it holds is the escalation check, not
# plain RBAC
must adm create role role-creator -n kubernetes-dashboard --verb=create --resource=roles
must adm create rolebinding role-creator -n kubernetes-dashboard --role=role-creator \
	--serviceaccount=kubernetes-dashboard:kubernetes-dashboard
dash_may_create() {
	[ "$(as_tok "$tmp/state/tokens/kubernetes-dashboard.token" auth can-i create roles \
		-n kubernetes-dashboard 2>&1)" = yes ]
}
check "the dashboard account may create Roles once the authorizer sees its binding" wait_for 5 dash_may_create
check "... but not one granting what it does not hold" \
	runs 1 as_tok "$tmp/state/tokens/kubernetes-dashboard.token" create role big -n kubernetes-dashboard \
	--verb='*' --resource=secrets
check "... refused by the escalation check, with the apiserver's message" out_has \
	'Error from server (Forbidden): roles.rbac.authorization.k8s.io "big" is forbidden: user "system:serviceaccount:kubernetes-dashboard:kubernetes-dashboard" (groups=["system:serviceaccounts" "system:serviceaccounts:kubernetes-dashboard" "system:authenticated"]) is attempting to grant RBAC permissions not currently held'

# a client certificate through a CSR approved with kubectl
must openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/bob.key" -subj "/CN=bob/O=e2e-devs" \
	-out "$tmp/bob.csr"
cat >"$tmp/csr.json" <<EOF
{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"bob"},
 "spec":{"request":"$(base64 -w0 "$tmp/bob.csr")","signerName":"kubernetes.io/kube-apiserver-client",
 "expirationSeconds":86400,"usages":["client auth"]}}
EOF
must adm create -f "$tmp/csr.json" --validate=false
check "kubectl certificate approve" runs 0 adm certificate approve bob
# the signer controller issues the certificate a moment after the approval
issued() { [ -n "$(adm get csr bob -o jsonpath='{.status.certificate}' 2>/dev/null)" ]; }
check "the signer issues the certificate after the approval" wait_for 10 issued
adm get csr bob -o jsonpath='{.status.certificate}' 2>/dev/null | base64 -d >"$tmp/bob.crt"
check "the issued certificate authenticates as bob in e2e-devs" runs 0 \
	"$KUBECTL" --kubeconfig=/dev/null --cache-dir "$tmp/kcache" --server="$server" \
	--certificate-authority="$tmp/ca.crt" --client-certificate="$tmp/bob.crt" --client-key="$tmp/bob.key" \
	auth whoami
check "... as the CSR's subject" out_has '[e2e-devs system:authenticated]'

tap_done
