#!/bin/sh
# The Debian package, built the way a distribution builds it: from the
# `make dist` tarball (so a file missing from the distribution fails here)
# with debian/ beside it, tests off (DEB_BUILD_OPTIONS=nocheck: this suite
# is running them).  lintian finds no error; unpacked with dpkg -x, the
# package holds what `make install` puts under /usr, its kubejit runs, its
# man page renders, its systemd units verify.
. "${top_srcdir:-.}/tests/support/lib.sh"
[ "${KJ_UNIT_ONLY:-0}" = 1 ] && tap_skip_all "unit tests only"
[ -n "${KUBEJIT_IN_PACKAGE_BUILD:-}" ] && tap_skip_all "already inside a package build (debian/rules)"
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
[ -f "$srcdir/debian/control" ] ||
	tap_skip_all "no debian/ here: it goes beside the upstream tarball, not in it (make distcheck)"
for t in dpkg-buildpackage dh dpkg-deb lintian man; do
	command -v $t >/dev/null || tap_skip_all "$t not found (./bootstrap check installs it)"
done

tmp=$(mk_tmp)
trap 'rm -rf "$tmp"' EXIT INT TERM
MAKE=${MAKE:-make}
unset MAKEFLAGS MFLAGS

tap_plan 16

# The tarball, as `make dist` makes it for a release.
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$builddir/Makefile")
tarball="kubejit-$version.tar.gz"
if ! (cd "$builddir" && $MAKE -s dist-gzip >"$tmp/dist.log" 2>&1 && mv "$tarball" "$tmp/"); then
	sed 's/^/# /' "$tmp/dist.log" | tail -n 20
	check "make dist" false
	tap_done
fi
check "make dist makes $tarball" test -s "$tmp/$tarball"
tar -C "$tmp" -xzf "$tmp/$tarball"
cp -R "$srcdir/debian" "$tmp/kubejit-$version/"
check "debian/changelog is for this version ($version)" \
	sh -c "dpkg-parsechangelog -l '$tmp/kubejit-$version/debian/changelog' -S Version | grep -qx '$version-[0-9.]*'"

# ccache, where there is one, keeps the second compilation of the tree cheap
cc=${CC:-gcc}
command -v ccache >/dev/null && cc="ccache $cc"
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$tmp/kubejit-$version" &&
	DEB_BUILD_OPTIONS="nocheck parallel=$jobs" CC="$cc" CCACHE_NOHASHDIR=1 \
		dpkg-buildpackage -us -uc -b -Pnocheck) >"$tmp/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -n 40 "$tmp/build.log" | sed 's/^/# /'
deb=$(ls "$tmp"/kubejit_"$version"-*_*.deb 2>/dev/null | head -n 1)
check "dpkg-buildpackage -us -uc -b builds the .deb from the tarball" test $rc = 0 -a -n "$deb"
if [ -z "$deb" ]; then
	tap_done
fi

# lintian: errors fail; everything else is listed in the log
lintian --info --display-info "$deb" >"$tmp/lintian.out" 2>&1
grep -E '^[EWIP]: ' "$tmp/lintian.out" | sort -u | sed 's/^/# lintian: /'
check "lintian reports no error" sh -c "! grep -q '^E: ' '$tmp/lintian.out'"

root="$tmp/root"
dpkg -x "$deb" "$root"
# every path the package installs, for the log
dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print "# package: " $0 }'
check "its kubejit runs: --version" sh -c "'$root/usr/bin/kubejit' --version | grep -qx 'kubejit $version'"
check "kubectl-jit is a link to kubejit" test "$(readlink "$root/usr/bin/kubectl-jit")" = kubejit
check "  which names itself kubectl jit" \
	sh -c "'$root/usr/bin/kubectl-jit' --help | grep -q '^Usage: kubectl jit '"
check "man -l renders its man page" \
	sh -c "MANPAGER=cat PAGER=cat MANWIDTH=80 man -l '$root/usr/share/man/man1/kubejit.1.gz' 2>'$tmp/man.err' |
		grep -q 'kubectl-jit - just-in-time' && [ ! -s '$tmp/man.err' ]"
