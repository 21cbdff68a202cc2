#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# The systemd unit as CMake configured it (issue 15): `systemd-analyze
# verify` finds nothing to say, `systemd-analyze security` rates it 2.0 or
# lower, and the installed unit runs the programs of the install prefix.
#
#   tests/test_unit.sh BUILD_DIR
# verify wants ExecStart's binary to exist: it checks BUILD/systemd/build/,
# the same template configured with the build tree's programs.
set -eu
build=$1
unit=$build/systemd/build/seind.service
installed=$build/systemd/seind.service
fail() { echo "FAIL: $*" >&2; exit 1; }

# Both come from one template: only the program paths differ.
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
grep -qx "ExecStart=$prefix/bin/seind -f -c .*" "$installed" \
  || fail "the installed unit does not run $prefix/bin/seind: $(grep ^ExecStart "$installed")"
grep -qx "ExecStart=$(cd "$build" && pwd)/seind -f -c .*" "$unit" \
  || fail "the build tree's unit does not run $build/seind"
[ "$(grep -v '^Exec' "$unit" | grep -v '^#')" = "$(grep -v '^Exec' "$installed" | grep -v '^#')" ] \
  || fail "the two configured units differ beyond their programs"

# --man=no: the man pages are not installed where man(1) looks yet
# (tests/test_man.sh checks them).
out=$(systemd-analyze verify --man=no "$unit" 2>&1) || fail "verify failed: $out"
[ -z "$out" ] || fail "verify says: $out"
echo "verify: clean"

report=$(systemd-analyze security --offline=true "$unit" 2>&1) || true
score=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || fail "no score in: $report"
echo "security: exposure $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' \
  || fail "exposure $score is above 2.0: $(printf '%s\n' "$report" | grep '✗')"
echo "unit: verified, exposure $score"
