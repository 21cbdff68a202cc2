// SPDX-License-Identifier: MPL-2.0
// dashboard_e2e.js - the dashboard end to end (issue 16): the real seind
// and sein-http on free endpoints in a temporary directory, the page in
// Debian's headless Chromium, signals submitted with sein-submit.
//   - a signal shows on the map (a marker with its seq) and at the top of
//     the list within 1 s of its ack;
//   - sein-http is killed, signals are submitted while it is down and
//     after it is back on the same port: the page resumes the stream
//     (Last-Event-ID) with no signal missing and none twice;
//   - pages loaded while signals keep arriving list each signal once, and
//     their counts equal their lists' (list, summary and stream meet at
//     their heads);
//   - screenshots of a desktop and a phone viewport are kept.
//
//   SEIN_BINARY_DIR=build node tests/browser/dashboard_e2e.js
//   (exit 0 ok, 1 failed, 77 skipped)
"use strict";
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { spawn, execFileSync } = require("child_process");
const lib = require("./lib");
const { check } = lib;

const ROOT = path.join(__dirname, "..", "..");
const BUILD = path.resolve(process.env.SEIN_BINARY_DIR || path.join(ROOT, "build"));
// Waits for the programs, stretched for a sanitizer or valgrind build.
const SCALE = Math.max(1, Number(process.env.SEIN_TIMEOUT_SCALE || 1));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sein-browser-"));
const conf = ["-c", path.join(ROOT, "conf", "sein.cfg"), "-o", "storage.dir=" + dir,
              "-o", `endpoints.intake=ipc://${dir}/i`, "-o", `endpoints.publish=ipc://${dir}/p`,
              "-o", `endpoints.watch=ipc://${dir}/w`];
