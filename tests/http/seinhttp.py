# SPDX-License-Identifier: MPL-2.0
"""seinhttp.py - run the real seind and sein-http for the gateway's tests
and benchmark (tests/http/*.py, tests/bench/bench_http.py).

Like tests/sein_harness.c: the shipped conf/sein.cfg, with the store and
ipc:// endpoints in a fresh temporary directory and the data files of
conf/, so the tests exercise the configuration sein ships.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sein:
    """One seind, and any number of sein-http gateways in front of it."""

    def __init__(self, build, source, http_group=None, overrides=()):
        self.build, self.source = build, source
        self.dir = tempfile.mkdtemp(prefix="sein-http-")
        self.seind = None
        self.gateways = []
        self.config = self.write_config("sein.cfg", http_group)
        conf = os.path.join(source, "conf")
        self.overrides = [
            "storage.dir=" + self.dir,
            "storage.synchronous=normal",
            "endpoints.intake=ipc://%s/intake" % self.dir,
            "endpoints.watch=ipc://%s/watch" % self.dir,
            "endpoints.publish=ipc://%s/publish" % self.dir,
        ] + ["data.%s=%s/%s" % (name, conf, file) for name, file in (
            ("areas", "areas.tsv"), ("polygons", "areas.geojson"),
            ("streets", "streets.tsv"), ("themes", "themes.tsv"),
            ("theme_rules", "theme-rules.tsv"),
            ("priority_rules", "priority-rules.tsv"), ("places", "places.tsv"),
            ("theme_model", "theme.model"))] + list(overrides)

    def write_config(self, name, http_group=None):
        """conf/sein.cfg with its http group replaced by HTTP_GROUP (the
        group's body, libconfig text), written private to the directory."""
        with open(os.path.join(self.source, "conf", "sein.cfg")) as file:
            text = file.read()
        if http_group is not None:
            text = re.sub(r"\nhttp = \{.*?\n\};\n", "\nhttp = {\n%s\n};\n" % http_group,
                          text, flags=re.S)
        path = os.path.join(self.dir, name)
        with open(path, "w") as file:
            file.write(text)
        os.chmod(path, 0o600)
        return path

    def args(self, config=None):
        args = ["-c", config or self.config]
        for override in self.overrides:
            args += ["-o", override]
        return args

    def start_seind(self):
        log = open(os.path.join(self.dir, "seind.log"), "ab")
        self.seind = subprocess.Popen(
            [os.path.join(self.build, "seind"), "-f", "--init"] + self.args(),
            stdout=log, stderr=log)
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(self.dir, "intake")):
            if time.time() > deadline or self.seind.poll() is not None:
                raise RuntimeError("seind did not start: see %s/seind.log" % self.dir)
            time.sleep(0.05)

    def stop_seind(self, signum=signal.SIGTERM):
        if self.seind and self.seind.poll() is None:
            self.seind.send_signal(signum)
            self.seind.wait(20)
        self.seind = None

    def start_http(self, config=None, extra=(), port=None, wait=True):
        """Start a gateway; returns a Gateway."""
        port = port or free_port()
        log = open(os.path.join(self.dir, "http-%d.log" % port), "ab")
        process = subprocess.Popen(
            [os.path.join(self.build, "sein-http")] + self.args(config) +
            ["-o", "http.enabled=true", "-o", "http.port=%d" % port] + list(extra),
            stdout=log, stderr=log)
        gateway = Gateway(process, port)
        self.gateways.append(gateway)
        if wait:
            gateway.wait_ready()
        return gateway

    def run_http(self, *extra):
        """Run sein-http to its end (for refusals); returns (status, stderr)."""
        result = subprocess.run([os.path.join(self.build, "sein-http")] + self.args() +
                                list(extra), capture_output=True, text=True, timeout=20)
        return result.returncode, result.stderr

    def cleanup(self):
        for gateway in self.gateways:
            gateway.stop(signal.SIGKILL)
        self.stop_seind(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class Gateway:
    def __init__(self, process, port):
        self.process, self.port = process, port
        self.connection = None

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("sein-http exited with %d" % self.process.returncode)
            try:
                status, _, _ = self.request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("sein-http did not become ready")

    def stop(self, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
            self.process.wait(20)
        return self.process.returncode

    def request(self, method, path, form=None, headers=None, body=None, keep=True):
        """One request on a kept-alive connection: (status, headers, body
        text). FORM (a dict) is sent url-encoded."""
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if not self.connection:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                             timeout=20)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8")
                if not keep or response.getheader("Connection", "") == "close":
                    self.connection.close()
                    self.connection = None
                return response.status, response, text
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise

    def json(self, method, path, **kwargs):
        status, response, text = self.request(method, path, **kwargs)
        assert response.getheader("Content-Type", "").startswith("application/json"), \
            (path, response.getheader("Content-Type"), text)
        return status, json.loads(text)

    def stream(self, path, headers=None):
        """Open an SSE stream: an EventStream."""
        return EventStream(self.port, path, headers)


class EventStream:
    """A text/event-stream reader, as a browser's EventSource parses it."""

    def __init__(self, port, path, headers=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", path, headers=headers or {})
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.comments = 0

    def next(self):
        """The next event as (id, data), comments counted and skipped;
        None at the end of the stream."""
        event_id, data = None, []
        while True:
            line = self.response.readline()
            if not line:
                return None
            line = line.decode("utf-8").rstrip("\n")
            if line == "":
                if data:
                    return event_id, "\n".join(data)
                continue
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                data.append(line[6:])

    def close(self):
        self.connection.close()
