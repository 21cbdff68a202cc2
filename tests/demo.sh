#!/bin/sh
# SPDX-License-Identifier: MPL-2.0
# sein's demo: seind on the bundled conf/sein.cfg with its SQLite store in a
# fresh directory, a dashboard following the wijk Heverlee (zones included),
# a few signals as residents, partners and sensors send them, and what each
# program printed. seind then keeps running until Ctrl-C.
#
# The demo's seind listens on ipc:// endpoints in its own directory, never
# on the bundled config's TCP ports: a seind already running there (a
# service, another demo) is neither disturbed nor written to. When the
# demo's own seind does not start, the demo stops (exit 69) and shows why.
#
#   tests/demo.sh [BUILD_DIR]        (SEIN_DEMO_EXIT=1: stop after the demo)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
dir=$(mktemp -d /tmp/sein-demo-XXXXXX)
endpoints="-o endpoints.intake=ipc://$dir/intake -o endpoints.publish=ipc://$dir/publish"
config="-c conf/sein.cfg -o storage.dir=$dir $endpoints -o endpoints.watch=ipc://$dir/watch"

"$build/seind" $config -f --init 2>"$dir/seind.log" &
daemon=$!
watcher=""
stop() {
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
  kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  echo "seind stopped; its store and log are in $dir"
}
trap 'stop; exit 0' INT TERM

# Ready when it answers; only our own seind can (its endpoints are ours).
refuse() {
  echo "demo: its seind did not start ($1); its log:" >&2
  cat "$dir/seind.log" >&2
  stop >&2
  exit 69
}
tries=0
until "$build/seinctl" $config -t 500 ping >/dev/null 2>&1; do
  kill -0 "$daemon" 2>/dev/null || refuse "it exited"
  tries=$((tries + 1))
  [ "$tries" -le 20 ] || refuse "no answer within 10 s"
done
echo "== seind is up (store $dir/sein.db):"
"$build/seinctl" $config ping

"$build/sein-watch" $config --area heverlee >"$dir/watch.out" &
watcher=$!
sleep 0.5

echo
echo "== sein-submit: four signals (a resident, a housing company, a sensor, staff)"
"$build/sein-submit" $config --channel phone -s citizen \
  -d "Elke avond hangjongeren met scooters aan de kerk, ze roepen tot 2u 's nachts" \
  -a "Naamsesteenweg 150, Heverlee" --reporter-name "An Janssens" --reporter-phone "0470 00 00 02"
"$build/sein-submit" $config --channel email -s partner -e "woonhaven-4711" \
  -d "Sluikstort van matrassen en zakken naast de glasbollen" -a "Lolanden 12, Kessel-Lo"
"$build/sein-submit" $config --channel sensor -s system -e "nm-04-20261126" \
  -d "noise_level Leq=78dB(A) 23:40-00:10 sensor NM-04 threshold_exceeded" \
  --lat 50.8690 --long 4.6990 --attribute sensor=NM-04 --attribute noise_level=78
"$build/sein-submit" $config -s staff --area heilig-hart --theme samenleven \
  -d "Buurtbewoners vragen een ontmoetingsruimte voor ouderen"
echo
echo "== the same external_id again: nothing new is stored"
"$build/sein-submit" $config --channel email -s partner -e "woonhaven-4711" \
  -d "Sluikstort van matrassen en zakken naast de glasbollen" -a "Lolanden 12, Kessel-Lo"
echo
echo "== a bad submission gets a precise answer (exit status 65)"
"$build/sein-submit" $config -s citizen -d "Put in de weg" --lat 95 --long 4.7 || true

sleep 1
echo
echo "== sein-watch --area heverlee saw (a wijk includes its zones):"
cat "$dir/watch.out"
echo
echo "== seinctl stats:"
"$build/seinctl" $config stats

if [ "${SEIN_DEMO_EXIT:-0}" = 1 ]; then stop; exit 0; fi
echo
echo "seind keeps running (pid $daemon, intake ipc://$dir/intake). Try:"
echo "  $build/sein-watch $config --json"
echo "  $build/sein-submit $config -s citizen -d 'Rats near the bins at Lolanden'"
echo "Ctrl-C stops it."
kill "$watcher" 2>/dev/null || true
watcher=""
wait "$daemon"
