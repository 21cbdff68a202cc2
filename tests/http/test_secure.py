#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""test_secure.py - sein-http with security.enabled: it connects to seind
with its own key (http.key), and seind's role for that key bounds what the
gateway can forward, whatever the API keys say.

    test_secure.py BUILD_DIR SOURCE_DIR
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seinhttp import Sein  # noqa: E402

BUILD, SOURCE = sys.argv[1], sys.argv[2]
CHECKS = 0


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(what)


def main():
    sein = Sein(BUILD, SOURCE, overrides=["client.timeout=1500"])
    keys = os.path.join(sein.dir, "keys")
    sein.overrides += ["security.enabled=true", "security.keys=" + keys]
    try:
        for name, role in (("seind", "server"), ("http", "admin"), ("form", "submitter")):
            subprocess.run([os.path.join(BUILD, "seinctl")] + sein.args() +
                           ["keygen", name, "--role", role], check=True, capture_output=True)
        sein.start_seind()
        # With security on, the default role of a caller without an API key
        # (http.anonymous_role = auto) is none: refused.
        closed = sein.start_http()
        status, body = closed.json("POST", "/open311/v2/requests.json",
                                   form={"description": "Zwerfvuil aan de bushalte"})
        check(status == 403 and body[0]["code"] == 403,
              "security on: no API key, no entry: %d %r" % (status, body))
        gateway = sein.start_http(extra=["-o", "http.anonymous_role=admin"])
        status, created = gateway.json("POST", "/open311/v2/requests.json",
                                       form={"description": "Zwerfvuil aan de bushalte"})
        check(status == 200, "an admin gateway submits: %d %s" % (status, created))
        status, listed = gateway.json("GET", "/open311/v2/requests.json")
        check(status == 200 and created[0]["service_request_id"] in
              [r["service_request_id"] for r in listed], "and lists")
        stream = gateway.stream("/events?since=0")
        check(stream.status == 200 and stream.next()[0] == "1", "and watches over CURVE")
        stream.close()
        # A gateway whose own key is a submitter's: seind refuses the rest.
        narrow = sein.start_http(extra=["-o", "http.key=form", "-o", "http.anonymous_role=admin"])
        status, _ = narrow.json("POST", "/open311/v2/requests.json",
                                form={"description": "Kapotte straatlamp"})
        check(status == 200, "a submitter's gateway submits: %d" % status)
        status, body = narrow.json("GET", "/open311/v2/requests.json")
        check(status == 403 and body[0]["code"] == 403, "seind's forbidden is 403: %r" % body)
        # No such key: refused at the start.
        status, text = sein.run_http("-o", "http.enabled=true", "-o", "http.key=nobody")
        check(status == 78 and "nobody" in text, "a missing key: %d %s" % (status, text))
    finally:
        sein.cleanup()
    print("test_secure: %d passed, 0 failed" % CHECKS)


if __name__ == "__main__":
    main()
