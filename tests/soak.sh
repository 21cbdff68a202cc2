#!/bin/bash
# SPDX-License-Identifier: MPL-2.0
# Soak (issue 13, "Memory"): seind under a steady load for a long time, with
# its resident memory sampled, to show that nothing grows without bound.
#
#   tests/soak.sh [SECONDS]        (default 600; not run by ctest)
#
# seind runs on the bundled conf/sein.cfg in a fresh directory (ipc://
# endpoints). sein-submit --file - feeds it SOAK_RATE signals/s (default
# 2000) and SOAK_WATCHERS sein-watch processes (default 20) follow every
# event; one of them is stopped (SIGSTOP) for the whole run, so seind holds
# what it may queue for a watcher that does not read. Every SOAK_INTERVAL
# seconds (default 10; shorter runs sample more often) it prints seind's RSS.
#
# After a warm-up (the first minute, or a fifth of a shorter run) it
# compares the highest RSS of the first and of the last such window: it
# exits 1 when the last is more than SOAK_BOUND_KB (default 16384 kB) above
# the first, or when seind died or a running watcher saw no events. A run
# of 10 minutes on the Release build: SOAK_BUILD=build-rel tests/soak.sh
set -eu
cd "$(dirname "$0")/.."
duration=${1:-600}
build=${SOAK_BUILD:-build}
rate=${SOAK_RATE:-2000}
watchers=${SOAK_WATCHERS:-20}
bound=${SOAK_BOUND_KB:-16384}
if [ "$duration" -ge 300 ]; then window=60; else window=$((duration / 5)); fi
interval=${SOAK_INTERVAL:-$((window / 2 < 10 ? (window / 2 > 0 ? window / 2 : 1) : 10))}
if [ "$window" -lt 2 ] || [ "$interval" -lt 1 ]; then
  echo "soak: run for 10 s at least" >&2
  exit 64
fi

dir=$(mktemp -d /tmp/sein-soak-XXXXXX)
config=(-c conf/sein.cfg -o "storage.dir=$dir" -o "endpoints.intake=ipc://$dir/intake"
        -o "endpoints.publish=ipc://$dir/publish" -o "endpoints.watch=ipc://$dir/watch")
pids=()
daemon=""
stopped=""
stop_clients() {
  [ -z "$stopped" ] || kill -CONT "$stopped" 2>/dev/null || true
  stopped=""
  # (wait with no operand would wait for seind too)
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  pids=()
}
finish() {
  stop_clients
  if [ -n "$daemon" ]; then kill -TERM "$daemon" 2>/dev/null && wait "$daemon" || true; fi
  rm -rf "$dir"
}
trap finish EXIT
trap 'exit 130' INT TERM

"$build/seind" "${config[@]}" -f 2>"$dir/seind.log" &
daemon=$!
tries=0
until "$build/seinctl" "${config[@]}" -t 500 ping >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -gt 20 ]; then cat "$dir/seind.log" >&2; exit 69; fi
done

# Watchers count what they get (one JSON line an event); the first one is
# stopped once it has its session.
for index in $(seq 1 "$watchers"); do
  "$build/sein-watch" "${config[@]}" --json > >(wc -l >"$dir/watch-$index.count") \
    2>"$dir/watch-$index.log" &
  pids+=($!)
done
sleep 1
stopped=${pids[0]}
kill -STOP "$stopped"

# The load: a block of 100 signals written as often as the rate asks.
texts=("Elke donderdag fuif in het studentenhuis, bassen tot 5u 's ochtends."
       "Sluikstort van matrassen en zakken naast de glasbollen, al een week."
       "Put in het fietspad, gevaarlijk voor fietsers, al twee keer iemand gevallen."
       "Rats near the bins behind the block, we see them every evening."
       "Dépôt clandestin de sacs poubelles devant l'école depuis lundi.")
for line in $(seq 0 99); do
  printf '{"description":"%s","source":"citizen","channel":"web","address_string":"Naamsestraat %d, Leuven"}\n' \
    "${texts[line % 5]}" $((1 + line))
done >"$dir/block.jsonl"
start=$(date +%s%N)
(
  sent=0
  while :; do
    elapsed=$((($(date +%s%N) - start) / 1000000))
    [ "$elapsed" -ge $((duration * 1000)) ] && break
    while [ "$sent" -lt $((elapsed * rate / 1000)) ]; do
      cat "$dir/block.jsonl"
      sent=$((sent + 100))
    done
    sleep 0.02
  done
) | "$build/sein-submit" "${config[@]}" -f - >/dev/null 2>"$dir/submit.log" &
pids+=($!)

# Samples: seconds since the start, and seind's VmRSS in kB.
times=()
rss=()
echo "soak: ${duration} s at ${rate} signals/s, ${watchers} watchers (pid $stopped stopped)," \
  "RSS every ${interval} s, windows of ${window} s"
while :; do
  sleep "$interval"
  now=$((($(date +%s%N) - start) / 1000000000))
  if ! kill -0 "$daemon" 2>/dev/null; then
    echo "soak: seind died" >&2
    cat "$dir/seind.log" >&2
    exit 1
  fi
  kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon/status")
  head=$("$build/seinctl" "${config[@]}" -t 2000 --json ping | sed -n 's/.*"head":\([0-9]*\).*/\1/p')
  printf 'soak: t=%4d s  rss %7d kB  head %s\n' "$now" "$kb" "${head:-?}"
  times+=("$now")
  rss+=("$kb")
  [ "$now" -ge "$duration" ] && break
done

# Stop the load and the watchers; count what the running ones saw.
stop_clients
sleep 0.2
failed=0
least=""
for index in $(seq 2 "$watchers"); do
  count=$(cat "$dir/watch-$index.count" 2>/dev/null || echo 0)
  [ -z "$least" ] || [ "$count" -lt "$least" ] && least=$count
  [ "$count" -gt 0 ] || failed=1
done
echo "soak: stored $head signals ($((head / duration))/s); each running watcher saw at least" \
  "$least events, the stopped one $(cat "$dir/watch-1.count" 2>/dev/null || echo 0)"

first=0
last=0
for index in "${!times[@]}"; do
  t=${times[index]}
  kb=${rss[index]}
  if [ "$t" -ge "$window" ] && [ "$t" -lt $((2 * window)) ] && [ "$kb" -gt "$first" ]; then
    first=$kb
  fi
  if [ "$t" -ge $((duration - window)) ] && [ "$kb" -gt "$last" ]; then last=$kb; fi
done
growth=$((last - first))
echo "soak: highest RSS ${first} kB in the first window after warm-up, ${last} kB in the last:" \
  "growth ${growth} kB (bound ${bound} kB)"
if [ "$first" -eq 0 ] || [ "$last" -eq 0 ]; then
  echo "soak: too few samples" >&2
  exit 1
fi
if [ "$growth" -gt "$bound" ]; then
  echo "soak: memory grew beyond the bound" >&2
  exit 1
fi
[ "$failed" -eq 0 ] || { echo "soak: a running watcher saw no events" >&2; exit 1; }
echo "soak: ok"
