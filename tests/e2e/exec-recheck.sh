#!/bin/sh
# The exec plugin never keeps serving a credential that died elsewhere.
# The real kubectl runs `kubejit get` through a kubeconfig written by
# `kubejit kubeconfig`; an admin deletes the lease's ServiceAccount behind
# kubejit's back.  kubectl keeps working while the API server's token cache
# still knows the token (10 s, as kube-apiserver), then is refused once:
# client-go runs the plugin again at once (exec.go, after a 401), kubejit
# asks as the cached token, gets 401, closes the lease and mints a new one,
# and the next kubectl call works.  A first call from a process is answered
# from the cache without a single connection to the cluster.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"
command -v python3 >/dev/null || tap_skip_all "python3 not found (counts connections)"

tmp=$(mk_tmp)
demo_pid=
lis_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	[ -n "$lis_pid" ] && kill "$lis_pid" 2>/dev/null && wait "$lis_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export HOME="$tmp" KUBEJIT_HOME="$tmp/home" NO_COLOR=1
unset XDG_DATA_HOME XDG_RUNTIME_DIR KUBERNETES_EXEC_INFO
kj() { "$KUBEJIT_BIN" "$@"; }
kjq() { "$KUBEJIT_BIN" --quiet "$@" >/dev/null; }
kc() { KUBECONFIG="$tmp/exec.kubeconfig" "$KUBECTL" --cache-dir "$tmp/kcache" --request-timeout 20s "$@"; }
admin() { "$KUBECTL" --kubeconfig "$demo_kubeconfig" --cache-dir "$tmp/acache" --request-timeout 20s "$@"; }
# the value of "key" in the JSON of one lease: field JSON KEY
field() { printf '%s' "$1" | tr ',{}' '\n\n\n' | sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" | head -n 1; }
active_ids() { kj leases --all --json --secret /e2e/ro --state active | grep -o '"id":[[:space:]]*"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'; }

demo_start "$tmp" # default realism: token cache 10 s, RBAC 250 ms
tap_plan 16
server=$demo_url

kjq target add demo --server "$server" --ca-file "$tmp/ca.crt" --token-file "$tmp/state/tokens/kubejit-jit.token"
kjq secret add /e2e/ro --target demo --mode dynamic --allowed-namespaces dev --cluster-role view --ttl 1h
check "kubeconfig written" kj --quiet kubeconfig /e2e/ro --namespace dev --out "$tmp/exec.kubeconfig"
kc auth whoami -o jsonpath='{.status.userInfo.username}' >"$tmp/who.1" 2>"$tmp/kc.err"
check "kubectl works through the plugin" sh -c 'grep -q "^system:serviceaccount:dev:" "$0"' "$tmp/who.1" ||
	sed 's/^/# /' "$tmp/kc.err"
first=$(active_ids)
sa=$(sed 's/.*://' "$tmp/who.1")
check "one active lease, its ServiceAccount is the one kubectl is" \
	sh -c '[ -n "$0" ] && [ "$(printf "%s\n" "$0" | grep -c .)" = 1 ] && kj_l=$("$1" leases "$0" --json) &&
	printf "%s" "$kj_l" | grep -q "\"$2\""' "$first" "$KUBEJIT_BIN" "$sa"

# Deleted behind kubejit's back.  The token authenticated a moment ago, so
# the API server's token cache still accepts it for up to 10 s: a rerun now
# (two plugin calls from one process) asks, is told the token works, and
# hands out the same token.
kc auth whoami >/dev/null 2>&1
admin delete serviceaccount "$sa" -n dev --wait=false >/dev/null 2>"$tmp/del.err"
check "the admin deletes the lease's ServiceAccount" test $? = 0 || sed 's/^/# /' "$tmp/del.err"
t_del=$(date +%s)
sh -c '"$0" get /e2e/ro --namespace dev >"$1/r1"; "$0" get /e2e/ro --namespace dev >"$1/r2" 2>"$1/r2.err"; exit $?' \
	"$KUBEJIT_BIN" "$tmp"
now_active=$(active_ids)
check "a rerun while the token cache still accepts the token serves the cached token" \
	sh -c 'cmp -s "$0/r1" "$0/r2" && [ "$2" = "$1" ] && [ ! -s "$0/r2.err" ]' "$tmp" "$first" "$now_active"

# kubectl once a second: failures only once the cache forgot the token, and
# only until the rerun replaced the lease.
fails=0
first_fail=
recovered=
i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	if kc auth whoami -o jsonpath='{.status.userInfo.username}' >"$tmp/who.n" 2>"$tmp/kc.n.err"; then
		cat "$tmp/kc.n.err" >>"$tmp/kc.all.err"
		if [ -n "$first_fail" ] || ! cmp -s "$tmp/who.n" "$tmp/who.1"; then
			recovered=$(date +%s)
			break
		fi
	else
		fails=$((fails + 1))
		[ -n "$first_fail" ] || first_fail=$(date +%s)
		cat "$tmp/kc.n.err" >>"$tmp/kc.all.err"
	fi
	sleep 1
done
diag "ServiceAccount deleted at +0 s; new credential in use at +$((${recovered:-0} - t_del)) s; $fails kubectl call(s) refused meanwhile${first_fail:+, the first at +$((first_fail - t_del)) s}"
check "kubectl works again with a new credential" \
	sh -c '[ -n "$0" ] && grep -q "^system:serviceaccount:dev:" "$1/who.n" && ! cmp -s "$1/who.n" "$1/who.1"' \
	"$recovered" "$tmp"
check "kubectl was refused at most for the token cache window" \
	sh -c '[ "$0" -le 2 ] && [ -n "$1" ] && [ $(($1 - $2)) -le 15 ]' "$fails" "$recovered" "$t_del"
sed 's/^/# kubectl: /' "$tmp/kc.all.err"
check "the plugin said why, through kubectl's stderr" \
	grep -q "refused the cached credential of lease $(printf %.8s "$first")" "$tmp/kc.all.err"

old=$(kj leases "$first" --json)
check "the old lease is closed (revoked), with the reason" \
	sh -c '[ "$(printf "%s" "$0" | grep -o "\"state\":[[:space:]]*\"[a-z]*\"" | head -n 1 | grep -o "[a-z]*\"$")" = "revoked\"" ] &&
	printf "%s" "$0" | grep -q "refused the token"' "$old"
kj leases --all >"$tmp/leases.txt"
new=$(active_ids)
check "kubejit leases shows it revoked and one new active lease" \
	sh -c 'grep "$(printf %.8s "$1")" "$0" | grep -q revoked &&
	[ "$(printf "%s\n" "$2" | grep -c .)" = 1 ] && [ "$2" != "$1" ]' "$tmp/leases.txt" "$first" "$new"
kj audit --action revoke --lease "$first" --json >"$tmp/audit.json"
check "the closing is audited with the reason" grep -q "refused the token" "$tmp/audit.json"
check "what was left of the old lease (Role, RoleBinding) is deleted too" \
	sh -c 'left=$("$0" --kubeconfig "$1" --request-timeout 20s get roles,rolebindings -A -o name -l "kubejit.io/lease=$2") &&
	[ -z "$left" ]' "$KUBECTL" "$demo_kubeconfig" "$first"

# The cached path makes no request: the cluster is replaced by a listener
# that counts connections on its address.
port=${server##*:}
kill "$demo_pid" 2>/dev/null
wait "$demo_pid" 2>/dev/null
demo_pid=
python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection\n")
    c.close()
' "$port" "$tmp/conns" &
lis_pid=$!
must wait_for 10 test -f "$tmp/conns"
sleep 6 # past the rerun window of the calls above
sh -c '"$0" get /e2e/ro --namespace dev >"$1/c1" 2>"$1/c1.err"; exit $?' "$KUBEJIT_BIN" "$tmp"
rc=$?
check "a first call is answered from the cache with the cluster gone" \
	sh -c '[ "$0" = 0 ] && grep -q "\"token\"" "$1/c1"' "$rc" "$tmp"
check "and made no connection to the cluster's address" test ! -s "$tmp/conns"
sh -c '"$0" get /e2e/ro --namespace dev >"$1/c2"; "$0" get /e2e/ro --namespace dev >"$1/c3" 2>"$1/c3.err"; exit $?' \
	"$KUBEJIT_BIN" "$tmp"
rc=$?
check "a rerun asks the cluster (a connection to its address)" \
	sh -c 'wait_n=0; while [ ! -s "$0" ] && [ $wait_n -lt 20 ]; do sleep 0.1; wait_n=$((wait_n + 1)); done; [ -s "$0" ]' \
	"$tmp/conns"
check "and, with no answer, still serves the cached token" \
	sh -c '[ "$0" = 0 ] && cmp -s "$1/c1" "$1/c3"' "$rc" "$tmp"

tap_done
