// The client tracer's state machine, driven by an emitter that fires the events PipecatClient fires, in
// the order a real call produces them (see the browser end-to-end test for the real client).
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { instrumentPipecatClient } from "@respan/instrumentation-pipecat-client";
import { byName, inMemoryTracing } from "../../../test/support/otel.cjs";

/**
 * An emitter standing in for PipecatClient (the tracer only subscribes to its events). Node's `on()` types
 * its listeners' arguments as any[], which ObservableClient's never[] does not accept, hence the cast.
 * @returns {EventEmitter & import("@respan/instrumentation-pipecat-client").ObservableClient}
 */
function fakeClient() {
  return /** @type {any} */ (new EventEmitter());
}

function setup(options = {}) {
  const { provider: tracerProvider, spans } = inMemoryTracing();
  const client = fakeClient();
  const tracing = instrumentPipecatClient(client, { tracerProvider, flushOnSessionEnd: false, ...options });
  return { client, tracing, spans, byName: (name) => byName(spans(), name) };
}

const parentOf = (span) => span.parentSpanContext?.spanId;

function connect(client) {
  client.emit("transportStateChanged", "connecting");
  client.emit("connected");
  client.emit("botReady", { version: "2.1.0", about: { server_time_ms: Date.now() + 5000 } });
}

/**
 * @param {EventEmitter} client
 * @param {{ transcript?: string, interruptBot?: boolean }} [turn]
 */
function userTurn(client, { transcript, interruptBot = false } = {}) {
  client.emit("userStartedSpeaking");
  client.emit("userStoppedSpeaking");
  if (transcript) client.emit("userTranscript", { text: transcript, final: true, timestamp: "", user_id: "" });
  client.emit("metrics", { ttfb: [{ processor: "ScriptedSTTService#0", value: 0.1 }, { processor: "OpenAILLMService#0", value: 0.4 }] });
  client.emit("botStartedSpeaking");
  client.emit("botTtsText", { text: "Hello there." });
  client.emit("metrics", { ttfb: [{ processor: "OpenAITTSService#0", value: 0.2 }] });
  if (!interruptBot) client.emit("botStoppedSpeaking");
}

test("a call becomes a session with one turn per exchange, the felt latency and the server's TTFBs", async () => {
  const { client, tracing, byName } = setup({ captureContent: true });
  connect(client);
  const traceparent = tracing.traceparent();
  assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  userTurn(client, { transcript: "What time is it?" });
  userTurn(client, { transcript: "And tomorrow?" });
  client.emit("disconnected");

  const [session] = byName("client_session");
  assert.ok(session, "session span ended on disconnect");
  assert.equal(traceparent.split("-")[2], session.spanContext().spanId);
  assert.equal(session.attributes["pipecat.client.end_reason"], "disconnected");
  assert.equal(session.attributes["pipecat.client.turn_count"], 2);
  assert.equal(typeof session.attributes["pipecat.client.connect_seconds"], "number");
  const offset = /** @type {number} */ (session.attributes["pipecat.client.clock_offset_ms"]);
  assert.ok(offset > 4000 && offset < 6000, `clock offset ${offset} ms estimated from bot-ready`);

  const turns = byName("client_turn");
  assert.deepEqual(turns.map((t) => t.attributes["pipecat.client.turn.number"]), [1, 2]);
  for (const turn of turns) assert.equal(parentOf(turn), session.spanContext().spanId);
  const responses = byName("response");
  assert.equal(responses.length, 2);
  for (const response of responses) {
    assert.equal(typeof response.attributes["pipecat.client.response_latency_seconds"], "number");
    assert.equal(response.attributes["pipecat.client.server_ttfb_seconds.stt"], 0.1);
    assert.equal(response.attributes["pipecat.client.server_ttfb_seconds.llm"], 0.4);
  }
  // TTS measured after the bot started speaking lands on the turn.
  assert.equal(turns[0].attributes["pipecat.client.server_ttfb_seconds.tts"], 0.2);
  assert.equal(turns[0].attributes["pipecat.client.user_transcript"], "What time is it?");
  assert.equal(byName("bot_speech")[0].attributes["pipecat.client.bot_text"], "Hello there.");
  assert.equal(byName("user_speech").length, 2);
});

test("the user speaking over the bot marks the turn interrupted and starts the next one", () => {
  const { client, byName } = setup();
  connect(client);
  userTurn(client, { interruptBot: true });
  userTurn(client);
  client.emit("disconnected");
  const turns = byName("client_turn");
  assert.equal(turns.length, 2);
  assert.equal(turns[0].attributes["pipecat.client.turn.was_interrupted"], true);
  assert.equal(turns[1].attributes["pipecat.client.turn.was_interrupted"], undefined);
  assert.equal(byName("bot_speech")[0].attributes["pipecat.client.bot_speech.interrupted"], true);
});

