// The HTML call report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) opens reports from disk with the network cut off. The demo's report: its turns, the
// interrupted one, the tool span under its llm span, latency values equal to the trace's attributes,
// the details pane, the transcript, no console error. Then hostile transcript text, a recording, a
// client span of another service, an error, and a 1,000-turn call (size and first-render time printed).
// Screenshots and figures go to test/artifacts/.
/* global document -- page functions run in the browser */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { writeCallReports } from "@respan/core";
import { syntheticCallRequest } from "../packages/respan-core/test/helpers/synthetic-call.mjs";
import { browserUnavailable, launchOfflineBrowser, openReport } from "./support/browser.mjs";
import { repoRoot, runNode } from "./support/processes.mjs";
import { readTraceFiles } from "./support/voice-trace.mjs";

const DEMO = path.join(repoRoot, "examples/offline-voice-agent/dist/main.js");
const LONG_CALL = path.join(repoRoot, "test/fixtures/long-call.cjs");
const RECORDED_CALL = path.join(repoRoot, "test/fixtures/recorded-call.mjs");
const ARTIFACTS = path.join(repoRoot, "test/artifacts");
const unavailable = browserUnavailable(); // throws under CI=true when Chromium is missing

/** Writes `request` into a fresh folder and the reports for it; returns the report's path. */
async function reportOf(call, dir) {
  writeFileSync(path.join(dir, `${call.traceId}.json`), JSON.stringify(call.request));
  await writeCallReports(dir);
  return path.join(dir, `${call.traceId}.html`);
}

/** A mono 16-bit PCM WAV of a quiet tone, `seconds` long. */
function writeWav(file, seconds, sampleRate = 8000) {
  const samples = Math.round(seconds * sampleRate);
  const buffer = Buffer.alloc(44 + samples * 2);
  buffer.write("RIFF", 0);
  buffer.writeUInt32LE(36 + samples * 2, 4);
  buffer.write("WAVEfmt ", 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write("data", 36);
  buffer.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1) buffer.writeInt16LE(Math.round(2000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), 44 + i * 2);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buffer);
}

/** The rows the waterfall currently draws, in order. */
const rowsOf = (page) =>
  page.$$eval(".wf-row", (rows) =>
    rows
      .map((row) => ({
        index: Number(row.dataset.index),
        spanId: row.dataset.spanId,
        name: row.dataset.name,
        parent: row.dataset.parent,
        depth: Number(row.dataset.depth),
        label: row.querySelector(".wf-name").textContent,
        badges: [...row.querySelectorAll(".badge")].map((badge) => badge.textContent),
        error: row.classList.contains("has-error"),
      }))
      .sort((a, b) => a.index - b.index),
  );

