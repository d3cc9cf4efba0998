// The browser end to end of `pnpm demo:web`: headless Chromium with a fake microphone playing a spoken
// WAV (made here with espeak-ng) opens the demo page — Pipecat's unmodified @pipecat-ai/client-js and
// @pipecat-ai/websocket-transport from npm — presses Connect and talks to the pipecat-ts bot. Checks the
// client's side (connect() resolving on bot-ready, its callbacks, bot audio arriving) and the server's
// trace of that call (its conversation, one turn per utterance, stt/llm/tts spans).
// Needs /usr/bin/chromium and espeak-ng + sox (.ci/run installs them); without them the test is skipped,
// except under CI=true, where it fails.
// Functions passed to page.evaluate / waitForFunction / addInitScript run in the page, where `window` is defined.
/* global window */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium } from "playwright-core";
import { repoRoot, startNode } from "./support/processes.mjs";
import { flattenTraceRequest } from "./support/otlp-receiver.mjs";
import { indexTrace } from "./support/trace-tree.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const DEMO = path.join(repoRoot, "examples/web-voice-agent/dist/main.js");
const SCREENSHOT = path.join(repoRoot, "docs/images/demo-web.png");
/** The utterances the fake microphone must have produced before the call is ended. */
const UTTERANCES = 2;

function missingTools() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(CHROMIUM);
  for (const tool of ["espeak-ng", "sox"]) if (spawnSync(tool, ["--version"]).error) missing.push(tool);
  return missing;
}

const missing = missingTools();
if (missing.length > 0 && process.env.CI === "true") {
  test("the browser end-to-end test has what it needs", () => {
    assert.fail(`missing under CI: ${missing.join(", ")} (.ci/run installs chromium, espeak-ng and sox)`);
  });
}

/** A 16 kHz mono PCM16 WAV: silence while the bot greets, one spoken sentence, then silence (Chromium loops it). */
function makeMicrophoneWav(dir) {
  const spoken = path.join(dir, "spoken.wav");
  const mic = path.join(dir, "mic.wav");
  const speak = spawnSync("espeak-ng", ["-v", "en-us", "-s", "160", "-w", spoken, "Hello Ada. What can you help me with?"]);
  assert.equal(speak.status, 0, `espeak-ng failed: ${speak.stderr}`);
  const convert = spawnSync("sox", [spoken, "-r", "16000", "-c", "1", "-b", "16", mic, "norm", "-3", "pad", "4", "5"]);
  assert.equal(convert.status, 0, `sox failed: ${convert.stderr}`);
  return mic;
}

// Counts the bot's audio frames reaching the page (protobuf Frame field 2 = audio: first byte 0x12),
// passively, beside the client's own handling of every message.
const COUNT_AUDIO_FRAMES = () => {
  const Native = window.WebSocket;
  window.botAudioFrames = 0;
  const count = (bytes) => {
    if (bytes[0] === 0x12) window.botAudioFrames += 1;
  };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer) count(new Uint8Array(event.data));
        else if (event.data instanceof Blob) void event.data.arrayBuffer().then((buffer) => count(new Uint8Array(buffer)));
      });
    }
  };
};

