#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# durability.sh - every durability error path under a pipelined load
# (issue 14, "Proof"): the disk fails in each way the fail_sync shim
# (tests/fail_sync.c) can make it fail, while sein-submit pipelines
# (windows 256 and 4096). Paths:
#   seind-sync   seind's own fdatasync of the -wal fails       -> exit 74
#   sqlite-sync  an fdatasync SQLite makes (checkpoint) fails   -> exit 74
#   write-eio    a write to the database or -wal fails, EIO     -> exit 74
#   dead         every read, write and sync of the store fails  -> exit 74
#   full         writes fail with ENOSPC for a second, then     -> keeps serving
#                space returns                                     reads, recovers
# and, for seind-sync, write-eio and dead, every third run gets a SIGTERM
# right after the fault: it must still exit 74.
#
#   tests/fault/durability.sh [BUILD_DIR] [RUNS] [PATHS]
#
# RUNS per path and window (default 20); with RUNS < 4 each run takes the
# next window instead (the short version ctest runs). Counted per run:
# the exit status, sent (handed to sein-submit), acked, refused
# (`storage` / `unavailable`), other answers, and unanswered (not sent,
# as sein-submit stops a file at the first `unavailable`, or sent but not
# answered before seind exited); then, after a restart on a healthy disk, that every
# acked signal is stored exactly once with its ack's id and seq, and that
# resubmitting it returns the original. A seind that neither exits nor
# recovers within the deadline is a hang, and a failure.
set -u
for tool in jq sqlite3; do
  command -v $tool >/dev/null || { echo "skipped: needs $tool"; exit 77; }
done
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build}" && pwd)
runs=${2:-20}
paths=${3:-"seind-sync sqlite-sync write-eio dead full"}
chunk=${SEIN_FAULT_LINES:-2000}
deadline=${SEIN_FAULT_DEADLINE:-20}
shim="$build/tests/libfail_sync.so"
[ -f "$shim" ] || { echo "no $shim: build the fail_sync target"; exit 1; }
. tests/fault/lib.sh
root=$(mktemp -d /tmp/sein-durability-XXXXXX)
ctl="$root/fault"
pid=""; submitter=""
cleanup() {
  for p in $pid $submitter; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${SEIN_FAULT_KEEP:-0}" = 1 ] && echo "kept $root" || rm -rf "$root"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL $path w$window run $run: $*"; failures=$((failures + 1)); }