check "  and kubectl-jit(1) is the same page" \
	test "$(readlink "$root/usr/share/man/man1/kubectl-jit.1.gz")" = kubejit.1.gz
check "the man page names the package's paths" \
	sh -c "zcat '$root/usr/share/man/man1/kubejit.1.gz' | grep -qF '/\\:usr/\\:share/\\:kubejit/k9s/plugins.yaml'"

# What `make install` puts under the prefix, mapped to /usr, is what the
# package holds (its own /usr/share/doc aside).
(cd "$builddir" && $MAKE -s install DESTDIR="$tmp/inst" >"$tmp/install.log" 2>&1) ||
	sed 's/^/# /' "$tmp/install.log"
prefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")
(cd "$tmp/inst$prefix" && find . ! -type d | sed "s|^\\.|/usr|" | sort) >"$tmp/installed"
(cd "$root" && find . ! -type d | sed 's|^\.||; s|\.gz$||' | grep -v '^/usr/share/doc/' |
	sed 's|^/usr/lib/[a-z0-9_]*-linux-gnu[a-z0-9_]*/|/usr/lib/|' | sort) >"$tmp/packaged"
diff "$tmp/installed" "$tmp/packaged" | sed 's/^/# /'
check "the package holds exactly what make install installs" cmp -s "$tmp/installed" "$tmp/packaged"
missing=""
for f in /usr/share/bash-completion/completions/kubejit /usr/share/zsh/vendor-completions/_kubejit \
	/usr/share/fish/vendor_completions.d/kubejit.fish /usr/share/locale/de/LC_MESSAGES/kubejit.mo \
	/usr/lib/systemd/user/kubejit-sweep.service /usr/lib/systemd/user/kubejit-sweep.timer; do
	[ -e "$root$f" ] || missing="$missing $f"
done
[ -n "$missing" ] && diag "missing:$missing"
check "completion for three shells, the translation and the units where Debian looks" test -z "$missing"
check "templates and manifests under /usr/share/kubejit" \
	sh -c "[ -s '$root/usr/share/kubejit/templates/pods-read-only.yaml' ] &&
		[ -s '$root/usr/share/kubejit/cronjob-sweep.yaml' ] && [ -s '$root/usr/share/kubejit/k9s/plugins.yaml' ]"

# systemd-analyze verify: the units as shipped, except that ExecStart points
# into the unpacked root (verify checks that the program exists) and the
# man page of Documentation= is looked up there.
units="$root/usr/lib/systemd/user"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$tmp/units" "$tmp/run"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$units/kubejit-sweep.service" \
		>"$tmp/units/kubejit-sweep.service"
	cp "$units/kubejit-sweep.timer" "$tmp/units/"
	check "systemd-analyze --user verify: the units are clean" \
		sh -c "XDG_RUNTIME_DIR='$tmp/run' MANPATH='$root/usr/share/man' systemd-analyze --user verify \
			'$tmp/units/kubejit-sweep.service' '$tmp/units/kubejit-sweep.timer' >'$tmp/verify.out' 2>&1 &&
			[ ! -s '$tmp/verify.out' ] || { sed 's/^/# /' '$tmp/verify.out'; false; }"
	check "  the timer fires every minute" \
		sh -c "grep -qx 'OnCalendar=minutely' '$units/kubejit-sweep.timer' &&
			systemd-analyze calendar minutely | grep -q 'Normalized form: \\*-\\*-\\* \\*:\\*:00'"
else
	echo "ok 14 # SKIP systemd-analyze not found (Debian package systemd)"
	echo "ok 15 # SKIP systemd-analyze not found (Debian package systemd)"
	TAP_N=15
fi
check "the service runs kubejit sweep from the package" \
	grep -qx 'ExecStart=/usr/bin/kubejit --quiet sweep' "$units/kubejit-sweep.service"
tap_done
