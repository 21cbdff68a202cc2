// SPDX-License-Identifier: MPL-2.0
// mock-server.js - a stand-in for sein-http's dashboard endpoints, for
// page-only tests of clients/http/dashboard.html (and for working on the
// page without seind).
//
// It serves the page and the bundled conf/areas.geojson and themes as the
// gateway does, keeps an in-memory event log shaped like seind's
// (docs/PROTOCOL.md section 2), and answers /events, /api/signals and
// /api/summary from it. A test adds events with mock.add(event) and
// stops and restarts the listener with mock.stop() / mock.start(port), as
// a gateway restart looks to a browser.
//
//   node tests/browser/mock-server.js [PORT]     (default 8080)
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");
const OPEN = ["new", "acknowledged", "in_progress", "referred", "reopened"];

function themes() {
  return fs.readFileSync(path.join(ROOT, "conf", "themes.tsv"), "utf8").split("\n").slice(1)
    .filter((l) => l.trim()).map((l) => l.split("\t"))
    .map((f) => ({ service_code: f[0], service_name: f[2], description: f[3], metadata: false,
                   type: "realtime", keywords: "", group: "" }));
}

// The area codes of conf/areas.tsv, and triage: what the gateway knows.
function areaCodes() {
  return new Set(["triage"].concat(fs.readFileSync(path.join(ROOT, "conf", "areas.tsv"), "utf8")
    .split("\n").slice(1).filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split("\t")[0])));
}

class Mock {
  constructor() {
    this.events = [];       // the log, seq = index + 1
    this.signals = new Map(); // id -> current state (GET-shaped)
    this.clients = new Set(); // open SSE responses
    this.sockets = new Set();
    this.requests = [];     // "/events?..." as asked, with Last-Event-ID
    this.urls = [];         // every request's path and query
    this.server = null;
    this.overlap = 0;       // resend this many events before Last-Event-ID:
                            // a careless server, for the page's dedupe
    this.after = {};        // path -> a function called once after answering it:
                            // a signal stored while a page loads
    this.areas = areaCodes();
    this.eventsStatus = 0;  // when set, /events alone answers this HTTP error
  }

  // Store EVENT (without seq) as seind would: next seq, and the signal's
  // state for /api/signals. Returns the stored event.
  add(event) {
    const ev = Object.assign({ seq: this.events.length + 1 }, event);
    if (ev.event === "signal") {
      ev.id = ev.id || "sig-" + ev.seq;
      ev.received_at = ev.received_at || new Date().toISOString();
      ev.status = ev.status || "new";
      this.signals.set(ev.id, Object.assign({ reports: 1, overdue: false }, ev));
    } else if (ev.signal) {
      // A signal the mock never stored stands for one older than the
      // page's list: the event carries its own codes then.
      const s = this.signals.get(ev.signal.id) || {};
      ev.at = new Date().toISOString();
      for (const k of ["area", "wijk", "theme", "priority", "source", "teams"]) ev[k] = ev[k] || s[k];
      if (ev.event === "status") s.status = ev.to;
      if (ev.event === "overdue") s.overdue = true;
      if (ev.event === "assign") s.assigned_team = ev.team;
    }
    this.events.push(ev);
    for (const c of this.clients) this.send(c, ev);
    return ev;
  }

  selects(q, ev) {
    const area = q.get("area"), theme = q.get("theme"), team = q.get("team");
    if (area && ev.area !== area && ev.wijk !== area) return false;
    if (theme && ev.theme !== theme) return false;
    if (team && !(ev.teams || []).includes(team)) return false;
    return true;
  }

  send(c, ev) {
    if (this.selects(c.query, ev)) c.res.write("id: " + ev.seq + "\ndata: " + JSON.stringify(ev) + "\n\n");
  }

  handle(req, res) {
    this.urls.push(req.url);
    const url = new URL(req.url, "http://x");
    const q = url.searchParams;
    const json = (body, status) => {
      res.writeHead(status || 200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = (status, description) => json([{ code: status, description }], status);
    // As the gateway: an unknown area or wijk is the same 400 on every
    // dashboard endpoint.
    const dashboard = ["/api/signals", "/api/summary", "/events"].includes(url.pathname);
    const areaName = q.get("area") ? "area" : "wijk", area = q.get(areaName);
    if (dashboard && area && !this.areas.has(area)) {
      error(400, `${areaName}: unknown area '${area}'`);
      return;
    }
    if (url.pathname === "/events" && this.eventsStatus) {
      error(this.eventsStatus, "refused by the test");
      return;
    }
    if (url.pathname === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(fs.readFileSync(path.join(ROOT, "clients", "http", "dashboard.html")));
    } else if (url.pathname === "/areas.geojson") {
      res.writeHead(200, { "Content-Type": "application/geo+json" });
      res.end(fs.readFileSync(path.join(ROOT, "conf", "areas.geojson")));
    } else if (url.pathname === "/open311/v2/services.json") {
      json(themes());
    } else if (url.pathname === "/api/signals") {
      const status = q.get("status");
      const rows = [...this.signals.values()].filter((s) => this.selects(q, s))
        .filter((s) => !status || s.status === status || (status === "open" && OPEN.includes(s.status)))
        .sort((a, b) => b.seq - a.seq).slice(0, Number(q.get("limit") || 50));
      json({ head: this.events.length, signals: rows });
    } else if (url.pathname === "/api/summary") {
      const counts = { days: Number(q.get("days") || 7), themes: {}, open: 0, overdue: 0,
                       head: this.events.length };
      for (const s of this.signals.values()) {
        if (!this.selects(q, s)) continue;
        counts.themes[s.theme] = (counts.themes[s.theme] || 0) + 1;
        if (OPEN.includes(s.status)) counts.open++;
        if (OPEN.includes(s.status) && s.overdue) counts.overdue++;
      }
      json(counts);
    } else if (url.pathname === "/events") {
      // Last-Event-ID (the browser's reconnect) before ?since= (the page's
      // first connect): both resume after that seq.
      const given = req.headers["last-event-id"] || q.get("since");
      const last = Number(given || 0);
      this.requests.push({ url: req.url, last, resumed: !!req.headers["last-event-id"] });
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write("retry: 300\n\n");
      const c = { res, query: q };
      // Without either the stream starts at the head; since=0 is from the first.
      const from = given ? Math.max(0, last - this.overlap) : this.events.length;
      for (const ev of this.events.slice(from)) this.send(c, ev);
      this.clients.add(c);
      req.on("close", () => this.clients.delete(c));
    } else {
      res.writeHead(404);
      res.end();
    }
    const after = this.after[url.pathname];
    delete this.after[url.pathname];
    if (after) after();
  }

  start(port) {
    return new Promise((resolve, reject) => {
      this.server = http.createServer((req, res) => this.handle(req, res));
      this.server.on("connection", (s) => {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
      });
      this.server.once("error", reject);
      this.server.listen(port || 0, "127.0.0.1", () => resolve(this.server.address().port));
    });
  }

  // Close the listener and every connection, as a killed gateway does.
  stop() {
    return new Promise((resolve) => {
      this.clients.clear();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }
}

module.exports = { Mock };

if (require.main === module) {
  const mock = new Mock();
  mock.start(Number(process.argv[2] || 8080)).then((port) => {
    console.log("mock sein-http on http://127.0.0.1:" + port + "/");
  });
}
