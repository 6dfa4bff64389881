#!/bin/sh
# Fuzz the parsers and the demo cluster's request handling with libFuzzer
# (tests/fuzz/fuzz_*.c), under AddressSanitizer and UBSan.
#   FUZZ_SECONDS  run time per target (default 5: the short run of `make check`;
#                 `make fuzz` uses 600)
#   FUZZ_TARGETS  space-separated subset (default: all)
# The committed corpus (tests/fuzz/corpus/<target>) seeds every run; new
# inputs go to the build tree's tests/fuzz-out/corpus-new/<target>, and a
# crash leaves its input in tests/fuzz-out/crashes/; each one found so far is a
# regress-* seed in the committed corpus, so every run replays it.
# Speaks TAP: one line per target with its executions and coverage.
set -u
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bld=${top_builddir:-$src}
secs=${FUZZ_SECONDS:-5}
work=$bld/tests/fuzz-out
out=$work/bin
CLANG=${CLANG:-clang}

# The sanitizer stage of ./bootstrap check reruns the unit suites only; the
# fuzz targets are built with ASan + UBSan anyway and ran in the first stage.
if [ "${KJ_UNIT_ONLY:-0}" = 1 ]; then
	echo "1..0 # SKIP unit tests only (the fuzz targets carry their own sanitizers)"
	exit 0
fi

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "1..0 # SKIP clang is not installed (./bootstrap check installs clang and libclang-rt-14-dev)"
	exit 0
fi
mkdir -p "$work"
if ! sh "$src/tests/fuzz/build.sh" "$src" "$bld" "$out" >"$work/build.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - building the fuzz targets failed:"
	sed 's/^/# /' "$work/build.log" | tail -n 30
	exit 1
fi
targets=${FUZZ_TARGETS:-$(cd "$src/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//; s/^fuzz_//')}
n=0
for t in $targets; do n=$((n + 1)); done
echo "1..$n"
i=0
fail=0
for t in $targets; do
	i=$((i + 1))
	new=$work/corpus-new/$t
	crashes=$work/crashes
	mkdir -p "$new" "$crashes"
	log=$work/$t.log
	(cd "$work" && "$out/fuzz_$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/$t-" \
		"$new" "$src/tests/fuzz/corpus/$t") >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "ok $i - fuzz_$t: ${runs:-?} executions in ${secs}s, coverage ${cov:-?} edges, no finding"
	else
		fail=1
		echo "not ok $i - fuzz_$t: finding after ${runs:-?} executions (exit $rc); input in $crashes"
		grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$log" | head -n 20 | sed 's/^/# /'
	fi
done
exit $fail
