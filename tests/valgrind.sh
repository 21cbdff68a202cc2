#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# The integration tests with seind under Valgrind's memcheck (issue 13,
# "Memory"): every seind the test harness starts runs as
#
#   valgrind --error-exitcode=99 --leak-check=full ... seind ...
#
# through SEIN_WRAP (tests/sein_harness.c), with the harness's waits scaled
# by SEIN_TIMEOUT_SCALE (default here 20: memcheck runs seind 20-50 times
# slower). Each seind writes its own report, and the script says clean or
# not clean: clean when both test programs pass and no report shows an
# error or a definite leak.
#
#   tests/valgrind.sh [BUILD_DIR]          (default build; not an ASan build)
#   VALGRIND_TESTS="test_daemon"           the test programs to run
#   VALGRIND_KEEP=1                        keep the reports' directory
#
# libzmq's own frees of its own allocations show as "mismatched" (new[]
# against free, both inside libzmq): --show-mismatched-frees=no.
# Seinds that a test starts by itself (a second instance that must refuse
# to run, seind under timeout(1)) and seinds killed with SIGKILL (no exit,
# so no leak check) are not covered by a full report.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
tests=${VALGRIND_TESTS:-test_daemon test_watch}
reports=$(mktemp -d /tmp/sein-valgrind-XXXXXX)
export SEIN_TIMEOUT_SCALE=${SEIN_TIMEOUT_SCALE:-20}
export SEIN_WRAP="valgrind --error-exitcode=99 --leak-check=full --show-mismatched-frees=no \
--show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=30 \
--log-file=$reports/seind.%p.log"

failed=0
for test in $tests; do
  echo "== $test, seind under memcheck"
  if ! "$build/tests/$test"; then
    echo "valgrind: $test failed" >&2
    failed=1
  fi
done

# A report is clean when it ends with 0 errors; reports without a summary
# belong to a seind that was killed (under SEIN_WRAP the harness stops
# seind with SIGTERM first, so these are the tests' own SIGKILLs).
total=0
dirty=0
killed=0
for report in "$reports"/seind.*.log; do
  [ -e "$report" ] || continue
  total=$((total + 1))
  summary=$(grep -E "ERROR SUMMARY: [0-9]+" "$report" | tail -n 1)
  if [ -z "$summary" ]; then
    killed=$((killed + 1))
  fi
  # A killed seind has no summary, but what it found before is there.
  if { [ -n "$summary" ] && ! echo "$summary" | grep -q "ERROR SUMMARY: 0 errors"; } ||
     grep -qE "^==[0-9]+== (Invalid|Conditional|Use of unini|Syscall param|Source and dest|Argument)" \
       "$report"; then
    dirty=$((dirty + 1))
    echo "---- $report"
    cat "$report"
  fi
done
echo "valgrind: $total seind reports, $dirty with errors, $killed without a summary (killed)"
if [ "${VALGRIND_KEEP:-0}" = 1 ]; then echo "valgrind: reports kept in $reports"; else rm -rf "$reports"; fi
if [ "$total" -eq 0 ]; then
  echo "valgrind: no seind ran under valgrind: NOT CLEAN" >&2
  exit 1
fi
if [ "$failed" -ne 0 ] || [ "$dirty" -ne 0 ]; then
  echo "valgrind: NOT CLEAN"
  exit 1
fi
echo "valgrind: clean"
