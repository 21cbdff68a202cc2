#!/bin/sh
# storage_faults.sh - what seind does when its disk fills up, and when its
# store is made read-only while it runs (issue 14, "Storage faults").
#
#   tests/fault/storage_faults.sh [BUILD_DIR]
#
# Needs root (mount, chattr); exits 77 (skipped) without it. Each case
# stores some signals, brings the fault about while submissions are
# pipelined, takes it away again, and reports what seind did: the answers
# (accepted / storage / other), whether it still served reads, whether it
# recovered by itself, its exit status on SIGTERM, and that every acked
# signal is in the store after a restart. It fails when an acked signal is
# lost, when seind hangs (alive but silent), or when it stopped with 0.
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

# The case NAME on store $1: FAULT and REPAIR are shell commands.
run_case() {
  name=$1 store=$2 fault=$3 repair=$4
  mkdir -p "$root/sock"
  : >"$store.acked"
  start "$store" --init "$root/sock"
  submit "$store" before 200
  echo "== $name"
  echo "   before the fault: $tally"
  eval "$fault"
  submit "$store" during 2000
  echo "   during the fault: $tally"
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; status=$?; pid=""
    echo "   seind stopped by itself: exit $status"
    [ "$status" != 0 ] || fail "$name: seind stopped with status 0"
  elif serving "$store"; then
    echo "   seind still serves PING and reads"
  else
    fail "$name: seind is alive but does not answer (hangs)"
  fi
  eval "$repair"
  if [ -n "$pid" ]; then
    submit "$store" after 200
    echo "   after the repair, without a restart: $tally"
    stop TERM
    echo "   SIGTERM: exit $status"
  fi
  start "$store" "" "$root/sock"
  if [ -z "$pid" ]; then
    fail "$name: seind does not start again after the repair (exit $status)"
    tail -3 "$store.log"
    return
  fi
  submit "$store" restarted 200
  echo "   after a restart: $tally"
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
  'rm -f "$root/full/filler"'

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
  'chattr -i "$root/ext/store/sein.db" "$root/ext/store/sein.db-wal"'
rm -rf "$root/ext/store" "$root/ext/store.log"
run_case "the whole store made read-only while running" "$root/ext/store" \
  'chattr +i "$root/ext/store"/sein.db* "$root/ext/store"' \
  'chattr -i "$root/ext/store"/sein.db* "$root/ext/store"'

echo "$failures failure(s)"
[ "$failures" = 0 ]
