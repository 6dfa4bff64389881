#!/bin/sh
# Run one Criterion suite with its TAP report on stdout (for automake's TAP
# driver) and its human summary on stderr (kept in the .log file).
# With KJ_VALGRIND=1 the suite runs under valgrind's memcheck, one test at a
# time; Criterion's own workers are followed, programs the tests run (plugins,
# shells, missing commands) run natively.  Reports land in the same .log
# file, where `make valgrind` looks for them.
prog=$1
shift
if [ "${KJ_VALGRIND:-0}" = 1 ]; then
	exec valgrind --quiet --trace-children=yes --child-silent-after-fork=no \
		--trace-children-skip='/usr/*,/bin/*,/sbin/*,/tmp/*,/nonexistent/*,*/kubejit-test-*' --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--track-fds=no --num-callers=30 --suppressions="${top_srcdir:-.}/tests/valgrind.supp" \
		"$prog" -Otap:/dev/stdout --jobs 1 "$@"
fi
exec "$prog" -Otap:/dev/stdout "$@"
