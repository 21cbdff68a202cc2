#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""test_events.py - sein-http's Server-Sent Events against the real seind:
each event's id is its seq and its data the watch stream's JSON; a stream
resumed with Last-Event-ID (or ?since=) goes on with no gap and no repeat,
also across a killed and restarted gateway; filters; heartbeats.

    test_events.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seinhttp import Sein  # noqa: E402

BUILD, SOURCE = sys.argv[1], sys.argv[2]
CHECKS = 0
TEXTS = ["Sluikstort van vuilniszakken aan de hoek", "Luide muziek tot 3 uur 's nachts",
         "Hangjongeren met scooters op het pleintje", "Fietswrak al weken aan de paal",
         "Omgewaaide boom blokkeert het fietspad"]


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(what)


def submit(gateway, count, start):
    for index in range(start, start + count):
        status, _ = gateway.json("POST", "/open311/v2/requests.json", form={
            "description": "%s (%d)" % (TEXTS[index % len(TEXTS)], index),
            "lat": "50.87%02d" % (index % 90), "long": "4.70"})
        check(status == 200, "submit %d: %d" % (index, status))


def read(stream, count):
    events = []
    while len(events) < count:
        event = stream.next()
        check(event is not None, "stream ended after %d of %d" % (len(events), count))
        events.append(event)
    return events


def check_events(events, first):
    """Ids are the seqs, in order from FIRST, without gap or repeat; data is
    the event JSON with that seq, and never personal data."""
    for offset, (event_id, data) in enumerate(events):
        body = json.loads(data)
        check(event_id == str(first + offset), "id %s, expected %d" % (event_id, first + offset))
        check(body["seq"] == first + offset, "data's seq %d for id %s" % (body["seq"], event_id))
        check("reporter" not in body, "an event carries no reporter")


def queued(sein):
    """seind's watch_queued: events sent on watch sessions that no CREDIT
    has covered yet (PING)."""
    out = subprocess.run([os.path.join(BUILD, "seinctl")] + sein.args() + ["ping", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["counters"]["watch_queued"]


def test_slow_browser(sein, gateway, head):
    """A browser that stops reading holds its own session at the credit:
    seind stops sending (a cursor, no queue), and once it reads again
    every event arrives, in order."""
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", gateway.port))
    slow.sendall(b"GET /events HTTP/1.0\r\nHost: test\r\n\r\n")
    count = 3000
    lines = "".join(json.dumps({"description": "%s, %s" % (TEXTS[i % 5], "x" * 1500),
                                "source": "citizen", "external_id": "slow-%d" % i}) + "\n"
                    for i in range(count))
    subprocess.run([os.path.join(BUILD, "sein-submit")] + sein.args() + ["--file", "-"],
                   input=lines, check=True, capture_output=True, text=True)
    # More than the socket buffers on both sides hold (4.5 MB), so the
    # gateway is blocked writing: seind has sent at most the credit.
    deadline = 50
    while queued(sein) == 0 and deadline:
        deadline -= 1
    waiting = queued(sein)
    check(0 < waiting <= 64, "seind holds at most http.credit for a stalled browser: %d"
          % waiting)
    # Now read it all: every event, in order, none lost.
    reader = slow.makefile("rb")
    seqs = []
    while len(seqs) < count:
        line = reader.readline()
        check(line != b"", "the slow stream ended after %d events" % len(seqs))
        if line.startswith(b"id: "):
            seqs.append(int(line[4:]))
    check(seqs == list(range(head + 1, head + 1 + count)), "the slow stream lost or repeated")
    slow.close()


def main():
    sein = Sein(BUILD, SOURCE, overrides=["http.heartbeat=300", "lifecycle.link_radius=0",
                                        "alerts.check=0"])
    try:
        sein.start_seind()
        gateway = sein.start_http()
        # Live only: nothing before it opens.
        submit(gateway, 3, 0)
        live = gateway.stream("/events")
        check(live.status == 200, "events: %d" % live.status)
        check(live.response.getheader("Content-Type").startswith("text/event-stream"),
              "content type")
        submit(gateway, 5, 3)
        events = read(live, 5)
        check_events(events, 4)
        # Heartbeats while idle (http.heartbeat 300 ms here).
        comments = live.comments
        timer = threading.Timer(1.5, submit, (gateway, 1, 8))
        timer.start()
        check_events(read(live, 1), 9)
        timer.join()
        check(live.comments >= comments + 2, "heartbeats while idle: %d" % live.comments)
        live.close()

        # A browser that saw up to seq 6 reconnects with Last-Event-ID.
        submit(gateway, 4, 9)
        resumed = gateway.stream("/events", headers={"Last-Event-ID": "6"})
        check_events(read(resumed, 7), 7)
        resumed.close()
        # ?since=N is the same; since=0 is everything from the first.
        since = gateway.stream("/events?since=0")
        check_events(read(since, 13), 1)
        since.close()

        # The gateway is killed and restarted while events keep coming:
        # the stream resumes after the last id, nothing missing.
        stream = gateway.stream("/events?since=10")
        check_events(read(stream, 3), 11)
        gateway.stop(signal.SIGKILL)
        stream.close()
        other = sein.start_http()  # another gateway submits meanwhile
        submit(other, 4, 13)
        restarted = sein.start_http(port=gateway.port)
        again = restarted.stream("/events", headers={"Last-Event-ID": "13"})
        check_events(read(again, 4), 14)
        again.close()

        # Filters: a theme, and the area of a wijk with its zones.
        afval = restarted.stream("/events?since=0&theme=afval")
        first = json.loads(afval.next()[1])
        check(first["theme"] == "afval", "theme filter: %r" % first["theme"])
        afval.close()
        bad = restarted.stream("/events?priority=whenever")
        check(bad.status == 400, "a bad filter is 400 before the stream: %d" % bad.status)
        bad.close()
        bad = restarted.stream("/events", headers={"Last-Event-ID": "x"})
        check(bad.status == 400, "a bad Last-Event-ID is 400: %d" % bad.status)
        bad.close()
        check(restarted.stop() == 0, "stops cleanly with streams open")
        check(other.stop() == 0, "the other stops cleanly")
    finally:
        sein.cleanup()
    # A seind of its own, whose only watch session is the slow browser's.
    sein = Sein(BUILD, SOURCE, overrides=["lifecycle.link_radius=0", "alerts.check=0"])
    try:
        sein.start_seind()
        gateway = sein.start_http()
        test_slow_browser(sein, gateway, 0)
        check(gateway.stop() == 0, "stops cleanly after the slow browser")
    finally:
        sein.cleanup()
    print("test_events: %d passed, 0 failed" % CHECKS)


if __name__ == "__main__":
    main()
