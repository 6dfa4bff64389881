#!/bin/sh
# Collects the "BENCH key=value ..." lines that `make bench` printed into one
# table of figures, each beside its target (doc/BENCHMARKS.md)
# and whether this run met it.  A figure whose step did
# not run (or that needs a larger BENCH_LEASES) shows no verdict.
# usage: summary.sh LOG
set -eu
grep '^BENCH ' "$1" | tr ' ' '\n' | grep = | awk -F= '
{ v[$1] = $2; seen[$1] = 1 }
function row(name, val, unit, target, ok) {
	printf "%-52s %10s %-4s %-12s %s\n", name, val, unit, target, ok == "" ? "" : (ok ? "met" : "NOT met")
}
function has(k) { return (k in seen) && v[k] != "-" }
END {
	print ""
	print "==== kubejit benchmarks (targets: doc/BENCHMARKS.md) ===="
	printf "%-52s %10s %-4s %-12s %s\n", "figure", "measured", "", "target", ""
	k = v["mint_kubejit_ms"]; f = v["mint_floor_ms"]; c = v["mint_kubectl_ms"]
	row("kubejit mint, fixed, loopback (median)", k, "ms", "", "")
	row("floor: libcurl, same requests (median)", f, "ms", "", "")
	if (c > 0) row("kubectl create token, loopback (median)", c, "ms", "", "")
	if (f > 0) row("kubejit mint / floor", sprintf("%.2f", k / f), "x", "<= 1.3", k / f <= 1.3)
	row("kubejit get, cached token (median)", v["get_ms"], "ms", "", "")
	row("no-op linked with libcurl (median)", v["curl_noop_ms"], "ms", "", "")
	row("/bin/true (median)", v["true_ms"], "ms", "", "")
	if (v["curl_noop_ms"] > 0)
		row("cached get / libcurl no-op", sprintf("%.2f", v["get_ms"] / v["curl_noop_ms"]), "x", "<= 0.5",
		    v["get_ms"] / v["curl_noop_ms"] <= 0.5)
	n = v["bulk_n"]
	row("dynamic mint in process, first 1000 (per mint)", v["mint_first_ms"], "ms", "", "")
	if (n > 1000) {
		row("dynamic mint in process, last 1000 of " n, v["mint_last_ms"], "ms", "", "")
		r = v["mint_last_ms"] / v["mint_first_ms"]
		row("per-mint cost, last 1000 / first 1000", sprintf("%.2f", r), "x", "<= 1.25 (flat)",
		    n >= 10000 ? r <= 1.25 : "")
	}
	row("bulk revoke of " n " dynamic leases, loopback", v["revoke_ms"], "ms",
	    n >= 10000 ? "< 10000" : "", n >= 10000 ? v["revoke_ms"] < 10000 : "")
	for (t = 1000; t <= 1000000; t *= 1000) {
		p = "table" t "_"
		if (!has(p "open_ms")) continue
		row("lease table, " t " leases: open (store + screen)", v[p "open_ms"], "ms", "< 100", v[p "open_ms"] < 100)
		row("lease table, " t " leases: redraw (mean)", v[p "redraw_ms"], "ms", "< 2", v[p "redraw_ms"] < 2)
		row("lease table, " t " leases: tick, the ticks of the screens and the draw (max of 50)", v[p "tick_max_ms"], "ms", "", "")
		row("lease table, " t " leases: full repaint (mean)", v[p "repaint_ms"], "ms", "", "")
		row("lease table, " t " leases: key j (mean)", v[p "key_ms"], "ms", "", "")
		row("lease table, " t " leases: End", v[p "end_ms"], "ms", "", "")
		row("lease table, " t " leases: sort change (max, with and without a filter)", v[p "sort_ms"], "ms", "< 100", v[p "sort_ms"] < 100)
		row("lease table, " t " leases: filter key (max, every order)", v[p "filter_ms"], "ms", "< 100", v[p "filter_ms"] < 100)
		row("lease table, " t " leases: mint and revoke of a lease in the store", v[p "mint_store_ms"], "ms", "", "")
		row("lease table, " t " leases: peak RSS", v[p "rss_mib"], "MiB", "< 32", v[p "rss_mib"] < 32)
	}
	split("mint_fixed mint_yaml mint_role get_uncached get_cached kubectl_token", ops, " ")
	for (r = 0; r <= 100; r++) {
		if (!has("rtt_mint_fixed_" r "_ms")) continue
		for (i = 1; i <= 6; i++) {
			p = "rtt_" ops[i] "_" r "_"
			if (!has(p "ms")) continue
			row(sprintf("%s at %d ms RTT (median; %s RTTs, %s conn, %s TLS, %s req)", ops[i], r,
			    v[p "trips"], v[p "conns"], v[p "tls"], v[p "req"]), v[p "ms"], "ms", "", "")
		}
		kc = v["rtt_kubectl_token_" r "_ms"]; fx = v["rtt_mint_fixed_" r "_ms"]
		if (kc > 0 && r == 50)
			row("fixed mint / kubectl create token at 50 ms RTT", sprintf("%.2f", fx / kc), "x", "<= 1.2", fx / kc <= 1.2)
		rv = v["rtt_revoke_" r "_ms"]
		if (rv != "")
			row("bulk revoke of " v["rtt_revoke_n"] " at " r " ms RTT (median)", rv, "ms",
			    r == 50 ? "< 2000" : "", r == 50 && v["rtt_revoke_n"] >= 200 ? rv < 2000 : "")
	}
}'
