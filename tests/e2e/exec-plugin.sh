#!/bin/sh
# kubejit as a kubectl exec plugin, end to end: the real kubectl against
# `kubejit demo-cluster`, through a kubeconfig written by `kubejit kubeconfig`.
# Many kubectl calls must share one lease; after `kubejit revoke` the next
# call must get a fresh credential.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# no runtime directory: the cache key goes to $TMPDIR/kubejit-UID
export HOME="$tmp" KUBEJIT_HOME="$tmp/home" NO_COLOR=1 TMPDIR="$tmp"
unset XDG_DATA_HOME XDG_RUNTIME_DIR KUBERNETES_EXEC_INFO
kj() { "$KUBEJIT_BIN" "$@"; }
kjq() { "$KUBEJIT_BIN" --quiet "$@" >/dev/null; }
kc() { KUBECONFIG="$tmp/exec.kubeconfig" "$KUBECTL" --cache-dir "$tmp/kcache" --request-timeout 20s "$@"; }
# lease ids in `kubejit leases --json` output, one per line
lease_ids() { kj leases --all --json "$@" | grep -o '"id":[[:space:]]*"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'; }
count_lines() { grep -c . || true; }


demo_start "$tmp" --kubeconfig "$tmp/admin.kubeconfig"
tap_plan 28
server=$(sed -n 's/^ *server: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"')
sed -n 's/^ *certificate-authority-data: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"' |
	base64 -d >"$tmp/ca.crt"

check "target from the privileged demo account" \
	kjq target add demo --server "$server" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
check "dynamic secret that may read pods in dev" \
	kjq secret add /e2e/read-pods --target demo --mode dynamic --allowed-namespaces dev,staging \
	--cluster-role view --ttl 1h
check "completion lists secrets and targets from the store" \
	sh -c '"$0" __complete secrets | grep -qx /e2e/read-pods && "$0" __complete targets | grep -qx demo' \
	"$KUBEJIT_BIN"
check "completion in a home without a store offers nothing and creates nothing" \
	sh -c 'test -z "$(KUBEJIT_HOME="$1/no-home" "$0" __complete secrets)" && test ! -e "$1/no-home"' \
	"$KUBEJIT_BIN" "$tmp"
check "kubeconfig written" kj --quiet kubeconfig /e2e/read-pods --namespace dev --out "$tmp/exec.kubeconfig"
check "kubeconfig is private (0600)" test "$(stat -c %a "$tmp/exec.kubeconfig")" = 600
check "kubeconfig runs the plugin non-interactively" \
	grep -q 'interactiveMode: *"\{0,1\}Never' "$tmp/exec.kubeconfig"
cp "$tmp/exec.kubeconfig" "$tmp/exec.kubeconfig.before"
check "an existing kubeconfig is not replaced without --force" \
	refused_with "already exists" "$KUBEJIT_BIN" kubeconfig /e2e/read-pods --namespace dev --out "$tmp/exec.kubeconfig"
check "... and is left as it was" cmp -s "$tmp/exec.kubeconfig" "$tmp/exec.kubeconfig.before"

ok=1
for i in 1 2 3; do
	kc get pods >"$tmp/pods.out" 2>"$tmp/kubectl.err" || {
		ok=0
		cat "$tmp/kubectl.err" >&2
	}
	kc auth whoami >"$tmp/whoami.$i" 2>"$tmp/kubectl.err" || {
		ok=0
		cat "$tmp/kubectl.err" >&2
	}
done
check "kubectl get pods and auth whoami work through the plugin, three times each" test $ok = 1
check "kubectl sees the pods of dev" grep -q 'NAME' "$tmp/pods.out"
check "six kubectl calls minted exactly one lease" \
	test "$(lease_ids --secret /e2e/read-pods | count_lines)" = 1
first=$(lease_ids --secret /e2e/read-pods | head -n 1)
# a cached answer reads no more than the cache: the store stays untouched
kc get pods >/dev/null 2>&1
before=$(stat -c '%.9Y.%s.%i' "$KUBEJIT_HOME"/kubejit.db* 2>/dev/null | sort | tr '\n' ' ')
kc get pods >/dev/null 2>&1 && kc auth whoami >/dev/null 2>&1
after=$(stat -c '%.9Y.%s.%i' "$KUBEJIT_HOME"/kubejit.db* 2>/dev/null | sort | tr '\n' ' ')
check "cached answers leave the store alone" test "$before" = "$after"
check "every call authenticated as the same ServiceAccount" \
	sh -c 'cmp -s "$0/whoami.1" "$0/whoami.2" && cmp -s "$0/whoami.2" "$0/whoami.3"' "$tmp"

