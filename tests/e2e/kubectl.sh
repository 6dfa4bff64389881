#!/bin/sh
# The real kubectl against `kubejit demo-cluster`: discovery, tables, create,
# delete, -o json, and the ServiceAccount token story of issue 3.
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

demo_start "$tmp" --max-token-expiration 24h --token-cache-ttl 1s --gc-delay 300ms --csr-signer-delay 300ms
cp "$tmp/demo.out" "$tmp/out"
# A private kubeconfig and discovery cache: nothing leaks between runs.
export KUBECONFIG="$tmp/state/admin.kubeconfig"
unset KUBERNETES_SERVICE_HOST
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
# out FILE CMD...: run, keeping stdout+stderr in FILE; the command's status
out() {
	f=$1
	shift
	"$@" >"$tmp/$f" 2>&1
}
has() { grep -q -- "$2" "$tmp/$1"; }
hasnt() { ! grep -q -- "$2" "$tmp/$1"; }

tap_plan 55

check "cluster url printed" grep -q '^demo cluster listening on https://127.0.0.1:' "$tmp/out"
check "kubeconfig is private" test "$(stat -c %a "$KUBECONFIG")" = 600
check "admin token file" test -s "$tmp/state/tokens/admin.token"

out ns k get namespaces
check "get namespaces: columns" has ns '^NAME  *STATUS  *AGE'
check "get namespaces: seeded" has ns '^kubernetes-dashboard  *Active'

out pods k get pods -n dev
check "get pods: columns" has pods '^NAME  *READY  *STATUS  *RESTARTS  *AGE'
check "get pods: row" has pods '^web-0  *1/1  *Running  *0'

out podsa k get pods -A -o wide
check "get pods -A -o wide: namespace and node columns" has podsa '^NAMESPACE  *NAME .*NODE'
check "get pods -A: prod pod" has podsa '^prod  *web-1  *1/1  *Running  *3'

out none k get sa -n nowhere
check "empty namespace: No resources found" has none 'No resources found in nowhere namespace.'

out sa k create serviceaccount ci -n dev
check "create sa" has sa '^serviceaccount/ci created'
out sa2 k create serviceaccount ci -n dev
check "create sa again: AlreadyExists" has sa2 'error: failed to create serviceaccount: serviceaccounts "ci" already exists'
out bad k create serviceaccount Bad_Name -n dev
check "create sa with a bad name: Invalid" has bad 'ServiceAccount "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'
out miss k create serviceaccount x -n missing
check "create sa in a missing namespace" has miss 'namespaces "missing" not found'

out role k create role pod-reader -n dev --verb=get,list --resource=pods
check "create role" has role '^role.rbac.authorization.k8s.io/pod-reader created'
out rb k create rolebinding ci-reads -n dev --role=pod-reader --serviceaccount=dev:ci
check "create rolebinding" has rb '^rolebinding.rbac.authorization.k8s.io/ci-reads created'
out cr k create clusterrole ns-reader --verb=get,list --resource=namespaces
check "create clusterrole" has cr '^clusterrole.rbac.authorization.k8s.io/ns-reader created'
out crb k create clusterrolebinding ci-ns --clusterrole=ns-reader --serviceaccount=dev:ci
check "create clusterrolebinding" has crb '^clusterrolebinding.rbac.authorization.k8s.io/ci-ns created'

out roles k get roles -n dev
check "get roles: default table" has roles '^NAME  *CREATED AT'
out rbs k get rolebindings -n dev -o wide
check "get rolebindings -o wide" has rbs '^ci-reads  *Role/pod-reader .*dev/ci'

out json k get sa ci -n dev -o json
check "get -o json: kind" has json '"kind": "ServiceAccount"'
check "get -o json: uid" has json '"uid": "'
out sel k get pods -A -l 'app in (api)' -o name
check "label selector" has sel '^pod/api-'
check "label selector excludes" hasnt sel 'web-0'

