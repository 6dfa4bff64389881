#!/bin/sh
# Access requests against `kubejit demo-cluster` with two identities: an
# approver (the kubejit-jit ServiceAccount, its own mint rights plus
# `kubejit rbac approver`) and a requester (a ServiceAccount with nothing but
# `kubejit rbac requester`), each in its own home.  Request, list, approve,
# collect, and the real kubectl works with the collected kubeconfig; deny,
# expiry, cancel, --wait; double approval refused by kubejit and by the API
# server; the requester's name is the authenticated one whatever it writes;
# the ciphertext in the cluster does not open with another key; both RBAC
# roles are needed and suffice; self-approval only where the secret allows.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
command -v python3 >/dev/null || tap_skip_all "python3 not found (edits CSR JSON)"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
demo_pid=""
bg_pid=""
cleanup() {
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

demo_start "$tmp"
url=$demo_url
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBEJIT_HOME
A="$tmp/approver"
B="$tmp/requester"
C="$tmp/stranger"
ka() { "$KUBEJIT_BIN" --home "$A" "$@"; }
kb() { "$KUBEJIT_BIN" --home "$B" "$@"; }
kc() { "$KUBEJIT_BIN" --home "$C" "$@"; }
k() { "$KUBECTL" --kubeconfig "$demo_kubeconfig" --cache-dir "$tmp/cache" "$@"; }
# kubectl as the requester itself
kalice() {
	"$KUBECTL" --kubeconfig /dev/null --server "$url" --certificate-authority "$tmp/ca.crt" \
		--token "$(cat "$tmp/alice.token")" --cache-dir "$tmp/cache-alice" "$@"
}
rc() {
	want=$1
	shift
	"$@" >"$tmp/last" 2>&1
	got=$?
	[ "$got" = "$want" ] || { diag "exit $got, wanted $want: $*"; sed 's/^/# /' "$tmp/last"; return 1; }
}
has() { grep -q -- "$2" "$1"; }
gone() { k get csr "$1" >"$tmp/gone" 2>&1 && return 1; grep -q NotFound "$tmp/gone"; }
# the id a `kubejit request` printed on stdout
new_request() { kb request "$@" 2>"$tmp/req.err"; }
ALICE=system:serviceaccount:team:alice
JIT=system:serviceaccount:kube-system:kubejit-jit

tap_plan 70

# ---- setup: an approver home with a secret, a requester home with its own identity
check "approver target" rc 0 ka target add demo --server "$url" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
check "approver's secret (dev only, at most 1h)" rc 0 ka secret add /dev/read-pods --target demo \
	--mode dynamic --allowed-namespaces dev --role-yaml "$DATA/templates/pods-read-only.yaml" \
	--ttl 15m --max-ttl 1h
k create namespace team >/dev/null
k create serviceaccount alice -n team >/dev/null
k create token alice -n team --duration 2h >"$tmp/alice.token"
check "requester target with its own identity" rc 0 kb target add mine --server "$url" \
	--ca-file "$tmp/ca.crt" --token-file "$tmp/alice.token"

# ---- the requester role is needed, then suffices
check "without 'rbac requester' a request is refused (exit 3)" \
	rc 3 kb request /dev/read-pods -n dev --reason "INC-1"
check "... naming the role to grant" has "$tmp/last" "kubejit rbac requester"
check "rbac requester prints YAML kubectl applies" \
	sh -c "'$KUBEJIT_BIN' rbac requester --serviceaccount team:alice | '$KUBECTL' --kubeconfig '$demo_kubeconfig' --cache-dir '$tmp/cache' apply -f - >/dev/null"
# RBAC takes effect a moment later (informers)
must wait_for 10 kalice auth can-i create certificatesigningrequests.certificates.k8s.io
id1=$(new_request /dev/read-pods -n dev --ttl 10m --reason "INC-1 look at pods")
check "request made with only the requester role" test -n "$id1"
check "... its private key is kept 0600 in the requester's home" \
	test "$(stat -c %a "$B/requests/$id1.json")" = 600
check "... and the CSR is Pending with the kubejit signer" \
	sh -c "'$KUBECTL' --kubeconfig '$demo_kubeconfig' --cache-dir '$tmp/cache' get csr $id1 | grep -q 'kubejit.io/access-request.*Pending'"
check "collecting before approval says it is pending (exit 1)" rc 1 kb request --collect "$id1" -o token
check "... in those words" has "$tmp/last" "still pending"

# ---- the approver role is needed
check "without 'rbac approver' approving is refused (exit 3)" rc 3 ka approve "$id1"
check "... naming the missing permission on the signer" has "$tmp/last" "approve' on signers \"kubejit.io/access-request\""
check "... and nothing was minted" test "$(ka leases --json | grep -c '"id"')" = 0
check "rbac approver applied" \
	sh -c "'$KUBEJIT_BIN' rbac approver --serviceaccount kube-system:kubejit-jit | '$KUBECTL' --kubeconfig '$demo_kubeconfig' --cache-dir '$tmp/cache' apply -f - >/dev/null"
# the authorizer sees the binding a moment later.  `kubectl auth can-i` cannot
# ask this: signers are not a served resource, so it sends no API group (and
# the answer is always no); a SubjectAccessReview names the group (not
# validated on the client: the demo's OpenAPI document does not describe it).
approver_allowed() {
	printf '%s' '{"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"'"$JIT"'",
		"groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"],
		"resourceAttributes":{"group":"certificates.k8s.io","resource":"signers","verb":"approve",
		"name":"kubejit.io/access-request"}}}' | k create --validate=false -f - -o jsonpath='{.status.allowed}' | grep -qx true
}
must wait_for 10 approver_allowed
check "the requester may not approve (exit 3, specific error)" rc 3 kb approve "$id1"
check "... saying who lacks what" has "$tmp/last" "$ALICE may not decide request $id1"

