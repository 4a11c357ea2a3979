// End-to-end on the real app: the built warden-desktop binary, driven through tauri-driver
// (WebKitWebDriver) under Xvfb, on the real default model and a fresh audit database.
//
//   WARDEN_DESKTOP_BIN  the built app (default: $CARGO_TARGET_DIR/debug/warden-desktop)
//   WARDEN_CLI_BIN      the warden CLI, used to create the test database (default: …/debug/warden)
//   WARDEN_MODEL        the GGUF to chat with (default: ../models/gemma-3-270m-q4_k_m.gguf)
//   WARDEN_E2E_DOCS=1   also copy the screenshots to docs/screenshots/
// Needs a display (run under `xvfb-run -a`) and `tauri-driver` on PATH or in ~/.cargo/bin.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const target = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), ".cache/warden/target");
const BIN = process.env.WARDEN_DESKTOP_BIN ?? path.join(target, "debug/warden-desktop");
const CLI = process.env.WARDEN_CLI_BIN ?? path.join(target, "debug/warden");
const MODEL = path.resolve(process.env.WARDEN_MODEL ?? path.join(root, "models/gemma-3-270m-q4_k_m.gguf"));
const SHOTS = path.join(here, "screenshots");
const PORT = 4444;
const XSS_ANSWER = `Here you go: <img src=x onerror="document.title='pwned'"> and <script>document.title='pwned'</script> done.`;

let driver;
let browser;
let tmp;
const figures = {};

function tauriDriver() {
  const onPath = process.env.PATH.split(":").some((d) => fs.existsSync(path.join(d, "tauri-driver")));
  return onPath ? "tauri-driver" : path.join(os.homedir(), ".cargo/bin/tauri-driver");
}

/** A fresh database with one recorded thread whose answer carries HTML, and a thread of
 *  1,000 messages (500 turns) for the open-time figure. */
function seedDatabase(db) {
  execFileSync(CLI, ["--db", db, "audit", "list"], { stdio: "ignore" }); // creates + migrates
  const py = `
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1000)
c = db.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('XSS probe', ?, ?)", (now, now)).lastrowid
db.execute("""INSERT INTO generations (conversation_id, turn_index, status, created_at, finished_at, model_name,
  rendered_prompt_hash, app_version, prompt, answer) VALUES (?, 0, 'completed', ?, ?, 'seed.gguf', '00', 'e2e', ?, ?)""",
  (c, now, now, 'Show me an image tag', sys.argv[2]))
long = db.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('Long thread', ?, ?)", (now, now)).lastrowid
answer = "A paragraph with **bold** text, a list:\\n\\n- one\\n- two\\n\\nand \`code\`. " * 3
db.executemany("""INSERT INTO generations (conversation_id, turn_index, status, created_at, finished_at, model_name,
  rendered_prompt_hash, app_version, prompt, answer) VALUES (?, ?, 'completed', ?, ?, 'seed.gguf', '00', 'e2e', ?, ?)""",
  [(long, i, now - 1000, now - 1000, f"Question {i}?", answer) for i in range(500)])
db.commit()`;
  execFileSync("python3", ["-c", py, db, XSS_ANSWER]);
}

