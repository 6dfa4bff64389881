#!/bin/sh
# Two operators on two kubejit homes, one demo cluster: alice mints as the
# cluster admin, bob (his own home, the kubejit-jit account) lists her
# leases from the cluster with her name on them and revokes one; her
# kubeconfig then stops working within the API server's token cache time
# and the lease's objects are gone.  A target whose RBAC lacks a verb gets
# an answer that names the kind and the verb.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# the demo's production delays stay on: token cache 10 s, RBAC 250 ms, GC 1 s
demo_start "$tmp"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBEJIT_HOME
alice() { USER=alice KUBEJIT_HOME="$tmp/alice" "$KUBEJIT_BIN" "$@"; }
bob() { USER=bob KUBEJIT_HOME="$tmp/bob" "$KUBEJIT_BIN" "$@"; }
carol() { USER=carol KUBEJIT_HOME="$tmp/carol" "$KUBEJIT_BIN" "$@"; }
admin() { "$KUBECTL" --kubeconfig "$demo_kubeconfig" --cache-dir "$tmp/cache" --request-timeout 10s "$@"; }
# rc EXPECTED CMD...: the command exits with EXPECTED; its output is in $tmp/last
rc() {
	want=$1
	shift
	"$@" >"$tmp/last" 2>&1
	got=$?
	[ "$got" = "$want" ] || { diag "exit $got, wanted $want: $*"; sed 's/^/# /' "$tmp/last"; return 1; }
}
has() { grep -q -- "$2" "$1" || { diag "$1 lacks \"$2\":"; sed 's/^/# /' "$1"; return 1; }; }
lacks() { ! grep -q -- "$2" "$1" || { diag "$1 has \"$2\""; return 1; }; }
json_field() { # json_field FILE EXPR: a python expression over the document d
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

tap_plan 28

check "alice adds the target as the cluster admin" rc 0 alice target add demo --server "$demo_url" \
	--ca-file "$tmp/ca.crt" --token-file "$tmp/state/tokens/admin.token"
check "bob adds the same cluster as kubejit-jit" rc 0 bob target add demo --server "$demo_url" \
	--ca-file "$tmp/ca.crt" --token-file "$tmp/state/tokens/kubejit-jit.token"
check "alice defines a dynamic secret" rc 0 alice secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces dev --role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m
check "alice defines a fixed secret" rc 0 alice secret add /dash/view --target demo --mode fixed \
	--namespace kubernetes-dashboard --service-account kubernetes-dashboard
check "alice mints a kubeconfig" rc 0 alice mint /dev/read-pods -n dev -o kubeconfig --out "$tmp/alice.kubeconfig"
dyn=$(sed -n 's/^lease \([0-9a-f-]*\):.*/\1/p' "$tmp/last")
check "alice mints a fixed token" rc 0 alice mint /dash/view -o token --out "$tmp/alice.token"
fixed=$(sed -n 's/^lease \([0-9a-f-]*\):.*/\1/p' "$tmp/last")
diag "alice's leases: $dyn $fixed"
kc_alice() { "$KUBECTL" --kubeconfig "$tmp/alice.kubeconfig" --cache-dir "$tmp/cache-a" --request-timeout 10s "$@"; }
check "her kubeconfig works" rc 0 kc_alice get pods

# the objects say who, what, where and until when
sel="kubejit.io/lease=$dyn"
admin get serviceaccounts -n dev -l "$sel" -o json >"$tmp/sa.json" 2>&1
check "the ServiceAccount names its owner (the identity the API server saw)" \
	test "$(json_field "$tmp/sa.json" "d['items'][0]['metadata']['annotations']['kubejit.io/owner']")" = kubernetes-admin
created_by() { json_field "$tmp/sa.json" "d['items'][0]['metadata']['annotations']['kubejit.io/created-by']" | grep -q '^alice@'; }
check "... the minter's user@host" created_by
labelled() { [ -n "$(admin get rolebindings -A -l 'kubejit.io/namespace=dev,kubejit.io/mode=dynamic' -o name)" ]; }
check "... and carries namespace and mode labels a selector finds" labelled

# bob, from his own home, sees alice's leases
no_lease() { bob leases --all 2>&1 | grep -q 'no leases match'; }
check "bob's own store has no lease" no_lease
check "bob lists the cluster's leases" rc 0 bob leases --cluster
cp "$tmp/last" "$tmp/bob.txt"
check "... with OWNER, SECRET, NAMESPACE, EXPIRES and STATE columns" \
	has "$tmp/bob.txt" "OWNER  *SECRET  *NAMESPACE  *EXPIRES  *STATE"
check "... alice's dynamic lease with her identity and user@host" \
	has "$tmp/bob.txt" "^$(echo "$dyn" | cut -c1-8)  kubernetes-admin (alice@[^)]*) */dev/read-pods *dev .*active"
check "... and her fixed one" has "$tmp/bob.txt" "^$(echo "$fixed" | cut -c1-8)  kubernetes-admin (alice@.*/dash/view"
check "bob lists them as JSON" rc 0 bob leases --cluster --target demo --json
cp "$tmp/last" "$tmp/bob.json"
check "... owner, secret, namespace, expiry, state and objects for each" test \
	"$(json_field "$tmp/bob.json" "[(i['owner'], i['secret'], i['namespace'], i['state'], i['mine'], len(i['objects'])) for i in d['items'] if i['id'] == '$dyn'][0]")" \
	= "('kubernetes-admin', '/dev/read-pods', 'dev', 'active', False, 3)"
check "... complete: every kind could be listed" test "$(json_field "$tmp/bob.json" "d['complete']")" = True

# bob revokes alice's dynamic lease from the cluster
short=$(echo "$dyn" | cut -c1-8)
check "bob revokes it with --cluster" rc 0 bob revoke --cluster "$short"
check "... and says whose it was and what the token cache allows" \
	has "$tmp/last" "lease $dyn of kubernetes-admin (alice@.*) revoked from the cluster: 3 object(s) deleted.*10 s"
audited() { bob audit | grep revoke | grep -q 'lease of kubernetes-admin (alice@'; }
check "bob's audit log names the owner" audited
refused() { ! kc_alice get pods >/dev/null 2>&1; }
check "alice's kubeconfig stops working within the token cache time" wait_for 15 refused
gone() { [ -z "$(admin get serviceaccounts,roles,rolebindings -n dev -l "$sel" -o name 2>/dev/null)" ]; }
check "the lease's objects are gone (after the demo's GC delay at most)" wait_for 10 gone
check "the cluster list no longer shows it" rc 0 bob leases --cluster
check "... but still alice's fixed lease" has "$tmp/last" "/dash/view"

# RBAC: carol's target may list ServiceAccounts and Secrets, and delete nothing
admin create serviceaccount auditor -n kube-system >/dev/null 2>&1
admin create clusterrole kj-auditor --verb=list --resource=serviceaccounts,secrets >/dev/null 2>&1
admin create clusterrolebinding kj-auditor --clusterrole=kj-auditor \
	--serviceaccount=kube-system:auditor >/dev/null 2>&1
admin create token auditor -n kube-system >"$tmp/auditor.token" 2>/dev/null
carol target add demo --server "$demo_url" --ca-file "$tmp/ca.crt" --token-file "$tmp/auditor.token" \
	>/dev/null 2>&1
# RBAC reaches the authorizer after a delay, as on a real cluster
listable() { carol leases --cluster >/dev/null 2>&1; }
must wait_for 10 listable
carol leases --cluster >"$tmp/carol.out" 2>"$tmp/carol.err"
check "a partly allowed list shows what it may see, and names each kind and verb it lacks" \
	sh -c "grep -q /dash/view '$tmp/carol.out' && grep -q \"may not list roles.rbac.authorization.k8s.io (the 'list' verb is missing)\" '$tmp/carol.err' \
	&& grep -q 'may not list clusterrolebindings' '$tmp/carol.err'"
check "a revoke the target's RBAC refuses exits 3 and names the verb and the object" \
	rc 3 carol revoke --cluster "$(echo "$fixed" | cut -c1-8)"
cp "$tmp/last" "$tmp/carol.revoke"
check "... (cannot delete resource \"secrets\")" has "$tmp/carol.revoke" 'cannot delete resource "secrets"'

tap_done
