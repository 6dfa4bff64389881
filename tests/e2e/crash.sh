#!/bin/sh
# Crash safety: kubejit killed with SIGKILL at every step of a dynamic mint,
# a fixed mint and a revoke (KUBEJIT_TEST_PAUSE_AT stops it at the named
# step), against `kubejit demo-cluster` with its production behaviour
# (delays shortened).  After the next `kubejit sweep` the store and the
# cluster agree: no lease left creating or revoking, no object of a lease
# that is not active, no live token without a lease.  Also: the clock
# jumping an hour forward and back between steps, and a full disk under
# the store during a mint and a revoke.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
chmod 700 "$tmp"
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	mountpoint -q "$tmp/small" 2>/dev/null && umount "$tmp/small"
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

# Objects of kubejit's leases, as the admin sees them (none being deleted);
# the demo's requester role carries managed-by=kubejit too but no lease
objects() {
	k get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings -A \
		-l app.kubernetes.io/managed-by=kubejit,kubejit.io/lease -o name 2>"$tmp/kerr"
}
no_objects() { [ -z "$(objects)" ]; }
# leases in a state: count
leases_in() { kj leases --all --json | grep -cE "\"state\":[[:space:]]*\"$1\""; }
# store and cluster agree: nothing creating/revoking, and only active
# leases have objects (here: no lease is active, so no objects at all)
agree_none_active() {
	[ "$(leases_in creating)" = 0 ] && [ "$(leases_in revoking)" = 0 ] &&
		[ "$(leases_in active)" = 0 ] && wait_for 10 no_objects
}
# kill -9 the command at `step`: crash STEP CMD...
crash() {
	step=$1
	shift
	rm -f "$tmp/cerr"
	KUBEJIT_TEST_PAUSE_AT=$step "$@" >"$tmp/cout" 2>"$tmp/cerr" &
	cpid=$!
	if ! wait_for 30 grep -q "paused at $step" "$tmp/cerr"; then
		diag "never paused at $step:"
		sed 's/^/# /' "$tmp/cerr"
		kill -9 $cpid 2>/dev/null
		wait $cpid 2>/dev/null
		return 1
	fi
	kill -9 $cpid
	wait $cpid 2>/dev/null
	return 0
}
token_refused() {
	"$KUBECTL" --cache-dir "$tmp/cache" --server "$url" --certificate-authority "$tmp/state/ca.crt" \
		--token "$(cat "$1")" get --raw /api 2>&1 | grep -q Unauthorized
}

tap_plan 64

check "target added" kj target add demo --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
check "dynamic secret" kj secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces dev --role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m --max-ttl 1h
check "fixed secret" kj secret add /dash/view --target demo --mode fixed \
	--namespace kubernetes-dashboard --service-account kubernetes-dashboard

for step in mint:lease-written mint:objects mint:binding mint:ready mint:activate; do
	check "dynamic mint killed at $step" crash $step "$KUBEJIT_BIN" mint /dev/read-pods -n dev -o token --out "$tmp/tok"
	check "no token was handed out ($step)" test ! -e "$tmp/tok"
	check "sweep after the crash ($step)" kj sweep
	check "store and cluster agree after a crash at $step" agree_none_active
done
for step in mint:anchor mint:token mint:activate; do
	check "fixed mint killed at $step" crash $step "$KUBEJIT_BIN" mint /dash/view -o token --out "$tmp/tok"
	check "sweep after the crash ($step)" kj sweep
	check "store and cluster agree after a crash at $step" agree_none_active
done
# Spare anchors (a fixed mint makes the next one's): killed while adopting
# one, the spare is already the lease's object, so the sweep deletes it;
# no spare in the cluster is ever unknown to the store.
spares() {
	k get secrets -A -l app.kubernetes.io/managed-by=kubejit,kubejit.io/spare-anchor=true \
		-o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null | sort
}
spares_known() {
	spares >"$tmp/spares.cluster"
	sqlite3 "$KUBEJIT_HOME/kubejit.db" "SELECT name FROM spare_anchors" | sort >"$tmp/spares.store"
	[ -z "$(comm -23 "$tmp/spares.cluster" "$tmp/spares.store")" ]
}
spare_gone() { ! spares | grep -qx "$1"; }
for step in mint:token mint:activate; do
	check "a fixed mint and its revoke ($step)" sh -c "'$KUBEJIT_BIN' mint /dash/view -o token --out '$tmp/ftok.$step' >/dev/null && '$KUBEJIT_BIN' revoke --all >/dev/null"
	spare=$(spares | head -n 1)
	check "a spare anchor waits for the next mint ($step)" test -n "$spare"
	check "fixed mint adopting a spare killed at $step" crash $step "$KUBEJIT_BIN" mint /dash/view -o token --out "$tmp/tok"
	check "sweep after the crash (spare, $step)" kj sweep
	check "store and cluster agree after a crash at $step (spare)" agree_none_active
	check "the adopted spare is gone with its lease ($step)" wait_for 10 spare_gone "$spare"
	check "every spare in the cluster is known to the store ($step)" spares_known
