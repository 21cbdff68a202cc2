#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# The Debian package (issue 15): build it with CPack, list it, install it
# with apt in a clean Debian 12 chroot (debootstrap --variant=minbase, from
# deb.debian.org), make the store as seind(8) says, start seind there
# (detached, as root would by hand) and ping it with seinctl on the
# package's own /etc/sein/sein.cfg.
#
#   tests/test_deb.sh SOURCE_DIR BUILD_DIR
#
# Needs root (debootstrap, chroot): exit 77 (skipped) otherwise. The
# package is built in BUILD_DIR/deb (prefix /usr, Release, no tests); the
# chroot is cached as a tarball in $SEIN_CHROOT_CACHE (default
# /var/cache/sein-test), with the package's dependencies already in it,
# so that a rerun takes seconds.
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: building a chroot needs root"
  exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }
cache=${SEIN_CHROOT_CACHE:-/var/cache/sein-test}
mirror=${SEIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=""
cleanup() {
  if [ -n "$root" ]; then
    for proc in /proc/[0-9]*; do
      [ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] && kill -9 "${proc#/proc/}" 2>/dev/null
    done
    umount "$root/proc" 2>/dev/null || true
    rm -rf "$root"
  fi
}
trap cleanup EXIT

# 1. Build and list the package.
deb=$build/deb
cmake -S "$src" -B "$deb" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release \
  -DSEIN_TESTS=OFF >"$build/deb.log" 2>&1 || fail "configure: $(tail "$build/deb.log")"
cmake --build "$deb" -j2 >>"$build/deb.log" 2>&1 || fail "build: $(tail "$build/deb.log")"
rm -f "$deb"/sein_*.deb
(cd "$deb" && cpack -G DEB) >>"$build/deb.log" 2>&1 || fail "cpack: $(tail "$build/deb.log")"
package=$(ls "$deb"/sein_*.deb)
echo "built $package"
dpkg-deb -c "$package" | awk '{ print $6 }' >"$deb/contents"
for path in ./usr/bin/seind ./usr/bin/seinctl ./usr/bin/sein-submit ./usr/bin/sein-watch \
            ./usr/lib/systemd/system/seind.service ./usr/lib/sysusers.d/sein.conf \
            ./etc/sein/sein.cfg ./usr/include/sein.h ./usr/share/man/man5/sein.cfg.5 \
            ./usr/share/man/man8/seind.8 ./usr/share/bash-completion/completions/seinctl; do
  grep -qx "$path" "$deb/contents" || fail "the package lacks $path"
done
grep -q '^\./usr/lib/.*/libsein\.so\.0$' "$deb/contents" || fail "the package lacks libsein.so.0"
grep -q 'sein_config\.h' "$deb/contents" && fail "the package ships the private sein_config.h"
dpkg-deb -f "$package" Depends | grep -q libczmq || fail "Depends lacks libczmq: $(dpkg-deb -f "$package" Depends)"
dpkg-deb --ctrl-tarfile "$package" | tar -xO ./conffiles | grep -qx /etc/sein/sein.cfg \
  || fail "sein.cfg is not a conffile"
echo "contents: $(wc -l <"$deb/contents") entries, conffiles and Depends as they should be"

# 2. A clean bookworm, with the package's dependencies (cached by them).
depends=$(dpkg-deb -f "$package" Depends)
key=$(printf '%s' "$depends" | md5sum | cut -c1-12)
tarball=$cache/bookworm-minbase-$key.tar
root=$(mktemp -d /tmp/sein-test-chroot-XXXXXX)
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
  echo "no cached chroot: debootstrap (a few minutes)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$build/debootstrap.log" 2>&1 \
    || fail "debootstrap: $(tail "$build/debootstrap.log")"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # The dependencies only (the package itself comes fresh each run).
  packages=$(printf '%s' "$depends" | sed 's/([^)]*)//g; s/|[^,]*//g; s/,/ /g')
  chroot "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends $packages && apt-get clean" \
    >"$build/chroot-apt.log" 2>&1 || fail "apt in the chroot: $(tail "$build/chroot-apt.log")"
  tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
else
  tar -C "$root" -xf "$tarball"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
fi
chmod 755 "$root" # its /: every user must get through it (tar restored mktemp's 0700)
mount -t proc proc "$root/proc"

# 3. Install the package as an admin would: apt resolves what it lacks.
cp "$package" "$root/tmp/sein.deb"
chroot "$root" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./tmp/sein.deb' \
  >"$build/chroot-install.log" 2>&1 || {
  chroot "$root" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./tmp/sein.deb' \
    >"$build/chroot-install.log" 2>&1 || fail "installing the package: $(tail "$build/chroot-install.log")"
}
chroot "$root" getent passwd sein >/dev/null || fail "the package did not create the user sein"
[ "$(chroot "$root" stat -c %U /var/lib/sein)" = sein ] || fail "/var/lib/sein is not sein's"
grep -q '^ExecStart=/usr/bin/seind ' "$root/usr/lib/systemd/system/seind.service" \
  || fail "the installed unit does not run /usr/bin/seind"

# 4. The store, once; seind detached (it returns once it serves); a ping.
chroot "$root" runuser -u sein -- seind --init --check >"$build/chroot-run.log" 2>&1 \
  || fail "seind --init --check: $(cat "$build/chroot-run.log")"
chroot "$root" runuser -u sein -- seind >>"$build/chroot-run.log" 2>&1 \
  || fail "seind did not start: $(cat "$build/chroot-run.log")"
out=$(chroot "$root" runuser -u sein -- seinctl -t 5000 ping 2>&1) || fail "seinctl ping: $out"
echo "in the chroot: $out"
case $out in seind\ *) ;; *) fail "unexpected ping answer: $out" ;; esac
# A second start on the same store fails, and says so with its status.
status=0
chroot "$root" runuser -u sein -- seind >/dev/null 2>&1 || status=$?
[ "$status" = 69 ] || fail "a second seind on the same store exited $status, not 69"
echo "package built, listed, installed and started in a clean bookworm chroot"
