#!/bin/bash
# Mint speed, side by side in one run against one demo cluster:
#   kubejit mint (fixed mode: anchor Secret + bound TokenRequest)
#   floor        (a minimal libcurl program sending the same two requests)
#   kubectl create token (one TokenRequest, unbound)
# Prints mean/median wall time and peak RSS of each, and the ratios that
# doc/ARCHITECTURE.md, "Speed targets", sets (kubectl/kubejit >= 4, kubejit/floor <= 1.3).
# Each run is timed by tests/bench/timeit from fork to reap, so the script's
# own processes do not count.
# usage: bench-mint.sh [RUNS]   (env: KUBEJIT_BIN, FLOOR_BIN, TIMEIT_BIN, CURL_NOOP_BIN, KUBECTL)
set -eu
runs=${1:-40}
kj=${KUBEJIT_BIN:?set KUBEJIT_BIN}
floor=${FLOOR_BIN:?set FLOOR_BIN}
timeit=${TIMEIT_BIN:?set TIMEIT_BIN}
curl_noop=${CURL_NOOP_BIN:?set CURL_NOOP_BIN}
kubectl=${KUBECTL:-$(command -v kubectl || true)}
tmp=$(mktemp -d /tmp/kubejit-bench.XXXXXX)
trap 'kill $dc_pid 2>/dev/null; wait $dc_pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$kj" demo-cluster --listen 127.0.0.1:0 --state "$tmp/state" >"$tmp/dc.out" 2>&1 &
dc_pid=$!
for _ in $(seq 100); do grep -q '^demo cluster listening on' "$tmp/dc.out" 2>/dev/null && break; sleep 0.05; done
url=$(awk '/listening on/ {print $NF}' "$tmp/dc.out")
[ -n "$url" ] || { echo "bench: the demo cluster did not start" >&2; cat "$tmp/dc.out" >&2; exit 1; }
awk '/certificate-authority-data:/ {print $2; exit}' "$tmp/state/admin.kubeconfig" | base64 -d >"$tmp/ca.pem"
tokf=$tmp/state/tokens/kubejit-jit.token
export KUBEJIT_HOME=$tmp/home
"$kj" -q target add bench --server "$url" --ca-file "$tmp/ca.pem" --token-file "$tokf" >/dev/null
"$kj" -q secret add /bench/ci --target bench --mode fixed --namespace dev --service-account default \
	--ttl 15m >/dev/null
cat >"$tmp/kc" <<KC
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: $url
    certificate-authority: $tmp/ca.pem
users:
- name: jit
  user:
    tokenFile: $tokf
contexts:
- name: demo
  context: {cluster: demo, user: jit, namespace: dev}
current-context: demo
KC

declare -A rss_kb
declare -A samples
names=(kubejit floor)
[ -n "$kubectl" ] && names+=(kubectl)
cmd_for() {
	case $1 in
	kubejit) echo "$kj mint /bench/ci -o token" ;;
	floor) echo "$floor $url $tmp/ca.pem $tokf dev default" ;;
	kubectl) echo "$kubectl --kubeconfig $tmp/kc --cache-dir $tmp/kcache create token default -n dev --duration 15m" ;;
	esac
}
# warm-up: page cache, discovery cache
for n in "${names[@]}"; do $(cmd_for "$n") >/dev/null 2>&1; done
for i in $(seq "$runs"); do
	for n in "${names[@]}"; do
		: >"$tmp/t"
		"$timeit" "$tmp/t" $(cmd_for "$n") >/dev/null 2>"$tmp/err" || {
			echo "bench: $n failed:" >&2
			cat "$tmp/err" >&2
			exit 1
		}
		read -r us r <"$tmp/t"
		samples[$n]+="$us "
		[ "${rss_kb[$n]:-0}" -lt "$r" ] && rss_kb[$n]=$r
	done
