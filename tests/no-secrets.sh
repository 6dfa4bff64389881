#!/bin/sh
# Runs after every other test of `make check` (tests/local.mk makes its log
# depend on all the others): no token or key that the suite's demo clusters
# made (each appended to $KUBEJIT_TEST_SECRETS) appears in any test's log
# or result file, so none reached an error message, a log or test output.
. "${top_srcdir:-.}/tests/support/lib.sh"
reg=${KUBEJIT_TEST_SECRETS:-}
[ -n "$reg" ] && [ -s "$reg" ] || tap_skip_all "no secrets were recorded (run it with the whole suite)"
cd "${top_builddir:-.}" || exit 1
tap_plan 1
n=$(sort -u "$reg" | wc -l)
diag "$n tokens and key lines recorded by the suite's demo clusters"
sort -u "$reg" >"$reg.sorted"
# never our own log, which is being written now
leaks=$(find tests -name '*.log' -o -name '*.trs' | grep -v 'no-secrets\.' |
	xargs grep -lF -f "$reg.sorted" 2>/dev/null)
[ -n "$leaks" ] && diag "secrets found in:" $leaks
check "no token or key the suite handled appears in any test output" test -z "$leaks"
rm -f "$reg" "$reg.sorted"
tap_done