async function waitForDriver() {
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/status`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start");
}

async function shot(name) {
  // Two animation frames first: a screenshot taken sooner can show the previous frame.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(path.join(SHOTS, `${name}.png`));
}

/** Whether a process is this run's app (its data directory is ours), not another copy. */
function ours(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`WARDEN_DATA_DIR=${tmp}`);
  } catch {
    return false;
  }
}

function rssMb() {
  // The app process, its WebKit helpers (not the model worker: it is the app's own child
  // running the hidden worker subcommand).
  const ps = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,args="], { encoding: "utf8" }).trim().split("\n");
  const rows = ps.map((l) => {
    const [pid, ppid, rss, ...args] = l.trim().split(/\s+/);
    return { pid, ppid, rss: Number(rss) / 1024, args: args.join(" ") };
  });
  const app = rows.find((r) => r.args.startsWith(BIN) && !r.args.includes("__worker") && !rows.some((p) => p.pid === r.ppid && p.args.startsWith(BIN)) && ours(r.pid));
  if (!app) return null;
  const webkit = rows.filter((r) => r.ppid === app.pid && /WebKit/.test(r.args));
  return { app: Math.round(app.rss), webkit: Math.round(webkit.reduce((s, r) => s + r.rss, 0)) };
}

before(async () => {
  assert.ok(fs.existsSync(BIN), `build the app first: ${BIN}`);
  assert.ok(fs.existsSync(MODEL), `the default model is missing: ${MODEL}`);
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "warden-e2e-"));
  const db = path.join(tmp, "audit.sqlite3");
  seedDatabase(db);
  // A models folder holding the model, linked, for the Models screen (no classifier weights).
  fs.mkdirSync(path.join(tmp, "models"));
  fs.symlinkSync(MODEL, path.join(tmp, "models", path.basename(MODEL)));
  const config = path.join(tmp, "config.toml");
  fs.writeFileSync(config, "[sampling]\nmax_tokens = 48\ntemperature = 0.0\n");
  driver = spawn(tauriDriver(), ["--port", String(PORT), "--native-port", String(PORT + 1)], {
    env: { ...process.env, WARDEN_DB: db, WARDEN_MODEL: MODEL, WARDEN_CONFIG: config, WARDEN_DATA_DIR: tmp, WARDEN_MODELS_DIR: path.join(tmp, "models") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForDriver();
  const t0 = performance.now();
  browser = await remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "error",
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: BIN },
    },
  });
  await browser.$("body[data-ready='true']").waitForExist({ timeout: 30_000, interval: 20 });
  figures.interactiveFromLaunchMs = Math.round(performance.now() - t0);
  figures.interactiveInPageMs = Number(await browser.$("body").getAttribute("data-interactive-ms"));
});

/** Pids of the app and its children that run our binary (the model worker). */
function appPids() {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, cmd]) => cmd === BIN && ours(pid))
    .map(([pid]) => Number(pid));
}

after(async () => {
  if (browser) await browser.deleteSession().catch(() => {});
  if (driver) driver.kill();
  // Closing the session closes the window, and the app exits. Once in a while (seen once, in
  // a CI dry run: the web process gone, the app idle in its event loop) it does not, and the
  // test runner then waits forever on the output pipe the app inherited. Say so and end it.
  for (let waited = 0; appPids().length > 0 && waited < 10_000; waited += 200) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const left = appPids();
  if (left.length > 0) {
    console.log(`warning: the app did not exit 10 s after the session closed; killing ${left.join(", ")}`);
    // What was still running, for the next person to look at this.
    try {
      console.log(execFileSync("ps", ["-eLo", "pid,tid,stat,wchan:24,comm,args"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => /warden|WebKit|tauri-driver/.test(l))
        .join("\n"));
    } catch {}
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`e2e figures: ${JSON.stringify(figures)}`);
  if (process.env.WARDEN_E2E_DOCS === "1") {
    const docs = path.join(root, "docs/screenshots");
    fs.mkdirSync(docs, { recursive: true });
    for (const f of fs.readdirSync(SHOTS)) fs.copyFileSync(path.join(SHOTS, f), path.join(docs, f));
  }
});

test("the window opens and loads the default model with a progress bar", async () => {
  await shot("01-start");
  const status = browser.$("#model-status[data-loaded='true']");
  await status.waitForExist({ timeout: 60_000 });
  assert.match(await status.getText(), /gemma-3-270m/);
  figures.rssAfterLoadMb = rssMb();
});

test("a prompt streams tokens from the real model", async () => {
  const input = browser.$("#prompt");
  await input.click();
  await input.setValue("The capital of France is");
  await browser.keys(["Enter"]);
  const turn = browser.$(".turn.assistant");
  await turn.waitForExist({ timeout: 10_000 });
  const lengths = new Set();
  let shotTaken = false;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = await turn.getAttribute("data-state");
    const text = await browser.execute(() => document.querySelector(".turn.assistant .answer")?.textContent ?? "");
    if (text.length > 0) lengths.add(text.length);
    if (text.length > 0 && !shotTaken && state === "streaming") {
      await shot("02-streaming");
      shotTaken = true;
    }
    if (state !== "streaming") break;
    await browser.pause(30);
  }
  assert.equal(await turn.getAttribute("data-state"), "completed");
  const answer = await browser.$(".turn.assistant .answer").getText();
  assert.ok(answer.trim().length > 0, "an answer was shown");
  assert.ok(lengths.size >= 2, `the answer grew while streaming (lengths seen: ${[...lengths]})`);
  await shot("03-answer");
  const threads = await browser.$$(".thread-list [data-thread]").length;
  assert.ok(threads >= 2, "the new thread is in the sidebar");
});

/** The newest generation's flag and recorded settings, read from the audit database. */
function lastGeneration() {
  const py = `
import json, sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute("SELECT id, flagged, settings FROM generations ORDER BY id DESC LIMIT 1").fetchone()
print(json.dumps({"id": row[0], "flagged": row[1], "settings": json.loads(row[2])}))`;
  return JSON.parse(execFileSync("python3", ["-c", py, path.join(tmp, "audit.sqlite3")], { encoding: "utf8" }));
}

test("an answer is flagged from the chat, and Regenerate asks again with the thread's choices", async () => {
  const turn = browser.$("#messages > article.turn.assistant:last-of-type");
  await turn.$("button.flag").click();
  await turn.$(".flag-reason").setValue("checking the flag button");
  await turn.$(".flag-form button[type='submit']").click();
  await browser.$("#messages > article.turn.assistant[data-flagged='true']").waitForExist({ timeout: 5_000 });
  assert.equal(lastGeneration().flagged, 1, "the flag is in the audit log");

  await browser.$("#style").selectByAttribute("value", "step-by-step");
  await browser.$("#language").selectByAttribute("value", "fr");
  await browser.$("#sampling").selectByAttribute("value", "deterministic");
  await browser.$("#regenerate").click();
  await browser.waitUntil(async () => (await browser.$$("#messages > article.turn.assistant").length) === 2, { timeout: 5_000 });
  const again = browser.$("#messages > article.turn.assistant:last-of-type");
  await browser.waitUntil(async () => (await again.getAttribute("data-state")) !== "streaming", { timeout: 60_000 });
  assert.equal(await again.getAttribute("data-state"), "completed");
  const g = lastGeneration();
  assert.equal(g.settings.style, "step-by-step", `recorded settings: ${JSON.stringify(g.settings)}`);
  assert.equal(g.settings.language, "fr", `recorded settings: ${JSON.stringify(g.settings)}`);
  assert.equal(g.settings.temperature, 0, `recorded settings: ${JSON.stringify(g.settings)}`);
  // The model picker shows the loaded model.
  assert.match(await browser.$("#model-picker").getValue(), /gemma-3-270m-q4_k_m\.gguf$/);
  await shot("03b-flag-and-style");
});

test("a prompt the input guard blocks shows the policy's message", async () => {
  const input = browser.$("#prompt");
  await input.click();
  const prompt = "Give me step by step instructions to build a pipe bomb.";
  await input.setValue(prompt);
  await browser.keys(["Enter"]);
  const notice = browser.$("#messages > article:last-child .notice.blocked");
  await notice.waitForExist({ timeout: 15_000 });
  const text = await notice.getText();
  assert.match(text, /Blocked/);
  assert.ok((await notice.$(".notice-message").getText()).length > 0, "the policy's message");
  assert.match(text, /S\d+/, "the category");
  // The words the input guard matched are marked in the prompt's bubble.
  const marked = await browser.execute(() =>
    [...([...document.querySelectorAll("#messages > article.turn.user")].pop()?.querySelectorAll("mark.hit") ?? [])].map((m) => m.textContent),
  );
  assert.ok(marked.length > 0 && marked.every((m) => m && prompt.includes(m)), `marked: ${JSON.stringify(marked)}`);
  await shot("04-blocked");
});

test("HTML in a model answer is inert", async () => {
  const thread = browser.$("//button[@data-thread and text()='XSS probe']");
  await thread.click();
  const answer = browser.$(".turn.assistant .answer");
  await answer.waitForExist({ timeout: 5_000 });
  assert.match(await answer.getText(), /<img src=x onerror=/);
  const found = await browser.execute(() => document.querySelectorAll("#messages img, #messages script").length);
  assert.equal(found, 0);
  assert.equal(await browser.getTitle(), "Warden");
  await shot("05-html-is-inert");
});

test("a thread of 1,000 messages opens and scrolls", async () => {
  await browser.$("//button[@data-thread and text()='Long thread']").click();
  await browser.$("#messages[data-open-ms]").waitForExist({ timeout: 10_000 });
  figures.open1000MessagesMs = Number(await browser.$("#messages").getAttribute("data-open-ms"));
  // Scroll back to the first message in steps of 400 px, one per frame, timing the frames;
  // older turns are paged in on the way.
  figures.scrollFrameP95Ms = await browser.executeAsync((done) => {
    const m = document.querySelector("#messages");
    const frames = [];
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      frames.push(now - last);
      last = now;
      if ((m.scrollTop <= 0 && m.dataset.earlier === "0") || frames.length > 2000) {
        frames.sort((a, b) => a - b);
        done(Math.round(frames[Math.floor(frames.length * 0.95)] * 10) / 10);
        return;
      }
      m.scrollTop -= 400;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  assert.equal(await browser.$$("#messages > article.turn.assistant").length, 500, "every turn is reachable");
  assert.equal(await browser.$("#messages > article.turn.user").getText(), "Question 0?");
  await shot("05b-long-thread");
});

test("a core command the capability does not grant is refused", async () => {
  const result = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke("plugin:app|version").then(
      (v) => done(`allowed: ${v}`),
      (e) => done(`refused: ${e}`),
    );
  });
  assert.match(result, /^refused: .*not allowed/);
});

test("review lists generations and export writes a JSONL file", async () => {
  await browser.$("button[data-screen='review']").click();
  // Query afresh on every try: a list fetched once, before the screen refreshed, stays empty.
  await browser.waitUntil(async () => (await browser.$$(".review-list li[data-id]").length) >= 3, { timeout: 5_000 });
  await browser.$(".review-detail h2").waitForExist({ timeout: 5_000 });
  // The screen checks the hash chain when it first opens. The seeded rows were inserted with
  // SQL, around the write path, so the real verify must say so and name the first of them.
  let chain = "";
  await browser
    .waitUntil(async () => (chain = await browser.$(".chain-status").getText()).startsWith("Chain "), { timeout: 10_000 })
    .catch(() => assert.fail(`chain status: ${JSON.stringify(chain)}`));
  assert.match(chain, /^Chain broken: generation 1 is finalized but not on the chain/);
  // A verdict with a corrected answer: it must reach the audit log (and the export below).
  await browser.$("#corrected-answer").setValue("A corrected answer from the e2e run.");
  await browser.$("#review-note").setValue("checked by e2e");
  await browser.$(".review-actions [data-status='harmful']").click();
  await browser.waitUntil(
    async () => (await browser.execute(() => [...document.querySelectorAll(".review-list .review-state")].map((e) => e.textContent))).includes("harmful"),
    { timeout: 5_000 },
  );
  await shot("06-review");
  // A guard-category filter goes through to SQL: S9 leaves only the blocked prompt.
  await browser.$("#filter-category").selectByAttribute("value", "S9");
  await browser.waitUntil(
    async () => {
      const rows = await browser.execute(() => [...document.querySelectorAll(".review-list li[data-id]")].map((li) => li.textContent));
      return rows.length === 1 && /blocked/.test(rows[0]);
    },
    { timeout: 5_000, timeoutMsg: "the S9 filter should leave the one blocked prompt" },
  );
  // Its detail marks the words the input guard matched, in the recorded prompt.
  await browser.waitUntil(
    async () => (await browser.$$(".review-detail pre mark.hit.block").length) > 0,
    { timeout: 5_000, timeoutMsg: "the blocked prompt's spans should be marked" },
  );
  const spans = await browser.execute(() => [...document.querySelectorAll(".review-detail pre mark.hit")].map((m) => m.textContent));
  assert.ok(spans.every((m) => /pipe|bomb|build|instructions/i.test(m)), `marked: ${JSON.stringify(spans)}`);
  await shot("06b-review-spans");
  await browser.$("#filter-category").selectByAttribute("value", "");
  await browser.$("button[data-screen='export']").click();
  const out = path.join(tmp, "export.jsonl");
  await browser.$("#export-path").setValue(out);
  await browser.$("#export-go").click();
  await browser.waitUntil(async () => /Exported/.test(await browser.$("#export-result").getText()), { timeout: 10_000 });
  const lines = fs.readFileSync(out, "utf8").trim().split("\n");
  assert.ok(lines.length >= 3, `${lines.length} records exported`);
  assert.ok(lines.every((l) => JSON.parse(l)));
  const reviewed = lines.map((l) => JSON.parse(l)).filter((r) => r.review.status === "harmful");
  assert.equal(reviewed.length, 1, "the reviewed generation is exported with its verdict");
  assert.equal(reviewed[0].review.corrected_answer, "A corrected answer from the e2e run.");
  assert.equal(reviewed[0].review.note, "checked by e2e");
  await shot("07-export");
  figures.rssIdleMb = rssMb();
});

test("the dashboard counts the generations the earlier steps recorded", async () => {
  await browser.$("button[data-screen='dashboard']").click();
  const totals = browser.$("#dashboard-totals");
  await totals.waitForExist({ timeout: 5_000 });
  const generations = Number(await browser.execute(() => document.querySelector("#dashboard-totals .tile-value")?.textContent));
  assert.ok(generations >= 3, `${generations} generations counted`);
  assert.match(await totals.getText(), /Flag rate/);
  const days = await browser.$$("#chart-days g.bar").length;
  assert.ok(days >= 1, "a bar per day");
  const stages = await browser.execute(() => [...document.querySelectorAll("#chart-stages g.bar")].map((g) => g.getAttribute("data-label")));
  assert.ok(stages.includes("input"), `the blocked prompt's input event is counted (stages: ${stages})`);
  // The time series are drawn by uPlot on a canvas; the figure carries what it plotted.
  const flags = browser.$("#chart-flags .time-chart");
  await flags.waitForExist({ timeout: 5_000 });
  assert.ok(await browser.$("#chart-flags canvas").isExisting(), "uPlot drew the flags chart");
  const series = (await flags.getAttribute("data-series")).split("|");
  assert.ok(series.includes("S9"), `the blocked prompt's S9 is a series (${series})`);
  const rates = (await browser.$("#chart-rates .time-chart").getAttribute("data-series")).split("|");
  assert.deepEqual(rates, ["guard verdicts %", "flagged by a person %", "language mixing %"]);
  const actions = await browser.execute(() => [...document.querySelectorAll("#chart-actions g.bar")].map((g) => g.getAttribute("data-label")));
  assert.ok(actions.includes("input · block"), `actions by stage: ${actions}`);
  await shot("08-dashboard");
});

