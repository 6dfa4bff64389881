#!/bin/sh
# Benchmark (DESIGN §9): `kubejit mint` as a process against the demo cluster,
# side by side with `kubectl create token` against the same cluster.
#   bench/mint-vs-kubectl.sh [RUNS]       (default 30; needs a built ./kubejit)
# Prints the mean wall time per run of each and the ratio.  Not part of
# `make check`: timings depend on the machine.
set -eu
RUNS=${1:-30}
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
KUBECTL=${KUBECTL:-kubectl}
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>/dev/null &
pid=$!
i=0
while ! grep -q '^admin kubeconfig:' "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "demo cluster did not start" >&2; exit 1; }
	sleep 0.1
done
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")
export KUBEJIT_HOME="$tmp/home"
"$KUBEJIT_BIN" -q target add demo --server "$url" --ca-file "$tmp/state/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token" >/dev/null
"$KUBEJIT_BIN" -q secret add /bench/fixed --target demo --mode fixed --namespace kubernetes-dashboard \
	--service-account kubernetes-dashboard
"$KUBEJIT_BIN" -q secret add /bench/fixed-expiry --target demo --mode fixed --namespace kubernetes-dashboard \
	--service-account kubernetes-dashboard --no-revocable
"$KUBEJIT_BIN" -q secret add /bench/dynamic --target demo --mode dynamic --allowed-namespaces dev \
	--cluster-role view

# a kubeconfig for kubectl with the same credentials kubejit uses
cat >"$tmp/kc" <<EOK
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: "$url", certificate-authority: "$tmp/state/ca.crt"}}]
users: [{name: jit, user: {tokenFile: "$tmp/state/tokens/kubejit-jit.token"}}]
contexts: [{name: demo, context: {cluster: demo, user: jit}}]
current-context: demo
EOK

now_ns() { date +%s%N; }
# mean_ms LABEL CMD...: run CMD RUNS times, print the mean wall time in µs
# and keep the mean CPU time (user+sys, µs) in $tmp/cpu-LABEL: on a busy
# machine CPU time says more than wall time.
mean_ms() {
	label=$1
	shift
	"$@" >/dev/null 2>&1 || { echo "$label: command failed: $*" >&2; exit 1; }
	t0=$(now_ns)
	/usr/bin/time -f "%U %S" -o "$tmp/time-$label" sh -c '
		n=0
		while [ $n -lt "$0" ]; do "$@" >/dev/null 2>&1; n=$((n + 1)); done' "$RUNS" "$@"
	t1=$(now_ns)
	awk -v r="$RUNS" '{ printf "%d\n", ($1 + $2) * 1000000 / r }' "$tmp/time-$label" >"$tmp/cpu-$label"
	echo $(((t1 - t0) / RUNS / 1000))
}
cpu() { cat "$tmp/cpu-$1"; }

kc=$(mean_ms kubectl "$KUBECTL" --kubeconfig "$tmp/kc" --cache-dir "$tmp/cache" create token kubernetes-dashboard \
	-n kubernetes-dashboard --duration 10m)
fx=$(mean_ms fixed "$KUBEJIT_BIN" -q mint /bench/fixed -o token --ttl 10m)
fe=$(mean_ms fixed-expiry "$KUBEJIT_BIN" -q mint /bench/fixed-expiry -o token --ttl 10m)
dy=$(mean_ms dynamic "$KUBEJIT_BIN" -q mint /bench/dynamic -n dev -o token --ttl 10m)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
row() { # label wall-µs cpu-µs
	printf '%-42s %7s ms %7s ms  %6s %6s\n' "$1" "$(ms "$2")" "$(ms "$3")" "$(ratio "$kc" "$2")" \
		"$(ratio "$(cpu kubectl)" "$3")"
}
printf '%-42s %10s %10s  %13s\n' "runs: $RUNS, load $(cut -d' ' -f1 /proc/loadavg)" "wall" "cpu" "kubectl/this"
printf '%-42s %7s ms %7s ms\n' "kubectl create token (1 API call)" "$(ms "$kc")" "$(ms "$(cpu kubectl)")"
row "kubejit mint fixed, revocable (2 calls)" "$fx" "$(cpu fixed)"
row "kubejit mint fixed, expiry-only (1 call)" "$fe" "$(cpu fixed-expiry)"
row "kubejit mint dynamic (3 calls, 2 stages)" "$dy" "$(cpu dynamic)"
"$KUBEJIT_BIN" -q revoke --all >/dev/null 2>&1 || true
