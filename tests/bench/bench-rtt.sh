#!/bin/bash
# Round trips: kubejit and kubectl against `kubejit demo-cluster` through
# tests/bench/rttrelay, which delays every byte by half the RTT each way
# (TCP and TLS handshakes included), at 0, 10 and 50 ms RTT.  For each
# operation: the median wall time of RUNS runs, the round trips that adds
# over the 0 ms run ((median - median at 0 ms) / RTT), and the TCP
# connections (counted by the relay), TLS handshakes and requests (the demo
# cluster's own counters, GET /kubejit/stats) of one run.
# Bulk revoke: BULK_N dynamic leases minted at 0 ms, then `revoke --all` at
# the RTT; besides its time, the requests it sent, the 429 answers it met,
# and how many of the BULK_N tokens the cluster refuses (401) once its token
# cache (10 s) has passed.
# usage: bench-rtt.sh [RUNS]  (env: KUBEJIT_BIN, RELAY_BIN, TIMEIT_BIN, KUBECTL,
#                             BENCH_RTTS="0 10 50", BULK_N=200, BULK_RUNS=3,
#                             BENCH_OPS="mint_fixed ..." to run only those, "" for none)
set -eu
runs=${1:-20}
kj=${KUBEJIT_BIN:?set KUBEJIT_BIN}
relay=${RELAY_BIN:?set RELAY_BIN}
timeit=${TIMEIT_BIN:?set TIMEIT_BIN}
kubectl=${KUBECTL:-$(command -v kubectl || true)}
rtts=${BENCH_RTTS:-0 10 50}
bulk_n=${BULK_N:-200}
bulk_runs=${BULK_RUNS:-3}
tmp=$(mktemp -d /tmp/kubejit-rtt.XXXXXX)
dc_pid=
relay_pid=
stop_relay() {
	[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null && { wait "$relay_pid" 2>/dev/null || true; }
	relay_pid=
	return 0
}
cleanup() {
	stop_relay
	[ -n "$dc_pid" ] && kill "$dc_pid" 2>/dev/null && wait "$dc_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

"$kj" demo-cluster --listen 127.0.0.1:0 --state "$tmp/state" >"$tmp/dc.out" 2>&1 &
dc_pid=$!
for _ in $(seq 200); do grep -q '^demo cluster listening on' "$tmp/dc.out" 2>/dev/null && break; sleep 0.05; done
url=$(awk '/listening on/ {print $NF}' "$tmp/dc.out")
[ -n "$url" ] || { echo "bench-rtt: the demo cluster did not start" >&2; cat "$tmp/dc.out" >&2; exit 1; }
dport=${url##*:}
awk '/certificate-authority-data:/ {print $2; exit}' "$tmp/state/admin.kubeconfig" | base64 -d >"$tmp/ca.pem"
tokf=$tmp/state/tokens/kubejit-jit.token

# the relay keeps one port across RTTs, so targets and kubeconfig stay valid
start_relay() { # RTT_MS [PORT]
	stop_relay
	"$relay" "$1" "$dport" "$tmp/relay.stats" ${2:-} >"$tmp/relay.out" &
	relay_pid=$!
	for _ in $(seq 100); do grep -q 'listening on' "$tmp/relay.out" 2>/dev/null && break; sleep 0.02; done
	rport=$(awk '{print $3}' "$tmp/relay.out")
}
start_relay 0
export KUBEJIT_HOME=$tmp/home
"$kj" -q target add rtt --server "https://127.0.0.1:$rport" --ca-file "$tmp/ca.pem" --token-file "$tokf" >/dev/null
"$kj" -q secret add /rtt/fixed --target rtt --mode fixed --namespace dev --service-account default \
	--ttl 15m >/dev/null
printf 'kind: Role\nrules:\n- {apiGroups: [""], resources: [pods], verbs: [get, list]}\n' >"$tmp/role.yaml"
"$kj" -q secret add /rtt/yaml --target rtt --mode dynamic --allowed-namespaces dev \
	--role-yaml "$tmp/role.yaml" --ttl 15m >/dev/null
"$kj" -q secret add /rtt/view --target rtt --mode dynamic --allowed-namespaces dev \
	--cluster-role view --ttl 15m >/dev/null
"$kj" -q secret add /rtt/bulk --target rtt --mode dynamic --allowed-namespaces dev \
	--role-yaml "$tmp/role.yaml" --ttl 15m >/dev/null
cat >"$tmp/kc" <<KC
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: https://127.0.0.1:$rport
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

# the demo's counters, read straight from its port (not through the relay)
demo_stats() { # prints "tls requests throttled"
	curl -s --cacert "$tmp/ca.pem" -H "Authorization: Bearer $(cat "$tmp/state/tokens/admin.token")" "$url/kubejit/stats" |
		sed 's/[{}"]//g' | tr ',' '\n' |
		awk -F: '$1 == "tlsHandshakes" {t = $2} $1 == "requests" {r = $2} $1 == "throttled" {q = $2} END {print t, r, q + 0}'
}
# how many of the tokens in $tmp/bulk/* the cluster refuses (401), asked
# straight (not through the relay), 8 at a time
tokens_refused() {
	for f in "$tmp"/bulk/*; do echo "$f"; done |
		xargs -P 8 -I{} sh -c 'curl -s -o /dev/null -w "%{http_code}\n" --cacert "$0" \
			-H "Authorization: Bearer $(cat "$1")" "$2/api"' "$tmp/ca.pem" {} "$url" |
		grep -c '^401$' || true
}
relay_conns() { awk '{print $2}' "$tmp/relay.stats"; }

ops=(mint_fixed mint_yaml mint_role get_uncached get_cached)
[ -n "$kubectl" ] && ops+=(kubectl_token)
[ -n "${BENCH_OPS+set}" ] && read -r -a ops <<<"$BENCH_OPS"
cmd_for() {
	case $1 in
	mint_fixed) echo "$kj mint /rtt/fixed -o token" ;;
	mint_yaml) echo "$kj mint /rtt/yaml -o token" ;;
	mint_role) echo "$kj mint /rtt/view -o token" ;;
	get_uncached | get_cached) echo "$kj get /rtt/fixed --namespace dev" ;;
	kubectl_token) echo "$kubectl --kubeconfig $tmp/kc --cache-dir $tmp/kcache create token default -n dev --duration 15m" ;;
	esac
}
prepare() { # before each run of an operation
	case $1 in
	get_uncached) rm -f "$KUBEJIT_HOME"/exec-cache/*.json ;;
	get_cached) "$kj" get /rtt/fixed --namespace dev >/dev/null ;;
	esac
	return 0
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {printf "%.1f", a[int((NR + 1) / 2)] / 1000}'; }

declare -A med
printf '%-14s %6s %10s %8s %6s %5s %8s\n' operation rtt_ms median_ms rtts conns tls requests
for rtt in $rtts; do
	start_relay "$rtt" "$rport"
	# warm-up at this RTT: page cache, kubectl's discovery cache
	for op in "${ops[@]}"; do
		prepare "$op"
		$(cmd_for "$op") >/dev/null 2>&1 || true
	done
	for op in "${ops[@]}"; do
		: >"$tmp/t"
		# connections, handshakes and requests of one run
		prepare "$op"
		c0=$(relay_conns)
		read -r t0 r0 _ <<<"$(demo_stats)"
		"$timeit" "$tmp/t" $(cmd_for "$op") >/dev/null 2>"$tmp/err" || {
			echo "bench-rtt: $op failed:" >&2
			cat "$tmp/err" >&2
			exit 1
		}
		c1=$(relay_conns)
		read -r t1 r1 _ <<<"$(demo_stats)"
		for _ in $(seq $((runs - 1))); do
			prepare "$op"
			"$timeit" "$tmp/t" $(cmd_for "$op") >/dev/null 2>"$tmp/err" || {
				echo "bench-rtt: $op failed:" >&2
				cat "$tmp/err" >&2
				exit 1
			}
		done
		m=$(cut -d' ' -f1 "$tmp/t" | tr '\n' ' ' | median)
		med[$op.$rtt]=$m
		trips=-
		[ "$rtt" != 0 ] && trips=$(awk -v a="$m" -v b="${med[$op.0]:-0}" -v r="$rtt" 'BEGIN {printf "%.1f", (a - b) / r}')
		# the stats request itself is one request and one handshake
		printf '%-14s %6s %10s %8s %6s %5s %8s\n' "$op" "$rtt" "$m" "$trips" $((c1 - c0)) \
			$((t1 - t0 - 1)) $((r1 - r0 - 1))
		echo "BENCH rtt_${op}_${rtt}_ms=$m rtt_${op}_${rtt}_trips=$trips rtt_${op}_${rtt}_conns=$((c1 - c0)) rtt_${op}_${rtt}_tls=$((t1 - t0 - 1)) rtt_${op}_${rtt}_req=$((r1 - r0 - 1))" >>"$tmp/bench.lines"
	done
	# bulk revoke: BULK_N dynamic leases minted without delay, revoked at this RTT
	[ "$bulk_n" -gt 0 ] || continue
	: >"$tmp/t"
	for _ in $(seq "$bulk_runs"); do
		start_relay 0 "$rport"
		rm -rf "$tmp/bulk"
		mkdir "$tmp/bulk"
		for i in $(seq "$bulk_n"); do "$kj" mint /rtt/bulk -o token >"$tmp/bulk/$i" 2>/dev/null; done
		start_relay "$rtt" "$rport"
		c0=$(relay_conns)
		read -r t0 r0 q0 <<<"$(demo_stats)"
		"$timeit" "$tmp/t" "$kj" -q revoke --all --secret /rtt/bulk >/dev/null 2>"$tmp/err" || {
			echo "bench-rtt: bulk revoke failed:" >&2
			cat "$tmp/err" >&2
			exit 1
		}
		revoked_at=$(date +%s)
		c1=$(relay_conns)
		read -r t1 r1 q1 <<<"$(demo_stats)"
		# the cluster's token cache remembers a token for 10 s
		while [ $(($(date +%s) - revoked_at)) -lt 11 ]; do sleep 1; done
		dead=$(tokens_refused)
	done
	m=$(cut -d' ' -f1 "$tmp/t" | tr '\n' ' ' | median)
	printf '%-14s %6s %10s %8s %6s %5s %8s\n' "revoke_$bulk_n" "$rtt" "$m" - $((c1 - c0)) $((t1 - t0 - 1)) \
		$((r1 - r0 - 1))
	echo "revoke_$bulk_n at $rtt ms: $((q1 - q0)) answers 429; $dead of $bulk_n tokens refused (401) 11 s later (last run)"
	echo "BENCH rtt_revoke_${rtt}_ms=$m rtt_revoke_${rtt}_conns=$((c1 - c0)) rtt_revoke_${rtt}_req=$((r1 - r0 - 1)) rtt_revoke_${rtt}_429=$((q1 - q0)) rtt_revoke_${rtt}_dead=$dead rtt_revoke_n=$bulk_n" >>"$tmp/bench.lines"
done
echo "runs per operation: $runs (bulk revoke: $bulk_runs); rtts: $rtts ms"
cat "$tmp/bench.lines"