const children = new Set();

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function start(program, args, log) {
  const out = fs.openSync(path.join(dir, log), "a");
  const child = spawn(path.join(BUILD, program), args, { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  child.name = program;
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

// Send SIGNAL and wait for the exit; resolves to the exit code (null when
// killed by a signal).
function stop(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

function tail(log) {
  try { return fs.readFileSync(path.join(dir, log), "utf8").split("\n").slice(-8).join("\n"); }
  catch (e) { return ""; }
}

async function until(what, probe, ms) {
  const deadline = Date.now() + ms * SCALE;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(50);
  }
  throw new Error("timed out waiting for " + what);
}

function seinctlPing() {
  try {
    execFileSync(path.join(BUILD, "seinctl"), conf.concat(["-t", "200", "ping"]), { stdio: "ignore" });
    return true;
  } catch (e) { return false; }
}

function seinctl(args) {
  execFileSync(path.join(BUILD, "seinctl"), conf.concat(args), { stdio: "ignore" });
}

async function httpOk(url) {
  try { return (await fetch(url)).status === 200; } catch (e) { return false; }
}

let submitted = 0;
// Submit one signal with sein-submit; returns its seq from the ack.
function submit(fields) {
  const args = conf.concat(["--json", "-s", "citizen", "-e", "browser-" + ++submitted]);
  for (const [k, v] of Object.entries(fields)) args.push("--" + k, String(v));
  const out = execFileSync(path.join(BUILD, "sein-submit"), args, { encoding: "utf8" });
  const ack = JSON.parse(out.trim().split("\n").pop());
  if (ack.status !== "accepted" || typeof ack.seq !== "number") throw new Error("not accepted: " + out);
  return ack.seq;
}

async function main() {
  for (const p of ["seind", "sein-http", "sein-submit", "seinctl"]) {
    if (!fs.existsSync(path.join(BUILD, p))) throw new Error(`${BUILD}/${p} is missing (SEIN_BINARY_DIR)`);
  }
  const browser = await lib.launch();
  try {
    start("seind", conf.concat(["-f", "--init"]), "seind.log");
    await until("seind", seinctlPing, 10000).catch((e) => { throw new Error(e.message + "\n" + tail("seind.log")); });
    const port = await freePort();
    const httpArgs = conf.concat(["-o", "http.enabled=true", "-o", "http.port=" + port]);
    let gateway = start("sein-http", httpArgs, "sein-http.log");
    const url = `http://127.0.0.1:${port}/`;
    await until("sein-http", () => httpOk(url + "healthz"), 10000)
      .catch((e) => { throw new Error(e.message + "\n" + tail("sein-http.log")); });

    const page = await lib.open(browser, url, SCALE);
    check(await page.locator("#areas path").count() === 9, "the map draws the configured areas");

    // Live: on the map and in the list within a second of the ack.
    const first = submit({ description: "Sluikstort aan de Naamsestraat, zakken vuilnis",
                           lat: 50.8625, long: 4.6995 });
    const took = await lib.waitShown(page, first, true, 1000 * SCALE);
    check(took >= 0, `a submitted signal shows on the map and in the list within 1 s (${took} ms)`);
    const noPoint = submit({ description: "Hangjongeren maken lawaai 's nachts" });
    check(await lib.waitShown(page, noPoint, false, 1000 * SCALE) >= 0, "a signal without a point is listed");
    let s = await lib.shown(page);
    check(s.rows[0] === noPoint && !s.markers.includes(noPoint), "newest first, and no marker without a point");
    const theme = await page.locator(`#markers circle[data-seq="${first}"]`).getAttribute("data-theme");
    check(theme && Number(await page.locator(`#themes li[data-theme="${theme}"] b`).textContent()) >= 1,
          `the theme count includes it (${theme})`);

    // Lifecycle events from seinctl update the rows and the counts.
    const open0 = Number(await page.locator("#count-open").textContent());
    seinctl(["set-status", String(first), "in_progress"]);
    seinctl(["assign", String(first), "dienst-groen"]);
    seinctl(["set-status", String(noPoint), "resolved"]);
    const updated = await page.waitForFunction(([a, b, n]) => {
      const row = (q) => document.querySelector(`#list li[data-seq="${q}"]`);
      return row(a).querySelector(".status").textContent === "in progress" &&
             row(a).querySelector(".teams").textContent.includes("dienst-groen") &&
             row(b).querySelector(".status").textContent === "resolved" &&
             document.getElementById("count-open").textContent === String(n);
    }, [first, noPoint, open0 - 1], { timeout: 1000 * SCALE }).then(() => true, () => false);
    check(updated, "status and assign events update the rows and the open count within 1 s");

    // The gateway dies; signals are stored meanwhile; it comes back.
    await stop(gateway, "SIGKILL");
    await page.waitForSelector('#conn:not([data-state="live"])', { timeout: 5000 * SCALE }).catch(() => {});
    check(await page.locator("#conn").getAttribute("data-state") !== "live", "the page shows the lost stream");
    const down = [];
    for (let i = 0; i < 3; i++) {
      down.push(submit({ description: `Fietswrak aan de Tiensestraat ${i}`, lat: 50.877, long: 4.705 + i / 1000 }));
    }
    gateway = start("sein-http", httpArgs, "sein-http.log");
    await until("sein-http again", () => httpOk(url + "healthz"), 10000)
      .catch((e) => { throw new Error(e.message + "\n" + tail("sein-http.log")); });
    const after = [];
    for (let i = 0; i < 2; i++) {
      after.push(submit({ description: `Straatlamp kapot in de Bondgenotenlaan ${i}`, lat: 50.879, long: 4.707 + i / 1000 }));
    }
    const last = after[after.length - 1];
    check(await lib.waitShown(page, last, true, 10000 * SCALE) >= 0, "the stream resumes after the restart");
    await sleep(300);   // room for a repeat to show, should the stream send one
    const all = [first, noPoint].concat(down, after);
    await lib.checkOnce(page, all, "across the restart");
    s = await lib.shown(page);
    check(s.repeats === 0, `the stream resent no event (${s.repeats} dropped as repeats)`);
    check(s.syncs === 1, `the browser resumed the stream itself, with Last-Event-ID (${s.syncs} loads)`);
    check(all.filter((q) => q !== noPoint).every((q) => s.markers.filter((m) => m === q).length === 1),
          "each signal with a point has one marker");
    check(s.conn === "live", "the page shows it is live again");
    await lib.checkCounts(page, "after the restart");
    await page.close();

    // A wijk that does not exist: sein-http refuses the list, the counts
    // and the stream alike, and the page says so instead of retrying.
    (await lib.checkRefused(browser, url + "?wijk=typo", "area: unknown area 'typo'",
                            "an unknown wijk", SCALE)).close();

    // Pages loaded while signals keep arriving (one sein-submit fed a line
    // every 20 ms until they are loaded; at most 380, so that the filtered
    // page's list of 200 holds all it selects), on the whole city and on a
    // wijk and theme: once it stops,
    // each lists every signal it selects once, and its counts are its
    // list's: the list, the summary and the stream met at their heads.
    const trickle = spawn(path.join(BUILD, "sein-submit"), conf.concat(["--json", "--file", "-"]),
                          { stdio: ["pipe", "pipe", "inherit"] });
    let acks = "";
    trickle.stdout.on("data", (d) => { acks += d; });
    const ended = new Promise((resolve) => trickle.on("exit", resolve));
    const TRICKLE = [["Sluikstort van vuilniszakken", 50.852, 4.7025],
                     ["Luide muziek tot 3 uur 's nachts", 50.889, 4.7415],
                     ["Omgewaaide boom blokkeert het fietspad", 50.880, 4.703],
                     ["Sluikstort van bouwafval", 50.889, 4.7415]];
    let sent = 0;
    const feeder = setInterval(() => {
      if (sent === 380) return;
      const [text, lat, long] = TRICKLE[sent % TRICKLE.length];
      trickle.stdin.write(JSON.stringify({ description: `${text} (${sent})`, source: "citizen", lat, long,
                                           external_id: "trickle-" + sent }) + "\n");
      sent++;
    }, 20);
    const loads = [["", () => true], ["?wijk=heverlee&theme=afval",
                                      (a) => a.wijk === "heverlee" && a.theme === "afval"]];
    const pages = [];
    try {
      for (const [query] of loads) pages.push(await lib.open(browser, url + query, SCALE));
    } finally {
      clearInterval(feeder);
      trickle.stdin.end();
    }
    check(await ended === 0 && sent > 20, `sein-submit stored ${sent} signals while the pages loaded`);
    const trickled = acks.trim().split("\n").map((line) => JSON.parse(line));
    for (let i = 0; i < loads.length; i++) {
      const [query, selects] = loads[i];
      const want = trickled.filter(selects).map((a) => a.seq);
      const head = Number(await pages[i].evaluate(() => document.body.dataset.head));
      check(want.some((q) => q <= head) && want.some((q) => q > head),
            `page ${query || "/"} loaded while its signals arrived (head ${head})`);
      check(await lib.waitShown(pages[i], Math.max(...want), false, 2000 * SCALE) >= 0,
            `page ${query || "/"} has the last of them`);
      await sleep(200);
      await lib.checkOnce(pages[i], query ? want : all.concat(want), `page ${query || "/"}`);
      await lib.checkCounts(pages[i], `page ${query || "/"}`);
      check((await lib.shown(pages[i])).repeats === 0, `page ${query || "/"}: no event twice`);
      if (i) await pages[i].close();
    }
    await lib.finish(pages[0], "dashboard");
  } finally {
    await browser.close();
    // A clean exit, also under the sanitizers, which report at exit.
    for (const c of [...children].reverse()) {
      const code = await stop(c, "SIGTERM");
      check(code === 0, `${c.name} stops cleanly on SIGTERM (exit ${code})`);
    }
    if (lib.failed() && process.env.SEIN_KEEP !== "1") {
      console.log("--- seind.log\n" + tail("seind.log") + "\n--- sein-http.log\n" + tail("sein-http.log"));
    }
    if (process.env.SEIN_KEEP === "1") console.log("kept " + dir);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  return lib.verdict();
}

process.on("exit", () => { for (const c of children) c.kill("SIGKILL"); });
main().then((rc) => process.exit(rc), (e) => { console.error(e); process.exit(1); });
