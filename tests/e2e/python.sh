#!/bin/sh
# An independent client: the official Python Kubernetes client (Debian
# python3-kubernetes) with a kubeconfig `kubejit mint` wrote, against a demo
# cluster at its production defaults.  It lists pods where the lease allows,
# decoding every object the server sends, is refused elsewhere, and is
# refused once the lease is revoked.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
# Debian's package is for the system interpreter, not one first on PATH
PY=${PYTHON3:-/usr/bin/python3}
"$PY" -c 'import kubernetes' 2>/dev/null || tap_skip_all "python3-kubernetes not installed"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
demo_pid=""
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

demo_start "$tmp"
export KUBEJIT_HOME="$tmp/home"
unset KUBECONFIG KUBERNETES_SERVICE_HOST
kj() { "$KUBEJIT_BIN" "$@" >"$tmp/last" 2>&1; }
has() { grep -q -- "$2" "$tmp/$1"; }

cat >"$tmp/client.py" <<'EOF_PY'
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
for ns in sys.argv[2:]:
    try:
        pods = v1.list_namespaced_pod(ns)
        for p in pods.items:
            cs = p.status.container_statuses[0]
            print("pod %s/%s %s image=%s imageID=%s ready=%s restarts=%d" % (
                ns, p.metadata.name, p.status.phase, cs.image, cs.image_id, cs.ready, cs.restart_count))
    except ApiException as e:
        print("%s: %d %s" % (ns, e.status, e.reason))
        print("%s: message: %s" % (ns, json.loads(e.body)["message"]))
EOF_PY

tap_plan 9

check "target on the demo cluster" kj target add demo --server "$demo_url" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
check "dynamic secret: read pods in dev" kj secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces dev --role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m
check "kubejit mint -o kubeconfig" kj mint /dev/read-pods -n dev -o kubeconfig --out "$tmp/dev.kubeconfig"
lease=$(sed -n 's/^lease \([0-9a-f-]*\):.*/\1/p' "$tmp/last")
"$PY" "$tmp/client.py" "$tmp/dev.kubeconfig" dev staging >"$tmp/py" 2>&1
sed 's/^/# /' "$tmp/py"
check "the Python client lists the pods in dev at once" has py '^pod dev/web-0 Running image=nginx:1.27 imageID=nginx@sha256:[0-9a-f]* ready=True restarts=0'
check "... every container status decodes" test "$(grep -c '^pod dev/' "$tmp/py")" = 2
check "... and is refused in staging with 403" has py '^staging: 403 Forbidden'
check "... with the API server's message" has py '^staging: message: pods is forbidden: User "system:serviceaccount:dev:kubejit-[a-z0-9-]*" cannot list resource "pods" in API group "" in the namespace "staging"'
check "revoke --wait" kj revoke "$lease" --wait
"$PY" "$tmp/client.py" "$tmp/dev.kubeconfig" dev >"$tmp/py2" 2>&1
sed 's/^/# /' "$tmp/py2"
check "the Python client is refused once revoke --wait returned" has py2 '^dev: 401 Unauthorized'

tap_done