check "revoke the lease" kj --quiet revoke "$first"
kc auth whoami >"$tmp/whoami.after" 2>"$tmp/kubectl.err"
rc=$?
[ $rc = 0 ] || cat "$tmp/kubectl.err" >&2
check "the next kubectl call gets a fresh credential" test $rc = 0
active=$(lease_ids --secret /e2e/read-pods --state active)
check "it is a new lease" sh -c '[ -n "$0" ] && [ "$0" != "$1" ] && [ "$(printf "%s\n" "$0" | grep -c .)" = 1 ]' \
	"$active" "$first"
check "and a new ServiceAccount" sh -c 'test -s "$0/whoami.1" && test -s "$0/whoami.after" &&
	! cmp -s "$0/whoami.1" "$0/whoami.after"' "$tmp"

# Parallel plugins with no usable cache entry mint once between them.
n_before=$(lease_ids --secret /e2e/read-pods | count_lines)
rm -f "$KUBEJIT_HOME"/exec-cache/*.json
pids=
for i in 1 2 3 4; do
	"$KUBEJIT_BIN" get /e2e/read-pods --namespace dev >"$tmp/par.$i" 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
n_after=$(lease_ids --secret /e2e/read-pods | count_lines)
check "four parallel plugins minted one lease" test "$n_after" = $((n_before + 1))

# The ExecCredential version follows KUBERNETES_EXEC_INFO.
out=$(kj get /e2e/read-pods --namespace dev)
check "v1beta1 when kubectl does not say" \
	sh -c 'printf "%s" "$0" | grep -q "client.authentication.k8s.io/v1beta1"' "$out"
KUBERNETES_EXEC_INFO='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v2","spec":{"interactive":false}}' \
	kj get /e2e/read-pods --namespace dev >"$tmp/v2.out" 2>"$tmp/v2.err"
rc=$?
check "an unknown version is refused in one line on stderr" \
	sh -c '[ "$0" != 0 ] && [ ! -s "$1/v2.out" ] && [ "$(wc -l <"$1/v2.err")" = 1 ]' "$rc" "$tmp"

# A sealed store: minting needs the passphrase, a cached token does not.
printf 'e2e passphrase\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
# the cache holds the token of $out in clear now; `seal on` must not leave
# it (nor the target's token) readable anywhere in the home
cached=$(printf '%s' "$out" | sed -n 's/.*"token":[[:space:]]*"\([^"]*\)".*/\1/p')
frags=$(printf '%s\n%s\n' "$cached" "$(cat "$tmp/state/tokens/kubejit-jit.token")" | cut -c 40-71)
before=$(printf '%s\n' "$frags" | grep -rlF -f - "$KUBEJIT_HOME" | count_lines)
kjq seal on --passphrase-file "$tmp/pass"
left=$(printf '%s\n' "$frags" | grep -rlF -f - "$KUBEJIT_HOME")
[ -z "$left" ] || diag "a token in clear after seal on in: $left" "fragment lengths: $(printf '%s\n' "$frags" | awk '{printf "%d ", length($0)}')"
after=$(printf '%s' "$left" | count_lines)
check "after seal on no token is left in clear in the home (files with one before: $before)" \
	sh -c '[ "$(printf "%s\n" "$0" | grep -c .)" = 2 ] && [ "$1" -gt 0 ] && [ "$2" = 0 ]' \
	"$frags" "$before" "$after"
check "the cache key is not in the home" sh -c '[ -z "$(find "$0" -name "*.key")" ] && ls "$1"/kubejit-*/kubejit-exec-cache-*.key >/dev/null' \
	"$KUBEJIT_HOME" "$tmp"
check "a cached token resealed by seal on is served without the passphrase" \
	sh -c '[ "$("$0" get /e2e/read-pods --namespace dev </dev/null)" = "$1" ]' "$KUBEJIT_BIN" "$out"
rm -f "$KUBEJIT_HOME"/exec-cache/*.json
kj get /e2e/read-pods --namespace dev </dev/null >/dev/null 2>"$tmp/sealed.err"
rc=$?
check "sealed store without a passphrase: a clear one-line error" \
	sh -c '[ "$0" != 0 ] && [ "$(wc -l <"$1")" = 1 ] && grep -q passphrase "$1"' "$rc" "$tmp/sealed.err"
KUBEJIT_PASSPHRASE_FILE="$tmp/pass" kj --quiet kubeconfig /e2e/read-pods --namespace dev \
	--out "$tmp/sealed.kubeconfig"
check "the kubeconfig hands the passphrase file to the plugin" \
	sh -c 'KUBECONFIG="$0" "$1" --cache-dir "$2/kcache" auth whoami >/dev/null' \
	"$tmp/sealed.kubeconfig" "$KUBECTL" "$tmp"
check "a sealed store's token is sealed in the cache too" \
	sh -c 'grep -l sealed_token "$0"/exec-cache/*.json >/dev/null && ! grep -q "\"token\"" "$0"/exec-cache/*.json' \
	"$KUBEJIT_HOME"
check "a cached token is served without the passphrase" \
	sh -c '"$0" get /e2e/read-pods --namespace dev </dev/null >/dev/null' "$KUBEJIT_BIN"

tap_done
