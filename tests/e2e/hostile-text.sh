#!/bin/sh
# Text kubejit did not write and the user did not type reaches no terminal
# raw.  A cluster admin (or whoever answers for the API server) denies a
# certificate request with a message that clears the screen (ESC [2J),
# writes the clipboard (OSC 52), retitles the window (OSC 0), overwrites
# the line (CR), reverses text (U+202E) and sends an 8-bit CSI (U+009B):
# the raw bytes of kubejit's standard output and error, and its store,
# hold none of it, yet the message is shown, escaped.  Rows an older
# kubejit wrote raw into the audit log are shown escaped by `kubejit audit`
# and by the terminal interface (tmux: the bytes sent to the terminal).
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${TMUX_BIN:-}" ] && [ -x "$TMUX_BIN" ] || tap_skip_all "tmux not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"
command -v sqlite3 >/dev/null || tap_skip_all "sqlite3 not found (./bootstrap check installs it)"

tmp=$(mk_tmp)
demo_pid=
sock="kubejit-e2e-hostile-$$"
t() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
cleanup() {
	t kill-server 2>/dev/null
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

demo_start "$tmp" --csr-signer-delay 300ms
export KUBECONFIG="$tmp/state/admin.kubeconfig" NO_COLOR=1 HOME="$tmp" TMPDIR="$tmp"
unset KUBERNETES_SERVICE_HOST XDG_RUNTIME_DIR
k() { "$KUBECTL" --cache-dir "$tmp/cache" --request-timeout 20s "$@"; }
kj() { "$KUBEJIT_BIN" --home "$tmp/home" "$@"; }

# Bytes a terminal acts on, counted in a file: C0 but tab and newline, DEL;
# C1 controls in UTF-8 (C2 80..9F) and bidirectional controls (U+202A..E,
# U+2066..9, U+200E/F).
c0_count() { LC_ALL=C tr -d -c '\000-\010\013-\037\177' <"$1" | wc -c; }
c1_bidi() {
	LC_ALL=C grep -c -e "$(printf '\302[\200-\237]')" -e "$(printf '\342\200[\216\217\252-\256]')" \
		-e "$(printf '\342\201[\246-\251]')" "$1" || true
}
clean_bytes() { [ "$(c0_count "$1")" = 0 ] && [ "$(c1_bidi "$1")" = 0 ]; }

tap_plan 13

# A submitter that may create certificate requests but not approve them.
must k create serviceaccount csr-sub -n default
must k create clusterrole csr-submit --verb=create,get,list,watch,delete \
	--resource=certificatesigningrequests.certificates.k8s.io
must k create clusterrolebinding csr-sub --clusterrole=csr-submit --serviceaccount=default:csr-sub
may_submit() { k auth can-i create certificatesigningrequests --as system:serviceaccount:default:csr-sub >/dev/null 2>&1; }
must wait_for 10 may_submit
k create token csr-sub -n default --duration 1h >"$tmp/sub.token"

kj target add evil --server "$demo_url" --ca-file "$tmp/state/ca.crt" --csr --cn evil \
	--token-file "$tmp/sub.token" --approve-timeout 60s >"$tmp/add.out" 2>"$tmp/add.err" &
add_pid=$!
csr_name() { k get csr -o name 2>/dev/null | sed -n 's|.*/||p' | head -n 1; }
have_csr() { [ -n "$(csr_name)" ]; }
must wait_for 30 have_csr
name=$(csr_name)
# the message as JSON: ESC [2J, OSC 52 (clipboard), OSC 0 (title), CR, RLO, CSI
msg='\u001b[2J\u001b]52;c;ZWNobyBvd25lZA==\u0007\u001b]0;TITLE-OWNED\u0007all fine\rDENIED \u202eexe.txt \u009b31m'
printf '{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"%s"},"status":{"conditions":[{"type":"Denied","status":"True","reason":"Hostile","message":"%s"}]}}\n' \
	"$name" "$msg" >"$tmp/deny.json"
k replace --raw "/apis/certificates.k8s.io/v1/certificatesigningrequests/$name/approval" \
	-f "$tmp/deny.json" >"$tmp/deny.out" 2>&1 || sed 's/^/# /' "$tmp/deny.out"
wait "$add_pid"
rc=$?
check "the denied request fails target add (exit $rc)" test "$rc" != 0
check "the server's message is shown, escaped" \
	grep -qF 'was denied: \u001B[2J\u001B]52;c;ZWNobyBvd25lZA==\u0007\u001B]0;TITLE-OWNED\u0007all fine\u000DDENIED \u202Eexe.txt \u009B31m' "$tmp/add.err"
check "no control byte in kubejit's standard output or error" sh -c 'for f; do [ "$(LC_ALL=C tr -d -c "\000-\010\013-\037\177" <"$f" | wc -c)" = 0 ] || exit 1; done' \
	sh "$tmp/add.out" "$tmp/add.err"
check "no C1 or bidirectional control in them" sh -c '[ "$0" = 0 ] && [ "$1" = 0 ]' \
	"$(c1_bidi "$tmp/add.out")" "$(c1_bidi "$tmp/add.err")"
check "the store keeps no raw sequence (audit log included)" \
	sh -c 'test -s "$0/kubejit.db" && ! LC_ALL=C grep -qF -e "$(printf "\033]52")" -e "$(printf "\033]0;")" -e "$(printf "\342\200\256")" "$0"/kubejit.db*' \
	"$tmp/home"
kj audit >"$tmp/audit.out" 2>&1
check "the audit log records the failure with the message escaped" grep -qF 'u001B]52;c;ZWNobyBvd25lZA==' "$tmp/audit.out"

# An exec credential plugin named by a kubeconfig writes the same kind of
# text to its stderr and fails; not interactive (stdin is not a terminal),
# kubejit reads that stderr and passes it on escaped.
cat >"$tmp/hostile-plugin" <<'PLUGIN'
#!/bin/sh
printf '\033]52;c;UExVRw==\007\033]0;PLUGIN-TITLE\007\033[2Jplugin says hi\r\342\200\256gnp.exe\302\233\n' >&2
exit 1
PLUGIN
chmod 755 "$tmp/hostile-plugin"
cat >"$tmp/plug.kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: $demo_url
    certificate-authority: $tmp/state/ca.crt
users:
- name: plug
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $tmp/hostile-plugin
      interactiveMode: IfAvailable
contexts:
- name: plug
  context:
    cluster: demo
    user: plug
current-context: plug
KCFG
kj target add plug --from-kubeconfig --kubeconfig "$tmp/plug.kubeconfig" </dev/null >"$tmp/plug.out" 2>"$tmp/plug.err"
rc=$?
sed 's/^/# stderr: /' "$tmp/plug.err"
check "a failing exec plugin fails target add (exit $rc)" test "$rc" != 0
check "its error output is shown, escaped" grep -qF '\u001B]52;c;UExVRw==\u0007\u001B]0;PLUGIN-TITLE\u0007\u001B[2Jplugin says hi\u000D\u202Egnp.exe\u009B' "$tmp/plug.err"
check "no control byte, C1 or bidirectional control reaches the terminal from the plugin" \
	sh -c '[ "$(LC_ALL=C tr -d -c "\000-\010\013-\037\177" <"$0" | wc -c)" = 0 ] && [ "$1" = 0 ]' \
	"$tmp/plug.err" "$(c1_bidi "$tmp/plug.err")"

# Rows written raw by an older kubejit (or anyone who can write the store).
hostile="'pwn' || char(27) || ']52;c;SE9TVElMRQ==' || char(7) || char(27) || ']0;TITLE-OWNED' || char(7) || char(13) || 'over' || char(8238) || 'exe' || char(155) || '2J'"
sqlite3 "$tmp/home/kubejit.db" "INSERT INTO audit (time, actor, action, secret, lease, target, ok, detail)
	VALUES (strftime('%s','now'), 'old', 'mint', '/x', NULL, 'evil', 0, $hostile)"
kj audit >"$tmp/audit2.out" 2>"$tmp/audit2.err"
check "kubejit audit shows an old raw row escaped" sh -c \
	'grep -qF "pwn\\u001B]52;c;SE9TVElMRQ==\\u0007" "$0" && [ "$(LC_ALL=C tr -d -c "\000-\010\013-\037\177" <"$0" | wc -c)" = 0 ]' \
	"$tmp/audit2.out"
check "... with no C1 or bidirectional control" test "$(c1_bidi "$tmp/audit2.out")" = 0

# The terminal interface: every byte it sends to the terminal is recorded.
t new-session -d -s kj -x 200 -y 30 "sleep 600"
t pipe-pane -o -t kj "cat >>'$tmp/tui.raw'"
t respawn-pane -k -t kj "HOME='$tmp' TMPDIR='$tmp' TERM=xterm-256color LC_ALL=C.UTF-8 NO_COLOR=1 \
	'$KUBEJIT_BIN' --home '$tmp/home' 2>'$tmp/tui.err'; sleep 600"
screen() { t capture-pane -p -t kj 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
wait_for 30 has "leases"
t send-keys -t kj :
wait_for 10 has "Jump to" && t send-keys -t kj a Enter
check "the audit screen shows the old row escaped" wait_for 15 has 'pwn\u001B]52;c;SE9TVElMRQ=='
t send-keys -t kj q
sleep 1
[ -s "$tmp/tui.raw" ] || diag "nothing recorded from the terminal interface"
check "the interface sent no OSC 52, OSC 0, CR overwrite, RLO or 8-bit CSI from the row" sh -c \
	'[ -s "$0" ] && ! LC_ALL=C grep -qF -e "$(printf "\033]52;c;SE9")" -e "$(printf "\033]0;TITLE")" \
	 -e "$(printf "\rover")" -e "$(printf "\342\200\256")" -e "$(printf "\302\233")" "$0"' "$tmp/tui.raw"
tap_done
