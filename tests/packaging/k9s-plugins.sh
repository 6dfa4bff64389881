#!/bin/sh
# data/k9s/plugins.yaml: k9s's plugin format (the fields of k9s's own
# schema, internal/config/json/schemas/plugins.json), and its commands work
# once k9s has put the selection into the arguments: mint from the
# ServiceAccounts view, revoke from one of the lease's objects.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null || tap_skip_all "python3 with yaml (python3-yaml) not found"
plugins="${top_srcdir:-.}/data/k9s/plugins.yaml"

tmp=$(mk_tmp)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# k9s's own steps, in Python: read the file, check each plugin against the
# schema's fields, replace $VAR / ${VAR} in every argument the way k9s does
# (internal/view/env.go: longest match first, names upper-cased, unknown
# names left alone), then run command + arguments.
cat >"$tmp/k9s.py" <<'PY'
import json, os, re, subprocess, sys, yaml

ALLOWED = {"shortCut", "override", "description", "confirm", "dangerous", "scopes",
           "command", "background", "overwriteOutput", "args", "inputs"}
REQUIRED = {"shortCut", "description", "scopes", "command"}
ENV_RX = re.compile(r"(\$(!?)([\w\-]+))|(\$\{(!?)([\w\-%/: ]+)})")

def load(path):
    doc = yaml.safe_load(open(path))
    if set(doc) != {"plugins"}:
        sys.exit("top level must be exactly 'plugins'")
    for name, p in doc["plugins"].items():
        extra, missing = set(p) - ALLOWED, REQUIRED - set(p)
        if extra or missing:
            sys.exit("%s: unknown fields %s, missing %s" % (name, sorted(extra), sorted(missing)))
        if not isinstance(p["scopes"], list) or not all(isinstance(a, str) for a in p.get("args", [])):
            sys.exit("%s: scopes must be a list, args strings" % name)
    return doc["plugins"]

def substitute(arg, env):
    matches = sorted(ENV_RX.finditer(arg), key=lambda m: -len(m.group(0)))
    for m in matches:
        key = (m.group(3) if m.group(1) else m.group(6)).upper()
        if key in env:
            arg = arg.replace(m.group(0), env[key])
    return arg

plugins = load(sys.argv[2])
if sys.argv[1] == "check":
    print(json.dumps({n: {"shortCut": p["shortCut"], "scopes": p["scopes"]} for n, p in plugins.items()}))
    sys.exit(0)
p = plugins[sys.argv[3]]
env = dict(a.split("=", 1) for a in sys.argv[4:])
argv = [p["command"]] + [substitute(a, env) for a in p.get("args", [])]
sys.exit(subprocess.run(argv, stdin=subprocess.DEVNULL).returncode)
PY
fails() { ! "$@"; }
# k9s OUT PLUGIN VAR=VALUE...: run a plugin, its output in $tmp/OUT
k9s() {
	o=$1
	shift
	"$PY" "$tmp/k9s.py" run "$plugins" "$@" >"$tmp/$o" 2>&1
}

tap_plan 15
check "plugins.yaml is k9s's format" sh -c "'$PY' '$tmp/k9s.py' check '$plugins' >'$tmp/check.json'"
check "mint is offered in the ServiceAccounts view" \
	grep -q '"kubejit-mint": {"shortCut": "Shift-J", "scopes": \["serviceaccounts"\]}' "$tmp/check.json"
check "revoke is offered on the kinds kubejit makes" \
	grep -q '"kubejit-revoke": {"shortCut": "Shift-X", "scopes": \["serviceaccounts", "secrets"' "$tmp/check.json"

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/out"; then
	cat "$tmp/err" >&2
	check "demo cluster starts" false
	tap_done