# Is process $1 running (a zombie, exited but not waited for, is not)?
alive() {
  case $(ps -o stat= -p "$1" 2>/dev/null) in ""|Z*) return 1 ;; esac
}
# seind with the shim loaded, the faults read from $ctl. Under the
# sanitizers the shim is loaded before ASan's runtime, which ASan refuses
# unless told that the order is intended.
start_shim() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    LD_PRELOAD="$shim" SEIN_FAULT="$ctl" start "$@"
}
# Is seind alive and does it answer PING and a read within 2 s?
serving() {
  "$build/seinctl" $(conf "$store") -t 2000 ping >/dev/null 2>&1 &&
    "$build/seinctl" $(conf "$store") -t 2000 stats >/dev/null 2>&1
}
# Wait up to $1 s for seind to exit; its status in $status ("" if alive).
wait_exit() {
  status=""
  end=$(( $(date +%s) + $1 ))
  while alive "$pid" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
  alive "$pid" && return
  wait "$pid"; status=$?; pid=""
}
# Tally the answers in $1 for $2 requests: acked refused other unanswered.
tally() {
  jq -r 'if .status == "accepted" then "acked"
         elif (.error.code // "") == "storage" or (.error.code // "") == "unavailable"
         then "refused" else "other" end' "$1" |
    awk -v n="$2" '{ c[$1]++; t++ }
      END { printf "%d %d %d %d\n", c["acked"], c["refused"], c["other"], n - t }'
}

# The load: chunks of $chunk signals pipelined one after the other, each
# chunk's answers appended to $root/out, until $root/stop appears or
# seind is gone. The fault must meet writes whenever it comes (SQLite's
# own sync only at a checkpoint, once the log has grown).
load() {
  n=0
  while [ ! -f "$root/stop" ] && alive "$pid"; do
    n=$((n + 1))

    signals "$store" "r$run-$n" "$chunk" >>"$root/in"
    signals "$store" "r$run-$n" "$chunk" |
      "$build/sein-submit" $(conf "$store") --json --file - -w "$window" -t 3000 \
        >"$root/chunk" 2>/dev/null
    cat "$root/chunk" >>"$root/out"
    # Told `unavailable` (seind is stopping), a client stops sending.
    grep -q '"unavailable"' "$root/chunk" && break
  done
}

# One run of fault $path with window $window.
one_run() {
  store="$root/s"
  rm -rf "$store" "$store.log"
  : >"$ctl"
  start_shim "$store" --init
  [ -n "$pid" ] || { fail "seind did not start (exit $status)"; return; }
  rm -f "$root/stop" "$root/in" "$root/out"
  : >"$root/out"
  load &
  submitter=$!
  # The fault comes at a random moment of the load (0.1 to 0.7 s in).
  sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 7 + 1 ))"
  case $path in
    full) echo write-enospc >"$ctl" ;;
    *) echo "$path" >"$ctl" ;;
  esac
  term=""
  if [ "$path" != full ] && [ "$path" != sqlite-sync ] && [ $((run % 3)) = 0 ]; then
    sleep 0.05; kill -TERM "$pid" 2>/dev/null; term=" (SIGTERM)"
  fi
  recovered=""
  if [ "$path" = full ]; then
    sleep 1
    alive "$pid" || { wait "$pid"; status=$?; pid="";
                                     fail "seind stopped on a full disk (exit $status)"; }
    [ -z "$pid" ] || serving || fail "alive but not serving reads while the disk is full"
    : >"$ctl"
    sleep 0.5
    touch "$root/stop"
    wait "$submitter"; submitter=""
    # Space is back: a new submission is stored without a restart.
    if [ -n "$pid" ]; then
      signals "$store" "after$run" 1 | "$build/sein-submit" $(conf "$store") --json \
        --file - -t 5000 >"$root/after" 2>/dev/null
      if [ "$(jq -r .status "$root/after")" = accepted ]; then
        recovered=" recovered"
        jq -r '[.external_id, .id, .seq] | @tsv' "$root/after" >"$root/acked.extra"
      else
        fail "no recovery once space returned: $(head -c 200 "$root/after")"
      fi
      stop TERM
      [ "$status" = 0 ] || fail "SIGTERM after the recovery: exit $status"
    fi
  else
    wait_exit "$deadline"
    if [ -n "$pid" ]; then
      if serving; then fail "seind still runs ${deadline}s after the fault ($path)"
      else fail "seind hangs: alive, silent, ${deadline}s after the fault"; fi
      kill -KILL "$pid"; wait "$pid" 2>/dev/null; pid=""; status=hang
    elif [ "$status" != 74 ]; then
      fail "exit $status, expected 74"
      tail -3 "$store.log"
    fi
    touch "$root/stop"
    wait "$submitter"; submitter=""
  fi
  exit_status=$status
  lines=$(wc -l <"$root/in")
  set -- $(tally "$root/out" "$lines")
  acked=$1 refused=$2 other=$3 unanswered=$4
  [ "$other" = 0 ] || fail "$other answers neither accepted nor storage/unavailable"
  # A healthy disk again: every acked signal stored once, with its ack's
  # id and seq, and resubmitting it answers the original.
  : >"$ctl"
  start "$store" ""
  if [ -z "$pid" ]; then
    fail "does not start again on a healthy disk (exit $status)"; tail -3 "$store.log"
  else
    jq -r 'select(.status == "accepted") | [.external_id, .id, .seq] | @tsv' "$root/out" \
      >"$root/acked"
    [ -f "$root/acked.extra" ] && cat "$root/acked.extra" >>"$root/acked"
    rm -f "$root/acked.extra"
    sqlite3 -readonly -separator "$(printf '\t')" "$store/sein.db" \
      "SELECT external_id, id, seq FROM signals" | sort >"$root/stored"
    lost=$(sort "$root/acked" | comm -23 - "$root/stored" | wc -l)
    twice=$(cut -f1 "$root/stored" | uniq -d | wc -l)
    [ "$lost" = 0 ] || fail "$lost acked signals not stored as acked"
    [ "$twice" = 0 ] || fail "$twice signals stored twice"
    jq -c 'select(.status == "accepted") | .external_id' "$root/out" |
      awk 'NR == FNR { want[$0] = 1; next }
           { if (match($0, /"external_id":"[^"]*"/) &&
                 want["\"" substr($0, RSTART + 15, RLENGTH - 16) "\""]) print }' \
        - "$root/in" >"$root/again.in"
    "$build/sein-submit" $(conf "$store") --json --file "$root/again.in" -w "$window" \
      -t 5000 >"$root/again" 2>/dev/null
    changed=$(jq -r 'select(.status == "accepted" and .duplicate) |
                     [.external_id, .id, .seq] | @tsv' "$root/again" | sort |
              comm -13 "$root/stored" - | wc -l)
    originals=$(jq -r 'select(.status == "accepted" and .duplicate) | 1' "$root/again" |
                wc -l)
    [ "$changed" = 0 ] || fail "$changed resubmissions answered another id or seq"
    [ "$originals" = "$(wc -l <"$root/again.in")" ] ||
      fail "$originals of $(wc -l <"$root/again.in") resubmissions answered the original"
    stop TERM
  fi
  log=$(grep -c . "$store.log")
  printf '%-11s w%-4s run %2d: exit %-4s%s%s sent %6d acked %6d refused %5d unanswered %5d, %d log lines\n' \
    "$path" "$window" "$run" "$exit_status" "$term" "$recovered" "$lines" "$acked" \
    "$refused" "$unanswered" "$log"
}

for path in $paths; do
  for window in 256 4096; do
    run=0
    while [ $run -lt "$runs" ]; do
      run=$((run + 1))
      if [ "$runs" -lt 4 ]; then
        # Short version: the runs share out the windows.
        [ $(( (run + (window == 4096)) % 2 )) = 0 ] && continue
      fi
      one_run
    done
  done
done
echo "$failures failure(s)"
[ "$failures" = 0 ]
