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
