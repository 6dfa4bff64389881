#!/bin/sh
# The real binary in tmux against `kubejit --demo`, as a trainer would use
# it: define a dynamic secret with a YAML role from a template, mint with a
# 2m TTL, watch the countdown, revoke it and see it revoked.  The kubeconfig
# the interface writes works with the real kubectl until the revoke and
# fails after.  Polls the screen (capture-pane); never sleeps blindly.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${TMUX_BIN:-}" ] && [ -x "$TMUX_BIN" ] || tap_skip_all "tmux not found"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
sock="kubejit-e2e-tui-$$"
t() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
cleanup() {
	t kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

screen() { t capture-pane -p -t kj 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
# wait until the screen shows $1 (seconds: $2, default 15)
see() { wait_for "${2:-15}" has "$1" || { diag "screen lacks \"$1\":" "$(screen)"; return 1; }; }
keys() { t send-keys -t kj "$@"; }
lit() { t send-keys -t kj -l "$1"; }
kc() { "$KUBECTL" --kubeconfig "$tmp/kubejit-demo-read-pods.kubeconfig" --request-timeout 10s "$@"; }

tap_plan 19

t new-session -d -s kj -x 100 -y 30 \
	"cd '$tmp' && HOME='$tmp' TMPDIR='$tmp' KUBEJIT_DATADIR='${KUBEJIT_DATADIR:-}' TERM=xterm-256color \
	 LC_ALL=C.UTF-8 '$KUBEJIT_BIN' --demo 2>'$tmp/err'; echo \"kubejit exited \$?\"; sleep 600"
check "--demo opens the lease table with the first-steps guide" see "First steps" 30

# a secret: dynamic mode, YAML role from a template, namespace dev
keys :
see "Jump to" && keys s Enter
check "the Secrets screen is one jump away" see "No secrets yet"
keys n
see "step 1 of" && lit "/demo/read-pods" && keys Enter
see "Description" && lit "pods in dev, read only" && keys Enter
see "Target" && keys Enter
see "Mode" && keys Enter
see "Allowed namespaces" && keys Down Down Down && lit "dev" && keys Enter
see "YAML" && keys C-t
see "Start from a template" && keys p p Enter
check "a template fills the YAML editor and validates" see "valid"
keys Escape
see "Default TTL" && keys Enter
see "Audiences" && keys Enter
see "Press Enter to save" && keys Enter
check "the secret is saved" see "read-pods"

# mint with TTL 2m
keys m
see "step 1 of" && keys Enter
see "Namespace" && keys Enter
see "At most" && keys C-u && lit "2m" && keys Enter
see "Press Enter to mint" && keys Enter
check "the mint result shows the lease and the masked token" see "hidden: v shows it"
keys w
see "Write kubeconfig" && keys Enter
check "the kubeconfig is written" see "kubeconfig written" 10
kc_quiet() { kc "$@" >/dev/null 2>&1; }
check "the kubeconfig works with kubectl" kc_quiet get pods -n dev
check "... and only where the role allows (Forbidden for secrets)" refused_with \
	'^Error from server \(Forbidden\): secrets is forbidden: User "system:serviceaccount:dev:[^"]*" cannot list resource "secrets"' \
	"$KUBECTL" --kubeconfig "$tmp/kubejit-demo-read-pods.kubeconfig" --request-timeout 10s get secrets -n dev
keys q

# the countdown, then revoke
see "1 live of 1 leases"
# the EXPIRES cell: the second duration on the lease's row (the first is its age)
expires() { screen | grep ' dyn ' | head -n 1 | tr -s ' ' '\n' | grep -xE '([0-9]+[dhm])*[0-9]+[smhd]' | sed -n 2p; }
secs() { echo "$1" | awk -F'[ms]' '{ if (index($0, "m")) print $1 * 60 + $2; else print $1 }'; }
first=$(expires)
check "the lease counts down from 2m" test -n "$first" -a "$(secs "$first")" -le 120
changed() { now=$(expires); [ -n "$now" ] && [ "$now" != "$first" ]; }
check "... and the countdown moves" wait_for 5 changed
keys r
see "Revoke lease" && keys y
check "the lease shows as revoked" see "revoked"
check "the status line says how long the token may still work" see "within about 10 s"
# the API server caches a token's review for 10 s (as a real one does), so the
# kubeconfig may work for that long after the revoke, and not longer
kc_refused() {
	REFUSED_QUIET=1 refused_with 'error: You must be logged in to the server \(Unauthorized\)' kc get pods -n dev
}
check "the kubeconfig fails within the token cache's 10 s after the revoke" wait_for 14 kc_refused
keys Q
see "Quit kubejit?" && keys y
check "Q asks, quits, and the demo cleans up" see "kubejit exited 0"
gone() { test -z "$(ls -d "$tmp"/kubejit-demo-?????? "$tmp"/kubejit-demo.?????? 2>/dev/null)"; }
check "the demo's temporary home is gone" gone

# signals: SIGTERM ends cleanly, a crash (SIGSEGV) still gives the terminal back
cat >"$tmp/sig.sh" <<EOS
KUBEJIT_HOME='$tmp/home2' TERM=xterm-256color sh -c 'echo \$\$ >"\$1"; exec "\$0"' '$KUBEJIT_BIN' "\$1"
echo "kubejit ended \$?"
stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e echo | tr '\n' ' '
echo
sleep 600
EOS
for sig in TERM SEGV; do
	t new-window -t kj -n "$sig" "sh '$tmp/sig.sh' '$tmp/pid.$sig'"
	sscreen() { t capture-pane -p -t "kj:$sig" 2>/dev/null; }
	shas() { sscreen | grep -qF -- "$1"; }
	wait_for 15 shas "No leases yet" || diag "$(sscreen)"
	pid=$(cat "$tmp/pid.$sig" 2>/dev/null)
	[ -n "$pid" ] && kill -"$sig" "$pid"
	check "SIG$sig ends the interface" wait_for 10 shas "kubejit ended"
	check "... and the terminal is back in canonical mode with echo" wait_for 5 shas "icanon echo"
done
tap_done
