#!/bin/sh
# The in-cluster sweeper as the Containerfile runs it: `kubejit sweep
# --cluster --in-cluster` with a service-account directory and
# KUBERNETES_SERVICE_HOST/PORT pointing at the demo cluster, no HOME, no
# store, and a read-only file system (a private mount namespace where / and
# the working directory are remounted read-only).  Expired objects go; live
# ones, and a live lease's credential, stay.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
command -v unshare >/dev/null || tap_skip_all "unshare (util-linux) not found"
# remounting read-only needs CAP_SYS_ADMIN in a new mount namespace
unshare -m sh -c 'mount -o remount,bind,ro /' 2>/dev/null ||
	tap_skip_all "no mount namespaces here (needs root): cannot make the file system read-only"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/out"; then
	cat "$tmp/err" >&2
	tap_plan 1
	check "demo cluster starts" false
	tap_done
fi
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")
port=${url##*:}
export KUBEJIT_HOME="$tmp/home"
unset KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT
k() { "$KUBECTL" --kubeconfig "$tmp/state/admin.kubeconfig" --cache-dir "$tmp/cache" "$@"; }
kj() { "$KUBEJIT_BIN" --quiet "$@"; }
exists() { k get "$@" >/dev/null 2>&1; }

tap_plan 12

# A live lease, minted the ordinary way on this machine.
kj target add demo --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token" >/dev/null 2>&1
kj secret add /dev/read-pods --target demo --mode dynamic --allowed-namespaces dev \
	--role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 1h >/dev/null 2>&1
check "a live lease is minted" kj mint /dev/read-pods -n dev -o kubeconfig --out "$tmp/live.kubeconfig"
live_sa=$(k get serviceaccounts -n dev -l app.kubernetes.io/managed-by=kubejit -o name)

# Another machine's leftovers: kubejit's labels, an expiry in the past; and
# one of its objects whose lease still runs.
obj() { # KIND NAME EXPIRES-AT [extra YAML]
	cat <<YAML
---
apiVersion: ${5:-v1}
kind: $1
metadata:
  name: $2
  namespace: dev
  labels:
    app.kubernetes.io/managed-by: kubejit
    kubejit.io/lease: $3
  annotations:
    kubejit.io/expires-at: "$4"
YAML
}
{
	obj ServiceAccount kubejit-gone-sa 0a0a0a0a-0000-4000-8000-000000000001 2020-01-01T00:00:00Z
	obj Secret kubejit-gone-anchor 0a0a0a0a-0000-4000-8000-000000000002 2020-01-01T00:00:00Z
	obj Role kubejit-gone-role 0a0a0a0a-0000-4000-8000-000000000001 2020-01-01T00:00:00Z \
		rbac.authorization.k8s.io/v1
	echo "rules: []"
	obj ServiceAccount kubejit-other-live 0a0a0a0a-0000-4000-8000-000000000003 2099-01-01T00:00:00Z
} >"$tmp/objects.yaml"
check "expired and live foreign objects created" sh -c "'$KUBECTL' --kubeconfig '$tmp/state/admin.kubeconfig' create -f '$tmp/objects.yaml' >/dev/null"

# The pod's view: a service-account directory, the service's address.
mkdir -p "$tmp/sa" "$tmp/cwd"
cp "$tmp/state/tokens/kubejit-jit.token" "$tmp/sa/token"
cp "$tmp/state/ca.crt" "$tmp/sa/ca.crt"
echo kubejit-system >"$tmp/sa/namespace"

# In a private mount namespace: / and the working directory read-only, then
# prove it, then sweep with an environment that has no HOME.
cat >"$tmp/run.sh" <<'SH'
set -e
mount -o remount,bind,ro /
mount --bind "$1" "$1"
mount -o remount,bind,ro "$1"
cd "$1"
if touch ./probe 2>/dev/null || touch "$2/probe" 2>/dev/null; then
	echo "the sandbox is writable" >&2
	exit 99
fi
shift 2
exec env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC "$@"
SH
unshare -m sh "$tmp/run.sh" "$tmp/cwd" "$tmp" \
	KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$port" \
	KUBEJIT_SERVICEACCOUNT_DIR="$tmp/sa" \
	"$KUBEJIT_BIN" sweep --cluster --in-cluster --json >"$tmp/sweep.json" 2>"$tmp/sweep.err"
rc=$?
[ $rc = 0 ] || { diag "sweep exit $rc"; sed 's/^/# /' "$tmp/sweep.err"; }
check "sweep runs with no HOME, no store, read-only / and cwd" test $rc = 0
check "it reports three deletions" grep -q '"objectsDeleted":[[:space:]]*3' "$tmp/sweep.json"
check "expired ServiceAccount gone" sh -c "! '$KUBECTL' --kubeconfig '$tmp/state/admin.kubeconfig' get sa kubejit-gone-sa -n dev >/dev/null 2>&1"
check "expired anchor Secret gone" sh -c "! '$KUBECTL' --kubeconfig '$tmp/state/admin.kubeconfig' get secret kubejit-gone-anchor -n dev >/dev/null 2>&1"
check "expired Role gone" sh -c "! '$KUBECTL' --kubeconfig '$tmp/state/admin.kubeconfig' get role kubejit-gone-role -n dev >/dev/null 2>&1"
check "another machine's live object untouched" exists sa kubejit-other-live -n dev
check "the live lease's ServiceAccount untouched" exists -n dev $live_sa
check "the live lease's credential still works" \
	sh -c "'$KUBECTL' --kubeconfig '$tmp/live.kubeconfig' --cache-dir '$tmp/cache2' get pods >/dev/null"
check "no store was made anywhere" test ! -e "$tmp/cwd/kubejit.db" -a ! -e "$tmp/.local"
check "the store of this machine still knows its lease only" \
	sh -c "'$KUBEJIT_BIN' leases --json | grep -c '\"id\"' | grep -qx 1"
tap_done