# ---- list: the authenticated requester, whatever it wrote
check "requests lists the pending request" rc 0 ka requests
check "... with the requester the API server authenticated" has "$tmp/last" "$id1 *pending *$ALICE "
spec_req=$(k get csr "$id1" -o jsonpath='{.spec.request}')
cat >"$tmp/forged.json" <<EOF
{"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
 "metadata": {"name": "kjr-forged00001", "labels": {"kubejit.io/access-request": "true"},
  "annotations": {"kubejit.io/request-secret": "/dev/read-pods", "kubejit.io/request-reason": "trust me",
   "kubejit.io/request-decided-by": "system:admin"}},
 "spec": {"request": "$spec_req", "signerName": "kubejit.io/access-request", "usages": ["key agreement"],
  "username": "system:admin", "groups": ["system:masters"], "uid": "0"}}
EOF
check "the requester submits a CSR that names someone else" rc 0 kalice create -f "$tmp/forged.json"
check "... the approver sees the requester's real name" \
	sh -c "'$KUBEJIT_BIN' --home '$A' requests kjr-forged00001 --json >'$tmp/forged.out' && grep -q '\"requester\":[[:space:]]*\"$ALICE\"' '$tmp/forged.out'"
check "... and not the groups it wrote" sh -c "! grep -q system:masters '$tmp/forged.out'"
check "... nor the decider it wrote" sh -c "! grep -q decidedBy '$tmp/forged.out'"
k patch csr kjr-forged00001 --type merge -p '{"spec":{"username":"mallory"}}' >/dev/null 2>&1
check "an update cannot rewrite the recorded requester" \
	test "$(k get csr kjr-forged00001 -o jsonpath='{.spec.username}')" = "$ALICE"
k delete csr kjr-forged00001 >/dev/null

# ---- limits of the secret bind the approver
id_long=$(new_request /dev/read-pods -n dev --ttl 2h --reason "longer than allowed")
check "a TTL beyond the secret's maximum is refused (exit 3)" rc 3 ka approve "$id_long"
id_ns=$(new_request /dev/read-pods -n staging --reason "another namespace")
check "a namespace the secret does not allow is refused (exit 3)" rc 3 ka approve "$id_ns"
check "--ttl cannot lengthen a request" rc 2 ka approve "$id1" --ttl 20m

