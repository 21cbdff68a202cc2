#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# tests/demo.sh (issue 15) keeps to its own seind:
# 1. with another seind on the bundled config's TCP ports, the demo runs on
#    its own ipc:// endpoints and writes nothing into the other's store;
# 2. when its own seind does not start, the demo stops with exit 69 and
#    says so, rather than carrying on against whatever answers.
#
#   tests/test_demo.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/sein-test-demo-XXXXXX)
other=""
cleanup() {
  [ -n "$other" ] && kill "$other" 2>/dev/null && wait "$other" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$src"

# 1. Another seind on conf/sein.cfg's ports (unless something else holds them).
"$build/seind" -c conf/sein.cfg -o storage.dir="$tmp/other" -f --init 2>"$tmp/other.log" &
other=$!
tries=0
until "$build/seinctl" -c conf/sein.cfg -t 500 ping >/dev/null 2>&1 || [ $tries -gt 20 ]; do
  tries=$((tries + 1))
done
SEIN_DEMO_EXIT=1 tests/demo.sh "$build" >"$tmp/demo.out" 2>&1 \
  || fail "the demo failed beside another seind: $(cat "$tmp/demo.out")"
grep -q "^== seind is up" "$tmp/demo.out" || fail "the demo did not come up: $(cat "$tmp/demo.out")"
grep -q "accepted .* seq 4 " "$tmp/demo.out" || fail "the demo's signals were not stored"
if kill -0 "$other" 2>/dev/null; then
  head=$("$build/seinctl" -c conf/sein.cfg --json ping | sed -n 's/.*"head":\([0-9]*\).*/\1/p')
  [ "$head" = 0 ] || fail "the demo wrote into the other seind's store (head $head)"
  echo "demo beside another seind on the bundled ports: its own endpoints, the other untouched"
else
  echo "the bundled ports are taken by something else; the demo ran anyway"
  other=""
fi

# 2. A demo whose seind cannot start: a build whose seind fails.
mkdir "$tmp/broken"
for program in seinctl sein-submit sein-watch; do ln -s "$build/$program" "$tmp/broken/"; done
printf '#!/bin/sh\necho "seind: cannot start: a test says so" >&2\nexit 69\n' >"$tmp/broken/seind"
chmod +x "$tmp/broken/seind"
status=0
SEIN_DEMO_EXIT=1 tests/demo.sh "$tmp/broken" >"$tmp/broken.out" 2>&1 || status=$?
[ "$status" = 69 ] || fail "the demo went on without its seind (exit $status): $(cat "$tmp/broken.out")"
grep -q "its seind did not start" "$tmp/broken.out" || fail "no clear message: $(cat "$tmp/broken.out")"
grep -q "a test says so" "$tmp/broken.out" || fail "the demo did not show seind's log"
grep -q "^== sein-submit" "$tmp/broken.out" && fail "the demo submitted without its seind"
echo "demo without its seind: refused (69)"
