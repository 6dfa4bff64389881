#!/bin/sh
# Approval as a trainer shows it with `kubejit --demo`, in tmux at 80x24:
# the developer (a user bound only to `kubejit rbac requester`) asks from
# the command line in a second window, the interface counts the request in
# the status bar and lists it, approves it, the developer's waiting command
# writes the kubeconfig and kubectl works with it.  Also checks that the
# demo's seeded roles are what `kubejit rbac requester|approver` print.
# Polls the screens (capture-pane); never sleeps blindly.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${TMUX_BIN:-}" ] && [ -x "$TMUX_BIN" ] || tap_skip_all "tmux not found"
[ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ] || tap_skip_all "kubectl not found"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
sock="kubejit-e2e-tuireq-$$"
t() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
cleanup() {
	t kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

screen() { t capture-pane -p -t kj:0 2>/dev/null; }
has() { screen | grep -qF -- "$1"; }
see() { wait_for "${2:-15}" has "$1" || { diag "screen lacks \"$1\":" "$(screen)"; return 1; }; }
keys() { t send-keys -t kj:0 "$@"; }
dscreen() { t capture-pane -p -t kj:dev 2>/dev/null; }
dhas() { dscreen | grep -qF -- "$1"; }

tap_plan 14

t new-session -d -s kj -x 80 -y 24 \
	"cd '$tmp' && HOME='$tmp' TMPDIR='$tmp' KUBEJIT_DATADIR='${KUBEJIT_DATADIR:-}' TERM=xterm-256color \
	 LC_ALL=C.UTF-8 '$KUBEJIT_BIN' --demo 2>'$tmp/err'; echo \"kubejit exited \$?\"; sleep 600"
check "--demo opens with the guide, which names the approval step" see "4. Approval" 30

home=$(ls -d "$tmp"/kubejit-demo-??????/ 2>/dev/null | head -n 1)
home=${home%/}
admin=$(ls "$tmp"/*/admin.kubeconfig 2>/dev/null | head -n 1)
check "the demo made a home for the developer" test -d "$home/developer"
ka() { "$KUBECTL" --kubeconfig "$admin" --request-timeout 10s "$@"; }

# the seeded roles are the ones the rbac commands print (rules, no spaces)
rules_yaml() { "$KUBEJIT_BIN" rbac "$1" | sed -n 's/^ *\(resources\|resourceNames\|verbs\): *//p' | tr -d ' \n'; }
rules_cluster() {
	ka get clusterrole "kubejit-$1" -o jsonpath='{range .rules[*]}{.resources}{.resourceNames}{.verbs}{end}' |
		tr -d ' \n'
}
check "the developer's role is what 'kubejit rbac requester' prints" \
	test "$(rules_yaml requester)" = "$(rules_cluster requester)" -a -n "$(rules_cluster requester)"
check "the demo target's approver role is what 'kubejit rbac approver' prints" \
	test "$(rules_yaml approver)" = "$(rules_cluster approver)" -a -n "$(rules_cluster approver)"

# the approver's secret, made with the command line beside the interface
check "a secret for pods in dev" env KUBEJIT_HOME="$home" "$KUBEJIT_BIN" -q secret add /demo/read-pods \
	--target demo --mode dynamic --allowed-namespaces dev --cluster-role view --ttl 10m --max-ttl 1h

# the Requests screen says what the developer types
keys A
check "A opens the Requests screen, which says what the developer types" see "export KUBEJIT_HOME="
keys q
see "Enter details"

# the second terminal: the developer asks and waits
t new-window -d -t kj -n dev \
	"cd '$tmp' && KUBEJIT_HOME='$home/developer' '$KUBEJIT_BIN' request /demo/read-pods --namespace dev \
	 --ttl 10m --reason 'look at the pods' --wait --out '$tmp/dev.kubeconfig'; echo \"request exited \$?\"; sleep 600"
check "the status bar counts the pending request" see "A requests: 1 pending" 30
keys A
check "the request shows with its requester" see "kjr-"
row_pending() { screen | grep -F "kjr-" | grep -F developer | grep -qF pending; }
check "... pending" wait_for 15 row_pending
keys a
check "approve asks first, naming requester, secret and reason" see "look at the pods"
keys y
check "the screen shows it approved" see "approved" 30
check "the developer's waiting command wrote the kubeconfig" wait_for 30 dhas "request exited 0"
mode=$(stat -c %a "$tmp/dev.kubeconfig" 2>/dev/null)
check "... private (0600)" test "$mode" = 600
kc() { "$KUBECTL" --kubeconfig "$tmp/dev.kubeconfig" --request-timeout 10s "$@" >/dev/null 2>&1; }
check "kubectl works with it in dev" kc get pods -n dev
tap_done
