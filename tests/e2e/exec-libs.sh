#!/bin/sh
# Which shared objects `kubejit get` maps.  kubectl runs the exec plugin on
# every call; answered from the cache, it needs no network, so it must load
# neither libcurl (and its ~30 libraries), nor the demo cluster's
# libmicrohttpd and GnuTLS, nor ncurses: those come from kubejit's private
# modules net.so, demo.so and tui.so, loaded only by the commands that use
# them (src/dl/loader.h).  Seen through the dynamic loader's own trace
# (LD_DEBUG=files), which names every object as it is mapped.
. "${top_srcdir:-.}/tests/support/lib.sh"

[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBEJIT_BIN:-}" ] && [ -x "$KUBEJIT_BIN" ] || tap_skip_all "KUBEJIT_BIN not set"

tmp=$(mk_tmp)
demo_pid=
cleanup() {
	[ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export HOME="$tmp" KUBEJIT_HOME="$tmp/home" NO_COLOR=1
unset XDG_DATA_HOME XDG_RUNTIME_DIR KUBERNETES_EXEC_INFO LD_DEBUG LD_DEBUG_OUTPUT
kjq() { "$KUBEJIT_BIN" --quiet "$@" >/dev/null; }
# traced CMD...: run kubejit with the loader's trace in $tmp/trace, output
# in $tmp/out, from its own parent process as kubectl runs it: two calls
# from one parent within seconds are kubectl's rerun after a 401, which the
# full path checks with the cluster (tested at the end)
traced() { sh -c 'LD_DEBUG=files "$0" "$@"; s=$?; exit $s' "$KUBEJIT_BIN" "$@" >"$tmp/out" 2>"$tmp/trace"; }
# the objects mapped, one basename a line
mapped() { sed -n 's/^ *[0-9]*:[[:space:]]*file=\([^ ]*\) .*/\1/p' "$tmp/trace" | sed 's,.*/,,' | sort -u; }
maps() { mapped | grep -q "$1"; }
# (an empty trace maps nothing: the loader must have named libc at least)
maps_none() { maps '^libc\.so' && ! mapped | grep -E 'libcurl|libgnutls|libmicrohttpd|libncurses|libtinfo|^(net|demo|tui)\.so$'; }
# the token of an ExecCredential on stdout, as a digest (never printed)
token_digest() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$tmp/out" | sha256sum | cut -c1-16; }

tap_plan 20

"$KUBEJIT_BIN" demo-cluster --listen 127.0.0.1:0 --state "$tmp/state" --kubeconfig "$tmp/admin.kubeconfig" \
	>"$tmp/demo.log" 2>&1 &
demo_pid=$!
started=0
wait_for 30 grep -q 'certificate-authority-data' "$tmp/admin.kubeconfig" && started=1
check "kubejit demo-cluster starts (loads demo.so)" test $started = 1
[ $started = 1 ] || {
	cat "$tmp/demo.log" >&2
	tap_done
}
server=$(sed -n 's/^ *server: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"')
sed -n 's/^ *certificate-authority-data: *//p' "$tmp/admin.kubeconfig" | head -n 1 | tr -d '"' |
	base64 -d >"$tmp/ca.crt"
kjq target add demo --server "$server" --ca-file "$tmp/ca.crt" \
	--token-file "$tmp/state/tokens/kubejit-jit.token"
kjq secret add /e2e/fixed --target demo --mode fixed --namespace dev --service-account default --ttl 1h

# an uncached get mints: it needs the network client, and the trace shows it
check "an uncached get mints" traced get /e2e/fixed
first=$(token_digest)
loads_network() { maps '^core\.so$' && maps '^net\.so$' && maps '^libcurl'; }
check "... and maps core.so, net.so and libcurl (the trace sees what a get loads)" loads_network
check "... and no demo cluster or curses" sh -c 'test -s "$0" && ! grep -qE "file=[^ ]*(libmicrohttpd|libncurses|demo\.so|tui\.so)" "$0"' \
	"$tmp/trace"

# the first cached answer checks the lease in the store (a mint wrote it)
# and remembers the store's stamp
check "a cached get answers" traced get /e2e/fixed
check "... with the cached token" test "$(token_digest)" = "$first"
cp "$tmp/out" "$tmp/full.out"
check "... reading the store in core.so, without the network client" \
	sh -c 'grep -q "file=[^ ]*core\.so" "$0" && ! grep -qE "file=[^ ]*(net\.so|libcurl)" "$0"' "$tmp/trace"

# the next one is answered by the executable alone (src/cli/fastget.h)
check "the next cached get answers" traced get /e2e/fixed
mapped >"$tmp/cached.libs"
diag "a cached get maps: $(tr '\n' ' ' <"$tmp/cached.libs")"
check "... with the same bytes as the full path" cmp -s "$tmp/out" "$tmp/full.out"
check "... mapping no libcurl, GnuTLS, libmicrohttpd, ncurses or kubejit module" maps_none
only_libc() { maps '^libc\.so' && ! mapped | grep -vE '^(libc\.so\.6|ld-linux[^ ]*\.so\.[0-9]+)$'; }
check "... nor SQLite, libcrypto, cJSON, libyaml or core.so: libc alone" only_libc

# KUBERNETES_EXEC_INFO as kubectl sets it, and arguments as a kubeconfig
# written by kubejit has them: the same bytes from both paths
info='{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
KUBERNETES_EXEC_INFO=$info traced --home "$KUBEJIT_HOME" get /e2e//fixed/ --namespace= --ready-timeout 20s
rc=$?
cp "$tmp/out" "$tmp/fast.v1"
check "a v1 request is answered without core.so" \
	sh -c '[ "$1" = 0 ] && grep -q "file=[^ ]*libc\.so" "$0" && ! grep -q "file=[^ ]*core\.so" "$0"' "$tmp/trace" "$rc"
kjq secret add /e2e/other --target demo --mode fixed --namespace dev --service-account default --ttl 1h
KUBERNETES_EXEC_INFO=$info traced --home "$KUBEJIT_HOME" get /e2e//fixed/ --namespace= --ready-timeout 20s
check "after a store change the full path answers (core.so)" grep -q "file=[^ ]*core\.so" "$tmp/trace"
check "... with the same bytes (ExecCredential v1)" cmp -s "$tmp/out" "$tmp/fast.v1"
check "... and they say v1" grep -q '"apiVersion":.*"client.authentication.k8s.io/v1"' "$tmp/out"
KUBERNETES_EXEC_INFO='{"apiVersion":"client.authentication.k8s.io/v2"}' "$KUBEJIT_BIN" get /e2e/fixed \
	>"$tmp/out" 2>"$tmp/err"
check "a version the fast path does not know gets the full path's error" \
	sh -c 'test ! -s "$0" && grep -q "v2" "$1"' "$tmp/out" "$tmp/err"

# a second call from the same parent within seconds is kubectl's rerun
# after a 401: the executable leaves it to the full path, which asks the
# cluster as the cached token (and hands it out again: it still works)
"$KUBEJIT_BIN" get /e2e/fixed >/dev/null
sh -c '"$0" get /e2e/fixed >/dev/null; LD_DEBUG=files "$0" get /e2e/fixed >"$1/out" 2>"$1/trace"; s=$?; exit $s' \
	"$KUBEJIT_BIN" "$tmp"
check "a rerun from the same parent is answered by the full path, with the network client" \
	sh -c 'grep -q "file=[^ ]*core\.so" "$0" && grep -q "file=[^ ]*net\.so" "$0"' "$tmp/trace"
check "... with the same token, which the cluster still accepts" test "$(token_digest)" = "$first"

# a copy of the binary is not the build tree's: it looks for its modules
# in $(pkglibdir) only, and a cached answer needs none of them (the store
# changed above: one get through the full path first)
"$KUBEJIT_BIN" get /e2e/fixed >/dev/null
cp "$KUBEJIT_BIN" "$tmp/kubejit-copy"
check "a copy of the binary answers from the cache without any module" \
	sh -c '"$0" get /e2e/fixed >/dev/null' "$tmp/kubejit-copy"
"$tmp/kubejit-copy" demo-cluster --listen 127.0.0.1:0 --state "$tmp/state2" >"$tmp/copy.out" 2>&1 &
copy_pid=$!
wait_for 10 grep -q 'listening on\|cannot load' "$tmp/copy.out"
kill $copy_pid 2>/dev/null
wait $copy_pid 2>/dev/null
want=$(sed -n "s/.*cannot load kubejit's [a-z]* module: \([^:]*\.so\):.*/\1/p" "$tmp/copy.out")
if [ -n "$want" ]; then
	check "... and a missing module is named with the fix" \
		sh -c 'test ! -e "$0" && grep -q "hint: reinstall kubejit" "$1"' "$want" "$tmp/copy.out"
else
	# kubejit is installed under the configured prefix: the copy uses it
	check "... and loads an installed core.so and demo.so # SKIP kubejit is installed in its prefix" \
		grep -q 'listening on' "$tmp/copy.out"
fi
tap_done
