#!/bin/sh
# The layers of doc/ARCHITECTURE.md hold: each source folder includes only
# the folders listed for it below (tests/include-graph.sh prints the graph).
# In particular store/ never includes engine/, and the front ends (cli/, ui/)
# reach kube/ and store/ only through the engine.
. "${top_srcdir:-.}/tests/support/lib.sh"

allowed() {
	case $1 in
	util) echo "" ;;
	model) echo "util" ;;
	kube) echo "util" ;;
	store) echo "model util" ;;
	engine) echo "model kube store util" ;;
	demo) echo "util" ;;
	ui) echo "engine model util demo" ;;
	cli) echo "engine model util ui demo dl" ;;
	dl) echo "kube demo ui util" ;;
	*) echo "?" ;;
	esac
}

graph=$(sh "${top_srcdir:-.}/tests/include-graph.sh" "${top_srcdir:-.}") || exit 1
tap_plan 5
bad=""
unknown=""
for edge in $(printf '%s\n' "$graph" | awk '{print $1 ":" $3}'); do
	from=${edge%%:*}
	to=${edge#*:}
	ok=$(allowed "$from")
	if [ "$ok" = "?" ]; then
		unknown="$unknown $from"
		continue
	fi
	case " $ok " in
	*" $to "*) ;;
	*) bad="$bad $from->$to" ;;
	esac
done
[ -n "$bad" ] && diag "includes across layers that doc/ARCHITECTURE.md forbids:$bad" && printf '%s\n' "$graph" | sed 's/^/# /'
check "every include follows the layer rules" test -z "$bad"
[ -n "$unknown" ] && diag "folders without a rule (add them here and to doc/ARCHITECTURE.md):$unknown"
check "every source folder has a layer rule" test -z "$unknown"
# The graph is not empty: a broken graph script would make the rules pass.
check "the include graph sees engine -> store" sh -c 'printf "%s\n" "$0" | grep -q "^engine -> store "' "$graph"
# Opaque front ends: following #include chains through our own headers, no
# file of ui/ or src/cli/ reaches a header of src/kube/ or src/store/ (the
# engine's public headers name their types as opaque structs).
reach=$(cd "${top_srcdir:-.}" && find src ui -name '*.[ch]' | LC_ALL=C sort | xargs awk '
/^[ \t]*#[ \t]*include[ \t]*"[a-z]+\// {
	inc = $0
	sub(/^[^"]*"/, "", inc)
	sub(/".*/, "", inc)
	edges[FILENAME] = edges[FILENAME] " " (inc ~ /^ui\// ? inc : "src/" inc)
}
function visit(f, via,    n, a, i) {
	if (f in seen)
		return
	seen[f] = 1
	if (f ~ /^src\/(kube|store)\//) {
		hit[f] = via
		return
	}
	n = split(edges[f], a, " ")
	for (i = 1; i <= n; i++)
		visit(a[i], via == "" ? a[i] : via)
}
END {
	for (f in edges) {
		if (f !~ /^(ui|src\/cli)\//)
			continue
		split("", seen)
		split("", hit)
		visit(f, "")
		for (h in hit)
			printf "%s reaches %s through %s\n", f, h, hit[h]
	}
}' | LC_ALL=C sort)
[ -n "$reach" ] && printf '%s\n' "$reach" | sed 's/^/# /'
check "no front-end file reaches kube/ or store/ through other headers" test -z "$reach"
# A private header (DIR/STEM_priv.h) belongs to the files it was split out
# for, DIR/STEM.c and DIR/STEM_*.c: ui/app_priv.h holds struct ui_app for the
# application loop's files (screens reach it through ui/app.h), and
# src/kube/http_priv.h the client for src/kube/http*.c.
src=${top_srcdir:-.}
privs=$(cd "$src" && find src ui -name '*_priv.h' | LC_ALL=C sort)
leak=""
for h in $privs; do
	dir=${h%/*}
	stem=${h##*/}
	stem=${stem%_priv.h}
	inc=${h#src/}
	for f in $(cd "$src" && grep -rl --include='*.[ch]' "#include \"$inc\"" src ui | LC_ALL=C sort); do
		case $f in
		"$dir/$stem.c" | "$dir/${stem}"_*.c) ;;
		*) leak="$leak $f:$inc" ;;
		esac
	done
done
[ -n "$leak" ] && diag "private headers included outside the files they belong to:$leak"
case " $(echo $privs) " in
*" ui/app_priv.h "*) ;;
*) leak="$leak (ui/app_priv.h not found)" ;;
esac
check "private headers (*_priv.h) are included only by their own files" test -z "$leak"
tap_done