fi
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")
admin="$tmp/state/admin.kubeconfig"
# k9s runs plugins with its own environment: kubejit and kubectl on PATH
mkdir "$tmp/bin" "$tmp/run"
ln -s "$(cd "$(dirname "$KUBEJIT_BIN")" && pwd)/$(basename "$KUBEJIT_BIN")" "$tmp/bin/kubejit"
ln -s "$KUBECTL" "$tmp/bin/kubectl"
export PATH="$tmp/bin:$PATH" KUBEJIT_HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run"
unset KUBECONFIG KUBERNETES_SERVICE_HOST
kj() { "$KUBEJIT_BIN" --quiet "$@"; }
ctx=$("$KUBECTL" --kubeconfig "$admin" config current-context)
sel() { # the k9s environment of a selection: NAMESPACE NAME RESOURCE GROUP
	echo NAMESPACE="$1" NAME="$2" RESOURCE_NAME="$3" RESOURCE_GROUP="$4" RESOURCE_VERSION=v1 \
		CONTEXT="$ctx" CLUSTER="$ctx" KUBECONFIG="$admin" USER=admin GROUPS=system:masters FILTER=
}

kj target add demo --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token" >/dev/null 2>&1
# shellcheck disable=SC2046
check "no fixed secret yet: the mint fails" \
	fails k9s k9s kubejit-mint $(sel kubernetes-dashboard kubernetes-dashboard serviceaccounts '')
check "  and says how to add one" grep -q \
	'kubejit secret add /k9s/kubernetes-dashboard/kubernetes-dashboard --target TARGET --mode fixed' "$tmp/k9s"
kj secret add /dash/view --target demo --mode fixed --namespace kubernetes-dashboard \
	--service-account kubernetes-dashboard --ttl 15m >/dev/null 2>&1
# shellcheck disable=SC2046
check "Shift-J on ServiceAccount kubernetes-dashboard mints" \
	k9s mint.out kubejit-mint $(sel kubernetes-dashboard kubernetes-dashboard serviceaccounts '')
out="$tmp/run/kubejit-$ctx-kubernetes-dashboard-kubernetes-dashboard.kubeconfig"
check "  into a 0600 kubeconfig in the runtime directory" test "$(stat -c %a "$out" 2>/dev/null)" = 600
token=$(sed -n 's/^ *token: *//p' "$out" 2>/dev/null)
check "  whose token is not printed" sh -c "[ -n '$token' ] && ! grep -qF -- '$token' '$tmp/mint.out'"
check "  and works as the ServiceAccount" \
	sh -c "'$KUBECTL' --kubeconfig '$out' --cache-dir '$tmp/cache' auth whoami -o jsonpath='{.status.userInfo.username}' |
		grep -qx system:serviceaccount:kubernetes-dashboard:kubernetes-dashboard"

lease=$(kj leases --json | sed -n 's/.*"id":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
anchor=$("$KUBECTL" --kubeconfig "$admin" get secrets -n kubernetes-dashboard -l "kubejit.io/lease=$lease" \
	-o jsonpath='{.items[0].metadata.name}')
check "the lease has an anchor Secret" test -n "$anchor"
# shellcheck disable=SC2046
"$KUBECTL" --kubeconfig "$admin" create secret generic plain -n dev --from-literal=k=v >/dev/null
check "Shift-X on a Secret kubejit did not make fails" \
	fails k9s plain.out kubejit-revoke $(sel dev plain secrets '')
check "  and says why" grep -q 'secrets plain has no kubejit.io/lease label' "$tmp/plain.out"
# shellcheck disable=SC2046
check "Shift-X on the anchor Secret revokes the lease" \
	k9s revoke.out kubejit-revoke $(sel kubernetes-dashboard "$anchor" secrets '')
check "  the lease is revoked" sh -c "
	'$KUBEJIT_BIN' leases --all --json | grep -q '\"state\":[[:space:]]*\"revoked\"'"
check "  and its Secret is gone (NotFound, not any failure)" \
	refused_with "secrets \"$anchor\" not found" "$KUBECTL" --kubeconfig "$admin" get secret "$anchor" -n kubernetes-dashboard
tap_done
