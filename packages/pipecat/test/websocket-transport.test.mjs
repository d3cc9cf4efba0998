// Pipecat's WebSocket protocol end to end on loopback: the RTVI handshake, a voice turn from microphone
// audio to paced bot audio, interruptions, bad messages, client commands, disconnects and 20 concurrent calls.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeWireFrame } from "pipecat-ts";
import { connectClient, startBotServer, tone, utterance } from "./websocket-helpers.mjs";

const TURN_EVENTS = [
  "user-started-speaking",
  "user-stopped-speaking",
  "user-transcription",
  "metrics",
  "bot-llm-started",
  "bot-llm-text",
  "bot-llm-stopped",
  "bot-tts-started",
  "bot-started-speaking",
  "bot-output",
  "bot-tts-text",
  "bot-tts-stopped",
  "bot-stopped-speaking",
];

describe("one call", () => {
  /** @type {Awaited<ReturnType<typeof startBotServer>>} */
  let bot;
  before(async () => (bot = await startBotServer({ greet: true })));
  after(() => bot.close());

  test("client-ready is answered with bot-ready (same id, version 2.1.0, the bot's about); the app sees the client's about", async () => {
    const client = await connectClient(`${bot.url}?token=t1&traceparent=00-abc`);
    const reply = await client.ready("2.1.0", { library: "test-client", custom: "x" });
    assert.equal(reply.type, "bot-ready");
    assert.equal(reply.label, "rtvi-ai");
    assert.deepEqual(reply.data, { version: "2.1.0", about: { name: "test-bot" } });
    const call = bot.calls.at(-1);
    assert.deepEqual(call.clientReady.about, { library: "test-client", custom: "x" });
    assert.deepEqual(call.transport.connection.query, { token: "t1", traceparent: "00-abc" });
    assert.deepEqual(call.startFrame.metadata, { connection: { query: { token: "t1", traceparent: "00-abc" } } }, "the task's startMetadata rides on the StartFrame");
    await client.close();
    assert.equal(await call.finished, "finished", "a client that leaves ends its task");
  });

  test("an unsupported client version gets an error-response", async () => {
    const client = await connectClient(bot.url);
    const reply = await client.ready("3.0.0");
    assert.equal(reply.type, "error-response");
    assert.match(reply.data.error, /3\.0\.0 is not supported/);
    await client.close();
  });

  test("a spoken utterance makes one full turn: speaking events, transcript, LLM and TTS text, metrics, paced 24 kHz bot audio", async () => {
    const client = await connectClient(bot.url);
    await client.ready();
    // The greeting first.
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "end of the greeting");
    const greetingAudio = client.audio.length;
    assert.ok(greetingAudio > 0, "the greeting is audio");
    client.messages.length = 0;
    client.audio.length = 0;
    client.sendAudio(utterance());
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "end of the reply");
    const types = client.types();
    for (const type of TURN_EVENTS) assert.ok(types.includes(type), `${type} in ${types.join(", ")}`);
    assert.ok(types.indexOf("user-started-speaking") < types.indexOf("user-stopped-speaking"));
    assert.ok(types.indexOf("user-stopped-speaking") < types.indexOf("bot-llm-started"));
    assert.ok(types.indexOf("bot-started-speaking") < types.indexOf("bot-stopped-speaking"));
    const final = client.ofType("user-transcription").find((m) => m.data.final);
    assert.equal(final.data.text, "Hello there.");
    assert.equal(final.data.user_id, "user");
    assert.equal(client.ofType("bot-llm-text").map((m) => m.data.text).join(""), "It is sunny today.", "the reply after the greeting");
    assert.deepEqual(client.ofType("bot-output").map((m) => [m.data.text, m.data.spoken]), [["It is sunny today.", true]]);
    const metrics = client.ofType("metrics").map((m) => m.data);
    assert.ok(metrics.some((m) => m.ttfb?.some((t) => /ScriptedLLMService/.test(t.processor) && t.value > 0)), "LLM TTFB");
    assert.ok(metrics.some((m) => m.tokens?.[0]?.value.total_tokens > 0), "token usage");
    assert.ok(metrics.some((m) => m.characters?.[0]?.value > 0), "TTS characters");

    // 24 kHz PCM16 in pieces of at most 40 ms, sent in real time: a reply of N ms takes about N ms to arrive.
    assert.ok(client.audio.every((a) => a.sampleRate === 24000 && a.numChannels === 1 && a.audio.length <= 1920));
    const audioMs = client.audio.reduce((sum, a) => sum + a.audio.length / 48, 0);
    const spreadMs = client.audio.at(-1).at - client.audio[0].at;
    assert.ok(audioMs > 300, `reply audio: ${audioMs} ms`);
    assert.ok(spreadMs > audioMs - 250, `paced: ${audioMs} ms of audio arrived over ${spreadMs} ms`);
    await client.close();
  });

  test("talking over the bot interrupts it: its audio stops within the playback lead", async () => {
    const client = await connectClient(bot.url);
    await client.ready();
    await client.waitFor(() => client.ofType("bot-started-speaking").length === 1 && client.audio.length > 3, "the greeting started");
    client.sendAudio(tone(300));
    await client.waitFor(() => client.ofType("user-started-speaking").length === 1, "user-started-speaking");
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "bot-stopped-speaking");
    const stoppedAt = Date.now();
    const startedSpeakingAt = client.audio.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    const after = client.audio.slice(startedSpeakingAt).filter((a) => a.at > stoppedAt);
    assert.equal(after.length, 0, "no greeting audio after the bot stopped");
    // The greeting is ~630 ms of tone at this TTS speed; it was cut, so less of it arrived.
    const greetingText = "Hi! Nice to hear you.";
    const fullMs = greetingText.length * 30;
    const receivedMs = client.audio.reduce((sum, a) => sum + a.audio.length / 48, 0);
    assert.ok(receivedMs < fullMs, `interrupted greeting: ${receivedMs} ms of ${fullMs} ms sent`);
    await client.close();
  });

  test("text, malformed and oversized messages get an RTVI error; the call goes on", async () => {
    const client = await connectClient(bot.url);
    await client.ready();
    client.sendRaw("hello", { binary: false });
    client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    client.sendRaw(encodeWireFrame({ kind: "message", data: "{oops" }));
    client.sendRaw(Buffer.alloc(300 * 1024, 1));
    client.sendRaw(encodeWireFrame({ kind: "message", data: JSON.stringify([1, 2]) }));
    client.sendRtvi("no-such-type", {});
    await client.waitFor(() => client.ofType("error").length >= 5 && client.ofType("error-response").length >= 1, "errors");
    const errors = client.ofType("error").map((m) => m.data);
    assert.ok(errors.every((e) => e.fatal === false), "none is fatal");
    assert.ok(errors.some((e) => /text WebSocket message/.test(e.error)));
    assert.ok(errors.some((e) => /not a protobuf pipecat.Frame/.test(e.error)));
    assert.ok(errors.some((e) => /not JSON/.test(e.error)));
    assert.ok(errors.some((e) => /307200 bytes was dropped: the limit is 262144/.test(e.error)));
    assert.ok(errors.some((e) => /must be a JSON object/.test(e.error)));
    assert.match(client.ofType("error-response")[0].data.error, /unsupported RTVI message type "no-such-type"/);
    assert.equal(client.isClosed, false);
    client.sendAudio(utterance());
    await client.waitFor(() => client.ofType("user-transcription").some((m) => m.data.final), "a transcript after the errors");
    await client.close();
  });

  test("send-text runs the LLM; client-message reaches the app and is answered; disconnect-bot ends the call", async () => {
    const client = await connectClient(bot.url);
    await client.ready();
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "end of the greeting");
    client.sendRtvi("send-text", { content: "Tell me the weather", options: { run_immediately: true, audio_response: true } });
    await client.waitFor(() => client.ofType("bot-llm-stopped").length === 2, "the LLM answers the text");
    const call = bot.calls.at(-1);
    assert.ok(call.context.messages.some((m) => m.role === "user" && m.content === "Tell me the weather"));
    const id = client.sendRtvi("client-message", { t: "ping", d: { n: 1 } });
    await client.waitFor(() => client.ofType("server-response").length === 1, "server-response");
    const response = client.ofType("server-response")[0];
    assert.equal(response.id, id);
    assert.deepEqual(response.data, { t: "ping", d: { echo: { n: 1 } } });
    assert.deepEqual(call.clientMessages.map((m) => m.type), ["ping"]);
    client.sendRtvi("disconnect-bot");
    const closed = await client.closed;
    assert.equal(closed.code, 1000);
    assert.equal(await call.finished, "finished");
  });

  test("a client that vanishes mid-reply ends its task cleanly", async () => {
    const client = await connectClient(bot.url);
    await client.ready();
    await client.waitFor(() => client.audio.length > 2, "bot audio");
    client.socket.terminate();
    const call = bot.calls.at(-1);
    const outcome = await Promise.race([call.finished, new Promise((resolve) => setTimeout(() => resolve("still running"), 5000))]);
    assert.equal(outcome, "finished");
    assert.equal(call.task.hasFinished, true);
  });
});

test("20 concurrent clients each hold their own call", async () => {
  const bot = await startBotServer();
  try {
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connectClient(`${bot.url}?client=${i}`)));
    await Promise.all(clients.map((client) => client.ready()));
    assert.equal(bot.server.activeCalls, 20);
    for (const client of clients) client.sendAudio(utterance());
    await Promise.all(clients.map((client) => client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "a reply", 20_000)));
    for (const client of clients) {
      assert.deepEqual(client.ofType("user-transcription").filter((m) => m.data.final).map((m) => m.data.text), ["Hello there."], "each call has its own script position");
      assert.ok(client.audio.length > 0);
    }
    const queries = bot.calls.map((call) => call.transport.connection.query.client).sort((a, b) => a - b);
    assert.deepEqual(queries, Array.from({ length: 20 }, (_, i) => String(i)).sort((a, b) => Number(a) - Number(b)));
    await Promise.all(clients.map((client) => client.close()));
    const outcomes = await Promise.all(bot.calls.map((call) => call.finished));
    assert.deepEqual(new Set(outcomes), new Set(["finished"]));
    assert.equal(bot.server.activeCalls, 0);
  } finally {
    await bot.close();
  }
});
