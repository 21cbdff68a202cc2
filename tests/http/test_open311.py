#!/usr/bin/env python3
# SPDX-License-Identifier: MPL-2.0
"""test_open311.py - a real Open311 client exchange against sein-http and
seind: create, list, get and errors, every answer validated against a
JSON schema of GeoReport v2 written from the spec
(tests/http/georeport-v2.schema.json); retries; personal data; API keys
and roles; the config switch; seind down.

    test_open311.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter

import jsonschema
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seinhttp import Gateway, Sein  # noqa: E402

BUILD, SOURCE = sys.argv[1], sys.argv[2]
with open(os.path.join(SOURCE, "tests", "http", "georeport-v2.schema.json")) as schema_file:
    SCHEMA = json.load(schema_file)
CHECKS = 0


def check(condition, what):
    global CHECKS
    CHECKS += 1
    if not condition:
        raise AssertionError(what)


def valid(instance, definition):
    jsonschema.validate(instance, {"$ref": "#/definitions/" + definition,
                                   "definitions": SCHEMA["definitions"]})


def error_is(gateway, method, path, status, fragment=None, **kwargs):
    got, body = gateway.json(method, path, **kwargs)
    check(got == status, "%s %s: %d, expected %d: %s" % (method, path, got, status, body))
    valid(body, "errors")
    check(body[0]["code"] == status, "error code %r for %d" % (body[0]["code"], status))
    if fragment:
        check(fragment in body[0]["description"],
              "%s %s: %r not in %r" % (method, path, fragment, body[0]["description"]))
    return body


PERSONAL = {"first_name": "Annelies", "last_name": "Vandermeulen-Qx",
            "email": "annelies.qx@example.be", "phone": "+32470998877"}


def personal_free(text, where):
    for value in PERSONAL.values():
        check(value not in text, "%s shows personal data %r" % (where, value))
    check('"reporter"' not in text, where + " shows a reporter")


def test_services(gateway):
    status, services = gateway.json("GET", "/open311/v2/services.json")
    check(status == 200, "services: %d" % status)
    valid(services, "services")
    with open(os.path.join(SOURCE, "conf", "themes.tsv")) as themes:
        codes = [line.split("\t")[0] for line in themes.read().splitlines()[1:]
                 if line and not line.startswith("#")]
    codes = [code for code in codes if code != "triage"]
    check([s["service_code"] for s in services] == codes,
          "services %r, themes %r" % ([s["service_code"] for s in services], codes))
    check(all(s["metadata"] is False and s["type"] == "realtime" for s in services),
          "metadata false, type realtime")


def test_create_get_list(gateway):
    key = str(uuid.uuid4())
    form = dict(PERSONAL, service_code="afval", lat="50.8790", long="4.7010",
                description="Sluikstort van matrassen naast de glasbol",
                media_url="https://example.be/photo/1.jpg", jurisdiction_id="leuven")
    status, created = gateway.json("POST", "/open311/v2/requests.json", form=form,
                                   headers={"Idempotency-Key": key})
    check(status == 200, "create: %d %s" % (status, created))
    valid(created, "post_response")
    first = created[0]["service_request_id"]
    # A retry with the same id is the same request, stored once.
    status, again = gateway.json("POST", "/open311/v2/requests.json", form=form,
                                 headers={"Idempotency-Key": key})
    check(status == 200 and again[0]["service_request_id"] == first,
          "retry gave %r, first %r" % (again, first))
    # The id as a form field does the same.
    form2 = dict(PERSONAL, address_string="Naamsestraat 45",
                 description="Luide muziek tot 3 uur 's nachts, elk weekend",
                 external_id="form-" + key)
    _, second = gateway.json("POST", "/open311/v2/requests.json", form=form2)
    _, second_again = gateway.json("POST", "/open311/v2/requests.json", form=form2)
    second = second[0]["service_request_id"]
    check(second_again[0]["service_request_id"] == second, "external_id field retry")
    check(second != first, "two requests, two ids")
    # Multipart, as the spec allows; no service_code: seind classifies.
    boundary = "sein" + uuid.uuid4().hex
    parts = {"description": "Hangjongeren met scooters op het pleintje, elke avond",
             "address_string": "Naamsesteenweg 150, Heverlee"}
    body = "".join('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                   % (boundary, name, value) for name, value in parts.items())
    body += "--%s--\r\n" % boundary
    status, third = gateway.json(
        "POST", "/open311/v2/requests.json", body=body.encode(),
        headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    check(status == 200, "multipart: %d %s" % (status, third))
    third = third[0]["service_request_id"]

    status, one = gateway.json("GET", "/open311/v2/requests/%s.json" % first)
    check(status == 200, "get: %d" % status)
    valid(one, "requests")
    request = one[0]
    check(request["service_request_id"] == first, "get's id")
    check(request["status"] == "open" and request["service_code"] == "afval",
          "status/service_code %r" % request)
    check(request["lat"] == 50.879 and request["long"] == 4.701, "point %r" % request)
    check(request["media_url"] == form["media_url"], "media_url")
    check(request["agency_responsible"], "agency_responsible names the teams")
    check(request["description"] == form["description"], "description")
    _, _, text = gateway.request("GET", "/open311/v2/requests/%s.json" % first)
    personal_free(text, "GET request")
    _, classified = gateway.json("GET", "/open311/v2/requests/%s.json" % third)
    check(classified[0]["service_code"] == "jeugd",
          "seind classified %r" % classified[0]["service_code"])
    check(classified[0]["address"] == parts["address_string"], "address")

    status, listed = gateway.json("GET", "/open311/v2/requests.json")
    check(status == 200, "list: %d" % status)
    valid(listed, "requests")
    ids = [r["service_request_id"] for r in listed]
    check({first, second, third} <= set(ids), "list has the three: %r" % ids)
    _, _, text = gateway.request("GET", "/open311/v2/requests.json")
    personal_free(text, "GET requests")
    _, _, text = gateway.request("GET", "/api/signals?limit=1000")
    personal_free(text, "GET /api/signals")

    _, some = gateway.json("GET", "/open311/v2/requests.json?service_request_id=%s,%s"
                           % (third, first))
    valid(some, "requests")
    check([r["service_request_id"] for r in some] == [third, first], "ids in order")
    _, afval = gateway.json("GET", "/open311/v2/requests.json?service_code=afval")
    valid(afval, "requests")
    check(afval and all(r["service_code"] == "afval" for r in afval), "service_code filter")
    check(first in [r["service_request_id"] for r in afval], "afval has the first")
    # The spec's comma-separated lists: several codes, several states.
    _, jeugd = gateway.json("GET", "/open311/v2/requests.json?service_code=jeugd")
    _, both = gateway.json("GET", "/open311/v2/requests.json?service_code=afval,jeugd,afval")
    valid(both, "requests")
    expected = sorted(afval + jeugd, key=lambda r: r["requested_datetime"], reverse=True)
    check(jeugd and [r["service_request_id"] for r in both] ==
          [r["service_request_id"] for r in expected],
          "service_code=afval,jeugd is both lists, newest first, each once")
    _, every = gateway.json("GET", "/open311/v2/requests.json?status=open,closed")
    check([r["service_request_id"] for r in every] == ids, "status=open,closed is every state")
    _, closed = gateway.json("GET", "/open311/v2/requests.json?status=closed")
    check(not set(ids) & {r["service_request_id"] for r in closed}, "none closed yet")
    _, opened = gateway.json("GET", "/open311/v2/requests.json?status=open")
    check(first in [r["service_request_id"] for r in opened], "open has the first")
    _, future = gateway.json("GET", "/open311/v2/requests.json?start_date=2999-01-01T00:00:00Z")
    check(future == [], "nothing after 2999: %r" % future)
    _, past = gateway.json("GET", "/open311/v2/requests.json?start_date=2000-01-01"
                           "&end_date=2999-01-01")
    check(first in [r["service_request_id"] for r in past], "dates include the first")

    status, summary = gateway.json("GET", "/api/summary?days=7")
    check(status == 200 and summary["days"] == 7, "summary %r" % summary)
    check(summary["themes"].get("afval", 0) >= 1 and summary["open"] >= 3,
          "summary counts %r" % summary)
    return first


OPEN = ("new", "acknowledged", "in_progress", "referred", "reopened")


def listed_counts(gateway, query):
    """What /api/summary must say for QUERY, counted from /api/signals with
    the same filters (every signal here is from the last 7 days): (head,
    {theme: count}, open, overdue)."""
    status, listed = gateway.json("GET", "/api/signals?limit=1000&" + query)
    check(status == 200, "signals?%s: %d %r" % (query, status, listed))
    rows = listed["signals"]
    check(len(rows) < 1000, "the list holds every signal")
    opened = [row for row in rows if row["status"] in OPEN]
    return (listed["head"], dict(Counter(row["theme"] for row in rows)), len(opened),
            sum(1 for row in opened if row["overdue"]))


def summary_of(gateway, query):
    status, summary = gateway.json("GET", "/api/summary?days=7&" + query)
    check(status == 200, "summary?%s: %d %r" % (query, status, summary))
    check(isinstance(summary["head"], int), "the summary has a head: %r" % summary)
    return summary


def test_summary(gateway):
    """/api/summary narrows by area, wijk, theme, priority and team as
    /api/signals does, and says the head its counts reflect, also while
    signals arrive."""
    for index, (text, lat, lon) in enumerate([
            ("Sluikstort van vuilniszakken aan de hoek", "50.8820", "4.7290"),  # casablanca
            ("Luide muziek tot 3 uur 's nachts", "50.8820", "4.7290"),
            ("Sluikstort van vuilniszakken bij de kerk", "50.8620", "4.6950"),  # heilig-hart
            ("Omgewaaide boom blokkeert het fietspad", "50.9005", "4.6960")]):  # wilsele
        status, _ = gateway.json("POST", "/open311/v2/requests.json", form={
            "description": "%s (%d)" % (text, index), "lat": lat, "long": lon})
        check(status == 200, "submit for the summary: %d" % status)
    everything = summary_of(gateway, "")
    total = sum(everything["themes"].values())
    for query in ("", "area=casablanca", "wijk=kessel-lo", "area=heverlee",
                  "wijk=kessel-lo&area=casablanca", "theme=afval", "theme=afval&wijk=heverlee",
                  "team=dienst-reiniging", "priority=normal"):
        summary = summary_of(gateway, query)
        head, themes, opened, overdue = listed_counts(gateway, query)
        got = (summary["head"], summary["themes"], summary["open"], summary["overdue"])
        check(got == (head, themes, opened, overdue),
              "summary?%s %r, the list says %r" % (query, got, (head, themes, opened, overdue)))
        if query and not query.startswith("priority"):
            check(0 < sum(themes.values()) < total, "%s narrows the counts: %r" % (query, themes))
    check(set(summary_of(gateway, "theme=afval")["themes"]) == {"afval"}, "theme narrows")
    zone = sum(summary_of(gateway, "area=casablanca")["themes"].values())
    check(sum(summary_of(gateway, "wijk=kessel-lo")["themes"].values()) >= zone >= 2,
          "a wijk's counts include its zones")
    error_is(gateway, "GET", "/api/summary?days=0", 400, "days")
    error_is(gateway, "GET", "/api/summary?theme=caf%E9", 400, "theme")

    # While another client submits: every summary's counts are those of
    # the signals up to its head, none more, none fewer.
    other = Gateway(gateway.process, gateway.port)
    started, done = threading.Event(), threading.Event()

    def submit():
        index = 0
        while not done.is_set() and index < 400:
            index += 1
            other.json("POST", "/open311/v2/requests.json", form={
                "description": "Zwerfvuil langs de Dijle (%d)" % index, "service_code": "afval"})
            started.set()
            time.sleep(0.002)

    thread = threading.Thread(target=submit)
    thread.start()
    summaries = []
    try:
        check(started.wait(10), "the other client submits")
        while len(summaries) < 40 or (len({s["head"] for s in summaries}) < 10 and
                                      len(summaries) < 400):
            summaries.append(summary_of(gateway, ""))
    finally:
        done.set()
        thread.join()
    _, listed = gateway.json("GET", "/api/signals?limit=1000")
    check(len(listed["signals"]) < 1000, "the list holds every signal")
    heads = sorted({summary["head"] for summary in summaries})
    check(len(heads) > 10, "signals arrived between the summaries: heads %r" % heads)
    for summary in summaries:
        rows = [row for row in listed["signals"] if row["seq"] <= summary["head"]]
        themes = dict(Counter(row["theme"] for row in rows))
        check(summary["themes"] == themes and summary["open"] == len(rows),
              "a summary at head %d: %r, %d open; the signals up to it: %r, %d" % (
                  summary["head"], summary["themes"], summary["open"], themes, len(rows)))


def test_errors(gateway):
    error_is(gateway, "GET", "/open311/v2/requests/%s.json" % uuid.uuid4(), 404)
    error_is(gateway, "GET", "/open311/v2/requests/nonsense.json", 404)
    error_is(gateway, "GET", "/open311/v2/services.xml", 404)
    error_is(gateway, "GET", "/nope", 404)
    body = error_is(gateway, "PUT", "/open311/v2/requests.json", 405)
    status, response, _ = gateway.request("DELETE", "/api/summary")
    check(status == 405 and response.getheader("Allow") == "GET, HEAD",
          "a 405 says what is allowed: %r" % response.getheader("Allow"))
    status, response, _ = gateway.request("PUT", "/open311/v2/requests.json")
    check(response.getheader("Allow") == "GET, HEAD, POST", "POST is allowed on requests.json")
    error_is(gateway, "POST", "/open311/v2/services.json", 405, form={})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "description",
             form={"lat": "50.87", "long": "4.70"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "lat",
             form={"description": "Kapotte lamp", "lat": "north", "long": "4.7"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "long",
             form={"description": "Kapotte lamp", "lat": "50.8"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "service_code",
             form={"description": "Kapotte lamp", "service_code": "nope"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "email",
             form={"description": "Kapotte lamp", "email": "not-an-address"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "form",
             body=b'{"description": "json"}', headers={"Content-Type": "application/json"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 413,
             form={"description": "x" * 70000})
    error_is(gateway, "GET", "/open311/v2/requests.json?status=pending", 400, "status")
    error_is(gateway, "GET", "/open311/v2/requests.json?status=open,pending", 400, "status")
    error_is(gateway, "GET", "/open311/v2/requests.json?start_date=yesterday", 400)
    error_is(gateway, "GET", "/api/signals?limit=0", 400, "limit")
    error_is(gateway, "GET", "/events?area=atlantis", 400, "area")
    # An unknown area, wijk, theme or priority: the same 400 from every
    # dashboard endpoint (LIST alone would answer an empty 200, and a page
    # on a typo would wait for a stream that seind refuses).
    for name, kind in (("area", "area"), ("wijk", "area"), ("theme", "theme"),
                       ("priority", "priority"), ("team", "team")):
        bodies = [error_is(gateway, "GET", "%s?%s=atlantis" % (path, name), 400,
                           "%s: unknown %s 'atlantis'" % (name, kind))
                  for path in ("/api/signals", "/api/summary", "/events")]
        check(bodies[0] == bodies[1] == bodies[2], "one error for all three: %r" % bodies)
    error_is(gateway, "GET", "/events?area=heverlee,atlantis", 400, "unknown area 'atlantis'")
    error_is(gateway, "GET", "/events?theme=afval,atlantis", 400, "unknown theme 'atlantis'")
    error_is(gateway, "GET", "/events?priority=high,Urgent", 400, "unknown priority 'Urgent'")
    error_is(gateway, "GET", "/events?team=wijkmanager-heverlee,atlantis", 400,
             "unknown team 'atlantis'")
    error_is(gateway, "GET", "/open311/v2/requests.json?service_code=afval,nope", 400,
             "service_code: unknown service 'nope'")
    # The area is checked first, then the theme, then the priority.
    error_is(gateway, "GET", "/api/signals?priority=x&theme=y&wijk=z", 400,
             "wijk: unknown area 'z'")
    error_is(gateway, "GET", "/api/summary?priority=x&theme=y", 400, "theme: unknown theme 'y'")
    # Known codes still answer.
    for query in ("area=triage", "wijk=heverlee", "area=casablanca&wijk=heverlee",
                  "theme=triage", "theme=afval&priority=urgent", "priority=low"):
        for path in ("/api/signals", "/api/summary"):
            status, body = gateway.json("GET", "%s?%s" % (path, query))
            check(status == 200, "%s?%s: %d %r" % (path, query, status, body))
    for query in ("wijk=heverlee", "theme=afval,triage&priority=normal,high"):
        stream = gateway.stream("/events?" + query)
        check(stream.status == 200, "events?%s: %d" % (query, stream.status))
        stream.close()
    # Not UTF-8: named, never dropped (a dropped filter would match all).
    error_is(gateway, "GET", "/events?area=%FF", 400, "area")
    error_is(gateway, "GET", "/api/signals?theme=caf%E9", 400, "theme")
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "description",
             body=b"description=caf%E9", headers={"Content-Type":
                                                   "application/x-www-form-urlencoded"})
    error_is(gateway, "POST", "/open311/v2/requests.json", 400, "Idempotency-Key",
             form={"description": "Kapotte lamp"}, headers={"Idempotency-Key": b"\xff"})


API_KEYS = """  api_keys = (
    { key = "submit-key-0123456789"; name = "fixmystreet"; role = "submitter"; },
    { key = "staff-key-0123456789"; name = "dash-reiniging"; role = "staff";
      teams = [ "dienst-reiniging" ]; },
    { key = "watch-key-0123456789"; name = "screen"; role = "watcher";
      teams = [ "dienst-reiniging", "dienst-groen" ]; }
  );
  anonymous_role = "none";"""


def test_keys(sein, first):
    config = sein.write_config("keys.cfg", API_KEYS)
    gateway = sein.start_http(config)
    try:
        check(gateway.request("GET", "/healthz")[0] == 200, "healthz needs no key")
        check(gateway.request("GET", "/open311/v2/services.json")[0] == 200,
              "services need no key")
        error_is(gateway, "POST", "/open311/v2/requests.json", 403, form={"description": "x"})
        error_is(gateway, "GET", "/open311/v2/requests.json", 403,
                 headers={"X-API-Key": "unknown-key-0123456789"})
        submit = {"X-API-Key": "submit-key-0123456789"}
        status, created = gateway.json("POST", "/open311/v2/requests.json",
                                       form={"description": "Omgewaaide boom op het fietspad",
                                             "service_code": "groen"}, headers=submit)
        check(status == 200, "submitter may submit: %d %s" % (status, created))
        error_is(gateway, "GET", "/open311/v2/requests.json", 403, "submitter", headers=submit)
        error_is(gateway, "GET", "/events", 403, headers=submit)
        # The api_key parameter works as the header does.
        status, _ = gateway.json("POST", "/open311/v2/requests.json?api_key=submit-key-0123456789",
                                 form={"description": "Zwerfvuil langs de Dijle"})
        check(status == 200, "api_key parameter: %d" % status)
        # staff of dienst-reiniging: afval is routed there, groen is not.
        staff = {"X-API-Key": "staff-key-0123456789"}
        status, one = gateway.json("GET", "/open311/v2/requests/%s.json" % first, headers=staff)
        check(status == 200, "staff sees its team's request: %d" % status)
        error_is(gateway, "GET", "/open311/v2/requests/%s.json"
                 % created[0]["service_request_id"], 404, headers=staff)
        status, listed = gateway.json("GET", "/open311/v2/requests.json", headers=staff)
        check(status == 200 and listed and
              all("dienst-reiniging" in r["agency_responsible"] for r in listed),
              "staff's list is its team's")
        error_is(gateway, "GET", "/api/signals?team=dienst-groen", 403, headers=staff)
        error_is(gateway, "POST", "/open311/v2/requests.json", 403, headers=staff,
                 form={"description": "x"})
        watch = {"X-API-Key": "watch-key-0123456789"}
        error_is(gateway, "GET", "/events?team=wijkzorgteam", 403, headers=watch)
        error_is(gateway, "GET", "/api/signals", 403, headers=watch)
        stream = gateway.stream("/events?since=0", headers=watch)
        check(stream.status == 200, "watcher may watch: %d" % stream.status)
        event = json.loads(stream.next()[1])
        check({"dienst-reiniging", "dienst-groen"} & set(event["teams"]),
              "the watcher's stream is narrowed to its teams: %r" % event["teams"])
        stream.close()
        error_is(gateway, "GET", "/metrics", 403)
        status, _, metrics = gateway.request("GET", "/metrics", headers=watch)
        check(status == 200, "a watcher may read the metrics: %d" % status)
        # Read as Prometheus reads it: every line must parse.
        samples = {}
        for family in text_string_to_metric_families(metrics):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        check(samples.get(("sein_up", ())) == 1, "sein_up 1")
        check(samples.get(("sein_signals_accepted_total", ())) >= 2, "seind's counters")
        forbidden = samples.get(("sein_http_requests_total", (
            ("code", "403"), ("path", "/open311/v2/requests.json"))))
        # No key, an unknown key, a submitter listing, staff submitting.
        check(forbidden == 4, "the 403s on requests.json counted: %r" % forbidden)
        check(samples.get(("sein_http_sse_clients", ())) is not None, "SSE clients")
    finally:
        gateway.stop()
    # A malformed key list is refused with its line.
    bad = sein.write_config("bad.cfg", '  api_keys = ( { key = "short"; role = "admin"; } );')
    status, text = sein.run_http("-c", bad, "-o", "http.enabled=true")
    check(status == 78 and "bad.cfg:" in text and "http.api_keys" in text,
          "bad key list: %d %s" % (status, text))


def main():
    sein = Sein(BUILD, SOURCE, overrides=["client.timeout=1500"])
    try:
        # Off by default: refused, exit 78, unless forced.
        status, text = sein.run_http()
        check(status == 78 and "http.enabled" in text, "disabled: %d %s" % (status, text))
        sein.start_seind()
        gateway = sein.start_http()
        test_services(gateway)
        first = test_create_get_list(gateway)
        test_summary(gateway)
        test_errors(gateway)
        test_keys(sein, first)
        # seind gone: 503 in the spec's shape, and /healthz says so.
        sein.stop_seind()
        error_is(gateway, "POST", "/open311/v2/requests.json", 503,
                 form={"description": "Kapotte lamp"})
        check(gateway.request("GET", "/healthz")[0] == 503, "healthz 503 without seind")
        status = gateway.stop()
        if status:
            os.system("cat %s/http-%d.log >&2" % (sein.dir, gateway.port))
        check(status == 0, "sein-http stops cleanly on SIGTERM: %d" % status)
    finally:
        sein.cleanup()
    print("test_open311: %d passed, 0 failed" % CHECKS)


if __name__ == "__main__":
    main()
