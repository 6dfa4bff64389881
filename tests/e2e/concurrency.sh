#!/bin/sh
# Concurrency: two kubejit processes mint and revoke from the same store
# while a third sweeps, for many rounds, against `kubejit demo-cluster`
# (production behaviour, delays shortened).  No lease is lost, no revoke of
# an already closed lease is reported as an error, no "database is locked"
# reaches the user, and in the end the store and the cluster agree.
# ROUNDS (default 15) per minting process.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}
ROUNDS=${ROUNDS:-15}

tmp=$(mk_tmp)
chmod 700 "$tmp"
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# a cluster that does not start is a failed test (lib.sh)
demo_start "$tmp" --token-cache-ttl 1s --rbac-delay 100ms --gc-delay 200ms
url=$demo_url
export KUBEJIT_HOME="$tmp/home"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBEJIT_TEST_PAUSE_AT
kj() { "$KUBEJIT_BIN" "$@"; }
k() { "$KUBECTL" --cache-dir "$tmp/cache" --kubeconfig "$tmp/state/admin.kubeconfig" "$@"; }
# lease objects only: a fixed mint leaves a spare anchor Secret for the
# next one (labelled kubejit.io/spare-anchor, no lease label)
objects() {
	k get serviceaccounts,secrets,roles,rolebindings -A \
		-l app.kubernetes.io/managed-by=kubejit,kubejit.io/lease -o name 2>/dev/null
}
no_objects() { [ -z "$(objects)" ]; }
leases_in() { kj leases --all --json | grep -cE "\"state\":[[:space:]]*\"$1\""; }

# minter NAME SECRET [NS]: ROUNDS times mint, then revoke what it minted
minter() {
	name=$1
	secret=$2
	ns=${3:-}
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		i=$((i + 1))
		if [ -n "$ns" ]; then
			kj mint "$secret" -n "$ns" -o json >"$tmp/$name.json" 2>>"$tmp/$name.err"
		else
			kj mint "$secret" -o json >"$tmp/$name.json" 2>>"$tmp/$name.err"
		fi || { echo "mint $i failed" >>"$tmp/$name.fail"; continue; }
		id=$(sed -nE 's/^[[:space:]]*"(lease|leaseId)":[[:space:]]*"([^"]*)".*/\2/p' "$tmp/$name.json" | head -n 1)
		[ -n "$id" ] || { echo "mint $i: no lease id in its JSON" >>"$tmp/$name.fail"; continue; }
		echo "$id" >>"$tmp/$name.ids"
		kj revoke "$id" >/dev/null 2>>"$tmp/$name.err" || echo "revoke $id failed" >>"$tmp/$name.fail"
	done
}
sweeper() {
	while [ ! -e "$tmp/stop" ]; do
		kj sweep >/dev/null 2>>"$tmp/sweeper.err" || echo "sweep failed" >>"$tmp/sweeper.fail"
	done
}

tap_plan 10
check "target added" sh -c "'$KUBEJIT_BIN' target add demo --server '$url' --ca-file '$tmp/state/ca.crt' \
	--token-file '$tmp/state/tokens/kubejit-jit.token' >/dev/null"
check "dynamic secret" sh -c "'$KUBEJIT_BIN' secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces dev --role-yaml '$DATA/templates/pods-read-only.yaml' --ttl 15m --max-ttl 1h >/dev/null 2>&1"
check "fixed secret" sh -c "'$KUBEJIT_BIN' secret add /dash/view --target demo --mode fixed \
	--namespace kubernetes-dashboard --service-account kubernetes-dashboard >/dev/null"

sweeper &
spid=$!
minter a /dev/read-pods dev &
apid=$!
minter b /dash/view &
bpid=$!
wait $apid
wait $bpid
touch "$tmp/stop"
wait $spid

n_ids=$(cat "$tmp/a.ids" "$tmp/b.ids" 2>/dev/null | sort -u | wc -l)
diag "$n_ids leases minted and revoked by two processes while a third swept"
check "every mint and revoke succeeded" sh -c "! cat '$tmp'/*.fail 2>/dev/null | grep -q ."
check "the sweeps reported no failure" test ! -e "$tmp/sweeper.fail"
check "no 'database is locked' reached the user" sh -c "! cat '$tmp'/*.err 2>/dev/null | grep -qi 'locked'"
all_revoked() {
	bad=0
	for id in $(cat "$tmp/a.ids" "$tmp/b.ids"); do
		st=$(kj leases "$id" --json 2>&1 | sed -nE 's/^[[:space:]]*"state":[[:space:]]*"([^"]*)".*/\1/p')
		[ "$st" = revoked ] || { diag "lease $id: ${st:-not in the store}"; bad=1; }
	done
	return $bad
}
check "no lease was lost (every minted lease is in the store, revoked)" all_revoked
check "as many leases as rounds" test "$n_ids" -eq $((2 * ROUNDS))
check "no lease left creating, revoking or active" \
	sh -c "[ \$('$KUBEJIT_BIN' leases --all --json | grep -cE '\"state\":[[:space:]]*\"(creating|revoking|active)\"') = 0 ]"
check "no object left in the cluster" wait_for 10 no_objects
if cat "$tmp"/*.fail "$tmp"/*.err 2>/dev/null | grep -q .; then
	diag "what the processes said:"
	cat "$tmp"/*.fail "$tmp"/*.err 2>/dev/null | sort | uniq -c | head -n 20 | sed 's/^/# /'
fi
tap_done
