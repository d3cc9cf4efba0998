// The browser end to end of `pnpm demo:web`: headless Chromium with a fake microphone playing a spoken
// WAV (made here with espeak-ng) opens the demo page — Pipecat's unmodified @pipecat-ai/client-js and
// @pipecat-ai/websocket-transport from npm — presses Connect and talks to the pipecat-ts bot. Checks the
// client's side (connect() resolving on bot-ready, its callbacks, bot audio arriving), the server's trace
// of that call (its conversation, one turn per utterance, stt/llm/tts spans), and the page's own client
// spans (@respan/instrumentation-pipecat-client) joined to it: one trace from the browser's session down
// to the LLM call, with the latency the user felt beside the server's.
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
import { CHROMIUM, CHROMIUM_FLAGS } from "./support/browser.mjs";
import { repoRoot, startNode } from "./support/processes.mjs";
import { flattenTraceRequest } from "./support/otlp-receiver.mjs";
import { indexTrace } from "./support/trace-tree.mjs";

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
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer) count(new Uint8Array(event.data));
        else if (event.data instanceof Blob) void event.data.arrayBuffer().then((buffer) => count(new Uint8Array(buffer)));
      });
    }
  };
};

/** The trace file's spans once the browser's half has arrived too (the page sends it as the call ends). */
async function readJoinedTrace(traceFile) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const spans = flattenTraceRequest(JSON.parse(readFileSync(traceFile, "utf8")));
    if (spans.some((span) => span.name === "client_session") || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * One browser call against a fresh demo server: Connect, `utterances` spoken turns, Disconnect. Returns
 * what the page saw and the call's trace (both halves).
 */
async function browserCall(workDir, { utterances, env = {} }) {
  const wav = makeMicrophoneWav(workDir);
  const server = await startNode([DEMO], { env: { PORT: "0", RESPAN_TRACES_DIR: path.join(workDir, "traces"), ...env } });
  let browser;
  try {
    const url = (await server.waitForOutput(/ at (http:\/\/127\.0\.0\.1:\d+)/, 20_000))[1];
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        ...CHROMIUM_FLAGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        `--use-file-for-fake-audio-capture=${wav}`,
      ],
    });
    const context = await browser.newContext({ viewport: { width: 900, height: 620 } });
    // Nothing but loopback: a CDN dependency must fail loudly here, not hang.
    const blocked = [];
    await context.route("**/*", (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === "127.0.0.1" || hostname === "localhost") return route.continue();
      blocked.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.addInitScript(COUNT_AUDIO_FRAMES);
    await page.goto(url);
    await page.click("#connect"); // a real user gesture, so the page may play audio
    await page.waitForFunction(
      (n) => {
        const list = window.demoEvents;
        const lastFinal = list.findLastIndex((e) => e.name === "userTranscript" && e.data.final);
        const count = list.filter((e) => e.name === "userTranscript" && e.data.final).length;
        return count >= n && list.slice(lastFinal).some((e) => e.name === "botStoppedSpeaking");
      },
      utterances,
      { timeout: 50_000, polling: 200 },
    );
    const screenshot = await page.screenshot();
    const events = await page.evaluate(() => window.demoEvents);
    const audioFrames = await page.evaluate(() => window.botAudioFrames);
    await page.click("#disconnect");
    const traceFile = (await server.waitForOutput(/Trace file written to (.+\.json)/, 20_000))[1];
    const spans = await readJoinedTrace(traceFile);
    // The printed tree comes once both halves are in (or after a grace period): wait for the session's.
    const deadline = Date.now() + 10_000;
    while (!/── trace \S+ · client_session/.test(server.stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    return { events, audioFrames, screenshot, blocked, consoleErrors, spans, url, printed: server.stderr };
  } finally {
    await browser?.close();
    await server.stop();
  }
}

describe("pnpm demo:web in a real browser", { skip: missing.length > 0 ? `missing ${missing.join(", ")}` : false, timeout: 120_000 }, () => {
  let workDir;
  let events;
  let audioFrames;
  let blocked;
  let screenshot;
  let spans;
  let printed;

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "web-demo-"));
    ({ events, audioFrames, blocked, screenshot, spans, printed } = await browserCall(workDir, { utterances: UTTERANCES }));
    assert.ok(events.filter((e) => e.name === "userTranscript" && e.data.final).length >= UTTERANCES);
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("connect() resolves on bot-ready, with the bot's about", () => {
    const resolved = events.find((e) => e.name === "connectResolved");
    assert.ok(resolved, `connect() resolved; events: ${events.map((e) => e.name).join(", ")}`);
    assert.equal(resolved.data.version, "2.1.0");
    assert.equal(resolved.data.about.library, "pipecat-ts");
    assert.equal(typeof resolved.data.about.server_time_ms, "number", "the server's clock, for the client's clock offset");
    assert.equal(resolved.data.about.vad.stop_secs, 0.8, "the VAD's stop wait (Pipecat's default)");
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

  test("one trace holds the browser's session and the server's conversation beneath it", () => {
    const trace = indexTrace(spans);
    assert.equal(new Set(spans.map((span) => span.traceId)).size, 1, "one trace id");
    const [session, ...otherSessions] = trace.named("client_session");
    assert.ok(session, `a client_session among ${[...new Set(spans.map((s) => s.name))].join(", ")}`);
    assert.equal(otherSessions.length, 0);
    assert.ok(!session.parentSpanId, "the browser's session is the root");
    assert.equal(session.resource["service.name"], "web-voice-agent-browser");
    assert.equal(session.attributes["pipecat.client.transport"], "websocket");
    const [conversation] = trace.named("conversation");
    assert.equal(trace.ancestorNamed(conversation, "client_session")?.spanId, session.spanId, "conversation descends from the session");
    const clientTurns = trace.named("client_turn");
    const utterances = events.filter((e) => e.name === "userTranscript" && e.data.final).length;
    assert.ok(clientTurns.length >= 1 + utterances, "the greeting and one client turn per utterance");
    for (const turn of clientTurns) assert.equal(turn.parentSpanId, session.spanId);
    for (const name of ["user_speech", "response", "bot_speech"]) {
      assert.ok(trace.named(name).length >= utterances, `${name} spans`);
      for (const span of trace.named(name)) assert.equal(trace.parentOf(span)?.name, "client_turn");
    }
    assert.equal(typeof session.attributes["pipecat.client.connect_seconds"], "number");
    assert.equal(typeof session.attributes["pipecat.client.clock_offset_ms"], "number", "clock offset from the handshake");
    assert.equal(session.attributes["pipecat.client.end_reason"], "disconnected");
  });

  test("the terminal shows the call as one tree: the browser's session with the server's conversation beneath", () => {
    const trees = printed.split(/^(?=── trace )/m).filter((tree) => tree.startsWith("── trace "));
    const joined = trees.filter((tree) => /client_session/.test(tree) && /conversation/.test(tree));
    assert.equal(joined.length, 1, `one tree with both halves; printed:\n${printed.slice(-4000)}`);
    assert.match(joined[0], /^── trace \S+ · client_session/);
    assert.ok(joined[0].indexOf("client_session") < joined[0].indexOf("voice_session.workflow"));
  });

  test("the latency the user felt is at least the server's own user-bot latency, turn by turn", () => {
    const { server, client } = userTurnLatencies(indexTrace(spans));
    assert.ok(server.length >= UTTERANCES && client.length === server.length, `server ${server}, client ${client}`);
    // Both count from the moment the user really stopped speaking (the VAD's stop wait back-dated); the
    // client's end point is later (the message crossing the network). Clocks read in whole milliseconds.
    for (let i = 0; i < server.length; i++) {
      assert.ok(client[i] >= server[i] - 0.002, `turn ${i + 1}: client ${client[i]} s >= server ${server[i]} s`);
    }
  });

  test("the server's measurements appear on the client's spans", () => {
    const trace = indexTrace(spans);
    const responses = trace.named("response");
    assert.ok(responses.some((span) => typeof span.attributes["pipecat.client.server_ttfb_seconds.llm"] === "number"), "LLM TTFB on a response span");
  });

  test("with content capture on (the default), client turns carry what was said", () => {
    const trace = indexTrace(spans);
    const transcripts = trace.named("client_turn").map((turn) => turn.attributes["pipecat.client.user_transcript"]).filter(Boolean);
    assert.ok(transcripts.includes("Hi Ada. What can you help me with?"), `transcripts: ${transcripts}`);
    assert.ok(trace.named("bot_speech").some((span) => /Ada/.test(span.attributes["pipecat.client.bot_text"] ?? "")));
  });
});

/** The client-side figures of one call, matched to the server's turns in order. */
function userTurnLatencies(trace) {
  const server = trace
    .named("turn")
    .filter((turn) => trace.childrenOf(turn).some((child) => child.name === "stt"))
    .sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"])
    .map((turn) => turn.attributes["turn.user_bot_latency_seconds"]);
  const client = trace
    .named("client_turn")
    .filter((turn) => trace.childrenOf(turn).some((child) => child.name === "response"))
    .sort((a, b) => a.attributes["pipecat.client.turn.number"] - b.attributes["pipecat.client.turn.number"])
    .map((turn) => turn.attributes["pipecat.client.response_latency_seconds"]);
  return { server, client };
}

describe("client-side tracing with content capture off", { skip: missing.length > 0 ? `missing ${missing.join(", ")}` : false, timeout: 120_000 }, () => {
  let workDir;
  let quietCall;

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "web-demo-quiet-"));
    quietCall = await browserCall(workDir, { utterances: 1, env: { RESPAN_TRACE_CONTENT: "false" } });
  });

  after(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("with content capture off, no client span carries a transcript or bot text", () => {
    const clientSpans = quietCall.spans.filter((span) => span.scope.name === "@respan/instrumentation-pipecat-client");
    assert.ok(clientSpans.length > 3, "the client half arrived");
    const text = JSON.stringify(clientSpans.map((span) => [span.attributes, span.events]));
    assert.ok(!/What can you help me with|Hello, I'm Ada/.test(text), "no content on client spans");
    assert.deepEqual(quietCall.consoleErrors, [], "no console errors");
  });
});
