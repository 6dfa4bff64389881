#!/bin/sh
# Print the include graph between the source folders: one line per edge,
# "from -> to (N)", N being how many #include lines make it.  Folders are
# src/<name> (shown as <name>), the files directly in src/ (shown as src) and
# ui/.  An #include without a folder counts only when the header sits beside
# the file including it.  Usage: tests/include-graph.sh [SOURCE-DIR]
# (`make include-graph` runs it on the source tree).
cd "${1:-${top_srcdir:-.}}" || exit 1
find src ui -name '*.[ch]' | LC_ALL=C sort | xargs awk '
function folder(p, a, n) {
	sub(/^src\//, "", p)
	n = split(p, a, "/")
	return n == 1 ? "src" : a[1]
}
function exists(p, line) {
	if ((getline line < p) >= 0) { close(p); return 1 }
	return 0
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
	inc = $0
	sub(/^[^"]*"/, "", inc)
	sub(/".*/, "", inc)
	from = folder(FILENAME)
	if (inc ~ /\//) {
		to = inc
		sub(/\/.*/, "", to)
	} else {
		dir = FILENAME
		sub(/[^\/]*$/, "", dir)
		if (!exists(dir inc))
			next
		to = from
	}
	if (to != from)
		n[from " -> " to]++
}
END { for (e in n) printf "%s (%d)\n", e, n[e] }' | LC_ALL=C sort