# ---- approve, double approval, the server's own checks
check "approve mints and seals it" rc 0 ka approve "$id1"
check "... one lease on the approver's side" test "$(ka leases --json | grep -c '"id"')" = 1
check "approving twice is refused (exit 1)" rc 1 ka approve "$id1"
check "... as decided already" has "$tmp/last" "cannot be decided twice"
check "denying an approved request is refused too" rc 1 ka deny "$id1" --reason "changed my mind"
k get csr "$id1" -o json >"$tmp/csr.json"
python3 - "$tmp/csr.json" "$tmp/dup.json" "$tmp/both.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
c = o["status"]["conditions"]
dup = json.loads(json.dumps(o)); dup["status"]["conditions"] = c + [dict(c[0])]
json.dump(dup, open(sys.argv[2], "w"))
both = json.loads(json.dumps(o))
both["status"]["conditions"] = c + [{"type": "Denied", "status": "True", "reason": "X", "message": "x"}]
json.dump(both, open(sys.argv[3], "w"))
EOF
raw=/apis/certificates.k8s.io/v1/certificatesigningrequests/$id1/approval
check "the API server refuses a second Approved condition" rc 1 k replace --raw "$raw" -f "$tmp/dup.json"
check "... as a duplicate" has "$tmp/last" "Duplicate value"
check "the API server refuses Approved and Denied together" rc 1 k replace --raw "$raw" -f "$tmp/both.json"
check "... as mutually exclusive" has "$tmp/last" "mutually exclusive"
check "the built-in signer never signs it: no certificate" \
	test -z "$(k get csr "$id1" -o jsonpath='{.status.certificate}')"

# ---- the ciphertext: only the requester's key opens it
sealed=$(k get csr "$id1" -o jsonpath='{.metadata.annotations.kubejit\.io/request-credential}')
check "the cluster holds only ciphertext" sh -c "case '$sealed' in kjreq1:*) exit 0;; esac; exit 1"
check "a stranger makes its own request (its own key)" rc 0 kc target add mine --server "$url" \
	--ca-file "$tmp/ca.crt" --token-file "$tmp/alice.token"
idc=$(kc request /dev/read-pods -n dev --reason "stranger" 2>/dev/null)
# the requester's record of $id1, with the stranger's key in it
python3 - "$B/requests/$id1.json" "$C/requests/$idc.json" "$C/requests/$id1.json" <<'EOF'
import json, os, sys
mine = json.load(open(sys.argv[1])); other = json.load(open(sys.argv[2]))
mine["key"] = other["key"]
fd = os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, json.dumps(mine).encode()); os.close(fd)
EOF
check "another key does not open it (exit 1)" rc 1 kc request --collect "$id1" -o token
check "... it says so" has "$tmp/last" "does not open with this home's key"
check "... and the request is still there for its requester" k get csr "$id1"

# ---- collect: any format, kubectl works, deleted from the cluster
check "the requester collects a kubeconfig" rc 0 kb request --collect "$id1" -o kubeconfig --out "$tmp/b.kubeconfig"
check "real kubectl works with it" rc 0 "$KUBECTL" --kubeconfig "$tmp/b.kubeconfig" --cache-dir "$tmp/cache-b" get pods -n dev
token=$(sed -n 's/^ *token: *//p' "$tmp/b.kubeconfig" | tr -d '"')
check "the token was nowhere in the cluster's copy" sh -c "[ -n '$token' ] && ! printf '%s' '$sealed' | grep -qF '$token'"
check "collected requests are deleted from the cluster" gone "$id1"
check "a second collect finds nothing" rc 4 kb request --collect "$id1" -o token