test("content capture off (the default) leaves no transcript, bot text or arguments", () => {
  const { client, spans } = setup();
  connect(client);
  client.emit("userStartedSpeaking");
  client.emit("userStoppedSpeaking");
  client.emit("userTranscript", { text: "my card number is 4111", final: true, timestamp: "", user_id: "" });
  client.emit("llmFunctionCallInProgress", { function_name: "lookup", tool_call_id: "c1", arguments: { card: "4111" } });
  client.emit("error", { data: { error: "failed for 4111", fatal: false } });
  client.emit("botStartedSpeaking");
  client.emit("botTtsText", { text: "Your card 4111 is fine." });
  client.emit("botStoppedSpeaking");
  client.emit("disconnected");
  const text = JSON.stringify(spans().map((s) => ({ a: s.attributes, e: s.events })));
  assert.ok(!text.includes("4111"), "no user content in any span");
  assert.ok(text.includes("lookup"), "the function name is recorded");
});

test("withTraceContext puts the traceparent in the wsUrl query string", () => {
  const { tracing } = setup();
  const params = tracing.withTraceContext({ wsUrl: "ws://127.0.0.1:1234/ws?room=a" });
  const url = new URL(params.wsUrl);
  assert.equal(url.searchParams.get("room"), "a");
  assert.equal(url.searchParams.get("traceparent"), tracing.traceparent());
  assert.deepEqual(tracing.withTraceContext({ other: 1 }), { other: 1 });
});

test("a bot greeting with no user speech is a turn of its own; the session end closes open spans", () => {
  const { client, byName } = setup();
  connect(client);
  client.emit("botStartedSpeaking");
  client.emit("botStoppedSpeaking");
  client.emit("userStartedSpeaking");
  client.emit("botDisconnected");
  client.emit("disconnected");
  const turns = byName("client_turn");
  assert.equal(turns.length, 2);
  assert.equal(turns[1].attributes["pipecat.client.turn.ended_by_session_end"], true);
  assert.equal(byName("client_session")[0].attributes["pipecat.client.end_reason"], "bot_disconnected");
  assert.equal(byName("response").length, 0);
});

test("wrong options are TypeErrors naming the option; a broken handler never throws into the client", () => {
  // @ts-expect-error "captureContnet" is not an option: the run-time check must reject it
  assert.throws(() => instrumentPipecatClient(fakeClient(), { captureContnet: true }), /unknown option "captureContnet"/);
  assert.throws(() => instrumentPipecatClient(fakeClient(), { maxContentLength: -1 }), /maxContentLength/);
  // @ts-expect-error not a client on purpose: the run-time check must reject it
  assert.throws(() => instrumentPipecatClient({}), /PipecatClient/);
  // Only what the tracer calls: getTracer().startSpan().
  const throwingProvider = /** @type {any} */ ({ getTracer: () => ({ startSpan: () => { throw new Error("boom"); } }) });
  const client = fakeClient();
  const warnings = [];
  const original = console.warn;
  console.warn = (message) => warnings.push(message);
  try {
    instrumentPipecatClient(client, { tracerProvider: throwingProvider });
    client.emit("transportStateChanged", "connecting");
    client.emit("userStartedSpeaking");
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.length, 1, "reported once");
});

test("uninstrument removes every listener", () => {
  const { client, tracing } = setup();
  const before = client.eventNames().length;
  assert.ok(before > 5);
  tracing.uninstrument();
  assert.equal(client.eventNames().length, 0);
});

test("with the server's VAD stop wait known, the felt latency counts from when the user really stopped", () => {
  const { client, byName } = setup();
  client.emit("transportStateChanged", "connecting");
  client.emit("connected");
  client.emit("botReady", { version: "2.1.0", about: { vad: { stop_secs: 0.5 } } });
  client.emit("userStartedSpeaking");
  const stoppedEventAt = Date.now();
  client.emit("userStoppedSpeaking");
  client.emit("botStartedSpeaking");
  client.emit("botStoppedSpeaking");
  client.emit("disconnected");
  const [response] = byName("response");
  const latency = /** @type {number} */ (response.attributes["pipecat.client.response_latency_seconds"]);
  assert.ok(latency >= 0.5 && latency < 1.5, `latency ${latency} s includes the 0.5 s stop wait`);
  const startMs = response.startTime[0] * 1000 + response.startTime[1] / 1e6;
  assert.ok(startMs <= stoppedEventAt - 499, "the response span starts when the user really stopped");
});