done
for step in revoke:revoking revoke:deleted; do
	must kj mint /dev/read-pods -n dev -o token --out "$tmp/rtok.$step"
	id=$(kj leases --json | sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
	check "revoke killed at $step" crash $step "$KUBEJIT_BIN" revoke "$id"
	check "sweep finishes the revoke ($step)" kj sweep
	check "store and cluster agree after a crash at $step" agree_none_active
	check "the revoked token is refused after the cache window ($step)" wait_for 15 token_refused "$tmp/rtok.$step"
done

# The clock jumps: an hour back, then an hour forward, after a mint (the real
# clock of the kubejit process, through libfaketime; the cluster keeps its own).
if command -v faketime >/dev/null; then
	check "mint a 15-minute lease" kj mint /dev/read-pods -n dev -o token --out "$tmp/clock"
	check "a sweep with the clock an hour behind" faketime -f -1h "$KUBEJIT_BIN" sweep
	check "does not close the lease early" test "$(leases_in active)" = 1
	check "a sweep with the clock an hour ahead" faketime -f +1h "$KUBEJIT_BIN" sweep
	check "closes it as expired, and the cluster agrees" agree_none_active
	check "the expired lease's token is refused" wait_for 15 token_refused "$tmp/clock"
else
	for i in 1 2 3 4 5 6; do check "# SKIP faketime is not installed (./bootstrap check installs it)" true; done
fi

# A full disk under the store: a tmpfs of 2 MiB in a private mount
# namespace, filled up before a mint and before a revoke.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$tmp/small"
	cat >"$tmp/full.sh" <<EOF
set -u
mount -t tmpfs -o size=2m tmpfs "$tmp/small" || exit 99
cp -a "$tmp/home" "$tmp/small/home"
export KUBEJIT_HOME="$tmp/small/home"
dd if=/dev/zero of="$tmp/small/fill" bs=64k 2>/dev/null
"$KUBEJIT_BIN" mint /dev/read-pods -n dev -o token --out "$tmp/full-tok" 2>"$tmp/full-mint.err"
echo "mint=\$?" >"$tmp/full.rc"
rm -f "$tmp/small/fill"
"$KUBEJIT_BIN" mint /dev/read-pods -n dev -o token --out "$tmp/full-tok2" >/dev/null 2>&1
id=\$("$KUBEJIT_BIN" leases --json | sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
dd if=/dev/zero of="$tmp/small/fill" bs=64k 2>/dev/null
"$KUBEJIT_BIN" revoke "\$id" 2>"$tmp/full-revoke.err"
echo "revoke=\$?" >>"$tmp/full.rc"
rm -f "$tmp/small/fill"
"$KUBEJIT_BIN" sweep >/dev/null 2>&1
"$KUBEJIT_BIN" revoke --all >/dev/null 2>&1
"$KUBEJIT_BIN" leases --all --json >"$tmp/full-leases.json"
EOF
	unshare -m sh "$tmp/full.sh"
	# SQLite may still find room in pages it already holds: then the mint
	# is whole; otherwise it fails with an error that says why, and no
	# token leaves
	check "a mint on a full disk fails with a clear error, or succeeds whole" sh -c "
		if grep -q 'mint=0' '$tmp/full.rc'; then test -s '$tmp/full-tok'
		else grep -qiE 'full|space' '$tmp/full-mint.err' && test ! -s '$tmp/full-tok'; fi"
	check "a revoke on a full disk fails with a clear error, or succeeds" sh -c "
		grep -q 'revoke=0' '$tmp/full.rc' || grep -qiE 'full|space' '$tmp/full-revoke.err'"
	check "after the disk has room, one sweep leaves no lease creating, revoking or active" \
		sh -c "! grep -qE '\"state\":[[:space:]]*\"(creating|revoking|active)\"' '$tmp/full-leases.json'"
	check "nothing left in the cluster after the full disk" wait_for 10 no_objects
	diag "full-disk mint said: $(head -n 2 "$tmp/full-mint.err" | tr '\n' ' ')"
	diag "full-disk revoke said: $(head -n 2 "$tmp/full-revoke.err" | tr '\n' ' ')"
else
	for i in 1 2 3 4; do check "# SKIP full disk needs root and unshare (a private tmpfs)" true; done
fi
tap_done