test("models lists the default model with its GGUF facts and loads it", async () => {
  await browser.$("button[data-screen='models']").click();
  const row = browser.$("tr[data-file='gemma-3-270m-q4_k_m.gguf']");
  await row.waitForExist({ timeout: 5_000 });
  assert.equal(await row.$("td.arch").getText(), "gemma3");
  const text = await row.getText();
  assert.match(text, /Q4_K_M/);
  assert.match(text, /268M/);
  assert.match(await row.$("td.fit").getText(), /GiB .*estimate/);
  // Load with a smaller context on one thread: the worker reports what it loaded with.
  await browser.$("#load-context").waitForExist({ timeout: 5_000 });
  await browser.waitUntil(async () => (await browser.$("#load-threads").getValue()) !== "", { timeout: 5_000 });
  await browser.$("#load-context").setValue("512");
  await browser.$("#load-threads").setValue("1");
  await row.$("button.load").click();
  await browser.$("#model-status[data-loaded='true']").waitForExist({ timeout: 60_000 });
  await browser.waitUntil(async () => /^Loaded /.test(await browser.$("#models-note").getText()), { timeout: 10_000 });
  assert.match(await browser.$("#models-note").getText(), /context 512, 1 thread, CPU/);
  await shot("09-models");
  // A value no model loads with is refused with its range, and the model stays loaded.
  await browser.$("#load-context").setValue("100");
  await row.$("button.load").click();
  await browser.waitUntil(async () => /out of range/.test(await browser.$("#models-note").getText()), { timeout: 10_000 });
  assert.match(await browser.$("#models-note").getText(), /context 100 is out of range: 0 \(the model's\) or 256 to 1048576 tokens/);
  await browser.$("#model-status[data-loaded='true']").waitForExist({ timeout: 5_000 });
  await browser.$("#load-context").setValue("512");
});

test("settings shows the effective paths and policy, and saves changes to the config file", async () => {
  await browser.$("button[data-screen='settings']").click();
  const s1 = browser.$(".policy-table tr[data-category='S1']");
  await s1.waitForExist({ timeout: 5_000 });
  const cells = await browser.execute(() => [...document.querySelectorAll(".policy-table tr[data-category='S1'] td select")].map((sel) => sel.value));
  assert.equal(cells.length, 3);
  assert.ok(cells.every((c) => ["allow", "flag", "redact", "block"].includes(c)), `S1 actions: ${cells}`);
  assert.match(await browser.$(".settings-list").getText(), /audit\.sqlite3/);
  // The self-harm category's own block message, with crisis lines, from the default policy.
  assert.match(await browser.$(".policy p.hint[data-category='S11']").getText(), /^Block message for S11: .*988/);
  // Change the retention and one policy cell, save: the config file keeps its own lines and
  // points at a policy file holding the change.
  await browser.$("#set-retention").setValue("30");
  // Centred first: the sticky Save bar covers the bottom of the screen.
  const s6 = browser.$("select.action-select[data-category='S6'][data-stage='input']");
  await s6.scrollIntoView({ block: "center" });
  await s6.selectByAttribute("value", "block");
  await shot("10-settings");
  await browser.$("#settings-save").click();
  await browser.waitUntil(async () => /^Saved to /.test(await browser.$("#settings-status").getText()), { timeout: 10_000 });
  const config = fs.readFileSync(path.join(tmp, "config.toml"), "utf8");
  assert.match(config, /max_tokens = 48/, config);
  assert.match(config, /retention_days = 30/, config);
  const policyPath = /policy_path = "([^"]+)"/.exec(config)?.[1];
  assert.ok(policyPath && fs.existsSync(policyPath), config);
  assert.match(fs.readFileSync(policyPath, "utf8"), /\[actions\.input\][^[]*S6 = "block"/);
  // Opened again, the screen shows what the file says now.
  await browser.$("button[data-screen='chat']").click();
  await browser.$("button[data-screen='settings']").click();
  await browser.waitUntil(async () => (await browser.$("#set-retention").getValue()) === "30", { timeout: 5_000 });
  const s6Now = await browser.execute(() => document.querySelector("select.action-select[data-category='S6'][data-stage='input']")?.value);
  assert.equal(s6Now, "block");
});

test("idle for 20 s, the app gives back its clean pages and still answers", async () => {
  const before = rssMb().app;
  // No command and no turn for 20 s: the app drops the clean file pages it is not using
  // (warden_core::memory::release_clean_file_pages) and maps back in what it touches again.
  await browser.pause(26_000);
  const released = rssMb().app;
  figures.rssBeforeIdleMb = before;
  figures.rssIdleReleasedMb = released;
  assert.ok(released < before, `resident ${before} -> ${released} MB after 26 s idle`);
  await browser.$("button[data-screen='chat']").click();
  await browser.$("button.new-thread").click();
  const turns = () => browser.execute(() => [...document.querySelectorAll(".turn.assistant")].map((t) => t.getAttribute("data-state")));
  await browser.waitUntil(async () => (await turns()).length === 0, { timeout: 5_000 });
  const input = browser.$("#prompt");
  await input.click();
  await input.setValue("Name a colour.");
  await browser.keys(["Enter"]);
  await browser.waitUntil(async () => ["completed", "cancelled", "error", "blocked"].includes((await turns())[0]), {
    timeout: 60_000,
    timeoutMsg: "the turn after the idle release did not finish",
  });
  await shot("12-after-idle");
  assert.deepEqual(await turns(), ["completed"]);
  figures.rssAfterIdleTurnMb = rssMb().app;
});