describe("call report in Chromium", { skip: unavailable }, () => {
  let browser;
  let work;
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), "call-report-"));
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchOfflineBrowser();
  });
  after(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe("the offline demo's report", () => {
    let tracesDir;
    let reportFile;
    let spans;
    let page;
    let consoleErrors;
    before(async () => {
      tracesDir = path.join(work, "demo-traces");
      const result = await runNode([DEMO], { env: { RESPAN_TRACES_DIR: tracesDir } });
      assert.equal(result.code, 0, result.stderr);
      reportFile = /Call report \(open it in a browser\): (file:\S+\.html)$/m.exec(result.stdout)?.[1];
      assert.ok(reportFile, `the demo prints the report's path:\n${result.stdout}`);
      reportFile = new URL(reportFile).pathname;
      spans = readTraceFiles(tracesDir);
      ({ page, consoleErrors } = await openReport(browser.context, reportFile));
    });

    test("shows the 4 turns, with turn 3 marked interrupted", async () => {
      const turns = (await rowsOf(page)).filter((row) => row.name === "turn");
      assert.deepEqual(turns.map((row) => row.label), ["turn 1", "turn 2", "turn 3", "turn 4"]);
      assert.deepEqual(turns.map((row) => row.badges.includes("interrupted")), [false, false, true, false]);
      const flagged = await page.$$eval(".bar.bar-interrupted", (bars) => bars.map((bar) => bar.dataset.turn));
      assert.deepEqual(flagged, ["3"], "the chart flags the same turn");
    });

    test("draws every span, the tool span right under its llm span", async () => {
      const rows = await rowsOf(page);
      assert.equal(rows.length, spans.length, "one row per span (a short call fits on screen)");
      const tool = rows.find((row) => row.name === "execute_tool get_weather");
      const parent = rows.find((row) => row.spanId === tool.parent);
      assert.equal(parent.name, "llm");
      assert.equal(tool.index, parent.index + 1);
      assert.equal(tool.depth, parent.depth + 1);
      const traceTool = spans.find((span) => span.name === "execute_tool get_weather");
      assert.equal(tool.parent, traceTool.parentSpanId, "the same parent as in the trace file");
    });

    test("the latency chart's values are the turn spans' attributes", async () => {
      const bars = await page.$$eval(".bar", (elements) =>
        elements.map((bar) => ({
          turn: Number(bar.dataset.turn),
          parts: Object.fromEntries([...bar.querySelectorAll(".segment")].map((s) => [s.dataset.part, Number(s.dataset.seconds)])),
        })),
      );
      const turnSpans = spans.filter((span) => span.name === "turn").sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);
      assert.equal(bars.length, 4);
      for (const [i, bar] of bars.entries()) {
        const a = turnSpans[i].attributes;
        assert.equal(bar.turn, a["turn.number"]);
        assert.equal(bar.parts.stt, a["turn.latency.stt_ttfb_seconds"], `turn ${bar.turn} STT`);
        assert.equal(bar.parts.llm, a["turn.latency.llm_ttfb_seconds"], `turn ${bar.turn} LLM`);
        assert.equal(bar.parts.tts, a["turn.latency.tts_ttfb_seconds"], `turn ${bar.turn} TTS`);
        const voiceToVoice = a["turn.user_bot_latency_seconds"];
        if (voiceToVoice === undefined) {
          assert.equal(bar.parts.rest, undefined, "no voice-to-voice, no rest");
        } else {
          const ttfbs = ["stt", "llm", "tts"].reduce((sum, part) => sum + (a[`turn.latency.${part}_ttfb_seconds`] ?? 0), 0);
          assert.ok(Math.abs(bar.parts.rest - Math.max(0, voiceToVoice - ttfbs)) < 1e-12, `turn ${bar.turn} rest`);
        }
      }
      const chips = await page.$$eval(".chip", (items) => items.map((item) => item.textContent));
      assert.ok(chips.includes("4turns") && chips.includes("1interruptions") && chips.includes("0errors"), chips.join(" | "));
    });

    test("clicking a span shows its attributes", async () => {
      await page.click(".wf-row[data-name='execute_tool get_weather']");
      const details = await page.$$eval("#details .attributes tr", (rows) =>
        Object.fromEntries(rows.map((row) => [row.querySelector("th").textContent, row.querySelector("td").textContent])),
      );
      const traceTool = spans.find((span) => span.name === "execute_tool get_weather");
      assert.equal(details["gen_ai.tool.name"], "get_weather");
      assert.equal(details["gen_ai.tool.call.id"], traceTool.attributes["gen_ai.tool.call.id"]);
      assert.deepEqual(JSON.parse(details["gen_ai.tool.call.arguments"]), { city: "Paris" });
      assert.equal(await page.$eval("#details h2", (h) => h.textContent), "execute_tool get_weather");
      assert.equal(await page.$eval(".wf-row.selected", (row) => row.dataset.name), "execute_tool get_weather");
    });

    test("the transcript's lines come in call order, the interrupted answer marked", async () => {
      await page.waitForSelector("#transcript[data-complete=true]");
      const lines = await page.$$eval("#transcript .line", (items) =>
        items.map((item) => ({
          role: item.dataset.role,
          text: item.querySelector(".line-text").textContent,
          interrupted: item.querySelector(".badge-interrupted") !== null,
        })),
      );
      assert.deepEqual(
        lines.map((line) => line.role),
        ["assistant", "user", "assistant", "user", "tool_call", "tool_result", "assistant", "user", "assistant"],
      );
      const byStart = (a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1);
      const said = spans.filter((s) => s.name === "stt").sort(byStart).map((s) => s.attributes.transcript);
      const answered = spans.filter((s) => s.name === "llm" && s.attributes.output).sort(byStart).map((s) => s.attributes.output);
      assert.deepEqual(lines.filter((line) => line.role === "user").map((line) => line.text), said);
      assert.deepEqual(lines.filter((line) => line.role === "assistant").map((line) => line.text), answered);
      assert.equal(said[0], "Hi Ada. What can you help me with?");
      assert.equal(lines[4].text, 'get_weather({"city":"Paris"})');
      assert.deepEqual(lines.map((line) => line.interrupted), [false, false, false, false, false, false, true, false, false]);
    });

    test("needed no network, logged no console error; screenshot saved", async () => {
      await page.click(".wf-row[data-name='execute_tool get_weather']");
      const shot = path.join(ARTIFACTS, "call-report-demo.png");
      await page.screenshot({ path: shot });
      assert.ok(statSync(shot).size > 10_000, "a real screenshot");
      assert.deepEqual(consoleErrors, []);
      assert.deepEqual(browser.requests, []);
    });

    test("index.html lists the call and links to its report", async () => {
      const { page: index, consoleErrors: errors } = await openIndex(browser.context, path.join(tracesDir, "index.html"));
      const links = await index.$$eval("table.calls a", (anchors) => anchors.map((a) => a.getAttribute("href")));
      assert.deepEqual(links, [path.basename(reportFile)]);
      const cells = await index.$$eval("table.calls tbody td", (tds) => tds.map((td) => td.textContent));
      assert.equal(cells[3], "4", "turns");
      assert.equal(cells[6], "1", "interruptions");
      assert.deepEqual(errors, []);
      await index.close();
    });
  });

  test("transcript text that looks like HTML is shown as text", async () => {
    const dir = path.join(work, "hostile");
    mkdirSync(dir);
    const hostile = `<script>document.title = "pwned"</script><img src="x" onerror="document.title = 'pwned'"><b>bold</b>`;
    const file = await reportOf(syntheticCallRequest({ turns: 2, userText: () => hostile }), dir);
    const { page, consoleErrors } = await openReport(browser.context, file);
    await page.waitForSelector("#transcript[data-complete=true]");
    const userLine = await page.$eval("#transcript .line[data-role=user] .line-text", (el) => ({ text: el.textContent, children: el.children.length }));
    assert.deepEqual(userLine, { text: hostile, children: 0 });
    assert.notEqual(await page.title(), "pwned");
    assert.equal(await page.$$eval("#app img, #app b", (elements) => elements.length), 0);
    await page.click(".wf-row[data-name=stt]");
    assert.equal(await page.$eval("#details .attributes", (table) => table.querySelectorAll("img, script, b").length), 0);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(browser.requests, []);
    await page.close();
  });

  test("a recording: the player, a playhead over the waterfall, a turn click plays from its offset", async () => {
    const dir = path.join(work, "recorded");
    const wav = path.join(dir, "recordings", "synthetic-call.wav");
    writeWav(wav, 5);
    const call = syntheticCallRequest({ turns: 4, recordingUri: pathToFileURL(wav).href, clientService: "web-client", errorTurn: 2 });
    mkdirSync(dir, { recursive: true });
    const file = await reportOf(call, dir);
    const { page, consoleErrors } = await openReport(browser.context, file);
    assert.equal(await page.$eval("#recording", (audio) => audio.getAttribute("src")), "recordings/synthetic-call.wav");
    await page.waitForFunction(() => /** @type {HTMLMediaElement} */ (document.getElementById("recording")).readyState >= 1, null, { timeout: 30_000 });
    assert.ok(Math.abs((await page.$eval("#recording", (audio) => audio.duration)) - 5) < 0.01);

    const rows = await rowsOf(page);
    const turn3 = rows.find((row) => row.label === "turn 3");
    await page.click(`.wf-row[data-index="${turn3.index}"]`);
    const turnOffset = 2.008; // the synthetic turn 3 starts 2,010 ms in; the conversation (recording) 2 ms in
    await page.waitForFunction((offset) => Math.abs(/** @type {HTMLMediaElement} */ (document.getElementById("recording")).currentTime - offset) < 0.05, turnOffset, {
      timeout: 10_000,
    });
    const playhead = await page.$eval(".wf-playhead", (line) => ({ hidden: line.hidden, ms: Number(line.dataset.ms) }));
    assert.equal(playhead.hidden, false);
    assert.ok(Math.abs(playhead.ms - 2010) < 60, `the playhead at turn 3's start: ${playhead.ms} ms`);
    await page.click('.bar[data-turn="2"]');
    await page.waitForFunction(() => Math.abs(/** @type {HTMLMediaElement} */ (document.getElementById("recording")).currentTime - 1.008) < 0.05, null, { timeout: 10_000 });

    const client = rows.find((row) => row.name === "webrtc connect");
    assert.deepEqual(client.badges, ["web-client"], "the other service's span, labelled with its service");
    const failed = rows.filter((row) => row.error);
    assert.deepEqual(failed.map((row) => row.name), ["llm"], "the failed span is highlighted");
    assert.ok(failed[0].badges.includes("error"));
    await page.click(`.wf-row[data-index="${failed[0].index}"]`);
    assert.match(await page.$eval("#details .facts", (facts) => facts.textContent), /error: model timed out/);
    await page.screenshot({ path: path.join(ARTIFACTS, "call-report-recording.png") });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(browser.requests, []);
    await page.close();
  });

  test("a call recorded by session capture: its WAV plays from each turn's recording offset", async () => {
    const dir = path.join(work, "session-capture");
    const run = await runNode([RECORDED_CALL], { env: { RESPAN_TRACES_DIR: dir }, timeoutMs: 120_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout.trim().split("\n").pop()).recording.status, "recorded");
    const spans = readTraceFiles(dir);
    const conversation = spans.find((span) => span.name === "conversation");
    const [file] = readdirSync(dir).filter((name) => name.endsWith(".html") && name !== "index.html").map((name) => path.join(dir, name));
    const { page, consoleErrors } = await openReport(browser.context, file);
    assert.equal(await page.$eval("#recording", (audio) => audio.getAttribute("src")), "recordings/recorded-call.wav");
    assert.equal(pathToFileURL(path.join(dir, "recordings/recorded-call.wav")).href, conversation.attributes["recording.uri"]);
    await page.waitForFunction(() => /** @type {HTMLMediaElement} */ (document.getElementById("recording")).readyState >= 1, null, { timeout: 30_000 });
    const duration = await page.$eval("#recording", (audio) => audio.duration);
    assert.ok(Math.abs(duration - conversation.attributes["recording.duration_seconds"]) < 0.01, `duration ${duration}`);
    const turn2 = spans.find((span) => span.name === "turn" && span.attributes["turn.number"] === 2);
    const offset = turn2.attributes["recording.offset_seconds"];
    assert.ok(offset > 0, "turn 2 has a recording offset");
    await page.click('.bar[data-turn="2"]');
    await page.waitForFunction((at) => Math.abs(/** @type {HTMLMediaElement} */ (document.getElementById("recording")).currentTime - at) < 0.1, offset, { timeout: 10_000 });
    // Stopped exactly at the offset, the playhead sits exactly on the turn's start.
    await page.$eval("#recording", (audio, at) => {
      audio.pause();
      audio.currentTime = at;
    }, offset);
    await page.waitForFunction((at) => /** @type {HTMLMediaElement} */ (document.getElementById("recording")).currentTime === at && !/** @type {HTMLMediaElement} */ (document.getElementById("recording")).seeking, offset);
    // The report's time axis starts at the trace's first span.
    const origin = spans.reduce((min, span) => (BigInt(span.startTimeUnixNano) < min ? BigInt(span.startTimeUnixNano) : min), BigInt(turn2.startTimeUnixNano));
    const turn2Ms = Number(BigInt(turn2.startTimeUnixNano) - origin) / 1e6;
    const onTurn = await page
      .waitForFunction((ms) => Math.abs(Number(/** @type {HTMLElement} */ (document.querySelector(".wf-playhead")).dataset.ms) - ms) < 1, turn2Ms, { timeout: 10_000 })
      .then(() => true, () => false);
    const playheadMs = await page.$eval(".wf-playhead", (line) => Number(line.dataset.ms));
    assert.ok(onTurn, `the playhead at turn 2's start (${playheadMs} ms, turn at ${turn2Ms} ms)`);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(browser.requests, []);
    await page.close();
  });

  test("a 1,000-turn call: rows drawn lazily; size and first-render time printed", async () => {
    // A real traced call (the demo conversation repeated), its report written by the client's file exporter.
    const dir = path.join(work, "long");
    const run = await runNode([LONG_CALL, "--turns", "1000"], { env: { RESPAN_TRACES_DIR: dir }, timeoutMs: 240_000 });
    assert.equal(run.code, 0, run.stderr);
    const [file] = readdirSync(dir).filter((name) => /^[0-9a-f]{32}\.html$/.test(name)).map((name) => path.join(dir, name));
    const spans = readTraceFiles(dir);
    const bytes = statSync(file).size;
    const started = Date.now();
    const { page, consoleErrors } = await openReport(browser.context, file);
    const openToReadyMs = Date.now() - started;
    await page.waitForSelector("body[data-painted-ms]");
    const timings = await page.evaluate(() => ({
      builtMs: Number(document.body.dataset.builtMs),
      firstRenderMs: Number(document.body.dataset.paintedMs),
    }));
    const rowSlots = await page.$eval("#waterfall .wf-spacer", (spacer) => spacer.offsetHeight / 24);
    const drawn = await page.$$eval(".wf-row", (rows) => rows.length);
    assert.equal(rowSlots, spans.length, "every span has a place in the waterfall");
    assert.ok(drawn < 150, `only the rows in view are drawn (${drawn} of ${spans.length})`);
    assert.equal(await page.$$eval(".bar", (bars) => bars.length), 1000);

    await page.$eval("#waterfall", (scroller) => (scroller.scrollTop = scroller.scrollHeight));
    await page.waitForFunction(() => [...document.querySelectorAll(".wf-name")].some((name) => name.textContent === "turn 1000"));
    await page.click('.bar[data-turn="500"]');
    assert.equal(await page.$eval("#details h2", (h) => h.textContent), "turn 500");
    assert.equal(await page.$eval(".wf-row.selected .wf-name", (name) => name.textContent), "turn 500", "the waterfall scrolls to it");
    const turn500 = spans.find((span) => span.name === "turn" && span.attributes["turn.number"] === 500);
    const bar = await page.$$eval('.bar[data-turn="500"] .segment', (s) => Object.fromEntries(s.map((x) => [x.dataset.part, Number(x.dataset.seconds)])));
    assert.equal(bar.llm, turn500.attributes["turn.latency.llm_ttfb_seconds"]);
    await page.waitForSelector("#transcript[data-complete=true]", { timeout: 60_000 });
    const userLines = await page.$$eval("#transcript .line[data-role=user]", (lines) => lines.length);
    assert.equal(userLines, spans.filter((span) => span.name === "stt" && span.attributes.transcript).length);
    assert.deepEqual(consoleErrors, []);

    const figures = { turns: 1000, spans: spans.length, reportBytes: bytes, ...timings, openToReadyMs };
    writeFileSync(path.join(ARTIFACTS, "call-report-1000-turns.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(
      `1,000-turn call report: ${(bytes / 1e6).toFixed(2)} MB, ${spans.length} spans; first render ` +
        `${timings.firstRenderMs} ms after navigation start (page built at ${timings.builtMs} ms; ` +
        `${openToReadyMs} ms from opening a tab to a built page)`,
    );
    await page.close();
  });
});

async function openIndex(context, file) {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  await page.goto(pathToFileURL(file).href);
  return { page, consoleErrors };
}