out delrb k delete rolebinding ci-reads -n dev
check "delete rolebinding" has delrb '^rolebinding.rbac.authorization.k8s.io "ci-reads" deleted'
out delcrb k delete clusterrolebinding ci-ns
check "delete clusterrolebinding" has delcrb 'clusterrolebinding.rbac.authorization.k8s.io "ci-ns" deleted'
out delcr k delete clusterrole ns-reader
check "delete clusterrole" has delcr 'deleted'
cat >"$tmp/objs.yaml" <<'EOF'
apiVersion: v1
kind: ServiceAccount
metadata:
  name: from-file
  namespace: staging
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: from-file
  namespace: staging
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
EOF
out cf k create -f "$tmp/objs.yaml"
check "create -f (server-side field validation)" has cf '^role.rbac.authorization.k8s.io/from-file created'
sed 's/verbs: \["get"\]/verbs: ["get", "list"]/' "$tmp/objs.yaml" >"$tmp/objs2.yaml"
out ap k apply -f "$tmp/objs2.yaml"
check "apply -f updates" has ap '^role.rbac.authorization.k8s.io/from-file configured'
# a watch stays open and shows what happens meanwhile, until it times out
k get sa -n dev -w --request-timeout=4s >"$tmp/watch" 2>&1 &
wpid=$!
sleep 1
must k create sa watched -n dev
wait $wpid
check "get -w lists first" has watch '^default  *0'
check "... then streams the ServiceAccount created meanwhile" has watch '^watched  *0'
# reviews are only created: kubectl validates them itself (no PATCH to ask
# the server about), so the demo's OpenAPI must let them through
cat >"$tmp/sar.yaml" <<'EOF'
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: system:serviceaccount:dev:nobody
  resourceAttributes: {verb: list, resource: secrets, namespace: dev}
EOF
out sar k create -f "$tmp/sar.yaml" -o "jsonpath={.status.allowed}"
check "create -f a SubjectAccessReview (client-side validation)" test "$(cat "$tmp/sar")" = false
printf 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: %s\n' \
	"$(k create token default -n dev)" >"$tmp/tr.yaml"
out tr k create -f "$tmp/tr.yaml" -o "jsonpath={.status.user.username}"
check "create -f a TokenReview names the token's user" test "$(cat "$tmp/tr")" = system:serviceaccount:dev:default
out gone k get role nope -n dev
check "get missing: NotFound" has gone 'Error from server (NotFound): roles.rbac.authorization.k8s.io "nope" not found'

# ------------------------------------------------------------------ tokens
out short k create token ci -n dev --duration 5m
check "create token 5m fails with the 10-minute message" has short 'may not specify a duration less than 10 minutes'
k create token ci -n dev --duration 1h >"$tmp/tok" 2>"$tmp/tokerr"
check "create token 1h" test -s "$tmp/tok"
tok=$(cat "$tmp/tok")
# the token user of the kubeconfig: a client certificate would win over --token
kt() {
	t=$1
	shift
	k --context kubejit-demo-token --token "$t" "$@"
}
out who kt "$tok" auth whoami
check "whoami names the ServiceAccount" has who 'system:serviceaccount:dev:ci'
out deny1 kt "$tok" get secrets -n dev
check "token is Forbidden for secrets" has deny1 'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:dev:ci" cannot list resource "secrets"'
must k create role secret-reader -n dev --verb=list --resource=secrets
must k create rolebinding ci-secrets -n dev --role=secret-reader --serviceaccount=dev:ci
must k create role role-writer -n dev --verb=create --resource=roles
must k create rolebinding ci-roles -n dev --role=role-writer --serviceaccount=dev:ci
# the authorizer sees new bindings a little later (informer caches)
allowed() {
	kt "$tok" get secrets -n dev >"$tmp/allow" 2>&1 && kt "$tok" auth can-i create roles -n dev >/dev/null 2>&1
}
check "allowed once the authorizer sees the Role + RoleBinding" wait_for 5 allowed
out esc kt "$tok" create role greedy -n dev --verb='*' --resource=secrets
check "cannot create an escalating Role" has esc 'roles.rbac.authorization.k8s.io "greedy" is forbidden: user "system:serviceaccount:dev:ci" (groups=\["system:serviceaccounts" "system:serviceaccounts:dev" "system:authenticated"\]) is attempting to grant RBAC permissions not currently held'
out modest kt "$tok" create role modest -n dev --verb=list --resource=secrets
check "can create a Role within its own permissions" has modest '^role.rbac.authorization.k8s.io/modest created'
must k delete sa ci -n dev
# the API server's token cache (--token-cache-ttl 1s here) may still let it in
refused() { REFUSED_QUIET=1 refused_with 'error: You must be logged in to the server \(Unauthorized\)' kt "$1" get secrets -n dev; }
check "Unauthorized within the token cache time of the ServiceAccount's deletion" wait_for 4 refused "$tok"
must k create secret generic anchor -n dev --from-literal=a=b
k create token default -n dev --bound-object-kind Secret --bound-object-name anchor >"$tmp/btok" 2>"$tmp/btokerr" ||
	must false "create token bound to the anchor Secret: $(cat "$tmp/btokerr")"
