import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  ErrorFrame,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  LLMUsageMetricsData,
  MetricsFrame,
  TranscriptionFrame,
  TTFBMetricsData,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
  VirtualClock,
  createDemoConversation,
} from "pipecat-ts";
import { hopRecorder, within } from "./helpers.mjs";

/** Asserts the first frame of each class appears in `frames` in the given order. */
function assertOrder(frames, classes, label) {
  let last = -1;
  for (const FrameClass of classes) {
    const index = frames.findIndex((f, i) => i > last && f instanceof FrameClass);
    assert.ok(index > last, `${label}: expected ${FrameClass.name} after position ${last}; got ${frames.map((f) => f.constructor.name).join(", ")}`);
    last = index;
  }
}

/** Splits the frames where the user starts speaking: [greeting, user turn 1, user turn 2, ...]. */
function segments(frames) {
  const parts = [[]];
  for (const frame of frames) {
    if (frame instanceof VADUserStartedSpeakingFrame) parts.push([]);
    parts.at(-1).push(frame);
  }
  return parts;
}

// First appearance of a reply's frames. The LLM closes its response (LLMFullResponseEndFrame) as soon as
// it has streamed it, so that frame is checked on arrival at the end of the pipeline instead.
const BOT_REPLY = [
  LLMFullResponseStartFrame,
  LLMTextFrame,
  TTSStartedFrame,
  TTSAudioRawFrame,
  BotStartedSpeakingFrame,
  TTSTextFrame,
  TTSStoppedFrame,
  BotStoppedSpeakingFrame,
];

// What reaches the assistant aggregator for one spoken response, in order.
const SPOKEN_RESPONSE = [LLMFullResponseStartFrame, TTSStartedFrame, TTSAudioRawFrame, TTSTextFrame, TTSStoppedFrame, LLMFullResponseEndFrame];

const USER_TURN = [
  VADUserStartedSpeakingFrame,
  UserStartedSpeakingFrame,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  VADUserStoppedSpeakingFrame,
  UserStoppedSpeakingFrame,
  TranscriptionFrame,
  LLMContextFrame,
];

