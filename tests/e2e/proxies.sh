#!/bin/sh
# proxy-url with https:// and socks5:// through real proxies from Debian's
# archive, used by kubejit and by the real kubectl on the same kubeconfig.
#   socks5://  microsocks (Go's dialer sends host names to the proxy:
#              kubejit uses libcurl's socks5h)
#   https://   stunnel4 terminating TLS in front of tinyproxy: the client
#              speaks TLS to the proxy (verified with the cluster's CA, as
#              Go's transport does with its one TLS config), then CONNECT
# Each proxy's log must show the connection to the cluster.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"
for tool in microsocks stunnel4 tinyproxy python3; do
	command -v $tool >/dev/null ||
		tap_skip_all "$tool is not installed (./bootstrap check installs microsocks, stunnel4, tinyproxy)"
done

tmp=$(mk_tmp)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	for f in "$tmp"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	[ -n "${KJ_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export HOME="$tmp" KUBEJIT_HOME="$tmp/home" NO_COLOR=1
unset KUBECONFIG HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy ALL_PROXY all_proxy
kj() { "$KUBEJIT_BIN" "$@"; }
k() { "$KUBECTL" --cache-dir "$tmp/kcache" --request-timeout 20s "$@"; }
has() { grep -q -- "$2" "$1"; }
# a port nobody listens on now (the kernel picks it)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
listening() { python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1"; }

demo_start "$tmp"
port=${demo_url##*:}
token=$(cat "$tmp/state/tokens/admin.token")
ca64=$(base64 -w0 "$tmp/ca.crt")
tap_plan 12

# kubeconfig NAME PROXY-URL: the demo's admin behind a proxy
kubeconfig() {
	cat >"$tmp/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: $demo_url
    certificate-authority-data: $ca64
    proxy-url: $2
users:
- name: admin
  user:
    token: $token
contexts:
- name: $1
  context: {cluster: demo, user: admin}
current-context: $1
EOF
	chmod 600 "$tmp/$1.kubeconfig"
}

# ---- socks5: microsocks -------------------------------------------------------
sp=$(free_port)
microsocks -i 127.0.0.1 -p "$sp" >"$tmp/socks.log" 2>&1 &
echo $! >"$tmp/socks.pid"
wait_for 10 listening "$sp"
kubeconfig socks "socks5://127.0.0.1:$sp"
socks_conns() { grep -c "connected to .*:$port" "$tmp/socks.log" 2>/dev/null || true; }
k --kubeconfig "$tmp/socks.kubeconfig" get namespaces -o name >"$tmp/socks.k" 2>&1
check "kubectl reaches the cluster through the socks5 proxy" has "$tmp/socks.k" namespace/dev
before=$(socks_conns)
kj target add via-socks --from-kubeconfig --kubeconfig "$tmp/socks.kubeconfig" >"$tmp/socks.add" 2>&1
check "kubejit adds a target through the socks5 proxy" has "$tmp/socks.add" 'saved:'
kj target check via-socks >"$tmp/socks.check" 2>&1
check "target check works through it" test $? = 0
check "microsocks' log shows kubejit's connections to the cluster" test "$(socks_conns)" -gt "$before"
kj target show via-socks >"$tmp/socks.show" 2>&1
check "the target keeps the socks5 proxy-url" has "$tmp/socks.show" "socks5://127.0.0.1:$sp"
kill "$(cat "$tmp/socks.pid")" 2>/dev/null
rm -f "$tmp/socks.pid"
kj target check via-socks >"$tmp/socks.down" 2>&1
check "a socks5 proxy that is down is named in the error" has "$tmp/socks.down" "proxy socks5://127.0.0.1:$sp"

# ---- https: stunnel4 (TLS) in front of tinyproxy (CONNECT) -------------------
tp=$(free_port)
cat >"$tmp/tinyproxy.conf" <<EOF
Port $tp
Listen 127.0.0.1
Timeout 30
LogFile "$tmp/tinyproxy.log"
LogLevel Info
MaxClients 20
Allow 127.0.0.1
EOF
tinyproxy -d -c "$tmp/tinyproxy.conf" >/dev/null 2>&1 &
echo $! >"$tmp/tinyproxy.pid"
hp=$(free_port)
# the demo's serving certificate (127.0.0.1 and localhost, signed by its CA)
cat >"$tmp/stunnel.conf" <<EOF
foreground = yes
pid =
output = $tmp/stunnel.log
debug = info
[https-proxy]
accept = 127.0.0.1:$hp
connect = 127.0.0.1:$tp
cert = $tmp/state/apiserver.crt
key = $tmp/state/apiserver.key
EOF
stunnel4 "$tmp/stunnel.conf" >/dev/null 2>&1 &
echo $! >"$tmp/stunnel.pid"
wait_for 10 listening "$tp"
wait_for 10 listening "$hp"
kubeconfig https "https://localhost:$hp"
connects() { grep -c "CONNECT 127.0.0.1:$port " "$tmp/tinyproxy.log" 2>/dev/null || true; }
k --kubeconfig "$tmp/https.kubeconfig" get namespaces -o name >"$tmp/https.k" 2>&1
check "kubectl reaches the cluster through the https proxy" has "$tmp/https.k" namespace/dev
before=$(connects)
kj target add via-https --from-kubeconfig --kubeconfig "$tmp/https.kubeconfig" >"$tmp/https.add" 2>&1
check "kubejit adds a target through the https proxy" has "$tmp/https.add" 'saved:'
kj target check via-https >"$tmp/https.check" 2>&1
check "target check works through it" test $? = 0
check "tinyproxy's log shows kubejit's CONNECT, which came over TLS (stunnel)" \
	sh -c '[ "$(grep -c "CONNECT 127.0.0.1:$1 " "$0/tinyproxy.log")" -gt "$2" ] && grep -qi "accepted connection" "$0/stunnel.log"' \
	"$tmp" "$port" "$before"
# a proxy whose certificate the cluster's CA did not sign is refused
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost -days 1 -keyout "$tmp/other.key" -out "$tmp/other.crt" 2>/dev/null
hp2=$(free_port)
sed -e "s/^accept = .*/accept = 127.0.0.1:$hp2/" -e "s#^cert = .*#cert = $tmp/other.crt#" \
	-e "s#^key = .*#key = $tmp/other.key#" -e "s#^output = .*#output = $tmp/stunnel2.log#" \
	"$tmp/stunnel.conf" >"$tmp/stunnel2.conf"
stunnel4 "$tmp/stunnel2.conf" >/dev/null 2>&1 &
echo $! >"$tmp/stunnel2.pid"
wait_for 10 listening "$hp2"
kubeconfig untrusted "https://localhost:$hp2"
before=$(connects)
kj target add via-untrusted --from-kubeconfig --kubeconfig "$tmp/untrusted.kubeconfig" >"$tmp/untrusted.add" 2>&1
rc=$?
sed 's/^/# /' "$tmp/untrusted.add"
check "an https proxy with a certificate the CA did not sign is refused, naming the proxy" \
	sh -c '[ "$0" != 0 ] && grep -q "certificate of the proxy https://localhost:$1 " "$2"' "$rc" "$hp2" "$tmp/untrusted.add"
check "... before any CONNECT reached tinyproxy" test "$(connects)" = "$before"

tap_done