btok=$(cat "$tmp/btok")
out bwho kt "$btok" auth whoami
check "Secret-bound token works" has bwho 'system:serviceaccount:dev:default'
must k delete secret anchor -n dev
check "Secret-bound token dies with its Secret, within the token cache time" wait_for 4 refused "$btok"
out cap k create token default -n dev --duration 48h
check "token beyond --max-token-expiration is capped with a warning" has cap 'Warning: requested expiration of 172800 seconds shortened to 86400 seconds'
if command -v openssl >/dev/null 2>&1; then
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/u.key" \
		-subj "/CN=alice/O=devs" -out "$tmp/u.csr" 2>/dev/null
	cat >"$tmp/csr.yaml" <<EOF
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata:
  name: alice
spec:
  request: $(base64 -w0 "$tmp/u.csr")
  signerName: kubernetes.io/kube-apiserver-client
  usages: [client auth]
EOF
	must k create -f "$tmp/csr.yaml"
	out appr k certificate approve alice
	check "certificate approve" has appr 'certificatesigningrequest.certificates.k8s.io/alice approved'
	# the signer controller issues a moment after approval
	issued() { k get csr >"$tmp/csrs" 2>&1 && has csrs 'Approved,Issued'; }
	must wait_for 5 issued
	check "get csr: columns and condition" has csrs '^alice  .*kubernetes.io/kube-apiserver-client  *kubernetes-admin  *<none>  *Approved,Issued'
else
	for n in 1 2; do echo "ok $((TAP_N + n)) # SKIP openssl not found"; done
	TAP_N=$((TAP_N + 2))
fi
out cani k auth can-i create serviceaccounts/token -n dev --subresource=token
check "auth can-i as admin" has cani '^yes'
# unknown fields: kubectl asks the server to refuse them (fieldValidation=Strict)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: dev}\ndata: {a: b}\ndatta: {c: d}\n' >"$tmp/typo.yaml"
out typo k create -f "$tmp/typo.yaml"
check "create with an unknown field: refused as strict decoding" has typo 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"'
out typow k create -f "$tmp/typo.yaml" --validate=warn
check "... --validate=warn: created, with the server's warning" has typow '^Warning: unknown field "datta"'

kill "$demo_pid"
wait "$demo_pid"
rc=$?
demo_pid=""
check "SIGTERM stops the cluster cleanly" test "$rc" = 0
check "demo-cluster --help" sh -c '"$0" demo-cluster --help | grep -q -- "--max-token-expiration DUR"' "$KUBEJIT_BIN"
"$KUBEJIT_BIN" demo-cluster --max-token-expiration 5m >"$tmp/maxerr" 2>&1
rc=$?
check "a cap below 1h is a usage error" test "$rc" = 2
check "... saying why" has maxerr 'must be between 1h and 2^32 seconds'
"$KUBEJIT_BIN" demo-cluster --bogus >/dev/null 2>&1
check "unknown option is a usage error" test $? = 2
tap_done
