// SPDX-License-Identifier: MPL-2.0
// dashboard_mock.js - the dashboard page on its own, in Debian's headless
// Chromium against tests/browser/mock-server.js: what the page must do with
// any gateway that keeps the contract (list, map, live updates, counts,
// filters, escaping, resuming after a restart, a phone's screen).
// tests/browser/dashboard_e2e.js runs the same page against the real
// sein-http and seind.
//
//   node tests/browser/dashboard_mock.js      (exit 0 ok, 1 failed, 77 skipped)
"use strict";
const lib = require("./lib");
const { Mock } = require("./mock-server");
const { check } = lib;

const HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1"><b>bold</b> & "quotes"';

function signal(mock, fields) {
  return mock.add(Object.assign({ event: "signal", source: "citizen", priority: "normal",
                                  status: "new" }, fields));
}

async function main() {
  const mock = new Mock();
  // Before the page opens: two with a point, one without, one finished.
  const a = signal(mock, { description: "Sluikstort aan de Naamsestraat", theme: "afval",
                           area: "heilig-hart", wijk: "heverlee", lat: 50.862, long: 4.699,
                           teams: ["dienst-reiniging", "regie-heilig-hart"] });
  const b = signal(mock, { description: HOSTILE, theme: "jeugd", area: "triage", wijk: "triage",
                           teams: ["triage"] });
  const c = signal(mock, { description: "Boom dreigt om te vallen", theme: "groen",
                           area: "wilsele", wijk: "wilsele", lat: 50.905, long: 4.70,
                           teams: ["dienst-groen"] });
  mock.add({ event: "status", signal: { id: c.id, seq: c.seq }, by: "desk", from: "new", to: "resolved" });
  const port = await mock.start(0);
  // The key in the page's address must go along with every request.
  const url = `http://127.0.0.1:${port}/?api_key=k%2B1`;

  const browser = await lib.launch();
  try {
    const page = await lib.open(browser, url);

    let s = await lib.shown(page);
    check(JSON.stringify(s.rows) === JSON.stringify([c.seq, b.seq, a.seq]),
          `the list holds the stored signals newest first (${s.rows})`);
    check(s.markers.includes(a.seq) && s.markers.includes(c.seq) && !s.markers.includes(b.seq),
          "markers for the signals with a point, none for the one without");
    check(await page.locator("#areas path.wijk").count() === 5 &&
          await page.locator("#areas path.zone").count() === 4,
          "the map draws the 5 wijken and 4 zones of conf/areas.geojson");
    const zonesOnTop = await page.evaluate(() => {
      const p = Array.from(document.querySelectorAll("#areas path"));
      return p.findIndex((e) => e.classList.contains("zone")) >
             p.map((e) => e.classList.contains("wijk")).lastIndexOf(true);
    });
    check(zonesOnTop, "zones are drawn on top of the wijken");
    check(await page.locator(`#list li[data-seq="${c.seq}"] .status`).textContent() === "resolved",
          "a finished signal shows its status");

    // Escaping: the hostile description is text, not markup.
    const desc = await page.locator(`#list li[data-seq="${b.seq}"] .desc`).textContent();
    check(desc === HOSTILE, "a description with markup shows as text");
    check(await page.locator("#list img, #list b").count() === 0 &&
          await page.evaluate(() => !document.body.dataset.pwned), "no markup from the data is parsed");

    // Counts: from /api/summary.
    const count = async (theme) => Number(await page.locator(`#themes li[data-theme="${theme}"] b`)
      .textContent().catch(() => "0"));
    const open0 = Number(await page.locator("#count-open").textContent());
    check(open0 === 2, `open count from the summary (${open0})`);
    const afval0 = await count("afval");

    // A new signal: on the map and at the top of the list within 1 s.
    const d = signal(mock, { description: "Hangjongeren bij het station", theme: "afval",
                             area: "casablanca", wijk: "kessel-lo", lat: 50.885, long: 4.73,
                             teams: ["regie-casablanca", "dienst-reiniging"] });
    const took = await lib.waitShown(page, d.seq, true, 1000);
    check(took >= 0, `a new signal shows on the map and in the list within 1 s (${took} ms)`);
    s = await lib.shown(page);
    check(s.rows[0] === d.seq, "the new signal is at the top of the list");
    check(await page.locator(`#markers circle[data-seq="${d.seq}"]`).getAttribute("fill") ===
          await page.locator(`#markers circle[data-seq="${a.seq}"]`).getAttribute("fill") &&
          await page.locator(`#markers circle[data-seq="${d.seq}"]`).getAttribute("fill") !==
          await page.locator(`#markers circle[data-seq="${c.seq}"]`).getAttribute("fill"),
          "markers are coloured by theme");
    await page.waitForFunction((n) => document.getElementById("count-open").textContent === String(n),
                               open0 + 1, { timeout: 1000 }).catch(() => {});
    check(Number(await page.locator("#count-open").textContent()) === open0 + 1 &&
          await count("afval") === afval0 + 1, "the counts go up with the new signal");

    // Status, overdue and assign events update the row in place.
    mock.add({ event: "overdue", signal: { id: a.id, seq: a.seq }, by: "seind", status: "new" });
    mock.add({ event: "status", signal: { id: a.id, seq: a.seq }, by: "desk", from: "new", to: "in_progress" });
    mock.add({ event: "assign", signal: { id: a.id, seq: a.seq }, by: "desk", team: "dienst-groen" });
    await page.waitForSelector(`#list li[data-seq="${a.seq}"] .badge.overdue`, { timeout: 1000 }).catch(() => {});
    await page.waitForFunction((q) => {
      const li = document.querySelector(`#list li[data-seq="${q}"]`);
      return li && li.querySelector(".status").textContent === "in progress" &&
             li.querySelector(".teams").textContent.includes("dienst-groen");
    }, a.seq, { timeout: 1000 }).catch(() => {});
    const rowA = page.locator(`#list li[data-seq="${a.seq}"]`);
    check(await rowA.locator(".badge.overdue").count() === 1, "an overdue event marks the row");
    check(await rowA.locator(".status").textContent() === "in progress", "a status event updates the badge");
    check((await rowA.locator(".teams").textContent()).includes("dienst-groen"), "an assign event adds the team");
    check(await page.locator(`#markers circle[data-seq="${a.seq}"].overdue`).count() === 1,
          "the overdue signal's marker is marked");
    check(Number(await page.locator("#count-overdue").textContent()) === 1, "the overdue count goes up");
    s = await lib.shown(page);
    check(s.rows.length === 4, "events about a signal add no row");

    // About a signal older than the page's list: no row, but the counts move.
    const open1 = Number(await page.locator("#count-open").textContent());
    mock.add({ event: "status", signal: { id: "older", seq: 1 }, by: "desk", from: "new", to: "closed",
               area: "wilsele", wijk: "wilsele", theme: "groen", teams: ["dienst-groen"] });
    await page.waitForFunction((n) => document.getElementById("count-open").textContent === String(n),
                               open1 - 1, { timeout: 1000 }).catch(() => {});
    check(Number(await page.locator("#count-open").textContent()) === open1 - 1 &&
          (await lib.shown(page)).rows.length === 4,
          "a signal older than the list closing lowers the open count, adds no row");

    // Filters: theme in the page and to the server; status in the page.
    await page.selectOption("#f-theme", "afval");
    await page.waitForFunction(() => document.body.dataset.ready && document.querySelectorAll("#list li").length === 2,
                               null, { timeout: 3000 }).catch(() => {});
    s = await lib.shown(page);
    check(s.rows.length === 2 && s.markers.length === 2, `the theme filter narrows list and map (${s.rows})`);
    check(mock.requests.length > 0 && mock.requests[mock.requests.length - 1].url.includes("theme=afval"),
          "the theme filter is passed to /events");
    await page.selectOption("#f-status", "in_progress");
    s = await lib.shown(page);
    check(JSON.stringify(s.rows) === JSON.stringify([a.seq]), `the status filter narrows the list (${s.rows})`);
    await page.selectOption("#f-status", "");
    await page.selectOption("#f-zone", "casablanca");
    await page.waitForFunction(() => document.querySelectorAll("#list li").length === 1, null, { timeout: 3000 })
      .catch(() => {});
    s = await lib.shown(page);
    check(JSON.stringify(s.rows) === JSON.stringify([d.seq]), `the zone filter narrows the list (${s.rows})`);
    check(mock.requests[mock.requests.length - 1].url.includes("area=casablanca"),
          "the zone is passed to /events as the area");
    check(new URL(page.url()).searchParams.get("zone") === "casablanca" &&
          new URL(page.url()).searchParams.get("api_key") === "k+1", "the filters are kept in the address");
    const teams = await page.locator("#f-team option").allTextContents();
    check(teams.includes("regie-casablanca") && teams.includes("dienst-groen"), "the team filter is filled from the data");
    await page.selectOption("#f-zone", "");
    await page.selectOption("#f-theme", "");
    await page.waitForFunction(() => document.querySelectorAll("#list li").length === 4, null, { timeout: 3000 })
      .catch(() => {});
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 3000 }).catch(() => {});

    // A restart: the gateway goes away, signals are stored meanwhile, it
    // comes back on the same port; the browser resumes with Last-Event-ID.
    // This gateway also resends the event before Last-Event-ID, which the
    // page had from the stream: it must drop it by seq.
    const e = signal(mock, { description: "Ratten bij de containers", theme: "dieren", area: "wilsele",
                             wijk: "wilsele", lat: 50.9, long: 4.69, teams: ["dienst-dierenwelzijn"] });
    check(await lib.waitShown(page, e.seq, true, 1000) >= 0, "a live signal before the restart");
    const before = mock.requests.length;
    const loads = (await lib.shown(page)).syncs;
    mock.overlap = 1;
    await mock.stop();
    await page.waitForSelector('#conn:not([data-state="live"])', { timeout: 3000 }).catch(() => {});
    check(await page.locator("#conn").getAttribute("data-state") !== "live", "the page shows the lost connection");
    const down = [];
    for (let i = 0; i < 3; i++) {
      down.push(signal(mock, { description: "terwijl de gateway weg was " + i, theme: "verkeer",
                               area: "binnenstad", wijk: "binnenstad", lat: 50.88, long: 4.70 + i / 1000,
                               teams: ["dienst-mobiliteit"] }).seq);
    }
    await mock.start(port);
    const after = signal(mock, { description: "na de herstart", theme: "verkeer", area: "binnenstad",
                                 wijk: "binnenstad", teams: ["dienst-mobiliteit"] }).seq;
    check(await lib.waitShown(page, after, false, 8000) >= 0, "the stream resumes after the restart");
    const resumed = mock.requests.slice(before).find((r) => r.resumed && r.last > 0);
    check(resumed !== undefined, "the browser resumed with Last-Event-ID" + (resumed ? ` ${resumed.last}` : ""));
    await lib.checkOnce(page, [a.seq, b.seq, c.seq, d.seq, e.seq].concat(down, [after]), "after the restart");
    s = await lib.shown(page);
    check(s.repeats === 1, `an event sent twice is dropped by seq (${s.repeats})`);
    check(s.syncs === loads, "the browser resumed by itself, without reloading the list");
    check(s.markers.filter((q) => down.includes(q)).length === down.length, "one marker each for the signals stored meanwhile");
    check(await page.locator("#conn").getAttribute("data-state") === "live", "the page shows it is live again");
    // A page opened on a filtered address starts filtered.
    const other = await lib.open(browser, url + "&theme=verkeer&status=new");
    const o = await lib.shown(other);
    check(o.rows.length === down.length + 1 && await other.locator("#f-theme").inputValue() === "verkeer" &&
          await other.locator("#f-status").inputValue() === "new" &&
          mock.requests[mock.requests.length - 1].url.includes("theme=verkeer"),
          `filters from the page's address apply at the start (${o.rows})`);
    await other.close();

    // Signals stored while a page loads, after the list or after the
    // summary: each is listed and counted once, on the whole city and on
    // a filtered page, whose summary the server narrows as its list.
    for (const [when, query] of [["/api/signals", ""], ["/api/summary", ""],
                                 ["/api/signals", "&wijk=wilsele"], ["/api/summary", "&wijk=wilsele"]]) {
      let stored = null;
      mock.after[when] = () => {
        stored = signal(mock, { description: "terwijl de pagina laadt", theme: "groen", area: "wilsele",
                                wijk: "wilsele", lat: 50.9, long: 4.695, teams: ["dienst-groen"] });
      };
      const loading = await lib.open(browser, url + query);
      const what = `a signal stored after ${when} answered${query ? " (" + query.slice(1) + ")" : ""}`;
      check(stored !== null && await lib.waitShown(loading, stored.seq, true, 1000) >= 0, what + " is listed");
      await lib.checkCounts(loading, what);
      await loading.close();
    }
    // A 4xx is shown and ends the retries: an unknown wijk in the address
    // (every endpoint refuses it), or a stream the gateway alone refuses
    // (the browser's EventSource does not say why: the page asks). A 5xx
    // is retried.
    const asked = () => mock.urls.filter((u) => u.startsWith("/api/signals")).length;
    let listed = asked();
    (await lib.checkRefused(browser, url + "&wijk=typo", "unknown area 'typo'",
                            "an unknown wijk")).close();
    check(asked() === listed + 1, `the list was asked once for an unknown wijk (${asked() - listed})`);
    mock.eventsStatus = 403;
    listed = asked();
    (await lib.checkRefused(browser, url, "refused by the test", "a refused stream")).close();
    check(asked() === listed + 1, `the list was asked once for a refused stream (${asked() - listed})`);
    mock.eventsStatus = 503;
    const busy = await browser.newPage();
    await busy.goto(url);
    await busy.waitForFunction(() => Number(document.body.dataset.syncs) >= 2, null, { timeout: 4000 })
      .catch(() => {});
    check((await lib.shown(busy)).syncs >= 2 && !(await busy.evaluate(() => document.body.dataset.refused)),
          "a stream answered 503 is retried from the list");
    mock.eventsStatus = 0;
    await busy.close();

    const keyless = mock.urls.filter((u) => !/^\/(\?|$)/.test(u) && new URL(u, "http://x").searchParams.get("api_key") !== "k+1");
    check(mock.urls.length > 10 && keyless.length === 0,
          "the page's api_key goes along with every request" + (keyless.length ? ` (not: ${keyless})` : ""));
    await lib.finish(page, "dashboard-mock");
  } finally {
    await browser.close();
    await mock.stop().catch(() => {});
  }
  return lib.verdict();
}

main().then((rc) => process.exit(rc), (e) => { console.error(e); process.exit(1); });
