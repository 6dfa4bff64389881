# Shared helpers for kubejit's shell tests: TAP output, temp dirs, polling.
# Source it; call tap_plan N (or tap_skip_all), then ok/not_ok via check.
set -u
TAP_N=0
TAP_FAILED=0
tap_plan() { echo "1..$1"; }
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
check() { # check "description" command...
	local desc=$1
	shift
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc"
		TAP_FAILED=1
	fi
}
diag() { printf '# %s\n' "$@"; }
# must CMD...: a setup step.  Its failure is a failed test with the command's
# output, never thrown away: a later check that passes for the wrong reason
# (a missing Role, a binding never made) would otherwise hide it.
must() {
	local out
	out=$(mktemp "${TMPDIR:-/tmp}/kubejit-must.XXXXXX")
	if ! "$@" >"$out" 2>&1; then
		TAP_N=$((TAP_N + 1))
		echo "not ok $TAP_N - setup failed: $*"
		sed 's/^/# /' "$out"
		TAP_FAILED=1
	fi
	rm -f "$out"
}
# refused_with PATTERN CMD...: CMD fails, in time (not killed by a timeout
# or a signal), and says PATTERN (grep -E): the specific refusal, not just
# any failure.
refused_with() {
	local pat=$1 out rc
	shift
	out=$(mktemp "${TMPDIR:-/tmp}/kubejit-refused.XXXXXX")
	"$@" >"$out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 124 ] && grep -qE -- "$pat" "$out"; then
		rm -f "$out"
		return 0
	fi
	[ -n "${REFUSED_QUIET:-}" ] || { echo "# exit $rc, wanted a refusal matching /$pat/:"; sed 's/^/#   /' "$out" | head -n 5; }
	rm -f "$out"
	return 1
}
tap_done() { exit "$TAP_FAILED"; }
mk_tmp() { mktemp -d "${TMPDIR:-/tmp}/kubejit-test.XXXXXX"; }
# wait_for SECONDS command... : poll every 0.1 s until the command succeeds
wait_for() {
	local limit=$(($1 * 10))
	shift
	local i=0
	while [ $i -lt $limit ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# demo_start DIR [OPTIONS...]: run `kubejit demo-cluster --listen 127.0.0.1:0
# --state DIR/state OPTIONS` in the background and wait for it.  Sets
# demo_pid, demo_url, demo_kubeconfig (the admin's) and writes DIR/ca.crt.
# A cluster that does not start within 30 s, or whose admin kubectl cannot
# authenticate as, ends the script as a failed test: never a skip.
demo_start() {
	local dir=$1
	shift
	"${KUBEJIT_BIN:?}" demo-cluster --listen 127.0.0.1:0 --state "$dir/state" "$@" \
		>"$dir/demo.out" 2>"$dir/demo.err" &
	demo_pid=$!
	if ! wait_for 30 grep -q '^admin kubeconfig:' "$dir/demo.out"; then
		sed 's/^/# /' "$dir/demo.err"
		tap_plan 1
		check "the demo cluster starts" false
		tap_done
	fi
	demo_url=$(sed -n 's/^demo cluster listening on //p' "$dir/demo.out")
	demo_kubeconfig=$(sed -n 's/^admin kubeconfig: //p' "$dir/demo.out")
	cp "$dir/state/ca.crt" "$dir/ca.crt"
	if [ -n "${KUBECTL:-}" ] && ! "$KUBECTL" --kubeconfig "$demo_kubeconfig" --cache-dir "$dir/demo-cache" \
		--request-timeout 20s auth whoami >"$dir/demo.whoami" 2>&1; then
		sed 's/^/# /' "$dir/demo.whoami"
		tap_plan 1
		check "the admin authenticates to the demo cluster" false
		tap_done
	fi
}
