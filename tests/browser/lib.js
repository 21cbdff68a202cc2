// SPDX-License-Identifier: MPL-2.0
// lib.js - what the browser tests share: finding Debian's Chromium (never
// a downloaded one), launching it headless on a closed network, checks on
// the dashboard's DOM, and screenshots kept as test artifacts.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const CHROMIUM = process.env.SEIN_CHROMIUM || "/usr/bin/chromium";
const SKIP = 77;

let failures = 0;
function check(ok, what) {
  console.log((ok ? "ok     " : "FAILED ") + what);
  if (!ok) failures++;
}
function failed() { return failures; }

// Debian's chromium, installed now if it is missing and this user may
// (as root, as in CI: .ci/install-deps installs it there anyway). Exits
// 77 (skipped) only when it is absent and cannot be installed.
function chromiumPath() {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid && process.getuid() === 0) {
    try {
      const env = Object.assign({}, process.env, { DEBIAN_FRONTEND: "noninteractive" });
      execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
      execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"],
                   { stdio: "inherit", env });
    } catch (e) {
      console.log("apt-get could not install chromium: " + e.message);
    }
    if (fs.existsSync(CHROMIUM)) return CHROMIUM;
  }
  console.log("skipped: " + CHROMIUM + " is missing and cannot be installed here");
  process.exit(SKIP);
}

// playwright-core as `npm ci` put it in the build tree (the fixture test
// browser_npm_ci), else beside this file for a developer's own npm ci.
function playwright() {
  const dirs = [process.env.SEIN_NODE_MODULES, path.join(__dirname, "node_modules")];
  for (const d of dirs) {
    if (d && fs.existsSync(path.join(d, "playwright-core"))) return require(path.join(d, "playwright-core"));
  }
  throw new Error("playwright-core not found: run npm ci in tests/browser (or set SEIN_NODE_MODULES)");
}

