#!/bin/sh
# The real kubectl with what `kubejit mint` writes: a kubeconfig file and an
# ExecCredential, against `kubejit demo-cluster`; revoke --wait returns once
# both stop working, and the CLI's exit codes and files follow the documented rules.
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

demo_start "$tmp"
url=$demo_url
export KUBEJIT_HOME="$tmp/home"
unset KUBECONFIG KUBERNETES_SERVICE_HOST
kj() { "$KUBEJIT_BIN" "$@"; }
k() { "$KUBECTL" --cache-dir "$tmp/cache" "$@"; }
# rc EXPECTED CMD...: the command exits with EXPECTED
rc() {
	want=$1
	shift
	"$@" >"$tmp/last" 2>&1
	got=$?
	[ "$got" = "$want" ] || { diag "exit $got, wanted $want: $*"; sed 's/^/# /' "$tmp/last"; return 1; }
}
has() { grep -q -- "$2" "$1"; }
live_leases() { kj leases --json | grep -c '"id"'; }

tap_plan 30

check "target added" rc 0 kj target add demo --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
check "dynamic secret from a template" rc 0 kj secret add /dev/read-pods --target demo --mode dynamic \
	--allowed-namespaces 'dev,team-*' --role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m --max-ttl 1h
check "notice about the ignored role name" has "$tmp/last" "notice: role YAML"
check "fixed secret" rc 0 kj secret add /dash/view --target demo --mode fixed \
	--namespace kubernetes-dashboard --service-account kubernetes-dashboard
check "secret list shows both" sh -c "'$KUBEJIT_BIN' secret list | grep -q /dash/view"

# kubeconfig output
check "mint writes a kubeconfig" rc 0 kj mint /dev/read-pods -n dev -o kubeconfig --out "$tmp/dev.kubeconfig"
check "kubeconfig is 0600" test "$(stat -c %a "$tmp/dev.kubeconfig")" = 600
check "kubectl get pods -n dev works" rc 0 k --kubeconfig "$tmp/dev.kubeconfig" get pods
check "namespace comes from the context" has "$tmp/last" "NAME"
check "kubectl in another namespace is Forbidden" rc 1 k --kubeconfig "$tmp/dev.kubeconfig" get pods -n staging
check "... with kubectl's Forbidden message" has "$tmp/last" "Forbidden"
check "no overwrite without --force (exit 1)" rc 1 kj mint /dev/read-pods -n dev --out "$tmp/dev.kubeconfig"
check "... and no lease was made for it" test "$(live_leases)" = 1

# ExecCredential through an exec plugin that prints what kubejit wrote
check "mint -o exec" rc 0 kj mint /dash/view -o exec --out "$tmp/exec.json"
exec_lease=$(sed -n 's/^lease \([0-9a-f-]*\):.*/\1/p' "$tmp/last")
check "... not asked as the new token, and the summary says why" has "$tmp/last" "ready  *not needed"
check "ExecCredential has expirationTimestamp" has "$tmp/exec.json" '"expirationTimestamp"'
cat >"$tmp/exec.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: $url
    certificate-authority: $tmp/state/ca.crt
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: cat
      args: ["$tmp/exec.json"]
      interactiveMode: Never
contexts:
- name: demo
  context: {cluster: demo, user: plugin, namespace: kubernetes-dashboard}
current-context: demo
EOK
check "kubectl with the ExecCredential" rc 0 k --kubeconfig "$tmp/exec.kubeconfig" get pods
check "-o token prints only the token" sh -c "'$KUBEJIT_BIN' mint /dash/view -o token 2>/dev/null | grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'"

# revoke: an API server may accept a revoked token for its token cache time;
# --wait returns only once the token is refused
sed -n 's/.*"token":[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/exec.json" >"$tmp/exec.token"
check "revoke --wait, asking as the ExecCredential's token" rc 0 kj revoke "$exec_lease" --wait \
	--token-file "$tmp/exec.token"
check "... until it is refused" has "$tmp/last" "refused (401) after"
check "kubectl is Unauthorized once revoke --wait returned" rc 1 k --kubeconfig "$tmp/exec.kubeconfig" get pods
check "... as kubectl says it" has "$tmp/last" "Unauthorized\|logged in"
check "revoke --all --wait" rc 0 kj revoke --all --wait
check "... waits out the token cache when it has no token to ask with" has "$tmp/last" "waited out"
check "kubeconfig token dead too" rc 1 k --kubeconfig "$tmp/dev.kubeconfig" get pods
check "no live leases left" test "$(live_leases)" = 0

# policy errors and exit codes
check "namespace not allowed: exit 3" rc 3 kj mint /dev/read-pods -n kube-system -o token
check "... naming the allowed list" has "$tmp/last" 'allowed: dev, team-\*'
check "TTL over max: exit 3" rc 3 kj mint /dev/read-pods -n dev --ttl 2h -o token
check "audit recorded mints and revokes" sh -c "'$KUBEJIT_BIN' audit | grep -q revoke"
tap_done
