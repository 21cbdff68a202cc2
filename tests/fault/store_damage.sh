#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# store_damage.sh - what seind does at start on a damaged or missing store
# (issue 14, "store damage"): each case makes a store, damages it, starts
# seind on it and compares the exit status and message with what is due.
#
#   tests/fault/store_damage.sh [BUILD_DIR]
#
# Run against an older build, it reports what that build did (a build
# without --init is run without it). Exit 0 when every case went as due.
set -u
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build}" && pwd)
root=$(mktemp -d /tmp/sein-damage-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$root"' EXIT
failures=0
init=""
"$build/seind" --help | grep -q -- --init && init="--init"

. tests/fault/lib.sh

# N signals with external ids $2-1..$2-N into directory $1.
submit() {
  signals "$1" "$2" "$3" | "$build/sein-submit" $(conf "$1") --file - -w 64 >/dev/null
}

# A fresh store in directory $1 holding $2 signals, stopped cleanly.
fresh() {
  mkdir -p "$1"
  start "$1" "$init"
  submit "$1" k "$2"
  stop TERM
}

# case NAME DIR EXPECTED_STATUS EXPECTED_TEXT [OPTIONS]: start and compare.
check() {
  : >"$2.log"
  start "$2" "${5:-}"
  got=${status:-serving}
  [ -n "$pid" ] && stop TERM
  message=$(grep -o 'cannot start: .*' "$2.log" | head -1 | cut -c1-150)
  if [ "$got" = "$3" ] && { [ -z "$4" ] || grep -q -- "$4" "$2.log"; }; then
    verdict=ok
  else
    verdict=FAIL; failures=$((failures + 1))
  fi
  printf '%-4s %-34s due %-7s got %-7s %s\n' "$verdict" "$1" "$3" "$got" "${message:-}"
}

d=$root/missing; mkdir -p "$d"
check "missing database, no --init" "$d" 78 "seind --init"

d=$root/deleted; fresh "$d" 50
rm -f "$d/sein.db" "$d/sein.db-wal" "$d/sein.db-shm"
check "deleted database" "$d" 78 "is missing, but"
check "deleted database, --init" "$d" 78 "is missing, but" "$init"
check "deleted database, --init --accept-store" "$d" serving "" "$init --accept-store"

d=$root/emptied; fresh "$d" 50
: >"$d/sein.db"; rm -f "$d/sein.db-wal" "$d/sein.db-shm"
check "emptied database" "$d" 78 "is empty"

# A crash leaves the signals in the log; a restart records them in the
# marker; the log is then lost. First with older signals checkpointed into
# the database, then with everything, the schema too, in the log.
d=$root/wal; fresh "$d" 50
start "$d" ""; submit "$d" w 50; stop KILL
start "$d" ""; stop KILL
rm -f "$d/sein.db-wal" "$d/sein.db-shm"
check "deleted -wal after a crash" "$d" 78 "50 acknowledged events are missing"
check "deleted -wal, --accept-store" "$d" serving "" "--accept-store"
d=$root/wal2; mkdir -p "$d"
start "$d" "$init"; submit "$d" k 50; stop KILL
start "$d" ""; stop KILL
rm -f "$d/sein.db-wal" "$d/sein.db-shm"
check "deleted -wal, all in it" "$d" 78 "held events up to seq 50"

d=$root/garbled; fresh "$d" 400
# Overwrite pages 3-5 (8 KiB pages) with noise.
dd if=/dev/urandom of="$d/sein.db" bs=8192 seek=2 count=3 conv=notrunc 2>/dev/null
check "garbled pages" "$d" 78 "quick_check"
d2=$root/garbled-deep; fresh "$d2" 400
# One page of events well inside the file: nothing SQLite reads at open.
dd if=/dev/urandom of="$d2/sein.db" bs=8192 seek=$(($(stat -c %s "$d2/sein.db") / 8192 - 3)) \
  count=1 conv=notrunc 2>/dev/null
check "garbled page deep inside" "$d2" 78 "quick_check"
"$build/seinctl" $(conf "$d") check >"$d/check.out" 2>&1; got=$?
if [ $got = 65 ] && grep -q "integrity_check" "$d/check.out"; then verdict=ok
else verdict=FAIL; failures=$((failures + 1)); fi
printf '%-4s %-34s due %-7s got %-7s %s\n' "$verdict" "seinctl check on garbled pages" 65 \
  "$got" "$(head -1 "$d/check.out" | cut -c1-100)"

d=$root/truncated; fresh "$d" 400
size=$(stat -c %s "$d/sein.db")
truncate -s $((size / 2 + 100)) "$d/sein.db"
check "truncated mid-page" "$d" 78 "truncated"
truncate -s $((size / 8192 / 2 * 8192)) "$d/sein.db"
check "truncated to whole pages" "$d" 78 "truncated"

d=$root/newer; fresh "$d" 5
sqlite3 "$d/sein.db" "PRAGMA user_version = 99"
check "newer schema" "$d" 78 "newer than this seind"

d=$root/replaced; fresh "$d" 50
fresh "$root/other" 60
cp "$root/other/sein.db" "$d/sein.db"
check "database replaced by another" "$d" 78 "belongs to store"

# A second seind on the same database through another path.
d=$root/lock; fresh "$d" 5
start "$d" ""; first=$pid
mkdir -p "$root/elsewhere"
"$build/seind" -c conf/sein.cfg -o "storage.dir=$root/elsewhere" \
  -o "storage.file=../lock/sein.db" -o "endpoints.intake=ipc://$root/elsewhere/i" \
  -o "endpoints.publish=ipc://$root/elsewhere/p" -o "endpoints.watch=ipc://$root/elsewhere/w" \
  -f >"$root/elsewhere/seind.log" 2>&1 &
second=$!
sleep 2
if kill -0 $second 2>/dev/null; then
  got=serving; kill -TERM $second; wait $second
else
  wait $second; got=$?
fi
if [ "$got" = 69 ] && grep -q "another seind (pid $first)" "$root/elsewhere/seind.log"; then
  verdict=ok; else verdict=FAIL; failures=$((failures + 1)); fi
printf '%-4s %-34s due %-7s got %-7s %s\n' "$verdict" "second seind via ../lock/sein.db" 69 \
  "$got" "$(grep -o 'cannot start: .*' "$root/elsewhere/seind.log" | head -1)"
kill -TERM "$first"; wait "$first"

echo "$failures case(s) not as due"
[ "$failures" = 0 ]
