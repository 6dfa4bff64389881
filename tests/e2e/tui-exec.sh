#!/bin/sh
# An interactive exec credential plugin under the terminal interface (real
# binary in tmux): checking an exec target runs the plugin, which asks for a
# one-time code on the terminal (its stderr, kubejit's own, as with kubectl);
# the interface leaves curses while it does,
# the code typed reaches the plugin, and the screen comes back afterwards.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${TMUX_BIN:-}" ] && [ -x "$TMUX_BIN" ] || tap_skip_all "tmux not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
sock="kubejit-e2e-tui-exec-$$"
pid=""
t() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
cleanup() {
	t kill-server 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

screen() { t capture-pane -p -t kj 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
see() { wait_for "${2:-15}" has "$1" || { diag "screen lacks \"$1\":" "$(screen)"; return 1; }; }
keys() { t send-keys -t kj "$@"; }
lit() { t send-keys -t kj -l "$1"; }

"$KUBEJIT_BIN" demo-cluster --state "$tmp/state" >"$tmp/out" 2>"$tmp/err" &
pid=$!
if ! wait_for 20 grep -q '^admin kubeconfig:' "$tmp/out"; then
	cat "$tmp/err" >&2
	tap_plan 1
	check "demo cluster starts" false
	tap_done
fi
url=$(sed -n 's/^demo cluster listening on //p' "$tmp/out")
token=$(cat "$tmp/state/tokens/kubejit-jit.token")

# kubelogin-like: asks for a code when it has a terminal, records what it got
cat >"$tmp/login" <<EOF
#!/bin/sh
if [ -t 0 ]; then
	printf 'Type the one-time code: ' >&2
	read code
	echo "code=\$code" >>"$tmp/rec"
fi
echo "info=\$KUBERNETES_EXEC_INFO" >>"$tmp/rec"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$token"
EOF
chmod 755 "$tmp/login"
cat >"$tmp/config" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: $url, certificate-authority: $tmp/state/ca.crt}}]
users:
- name: sso
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: $tmp/login, interactiveMode: IfAvailable}
contexts: [{name: demo, context: {cluster: demo, user: sso}}]
current-context: demo
EOF

tap_plan 6

KUBEJIT_HOME="$tmp/home" "$KUBEJIT_BIN" target add sso --from-kubeconfig --kubeconfig "$tmp/config" \
	</dev/null >"$tmp/add" 2>&1
check "without a terminal the plugin runs non-interactively" \
	sh -c "grep -q 'saved: .*, exec$' '$tmp/add' && ! grep -q '^code=' '$tmp/rec' && grep -q '\"interactive\":false' '$tmp/rec'"

t new-session -d -s kj -x 100 -y 30 \
	"cd '$tmp' && HOME='$tmp' KUBEJIT_HOME='$tmp/home' TERM=xterm-256color LC_ALL=C.UTF-8 \
	 '$KUBEJIT_BIN'; echo \"kubejit exited \$?\"; sleep 600"
see "Lease" 30
keys :
see "Jump to" && keys t Enter
check "the Targets screen lists the exec target" see "sso"
keys c
check "checking it hands the terminal to the plugin (curses left)" see "Type the one-time code:" 20
lit "4711" && keys Enter
check "the interface comes back after the plugin" see "sso" 20
check "the code typed reached the plugin" grep -q '^code=4711$' "$tmp/rec"
check "... which was told it is interactive (KUBERNETES_EXEC_INFO)" \
	grep -q '"interactive":true' "$tmp/rec"

tap_done