# ---- deny, expiry, cancel
id3=$(new_request /dev/read-pods -n dev --reason "INC-3")
check "deny with a reason" rc 0 ka deny "$id3" --reason "use the read-only dashboard"
check "the requester learns it with the reason (exit 3)" rc 3 kb request --collect "$id3" -o token
check "... and the denier" has "$tmp/last" "denied by $JIT: use the read-only dashboard"
id4=$(new_request /dev/read-pods -n dev --reason "INC-4" --expires-in 2s)
id9=$(new_request /dev/read-pods -n dev --reason "INC-9" --expires-in 2s)
sleep 3
check "an expired request cannot be approved (exit 1)" rc 1 ka approve "$id4"
check "... and is deleted from the cluster" gone "$id4"
check "the requester sees it expired (exit 4)" rc 4 kb request --collect "$id4" -o token
check "kubejit sweep --cluster deletes expired requests" rc 0 ka sweep --cluster
check "... saying so" has "$tmp/last" "$id9"
check "... and it is gone" gone "$id9"
id5=$(new_request /dev/read-pods -n dev --reason "INC-5")
check "the requester cancels" rc 0 kb request --cancel "$id5"
check "... it is gone from the cluster" gone "$id5"
check "... and cannot be approved" rc 4 ka approve "$id5"

# ---- --wait: the requester waits while the approver approves
kb request /dev/read-pods -n dev --ttl 15m --reason "INC-6" --wait -o exec --out "$tmp/exec.json" \
	>"$tmp/wait.out" 2>"$tmp/wait.err" &
bg_pid=$!
must wait_for 20 sh -c "'$KUBEJIT_BIN' --home '$A' requests | grep -q INC-6"
id6=$(ka requests | sed -n 's/^\(kjr-[a-z0-9]*\) .*INC-6.*/\1/p')
check "the waiting request is approved" rc 0 ka approve "$id6"
wait "$bg_pid"
check "--wait returns with the credential" test $? = 0 -a -s "$tmp/exec.json"
bg_pid=""
check "... as an ExecCredential" has "$tmp/exec.json" '"kind":[[:space:]]*"ExecCredential"'

# ---- self-approval only where the secret allows it
"$KUBEJIT_BIN" rbac requester --serviceaccount kube-system:kubejit-jit --name jit-requester |
	k apply -f - >/dev/null
must wait_for 10 k auth can-i create certificatesigningrequests.certificates.k8s.io --as "$JIT"
id7=$(ka request /dev/read-pods -n dev --reason "my own" 2>/dev/null)
check "approving one's own request is refused (exit 3)" rc 3 ka approve "$id7"
check "... unless the secret allows self-approval" rc 0 ka secret edit /dev/read-pods --self-approval
check "... then it is approved and collected" \
	sh -c "'$KUBEJIT_BIN' --home '$A' approve $id7 && '$KUBEJIT_BIN' --home '$A' request --collect $id7 -o token >/dev/null"

# ---- a sealed requester home keeps the request's key sealed
printf 'correct horse battery\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
check "the requester seals its store" rc 0 kb seal on --passphrase-file "$tmp/pass"
id8=$(KUBEJIT_PASSPHRASE_FILE="$tmp/pass" new_request /dev/read-pods -n dev --reason "INC-8")
check "... a new request's key is kept sealed" has "$B/requests/$id8.json" '"key":[[:space:]]*"kjseal2:'
check "... and opens with the passphrase once approved" \
	sh -c "'$KUBEJIT_BIN' --home '$A' approve $id8 && KUBEJIT_PASSPHRASE_FILE='$tmp/pass' '$KUBEJIT_BIN' --home '$B' request --collect $id8 -o token >/dev/null"

# ---- both sides audited
check "the approver's audit has approvals and denials" \
	sh -c "'$KUBEJIT_BIN' --home '$A' audit | grep -q 'request-approve.*ok' && '$KUBEJIT_BIN' --home '$A' audit | grep -q 'request-deny.*ok'"
check "the requester's audit has request, collect and cancel" \
	sh -c "'$KUBEJIT_BIN' --home '$B' audit >'$tmp/audit' && grep -q 'request .*ok' '$tmp/audit' && grep -q 'request-collect.*ok' '$tmp/audit' && grep -q 'request-cancel.*ok' '$tmp/audit'"
tap_done