// The machine has no network but the loopback: Chromium's background
// services would only fail, so they are off.
async function launch() {
  const executablePath = chromiumPath();
  return playwright().chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Where screenshots go: BUILD/tests/browser/artifacts (SEIN_ARTIFACTS).
function artifacts() {
  const dir = process.env.SEIN_ARTIFACTS || path.join(__dirname, "artifacts");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function screenshot(page, name) {
  const file = path.join(artifacts(), name + ".png");
  await page.screenshot({ path: file, fullPage: true });
  console.log("screenshot: " + file);
  return file;
}

// The seqs of the list's rows (top first) and of the map's markers.
async function shown(page) {
  return page.evaluate(() => ({
    rows: Array.from(document.querySelectorAll("#list li")).map((li) => Number(li.dataset.seq)),
    markers: Array.from(document.querySelectorAll("#markers circle")).map((c) => Number(c.dataset.seq)),
    conn: document.getElementById("conn").dataset.state,
    repeats: Number(document.body.dataset.repeats || 0),
    syncs: Number(document.body.dataset.syncs || 0),
  }));
}

// Wait until SEQ has a row in the list (and a marker, when MARKER), up to
// MS; returns the milliseconds it took, or -1.
async function waitShown(page, seq, marker, ms) {
  const t0 = Date.now();
  const sel = marker ? `#markers circle[data-seq="${seq}"]` : `#list li[data-seq="${seq}"]`;
  try {
    await page.waitForSelector(`#list li[data-seq="${seq}"]`, { state: "attached", timeout: ms });
    await page.waitForSelector(sel, { state: "attached", timeout: Math.max(1, ms - (Date.now() - t0)) });
  } catch (e) {
    return -1;
  }
  return Date.now() - t0;
}

// Every seq in WANT shown exactly once in the list, none missing.
async function checkOnce(page, want, what) {
  const s = await shown(page);
  const missing = want.filter((q) => !s.rows.includes(q));
  const twice = s.rows.filter((q, i) => s.rows.indexOf(q) !== i);
  check(missing.length === 0, what + ": none missing" + (missing.length ? " (missing " + missing + ")" : ""));
  check(twice.length === 0, what + ": none twice" + (twice.length ? " (twice " + twice + ")" : ""));
}

// The counts the page shows (open, overdue, per theme) and the same
// counted from its list's rows: equal when the list holds every signal of
// the last 7 days that the server's filters select, and the status
// filter is off. Returns { shown, listed }, each { open, overdue, themes }
// with the themes as a sorted "code:n,..." string.
async function counts(page) {
  return page.evaluate(() => {
    const OPEN = ["new", "acknowledged", "in_progress", "referred", "reopened"];
    const text = (themes) => Object.keys(themes).filter((k) => themes[k] > 0).sort()
      .map((k) => k + ":" + themes[k]).join(",");
    const listed = { open: 0, overdue: 0, themes: {} };
    for (const li of document.querySelectorAll("#list li")) {
      const s = window.seinDashboard.signals.get(li.dataset.id);
      listed.themes[s.theme] = (listed.themes[s.theme] || 0) + 1;
      if (OPEN.includes(s.status)) {
        listed.open++;
        if (s.overdue) listed.overdue++;
      }
    }
    const shown = { open: Number(document.getElementById("count-open").textContent),
                    overdue: Number(document.getElementById("count-overdue").textContent), themes: {} };
    for (const li of document.querySelectorAll("#themes li")) {
      shown.themes[li.dataset.theme] = Number(li.querySelector("b").textContent);
    }
    shown.themes = text(shown.themes);
    listed.themes = text(listed.themes);
    return { shown, listed };
  });
}

// Check that PAGE's counts are its list's (see counts), with WHAT.
async function checkCounts(page, what) {
  const c = await counts(page);
  const shown = JSON.stringify(c.shown), listed = JSON.stringify(c.listed);
  check(shown === listed, `${what}: the counts are the list's (${shown}` +
        (shown === listed ? ")" : `, the list: ${listed})`));
}

// A phone: one column, the map above the list, nothing wider than the
// screen, selects large enough to tap.
async function checkPhone(page) {
  const m = await page.evaluate(() => {
    const map = document.getElementById("map").getBoundingClientRect();
    const list = document.getElementById("list").getBoundingClientRect();
    const sel = document.getElementById("f-theme").getBoundingClientRect();
    return { scroll: document.documentElement.scrollWidth, width: window.innerWidth,
             mapBottom: map.bottom, listTop: list.top, selHeight: sel.height };
  });
  check(m.scroll <= m.width, `phone: no horizontal scroll (${m.scroll} <= ${m.width})`);
  check(m.mapBottom <= m.listTop, "phone: the map is above the list");
  check(m.selHeight >= 40, `phone: filters are tap targets (${m.selHeight}px high)`);
}

// Open the dashboard at URL on a desktop viewport and wait until it has
// loaded the list and the stream is live. Returns the page; script errors
// collect in page.errors.
async function open(browser, url, scale) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 5000 * (scale || 1) });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 5000 * (scale || 1) });
  return page;
}

// Open the dashboard at URL, which the gateway refuses with a 4xx: the
// page must show the gateway's description (holding FRAGMENT) and stop,
// with no second load of the list after the 1 s and 2 s retries would
// have come. Returns the page.
async function checkRefused(browser, url, fragment, what, scale) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(url);
  const refused = await page.waitForSelector("body[data-refused]", { timeout: 5000 * (scale || 1) })
    .then(() => true, () => false);
  check(refused, what + ": the page marks the refusal");
  const text = await page.locator("#refused").textContent({ timeout: 1000 }).catch(() => "");
  check(await page.locator("#refused").isVisible() && text.includes(fragment),
        `${what}: the page shows the gateway's error (${JSON.stringify(text)})`);
  check(await page.locator("#conn").getAttribute("data-state") === "refused", what + ": the state says refused");
  await page.waitForTimeout(3500);
  const s = await shown(page);
  check(s.syncs === 1 && s.conn === "refused", `${what}: no retry after a refusal (${s.syncs} loads)`);
  check(page.errors.length === 0, what + ": no script error" + (page.errors.length ? ": " + page.errors.join("; ") : ""));
  return page;
}

// The end of a test's run on PAGE: no script error, then screenshots
// NAME-desktop and, after the phone's checks, NAME-phone.
async function finish(page, name) {
  check(page.errors.length === 0, "no script error" + (page.errors.length ? ": " + page.errors.join("; ") : ""));
  await screenshot(page, name + "-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPhone(page);
  await screenshot(page, name + "-phone");
}

// The closing line, and the exit status for it.
function verdict() {
  console.log(failures ? `${failures} checks failed` : "all checks passed");
  return failures ? 1 : 0;
}

module.exports = { check, failed, launch, open, finish, verdict, shown, waitShown, checkOnce,
                   checkCounts, checkRefused };
