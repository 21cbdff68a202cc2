#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# run.sh [SECONDS] - build the libFuzzer targets (if needed) and run each
# for SECONDS (default 30), printing per target the inputs executed, the
# rate, and whether it found anything. Exits non-zero when any target
# found a crash, a sanitizer error, a leak or a timeout.
#
# Seeds come from tests/fuzz/corpus/<target>/ and are never written to;
# what a run learns goes to $SEIN_FUZZ_BUILD/corpus/<target>/, so later
# runs on the same build start from there, and a crashing input to
# $SEIN_FUZZ_BUILD/artifacts/. Environment:
#   CC               a clang (default clang)
#   SEIN_FUZZ_BUILD  build directory (default build-fuzz at the top)
#   SEIN_FUZZ_JOBS   targets run at once (default: the number of CPUs)
#   SEIN_FUZZ_ONLY   run only the targets whose name contains this
#   TMPDIR           where the targets write their scratch file (default
#                    /dev/shm when writable)
set -eu
seconds=${1:-30}
case $seconds in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${SEIN_FUZZ_BUILD:-$root/build-fuzz}
jobs=${SEIN_FUZZ_JOBS:-$(nproc)}
# The loader targets write every input to a scratch file: in memory, a
# file-based target runs about four times as many inputs.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

# Asserts stay on (no NDEBUG): a broken contract is a finding too.
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=${CC:-clang} cmake -S "$root" -B "$build" -DSEIN_FUZZ=ON -DSEIN_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g" >/dev/null
fi
cmake --build "$build" --target fuzz -j"$jobs" >/dev/null

targets=""
for seeds in "$root"/tests/fuzz/corpus/*/; do
  name=fuzz_$(basename "$seeds")
  case $name in *"${SEIN_FUZZ_ONLY:-}"*) targets="$targets $name" ;; esac
done
[ -n "$targets" ] || { echo "no target matches '${SEIN_FUZZ_ONLY:-}'" >&2; exit 2; }
mkdir -p "$build/fuzz-logs" "$build/artifacts"

# One target: run it, keep its log, write its exit status next to it.
# Inputs slower than 10 s count as findings (-timeout); stdin is
# /dev/null so that nothing a target does can wait on a terminal.
run_one() {
  name=$1
  mkdir -p "$build/corpus/${name#fuzz_}"
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
  LSAN_OPTIONS=suppressions="$root/tests/fuzz/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/$name" -max_total_time="$seconds" -timeout=10 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$build/artifacts/$name-" \
    "$build/corpus/${name#fuzz_}" "$root/tests/fuzz/corpus/${name#fuzz_}" \
    >"$build/fuzz-logs/$name.log" 2>&1 </dev/null
  echo $? >"$build/fuzz-logs/$name.status"
}

echo "fuzzing$targets for ${seconds}s each, $jobs at a time"
set -- $targets
while [ $# -gt 0 ]; do
  started=0
  while [ $# -gt 0 ] && [ $started -lt "$jobs" ]; do
    run_one "$1" &
    shift
    started=$((started + 1))
  done
  wait
done

failed=0
printf '%-28s %12s %10s  %s\n' target execs execs/s result
for name in $targets; do
  log=$build/fuzz-logs/$name.log
  status=$(cat "$build/fuzz-logs/$name.status")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ "$status" -eq 0 ] && ! grep -q -e '^==[0-9]*==ERROR' -e 'runtime error:' "$log"; then
    result=clean
  else
    failed=1
    what=$(grep -o -m 1 -e 'ERROR: [A-Za-z]*Sanitizer: [a-z-]*' -e 'ERROR: libFuzzer: [a-z-]*' \
           -e 'runtime error: .*' -e 'fuzz check failed: .*' "$log" || true)
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    result="FOUND ${what:-exit status $status}${artifact:+ ($artifact)}"
  fi
  printf '%-28s %12s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$result"
done
if [ $failed -ne 0 ]; then
  echo "logs in $build/fuzz-logs/; reproduce: $build/tests/fuzz/<target> <artifact>" >&2
fi
exit $failed
