#!/bin/sh
# The code follows .clang-format; `make format` fixes what this finds.
. "$top_srcdir/tests/support/lib.sh"
[ -n "${CLANG_FORMAT:-}" ] || tap_skip_all "clang-format not found"
cd "$top_srcdir" || exit 1
files=$(find src ui tests -name '*.[ch]' | sort)
tap_plan 1
bad=""
for f in $files; do
	"$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
[ -n "$bad" ] && diag "not formatted (run make format):$bad"
check "all C sources follow .clang-format" test -z "$bad"
tap_done
