#!/bin/sh
# kubejit over HTTP/2 for real: nghttpx (Debian nghttp2-proxy) in front of
# `kubejit demo-cluster`, TLS on both sides, offering h2 through ALPN as a
# real API server does.  A target check, a fixed and a dynamic mint and a
# bulk revoke go through it, and the connections are counted at the proxy
# (its access log names each request's client port): a command's parallel
# requests must share one multiplexed connection.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
KUBEJIT_BIN=${KUBEJIT_BIN:-./kubejit}
[ -x "$KUBEJIT_BIN" ] || tap_skip_all "kubejit binary not built"
NGHTTPX=$(command -v nghttpx || echo /usr/sbin/nghttpx)
[ -x "$NGHTTPX" ] || tap_skip_all "nghttpx is not installed (nghttp2-proxy; ./bootstrap check installs it)"
DATA=${KUBEJIT_DATADIR:-${top_srcdir:-.}/data}

tmp=$(mk_tmp)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -f "$tmp/nghttpx.pid" ] && kill "$(cat "$tmp/nghttpx.pid")" 2>/dev/null
	[ -n "${KJ_KEEP:-}" ] || rm -rf "$tmp"
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
unset KUBECONFIG KUBERNETES_SERVICE_HOST HTTPS_PROXY https_proxy NO_PROXY no_proxy

# nghttpx on a free port; its certificate is the demo cluster's (same CA),
# and it verifies the demo cluster's certificate in turn.
started=""
for try in 1 2 3 4 5 6 7 8; do
	h2port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
	: >"$tmp/access.log"
	"$NGHTTPX" --conf=/dev/null --workers=1 --no-ocsp \
		--frontend="127.0.0.1,$h2port" --backend="127.0.0.1,$port;;tls;sni=localhost" \
		--cacert="$tmp/state/ca.crt" --errorlog-file="$tmp/error.log" \
		--accesslog-file="$tmp/access.log" \
		--accesslog-format='$remote_port $alpn $method $path $status' \
		"$tmp/state/apiserver.key" "$tmp/state/apiserver.crt" >/dev/null 2>&1 &
	echo $! >"$tmp/nghttpx.pid"
	if wait_for 5 grep -q 'Created worker thread' "$tmp/error.log"; then
		started=1
		break
	fi
	kill "$(cat "$tmp/nghttpx.pid")" 2>/dev/null
done
tap_plan 13
check "nghttpx starts in front of the demo cluster" test -n "$started"
[ -n "$started" ] || tap_done
h2=https://127.0.0.1:$h2port

export KUBEJIT_HOME="$tmp/home"
kj() { "$KUBEJIT_BIN" "$@"; }
# mark LABEL: what the access log holds from here on belongs to LABEL
mark() { wc -l <"$tmp/access.log" >"$tmp/mark"; }
since() { tail -n +"$(($(cat "$tmp/mark") + 1))" "$tmp/access.log"; }
# connections (distinct client ports) and non-h2 requests since the mark
conns() { since | awk '{print $1}' | sort -u | wc -l; }
# the same, without the readiness check a mint makes as the new credential
# (another credential: another client, so another connection)
minting_conns() { since | grep -v ' /apis/authorization.k8s.io/\| /apis/authentication.k8s.io/' |
	awk '{print $1}' | sort -u | wc -l; }
# the requests in namespace dev (the dynamic target's leases)
dev_conns() { since | grep ' /api[s/a-z0-9.]*/namespaces/dev/' | awk '{print $1}' | sort -u | wc -l; }
dev_reqs() { since | grep -c ' /api[s/a-z0-9.]*/namespaces/dev/'; }
not_h2() { since | awk '$2 != "h2"' | wc -l; }
reqs() { since | wc -l; }

# an admin kubeconfig pointing at nghttpx (the token context: client
# certificates end at the proxy)
sed -e "s#server: $url#server: $h2#" -e 's/^current-context: .*/current-context: kubejit-demo-token/' \
	"$tmp/state/admin.kubeconfig" >"$tmp/h2.kubeconfig"

mark
kj target bootstrap h2 --mode dynamic --kubeconfig "$tmp/h2.kubeconfig" >"$tmp/boot" 2>&1
check "target bootstrap through nghttpx" grep -q 'h2' "$tmp/boot"
kj target bootstrap h2fixed --mode fixed --kubeconfig "$tmp/h2.kubeconfig" >"$tmp/boot2" 2>&1
check "every request so far went over HTTP/2" test "$(not_h2)" -eq 0

mark
kj target check h2 >"$tmp/check" 2>&1
check "target check over HTTP/2" grep -q '^Dynamic: *ready' "$tmp/check"
check "... its requests multiplexed on one connection ($(reqs) requests)" test "$(conns)" -eq 1
diag "target check: $(reqs) requests, $(conns) connection(s)"

kj secret add /h2/pods --target h2 --mode dynamic --allowed-namespaces dev \
	--role-yaml "$DATA/templates/pods-read-only.yaml" --ttl 15m >/dev/null 2>&1
kj secret add /h2/dash --target h2fixed --mode fixed --namespace kubernetes-dashboard \
	--service-account kubernetes-dashboard >/dev/null 2>&1

mark
kj mint /h2/dash -o token >"$tmp/fixed.tok" 2>"$tmp/fixed.err"
check "fixed mint over HTTP/2" grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "$tmp/fixed.tok"
check "... on one connection ($(reqs) requests, all h2)" sh -c "[ $(minting_conns) -eq 1 ] && [ $(not_h2) -eq 0 ]"

mark
kj mint /h2/pods -n dev -o token >"$tmp/dyn.tok" 2>"$tmp/dyn.err"
check "dynamic mint over HTTP/2" grep -qE '^[A-Za-z0-9_-]+\.' "$tmp/dyn.tok"
check "... its parallel creates multiplexed on one connection ($(reqs) requests)" test "$(minting_conns)" -eq 1
diag "dynamic mint: $(reqs) requests, $(minting_conns) connection(s) for the mint, $(conns) with the readiness check"

for i in 1 2 3 4 5 6 7; do kj mint /h2/pods -n dev -o token >/dev/null 2>&1; done
mark
kj revoke --all >"$tmp/revoke" 2>&1
check "bulk revoke over HTTP/2" test "$(kj leases --json | grep -c '"state": *"active"')" -eq 0
check "... the dynamic target's $(dev_reqs) deletes multiplexed on one connection" test "$(dev_conns)" -eq 1
check "... 3 objects for each of its 8 leases" test "$(dev_reqs)" -ge 24
diag "bulk revoke of 9 leases on 2 targets: $(reqs) requests, $(conns) connection(s)"
check "nghttpx logged no backend failures" sh -c "! grep -q 'ERROR' '$tmp/error.log'"

tap_done