test("the 4-turn demo conversation runs end to end on the VirtualClock with frames in Pipecat's order", async () => {
  const hops = hopRecorder();
  const demo = createDemoConversation({ observers: [hops.observer], conversationId: "demo-call" });
  const userTurns = [];
  const botTurns = [];
  demo.userAggregator.on("onUserTurnStopped", (_, message) => userTurns.push(message));
  demo.assistantAggregator.on("onAssistantTurnStopped", (_, message) => botTurns.push(message));
  const started = performance.now();
  await within(20000, demo.task.run(), "demo conversation");
  assert.ok(demo.clock instanceof VirtualClock);
  assert.ok(demo.clock.now() > 20000, "more than 20 s of conversation on the virtual clock");
  assert.ok(performance.now() - started < 15000, "accelerated: far less real time than conversation time");
  assert.equal(demo.task.conversationId, "demo-call");
  assert.equal(demo.expectedTurns, 4);

  const frames = hops.firstSeen();
  assert.deepEqual(frames.filter((f) => f instanceof ErrorFrame), []);
  const [greeting, question, weather, goodbye, ...rest] = segments(frames);
  assert.equal(rest.length, 0, "three user turns after the greeting");

  assertOrder(greeting, [LLMContextFrame, ...BOT_REPLY], "greeting");
  assertOrder(question, [...USER_TURN, ...BOT_REPLY], "question");
  assertOrder(
    weather,
    [
      ...USER_TURN,
      LLMFullResponseStartFrame,
      FunctionCallsStartedFrame,
      FunctionCallInProgressFrame,
      FunctionCallResultFrame,
      LLMFullResponseEndFrame,
      ...BOT_REPLY.slice(0, -1), // still speaking when the user cuts in
    ],
    "weather question",
  );
  assert.equal(weather.filter((f) => f instanceof LLMFullResponseStartFrame).length, 2, "tool call, then the answer using it");
  // The user barges in while the weather answer is playing.
  assert.ok(
    weather.findLastIndex((f) => f instanceof BotStartedSpeakingFrame) > weather.findLastIndex((f) => f instanceof BotStoppedSpeakingFrame),
    "the bot is still speaking when the user starts",
  );
  assertOrder(goodbye, [...USER_TURN, ...BOT_REPLY], "goodbye");
  assert.deepEqual(
    goodbye.slice(0, 4).map((f) => f.constructor.name),
    ["VADUserStartedSpeakingFrame", "UserStartedSpeakingFrame", "InterruptionFrame", "BotStoppedSpeakingFrame"],
    "the interruption comes right after the user starts, and the bot stops",
  );

  const arrived = hops.hops.filter((h) => h.destination === demo.assistantAggregator).map((h) => h.frame);
  const responses = [];
  for (const frame of arrived) {
    if (frame instanceof LLMFullResponseStartFrame) responses.push([]);
    responses.at(-1)?.push(frame);
  }
  // greeting, answer, tool call, weather answer (cut short: the rest was dropped), goodbye
  assert.equal(responses.length, 5);
  for (const index of [0, 1, 4]) assertOrder(responses[index], SPOKEN_RESPONSE, `response ${index} at the end of the pipeline`);
  assertOrder(responses[2], [LLMFullResponseStartFrame, FunctionCallInProgressFrame, FunctionCallResultFrame, LLMFullResponseEndFrame], "tool response");
  assert.ok(!responses[3].some((f) => f instanceof LLMFullResponseEndFrame || f instanceof TTSStoppedFrame), "the interrupted response never finished playing");
  assert.ok(responses[3].some((f) => f instanceof InterruptionFrame));

  // Interrupted audio never played: fewer weather-answer chunks left the output than the TTS made.
  const weatherContext = weather.filter((f) => f instanceof TTSStartedFrame)[0].contextId;
  const made = hops.hops.filter((h) => h.source === demo.tts && h.frame instanceof TTSAudioRawFrame && h.frame.contextId === weatherContext).length;
  const played = hops.hops.filter((h) => h.source === demo.transport.output() && h.frame instanceof TTSAudioRawFrame && h.frame.contextId === weatherContext).length;
  assert.ok(played > 0 && played < made, `played ${played} of ${made} chunks`);

  assert.deepEqual(userTurns.map((m) => m.content), demo.userScript.map((u) => u.text));
  assert.deepEqual(botTurns.map((m) => [m.content, m.interrupted]), [
    ["Hello, I'm Ada. How can I help you today?", false],
    ["I can answer questions, look up the weather, and keep you company.", false],
    ["It is sunny and 22 degrees in Paris right now.", true],
    ["You're welcome. Goodbye!", false],
  ]);
  for (const message of [...userTurns, ...botTurns]) assert.match(message.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const roles = demo.context.messages.map((m) => m.role + (m.tool_calls ? "(tool_calls)" : ""));
  assert.deepEqual(roles, ["system", "assistant", "user", "assistant", "user", "assistant(tool_calls)", "tool", "assistant", "user", "assistant"]);
  assert.deepEqual(JSON.parse(String(demo.context.messages[6].content)), { city: "Paris", conditions: "sunny", temperatureC: 22 });

  const metrics = frames.filter((f) => f instanceof MetricsFrame).flatMap((f) => f.data);
  const ttfbBy = new Set(metrics.filter((d) => d instanceof TTFBMetricsData).map((d) => d.processor));
  assert.deepEqual(ttfbBy, new Set([demo.stt.name, demo.llm.name, demo.tts.name]));
  assert.ok(metrics.some((d) => d instanceof LLMUsageMetricsData && d.value.totalTokens > 0));
});

test("the demo repeats its rounds for longer conversations", async () => {
  const demo = createDemoConversation({ repeats: 3 });
  let botTurns = 0;
  demo.assistantAggregator.on("onAssistantTurnStopped", () => {
    botTurns += 1;
  });
  await within(30000, demo.task.run(), "repeated demo");
  assert.equal(demo.expectedTurns, 10);
  assert.equal(botTurns, 10);
  assert.throws(() => createDemoConversation({ repeats: 0 }), /"repeats" must be a positive integer, got 0/);
});

test("ttsOptions configure the demo's TTS: 20 ms chunks make 20 ms bot audio frames", async () => {
  const hops = hopRecorder();
  const demo = createDemoConversation({ observers: [hops.observer], ttsOptions: { chunkMs: 20, frequencyHz: 330 } });
  assert.equal(demo.tts.chunkMs, 20);
  assert.equal(demo.tts.frequencyHz, 330);
  await within(20000, demo.task.run(), "demo with 20 ms TTS chunks");
  const botAudio = hops.firstSeen().filter((f) => f instanceof TTSAudioRawFrame);
  const durationsMs = botAudio.map((f) => (f.audio.byteLength / 2 / f.sampleRate) * 1000);
  assert.ok(durationsMs.length > 100);
  assert.ok(durationsMs.every((ms) => ms <= 20 + 1e-9), "no chunk longer than 20 ms");
  assert.ok(durationsMs.filter((ms) => Math.abs(ms - 20) < 1e-9).length > durationsMs.length * 0.9, "nearly all exactly 20 ms");
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => createDemoConversation({ ttsOptions: "fast" }), /createDemoConversation: "ttsOptions" must be an object of ToneTTSService options such as \{ chunkMs: 20 \}, got "fast"/);
  assert.throws(() => createDemoConversation({ ttsOptions: { chunkMs: 0 } }), /"chunkMs" must be a positive finite number, got 0/);
});
