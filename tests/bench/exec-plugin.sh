#!/bin/sh
# Benchmark (not part of `make check`): the exec plugin's latency with a
# cached live token and without one, against `kubejit demo-cluster`.
#   KUBEJIT_BIN=./kubejit sh tests/bench/exec-plugin.sh [RUNS]
# doc/ARCHITECTURE.md, "Speed targets": a cached call takes at most half the
# start-up time of a no-op program linked with libcurl.
set -eu
bin=${KUBEJIT_BIN:-./kubejit}
runs=${1:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kubejit-bench.XXXXXX")
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
export KUBEJIT_HOME="$tmp/home"
unset XDG_RUNTIME_DIR KUBERNETES_EXEC_INFO

"$bin" demo-cluster --listen 127.0.0.1:0 --state "$tmp/state" --kubeconfig "$tmp/admin.kubeconfig" \
	>"$tmp/demo.log" 2>&1 &
demo_pid=$!
i=0
until grep -q certificate-authority-data "$tmp/admin.kubeconfig" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$tmp/demo.log" >&2; exit 1; }
	sleep 0.1
done
server=$(sed -n 's/^ *server: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"')
sed -n 's/^ *certificate-authority-data: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"' |
	base64 -d >"$tmp/ca.crt"
"$bin" -q target add bench --server "$server" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token" >/dev/null
"$bin" -q secret add /bench/fixed --target bench --mode fixed --namespace dev --service-account default \
	--ttl 1h >/dev/null
"$bin" -q secret add /bench/dynamic --target bench --mode dynamic --allowed-namespaces dev \
	--cluster-role view --ttl 1h >/dev/null

ms() { # ms START_NS END_NS COUNT
	echo "$1 $2 $3" | awk '{ printf "%.2f", ($2 - $1) / 1e6 / $3 }'
}
for s in /bench/fixed /bench/dynamic; do
	n=$((runs / 10))
	[ $n -ge 1 ] || n=1
	t0=$(date +%s%N)
	j=0
	while [ $j -lt $n ]; do
		rm -f "$KUBEJIT_HOME"/exec-cache/*.json
		"$bin" get "$s" --namespace dev >/dev/null
		j=$((j + 1))
	done
	t1=$(date +%s%N)
	j=0
	# each call from its own parent process, as from separate kubectl
	# runs: calls from one parent within seconds are kubectl's rerun after
	# a 401, which asks the cluster (doc/kubejit.1.in, KUBECTL EXEC PLUGIN)
	while [ $j -lt "$runs" ]; do
		sh -c '"$0" get "$1" --namespace dev >/dev/null; :' "$bin" "$s"
		j=$((j + 1))
	done
	t2=$(date +%s%N)
	echo "$s: uncached (mint) $(ms "$t0" "$t1" "$n") ms/call over $n; cached $(ms "$t1" "$t2" "$runs") ms/call over $runs"
done
t0=$(date +%s%N)
j=0
while [ $j -lt "$runs" ]; do
	sh -c '"$0" --version >/dev/null; :' "$bin"
	j=$((j + 1))
done
t1=$(date +%s%N)
echo "floor: kubejit --version $(ms "$t0" "$t1" "$runs") ms/call (process start and library loading)"