done
stats() { # prints "mean median" in ms from microsecond samples
	tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "%.1f %.1f", s/NR/1000, a[int((NR+1)/2)]/1000}'
}
printf '%-10s %10s %10s %10s\n' command mean_ms median_ms peak_MiB
declare -A med
for n in "${names[@]}"; do
	read -r mean median <<<"$(echo "${samples[$n]}" | stats)"
	med[$n]=$median
	awk -v n="$n" -v a="$mean" -v m="$median" -v r="${rss_kb[$n]}" \
		'BEGIN {printf "%-10s %10s %10s %10.1f\n", n, a, m, r / 1024}'
done
echo "runs per command: $runs (interleaved)"
awk -v a="${med[kubejit]}" -v b="${med[floor]}" 'BEGIN {printf "kubejit / floor   (median): %.2fx  (target <= 1.3)\n", a/b}'
if [ -n "$kubectl" ]; then
	awk -v a="${med[kubectl]}" -v b="${med[kubejit]}" 'BEGIN {printf "kubectl / kubejit (median): %.2fx  (target >= 4)\n", a/b}'
fi
leases=$("$kj" leases --json | grep -c '"id"' || true)
echo "live leases after the run: $leases"

# kubejit get (kubectl exec plugin) with a cached live token, beside
# `kubejit --version` (the cost of starting the process at all), interleaved.
"$kj" get /bench/ci >/dev/null # mints and caches
"$kj" get /bench/ci >/dev/null # notes the store as seen
# ... and beside a program that only links libcurl (its load time), and
# /bin/true (a process at all), interleaved in one run
: >"$tmp/tg"
: >"$tmp/tv"
: >"$tmp/tc"
: >"$tmp/tt"
for _ in $(seq $((runs * 2))); do
	"$timeit" "$tmp/tg" "$kj" get /bench/ci >/dev/null
	"$timeit" "$tmp/tv" "$kj" --version >/dev/null
	"$timeit" "$tmp/tc" "$curl_noop"
	"$timeit" "$tmp/tt" /bin/true
done
read -r _ get_med <<<"$(cut -d' ' -f1 "$tmp/tg" | stats)"
read -r _ ver_med <<<"$(cut -d' ' -f1 "$tmp/tv" | stats)"
read -r _ curl_med <<<"$(cut -d' ' -f1 "$tmp/tc" | stats)"
read -r _ true_med <<<"$(cut -d' ' -f1 "$tmp/tt" | stats)"
printf 'kubejit get (cached token): %s ms median; kubejit --version: %s ms; libcurl no-op: %s ms; /bin/true: %s ms\n' \
	"$get_med" "$ver_med" "$curl_med" "$true_med"
awk -v g="$get_med" -v c="$curl_med" 'BEGIN {printf "cached get / libcurl no-op (median): %.2fx  (target <= 0.5)\n", g / c}'
if command -v strace >/dev/null; then
	# a get that failed would count no connect() either: it must succeed
	if ! strace -f -o "$tmp/get.strace" -e trace=connect,openat,fsync,fdatasync,pwrite64,write \
		"$kj" get /bench/ci >/dev/null 2>"$tmp/get.err"; then
		echo "bench-mint: kubejit get failed under strace:" >&2
		cat "$tmp/get.err" >&2
		exit 1
	fi
	conn=$(grep -c 'connect(' "$tmp/get.strace" || true)
	dbw=$(grep -cE 'kubejit\.db|fsync|fdatasync|pwrite64' "$tmp/get.strace" || true)
	echo "kubejit get: $conn connect() calls; $dbw store opens or writes (both should be 0)"
fi
awk -v k="${med[kubejit]}" -v f="${med[floor]}" -v c="${med[kubectl]:-0}" -v g="$get_med" -v v="$ver_med" \
	-v n="$curl_med" -v t="$true_med" \
	'BEGIN {printf "BENCH mint_kubejit_ms=%s mint_floor_ms=%s mint_kubectl_ms=%s get_ms=%s version_ms=%s curl_noop_ms=%s true_ms=%s\n", k, f, c, g, v, n, t}'
