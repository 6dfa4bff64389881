#!/bin/sh
# Collects the "BENCH key=value ..." lines that `make bench` printed into one
# table of figures beside the targets of doc/ARCHITECTURE.md, "Speed targets".
# usage: summary.sh LOG
set -eu
grep '^BENCH ' "$1" | tr ' ' '\n' | grep = | awk -F= '
{ v[$1] = $2 }
function row(name, val, unit, target, ok) {
	printf "%-44s %12s %-4s %-14s %s\n", name, val, unit, target, ok == "" ? "" : (ok ? "met" : "NOT met")
}
END {
	print ""
	print "==== kubejit benchmarks (doc/ARCHITECTURE.md) ===="
	printf "%-44s %12s %-4s %-14s %s\n", "figure", "measured", "", "target", ""
	k = v["mint_kubejit_ms"]; f = v["mint_floor_ms"]; c = v["mint_kubectl_ms"]
	row("kubejit mint, fixed (median)", k, "ms", "", "")
	row("floor: libcurl, same 2 requests (median)", f, "ms", "", "")
	if (c > 0) row("kubectl create token (median)", c, "ms", "", "")
	if (f > 0) row("kubejit / floor", sprintf("%.2f", k / f), "x", "<= 1.3", k / f <= 1.3)
	if (c > 0 && k > 0) row("kubectl / kubejit", sprintf("%.2f", c / k), "x", ">= 4", c / k >= 4)
	row("kubejit get, cached token (median)", v["get_ms"], "ms", "< 5", v["get_ms"] < 5)
	row("kubejit --version (process floor)", v["version_ms"], "ms", "", "")
	row("dynamic mint in process (mean of " v["bulk_n"] ")", v["dyn_mint_ms"], "ms", "", "")
	row("bulk revoke of " v["bulk_n"] " dynamic leases", v["revoke_ms"], "ms", "< 5000", v["bulk_n"] >= 1000 ? v["revoke_ms"] < 5000 : "")
	row("lease table, 100k: store open + screen open", v["table_open_ms"], "ms", "< 200", v["table_open_ms"] < 200)
	row("lease table, 100k: lease_list alone", v["list_ms"], "ms", "", "")
	row("lease table, 100k: full redraw (mean)", v["redraw_ms"], "ms", "< 5", v["redraw_ms"] < 5)
	row("lease table, 100k: key j, move + draw (mean)", v["key_ms"], "ms", "< 5", v["key_ms"] < 5)
	row("lease table, 100k: peak RSS", v["rss_mib"], "MiB", "< 64", v["rss_mib"] < 64)
}'