describe("pnpm demo:web in a real browser", { skip: missing.length > 0 ? `missing ${missing.join(", ")}` : false, timeout: 90_000 }, () => {
  let workDir;
  let server;
  let browser;
  let events;
  let audioFrames;
  let blocked;
  let screenshot;
  let traceFile;

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "web-demo-"));
    const wav = makeMicrophoneWav(workDir);
    server = await startNode([DEMO], { env: { PORT: "0", RESPAN_TRACES_DIR: path.join(workDir, "traces") } });
    const url = (await server.waitForOutput(/ at (http:\/\/127\.0\.0\.1:\d+)/, 20_000))[1];

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        `--use-file-for-fake-audio-capture=${wav}`,
      ],
    });
    const context = await browser.newContext({ viewport: { width: 900, height: 620 } });
    // Nothing but loopback: a CDN dependency must fail loudly here, not hang.
    blocked = [];
    await context.route("**/*", (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === "127.0.0.1" || hostname === "localhost") return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    await page.addInitScript(COUNT_AUDIO_FRAMES);
    await page.goto(url);
    await page.click("#connect"); // a real user gesture, so the page may play audio
    const finals = (list) => list.filter((e) => e.name === "userTranscript" && e.data.final);
    await page.waitForFunction(
      (n) => {
        const list = window.demoEvents;
        const lastFinal = list.findLastIndex((e) => e.name === "userTranscript" && e.data.final);
        const count = list.filter((e) => e.name === "userTranscript" && e.data.final).length;
        return count >= n && list.slice(lastFinal).some((e) => e.name === "botStoppedSpeaking");
      },
      UTTERANCES,
      { timeout: 50_000, polling: 200 },
    );
    screenshot = await page.screenshot();
    events = await page.evaluate(() => window.demoEvents);
    audioFrames = await page.evaluate(() => window.botAudioFrames);
    assert.ok(finals(events).length >= UTTERANCES);
    await page.click("#disconnect");
    traceFile = (await server.waitForOutput(/Trace file written to (.+\.json)/, 20_000))[1];
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("connect() resolves on bot-ready, with the bot's about", () => {
    const resolved = events.find((e) => e.name === "connectResolved");
    assert.ok(resolved, `connect() resolved; events: ${events.map((e) => e.name).join(", ")}`);
    assert.equal(resolved.data.version, "2.1.0");
    assert.deepEqual(resolved.data.about, { library: "pipecat-ts" });
    assert.ok(events.findIndex((e) => e.name === "botReady") <= events.findIndex((e) => e.name === "connectResolved"));
    assert.equal(events.filter((e) => e.name === "connectFailed" || e.name === "error").length, 0, "no errors");
    assert.deepEqual(blocked, [], "the page needs nothing beyond the demo server");
  });

  test("the client's callbacks fire for each spoken turn, in a real Pipecat order", () => {
    const names = events.map((e) => e.name);
    for (const name of [
      "userStartedSpeaking",
      "userStoppedSpeaking",
      "userTranscript",
      "metrics",
      "botLlmStarted",
      "botLlmText",
      "botLlmStopped",
      "botTtsStarted",
      "botStartedSpeaking",
      "botOutput",
      "botTtsText",
      "botTtsStopped",
      "botStoppedSpeaking",
      "functionCallStarted",
      "functionCallStopped",
    ]) {
      assert.ok(names.includes(name), `${name} fired; got ${[...new Set(names)].join(", ")}`);
    }
    const finals = events.filter((e) => e.name === "userTranscript" && e.data.final).map((e) => e.data.text);
    assert.deepEqual(finals.slice(0, 2), ["Hi Ada. What can you help me with?", "What's the weather like in Paris right now?"]);
    const firstFinal = names.findIndex((name, i) => name === "userTranscript" && events[i].data.final);
    assert.ok(names.lastIndexOf("userStoppedSpeaking", firstFinal) > names.lastIndexOf("userStartedSpeaking", firstFinal));
    assert.ok(names.indexOf("botLlmStarted", firstFinal) > firstFinal, "the LLM answers the transcript");
    const botText = events.filter((e) => e.name === "botLlmText").map((e) => e.data.text).join("");
    assert.match(botText, /Hello, I'm Ada\./);
    assert.match(botText, /sunny and 22 degrees in Paris/);
    const ttfb = events.filter((e) => e.name === "metrics").flatMap((e) => e.data.ttfb ?? []);
    assert.ok(ttfb.some((m) => /LLM/.test(m.processor)), "LLM time to first byte reaches the page");
  });

  test("the bot's audio reaches the page", () => {
    // Greeting and two replies of tone at 24 kHz in 40 ms frames: well over a hundred frames.
    assert.ok(audioFrames > 100, `audio frames received: ${audioFrames}`);
  });

  test("the page shows the conversation (screenshot)", () => {
    assert.deepEqual([...screenshot.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
    const target = process.env.UPDATE_SCREENSHOTS === "1" ? SCREENSHOT : path.join(workDir, "demo-web.png");
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, screenshot);
  });

  test("the server's trace of the call: one conversation, a turn per utterance, stt/llm/tts spans", () => {
    const spans = flattenTraceRequest(JSON.parse(readFileSync(traceFile, "utf8")));
    const trace = indexTrace(spans);
    const [conversation, ...others] = trace.named("conversation");
    assert.ok(conversation, `a conversation span among ${[...new Set(spans.map((s) => s.name))].join(", ")}`);
    assert.equal(others.length, 0);
    assert.equal(trace.parentOf(conversation)?.name, "voice_session.workflow");
    const utterances = events.filter((e) => e.name === "userTranscript" && e.data.final).length;
    const turns = trace.named("turn");
    assert.equal(turns.length, 1 + utterances, `the greeting and one turn per utterance (${utterances})`);
    for (const turn of turns) assert.equal(turn.parentSpanId, conversation.spanId);
    for (const name of ["stt", "llm", "tts"]) {
      const serviceSpans = trace.named(name);
      assert.ok(serviceSpans.length > 0, `${name} spans`);
      for (const span of serviceSpans) assert.equal(trace.parentOf(span)?.name, "turn", `${name} under a turn`);
    }
    const userTurns = turns.filter((turn) => trace.childrenOf(turn).some((child) => child.name === "stt"));
    assert.equal(userTurns.length, utterances, "each utterance's turn has its stt span");
    assert.ok(trace.named("execute_tool get_weather").length > 0, "the weather tool call");
  });
});
