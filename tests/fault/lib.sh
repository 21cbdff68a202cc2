# SPDX-License-Identifier: MPL-2.0
# lib.sh - what the fault scripts share: run seind and its clients on a
# store directory, from the build tree. Source it after setting $build.

# Settings for a store in directory $1, sockets in $2 (default: $1).
conf() {
  echo "-c conf/sein.cfg -o storage.dir=$1 -o endpoints.intake=ipc://${2:-$1}/i" \
       "-o endpoints.publish=ipc://${2:-$1}/p -o endpoints.watch=ipc://${2:-$1}/w"
}

# Start seind on store $1 with extra options $2, sockets in $3; wait until
# it answers or exits. Sets $pid (empty when it exited) and $status; the
# log goes to $1.log.
start() {
  # Under the sanitizers a SIGBUS (SQLite's mapped -shm on a read-only
  # store) must kill seind as it does in production, not be reported by
  # ASan as an abort.
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_sigbus=0" \
    "$build/seind" $(conf "$1" "${3:-}") -f $2 >>"$1.log" 2>&1 &
  pid=$!
  status=""
  tries=0
  while [ $tries -lt 100 ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"; status=$?; pid=""; return
    fi
    "$build/seinctl" $(conf "$1" "${3:-}") -t 200 ping >/dev/null 2>&1 && return
    tries=$((tries + 1))
  done
}

# Send signal $1 to seind and wait; its exit status in $status.
stop() {
  status=""
  [ -n "$pid" ] && kill "-$1" "$pid" && { wait "$pid" 2>/dev/null; status=$?; }
  pid=""
}

# $3 signals with external ids $2-1..$2-$3, as JSON lines.
signals() {
  awk -v p="$2" -v n="$3" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"description\":\"Sluikstort aan de glasbol %s-%d\",\"source\":\"citizen\",\"external_id\":\"%s-%d\"}\n", p, i, p, i }'
}
