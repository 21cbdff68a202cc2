#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# storage_faults.sh - what seind does when its disk fills up, and when its
# store is made read-only while it runs (issue 14, "Storage faults").
#
#   tests/fault/storage_faults.sh [BUILD_DIR]
#
# Needs root (mount, chattr); exits 77 (skipped) without it. Each case
# stores some signals, brings the fault about while submissions are
# pipelined, takes it away again, and reports what seind did: the answers
# (accepted / storage / other), whether it still served reads, whether it
# recovered by itself, its exit status, and that every acked signal is in
# the store after a restart. Each case asserts what docs/FAULTS.md says
# of it: seind serves on and recovers without a restart (then exits 0 on
# SIGTERM), or stops by itself within 10 s with the status given. It also
# fails when an acked signal is lost, or when seind hangs (alive, silent).
set -u
if [ "$(id -u)" != 0 ]; then
  echo "skipped: needs root to mount a small tmpfs and an ext4 image"; exit 77
fi
for tool in jq sqlite3 mkfs.ext4 chattr; do
  command -v $tool >/dev/null || { echo "skipped: needs $tool"; exit 77; }
done
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build}" && pwd)
. tests/fault/lib.sh
root=$(mktemp -d /tmp/sein-storage-XXXXXX)
failures=0
cleanup() {
  [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
  wait 2>/dev/null
  chattr -R -i "$root/ext" 2>/dev/null
  umount "$root/full" "$root/ext" 2>/dev/null
  rm -rf "$root"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Pipeline signals $2-1..$2-$3 into store $1 (sockets $root/sock); tally
# the answers into $tally and keep the acks in $1.acked.
submit() {
  signals "$1" "$2" "$3" | "$build/sein-submit" $(conf "$1" "$root/sock") --json --file - \
    -w 256 -t 5000 >"$root/out" 2>/dev/null
  jq -r 'select(.status == "accepted") | [.external_id, .id, .seq] | @tsv' "$root/out" \
    >>"$1.acked"
  tally=$(jq -r 'if .status == "accepted" then "accepted"
                 else .error.code // .status end' "$root/out" | sort | uniq -c |
          awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
  answered=$(wc -l <"$root/out")
  [ "$answered" = "$3" ] || tally="$tally; $(( $3 - answered )) unanswered"
}

# Does seind on $1 answer PING and a read (stats)?
serving() {
  "$build/seinctl" $(conf "$1" "$root/sock") -t 2000 ping >/dev/null 2>&1 &&
    "$build/seinctl" $(conf "$1" "$root/sock") -t 2000 stats >/dev/null 2>&1
}

# Wait up to $1 s for seind to exit by itself; its status in $status, or
# empty (still running).
stopped_within() {
  waited=0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt $(( $1 * 10 )) ]; do
    sleep 0.1; waited=$((waited + 1))
  done
  status=""
  kill -0 "$pid" 2>/dev/null && return
  wait "$pid"; status=$?; pid=""
}

# The case NAME on store $1: FAULT and REPAIR are shell commands; EXPECT
# is what FAULTS.md says seind does: "serves" (on, and recovers by itself
# when the fault goes), or the exit status it stops with by itself.
run_case() {
  name=$1 store=$2 fault=$3 repair=$4 expect=$5
  mkdir -p "$root/sock"
  : >"$store.acked"
  start "$store" --init "$root/sock"
  submit "$store" before 200
  echo "== $name (FAULTS.md: $expect)"
  echo "   before the fault: $tally"
  eval "$fault"
  submit "$store" during 2000
  echo "   during the fault: $tally"
  if [ "$expect" = serves ]; then
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"; status=$?; pid=""
      fail "$name: seind stopped by itself (exit $status) instead of serving on"
    elif serving "$store"; then
      echo "   seind still serves PING and reads"
    else
      fail "$name: seind is alive but does not answer (hangs)"
    fi
  else
    stopped_within 10
    if [ -z "$status" ]; then
      fail "$name: seind still runs 10 s after the fault, FAULTS.md says it stops"
      stop KILL
    else
      echo "   seind stopped by itself: exit $status"
      [ "$status" = "$expect" ] || fail "$name: exit $status, FAULTS.md says $expect"
    fi
  fi
  eval "$repair"
  if [ -n "$pid" ]; then
    submit "$store" after 200
    echo "   after the repair, without a restart: $tally"
    [ "$tally" = "200 accepted" ] || fail "$name: no recovery without a restart: $tally"
    stop TERM
    echo "   SIGTERM: exit $status"
    [ "$status" = 0 ] || fail "$name: SIGTERM after the recovery: exit $status"
  fi
  start "$store" "" "$root/sock"
  if [ -z "$pid" ]; then
    fail "$name: seind does not start again after the repair (exit $status)"
    tail -3 "$store.log"
    return
  fi
  submit "$store" restarted 200
  echo "   after a restart: $tally"
  [ "$tally" = "200 accepted" ] || fail "$name: after a restart: $tally"
  stop TERM
  sort "$store.acked" >"$root/acked"
  sqlite3 -readonly -separator "$(printf '\t')" "$store/sein.db" \
    "SELECT external_id, id, seq FROM signals" | sort >"$root/stored"
  lost=$(comm -23 "$root/acked" "$root/stored" | wc -l)
  gaps=$(sqlite3 -readonly "$store/sein.db" "SELECT max(seq) - count(*) FROM events")
  echo "   $(wc -l <"$root/acked") acked in all, $lost of them lost, $gaps seq gaps"
  [ "$lost" = 0 ] || fail "$name: $lost acked signals lost"
  [ "$gaps" = 0 ] || fail "$name: $gaps gaps in seq"
  echo "   log: $(grep -c . "$store.log") lines; the first errors:"
  grep -E '^E:|^W:' "$store.log" | sort -k5 | uniq -c -f4 | sort -rn | head -4 | cut -c1-160 \
    | sed 's/^/     /'
}

# A small tmpfs that fills up: a filler file takes the last byte, then
# goes away again.
mkdir -p "$root/full"
mount -t tmpfs -o size=24m tmpfs "$root/full"
run_case "disk full (tmpfs of 24 MB)" "$root/full/store" \
  'dd if=/dev/zero of="$root/full/filler" bs=64k 2>/dev/null || true' \
  'rm -f "$root/full/filler"' serves

# A store made read-only while seind runs: a remount is refused while
# files are open for writing, so the files and the directory are made
# immutable (chattr +i), which fails every write (EPERM), descriptors
# already open included.
truncate -s 64m "$root/ext.img"
mkfs.ext4 -q -F "$root/ext.img"
mkdir -p "$root/ext"
mount -o loop "$root/ext.img" "$root/ext"
# First the database and its log only, then everything: the -shm too,
# which SQLite maps into memory, so that a write to it is a page fault
# the kernel answers with SIGBUS (what a filesystem turned read-only by
# errors=remount-ro does as well).
run_case "database and -wal made read-only while running" "$root/ext/store" \
  'chattr +i "$root/ext/store/sein.db" "$root/ext/store/sein.db-wal"' \
  'chattr -i "$root/ext/store/sein.db" "$root/ext/store/sein.db-wal"' 74
rm -rf "$root/ext/store" "$root/ext/store.log"
run_case "the whole store made read-only while running" "$root/ext/store" \
  'chattr +i "$root/ext/store"/sein.db* "$root/ext/store"' \
  'chattr -i "$root/ext/store"/sein.db* "$root/ext/store"' 135

echo "$failures failure(s)"
[ "$failures" = 0 ]
