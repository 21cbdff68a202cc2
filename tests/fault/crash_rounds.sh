#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# crash_rounds.sh - crash consistency under load (issue 14, "Proof"):
# sein-submit pipelines (window 256) while watchers follow with state
# files, and seind is killed with SIGKILL at a random moment, ROUNDS times.
# After each restart:
#   - every acked (submitter, external_id) is stored, once, with the id
#     and seq of its ack;
#   - resubmitting the round's input returns the original id and seq for
#     every acked key (duplicate: true), and stores the rest;
#   - seq has no gap (count of events = highest seq);
# and at the end each watcher (one of them restarted from its state file
# every round) saw every event exactly once, in order.
#
#   tests/fault/crash_rounds.sh [BUILD_DIR] [ROUNDS]     (default 20)
#
# Needs jq and sqlite3 (exit 77, skipped, without them). Exit 0 when every
# check held; the last line counts.
set -u
for tool in jq sqlite3; do
  command -v $tool >/dev/null || { echo "skipped: needs $tool"; exit 77; }
done
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build}" && pwd)
rounds=${2:-20}
lines=${SEIN_FAULT_LINES:-20000}
dir=$(mktemp -d /tmp/sein-crash-XXXXXX)
conf="-c conf/sein.cfg -o storage.dir=$dir -o endpoints.intake=ipc://$dir/i
      -o endpoints.publish=ipc://$dir/p -o endpoints.watch=ipc://$dir/w"
pid=""; w1=""; w2=""
cleanup() {
  for p in $pid $w1 $w2; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${SEIN_FAULT_KEEP:-0}" = 1 ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
problems=0
problem() { echo "round $round: $*"; problems=$((problems + 1)); }
# A process that does not end on SIGTERM is a problem of its own, named
# with what it was doing, not a hang until the test's timeout.
stop() { # PID NAME: SIGTERM, then at most 30 s
  kill -TERM "$1" 2>/dev/null
  tries=0
  while kill -0 "$1" 2>/dev/null && [ $tries -lt 300 ]; do sleep 0.1; tries=$((tries + 1)); done
  if kill -0 "$1" 2>/dev/null; then
    problem "$2 did not end within 30 s of SIGTERM"
    command -v gdb >/dev/null && gdb -p "$1" -batch -ex 'thread apply all bt 12' 2>/dev/null \
      | grep -E '^#|^Thread' | head -80
    tail -5 "$dir/seind.log"
    kill -KILL "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null
}

start() {
  "$build/seind" $conf -f $1 >>"$dir/seind.log" 2>&1 &
  pid=$!
  tries=0
  until "$build/seinctl" $conf -t 200 ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ $tries -gt 50 ] || ! kill -0 $pid 2>/dev/null; then
      echo "seind did not start:"; tail -5 "$dir/seind.log"; exit 1
    fi
  done
}
watch() { # N: start watcher N, resuming from its state file
  "$build/sein-watch" $conf --json --since 1 --state-file "$dir/w$1.state" \
    >>"$dir/w$1.out" 2>>"$dir/w$1.err" &
}
sql() { sqlite3 -readonly -separator "$(printf '\t')" "$dir/sein.db" "$1"; }

round=0
start --init
watch 1; w1=$!
watch 2; w2=$!
acks=0
while [ $round -lt "$rounds" ]; do
  round=$((round + 1))
  awk -v r=$round -v n="$lines" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"description\":\"Sluikstort aan de glasbol %d-%d\",\"source\":\"citizen\",\"submitter\":\"fault\",\"external_id\":\"%d-%d\"}\n", r, i, r, i }' \
    >"$dir/in"
  "$build/sein-submit" $conf --json --file "$dir/in" -w 256 -t 2000 >"$dir/out" 2>/dev/null &
  submitter=$!
  # Kill at a random moment, 0.2 to 1.5 s into the stream.
  sleep "$(awk -v s=$$$round 'BEGIN { srand(s); printf "%.2f", 0.2 + rand() * 1.3 }')"
  kill -KILL $pid; wait $pid 2>/dev/null
  wait $submitter 2>/dev/null
  jq -r 'select(.status == "accepted") | [.external_id, .id, .seq] | @tsv' "$dir/out" \
    | sort >"$dir/acked"
  acks=$((acks + $(wc -l <"$dir/acked")))
  start ""

  # Every ack stored with its id and seq, once.
  sql "SELECT external_id, id, seq FROM signals WHERE submitter = 'fault'
       AND external_id LIKE '$round-%'" | sort >"$dir/stored"
  lost=$(comm -23 "$dir/acked" "$dir/stored" | wc -l)
  [ "$lost" = 0 ] || problem "$lost acked signals not stored as acked"
  # No gap in seq.
  gaps=$(sql "SELECT coalesce(max(seq), 0) - count(*) FROM events")
  [ "$gaps" = 0 ] || problem "seq has $gaps gaps"
  # Resubmitted: the acked keys answer with their original id and seq.
  "$build/sein-submit" $conf --json --file "$dir/in" -w 256 -t 5000 >"$dir/again" 2>/dev/null \
    || problem "resubmission exited $?"
  jq -r 'select(.status == "accepted" and .duplicate) | [.external_id, .id, .seq] | @tsv' \
    "$dir/again" | sort >"$dir/dups"
  changed=$(comm -23 "$dir/acked" "$dir/dups" | wc -l)
  [ "$changed" = 0 ] || problem "$changed acked keys resubmitted got another id or seq"
  all=$(sql "SELECT count(*) FROM signals WHERE external_id LIKE '$round-%'")
  [ "$all" = "$lines" ] || problem "$all of $lines stored after the resubmission"
  # A watcher stops and resumes from its state file.
  stop $w1 "watcher 1"
  watch 1; w1=$!
  echo "round $round: $(wc -l <"$dir/acked") acked before the kill, $lost lost, head $(sql "SELECT max(seq) FROM events")"
done

# Each watcher catches up, then has seen 1..head once, in order.
head=$(sql "SELECT coalesce(max(seq), 0) FROM events")
for n in 1 2; do
  tries=0
  while [ "$(cat "$dir/w$n.state" 2>/dev/null | tr -d '\n' | sed 's/^0*//')" != "$head" ] \
        && [ $tries -lt 200 ]; do
    sleep 0.1; tries=$((tries + 1))
  done
done
stop $w1 "watcher 1"; stop $w2 "watcher 2"
for n in 1 2; do
  bad=$(jq -r .seq "$dir/w$n.out" | awk -v head="$head" \
    'NR != $1 { bad++ } END { if (NR != head) bad++; print bad + 0 }')
  [ "$bad" = 0 ] || problem "watcher $n: $(jq -r .seq "$dir/w$n.out" | wc -l) events for head $head, $bad out of place"
done
stop $pid seind; status=$?
[ $status = 0 ] || problem "seind exited $status on SIGTERM"
echo "$rounds rounds, $acks acks before the kills, head $head, $problems problems"
[ $problems = 0 ]
