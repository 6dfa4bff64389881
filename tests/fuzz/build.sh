#!/bin/sh
# Build the libFuzzer targets of tests/fuzz/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer.  Usage: build.sh SRCDIR BUILDDIR OUTDIR
# BUILDDIR is a configured build tree (for config.h).  Every engine, client,
# store and demo source is compiled once into OUTDIR/obj; each target links
# the objects it needs.  Needs clang and libclang-rt (libFuzzer).
set -eu
src=$1
bld=$2
out=$3
CLANG=${CLANG:-clang}
mkdir -p "$out/obj"
pc() { pkg-config --cflags --libs "$@" 2>/dev/null; }
libs="$(pc libcurl libcjson yaml-0.1 openssl sqlite3 libmicrohttpd gnutls) -lpthread -lm"
cflags="-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
 -I$src/src -I$src -I$bld -DLOCALEDIR=\"/nonexistent\" -DPKGDATADIR=\"$src/data\"
 $(pkg-config --cflags libcurl libcjson yaml-0.1 openssl sqlite3 libmicrohttpd gnutls 2>/dev/null)"

# Library sources: everything below src/ but the command line and the dlopen
# stand-ins (src/dl/), which the fuzz targets link directly instead.
objs=""
# Generated sources (the embedded seed) are in the build tree when it is not
# the source tree (make distcheck).
lib_sources() {
	for d in "$src" "$bld"; do
		[ -d "$d/src" ] && (cd "$d" && find src -name '*.c' ! -path 'src/cli/*' ! -path 'src/dl/*')
	done | sort -u
}
for f in $(lib_sources); do
	o="$out/obj/$(echo "$f" | tr '/' '_' | sed 's/\.c$/.o/')"
	p="$src/$f"
	[ -f "$p" ] || p="$bld/$f"
	if [ ! -f "$o" ] || [ "$p" -nt "$o" ]; then
		# shellcheck disable=SC2086
		$CLANG $cflags -fsanitize=fuzzer-no-link -c "$p" -o "$o" &
		# two at a time
		[ "$(jobs -p | wc -l)" -ge 2 ] && wait -n 2>/dev/null || true
	fi
	objs="$objs $o"
done
wait
rm -f "$out/libkj.a"
# shellcheck disable=SC2086
ar rcs "$out/libkj.a" $objs
for t in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	$CLANG $cflags -fsanitize=fuzzer "$t" "$out/libkj.a" $libs -o "$out/$name"
done
