import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EndFrame,
  FunctionCallInProgressFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  LLMAssistantAggregator,
  LLMContext,
  LLMContextAggregatorPair,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMMessagesAppendFrame,
  LLMRunFrame,
  LLMTextFrame,
  LLMUserAggregator,
  Pipeline,
  PipelineTask,
  TranscriptionFrame,
  TTSTextFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VirtualClock,
} from "pipecat-ts";
import { runFrames, within } from "./helpers.mjs";

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function transcript(text) {
  return new TranscriptionFrame({ text, userId: "caller", timestamp: "2025-01-02T03:04:05.678Z" });
}

test("the pair shares one context: user aggregator first, assistant aggregator last", () => {
  const context = new LLMContext();
  const pair = new LLMContextAggregatorPair(context);
  assert.ok(pair.user() instanceof LLMUserAggregator);
  assert.ok(pair.assistant() instanceof LLMAssistantAggregator);
  assert.equal(pair.user().context, context);
  assert.equal(pair.assistant().context, context);
  assert.equal(pair.user(), pair.user());
  // @ts-expect-error a plain object, not an LLMContext, on purpose: the run-time check must reject it
  assert.throws(() => new LLMContextAggregatorPair({ messages: [] }), /"context" must be an LLMContext/);
});

test("the user aggregator turns a user turn into a message, an event and an LLMContextFrame", async () => {
  const context = new LLMContext({ messages: [{ role: "system", content: "Be brief." }] });
  const user = new LLMUserAggregator(context);
  const events = [];
  user.on("onUserTurnStarted", (aggregator) => events.push(["started", aggregator === user]));
  user.on("onUserTurnStopped", (aggregator, message) => events.push(["stopped", aggregator === user, message]));
  const { tail } = await runFrames([user], [
    new UserStartedSpeakingFrame(),
    new InterimTranscriptionFrame({ text: "what's", userId: "caller" }),
    transcript("What's the time?"),
    new UserStoppedSpeakingFrame(),
    // the transcript may also arrive after the user stopped
    new UserStartedSpeakingFrame(),
    new UserStoppedSpeakingFrame(),
    transcript("And the date?"),
  ]);
  assert.deepEqual(events, [
    ["started", true],
    ["stopped", true, { content: "What's the time?", timestamp: "2025-01-02T03:04:05.678Z" }],
    ["started", true],
    ["stopped", true, { content: "And the date?", timestamp: "2025-01-02T03:04:05.678Z" }],
  ]);
  assert.deepEqual(context.messages.slice(1), [
    { role: "user", content: "What's the time?" },
    { role: "user", content: "And the date?" },
  ]);
  const contextFrames = tail.downstream(LLMContextFrame);
  assert.equal(contextFrames.length, 2);
  assert.ok(contextFrames.every((f) => f.context === context));
  assert.deepEqual(tail.downstream(TranscriptionFrame), [], "transcripts are consumed");
  assert.deepEqual(tail.downstream(InterimTranscriptionFrame), []);
  const order = tail.downstream().map((f) => f.constructor.name);
  assert.ok(order.indexOf("UserStoppedSpeakingFrame") < order.indexOf("LLMContextFrame"));
});

test("LLMRunFrame runs the LLM on the context as it is; LLMMessagesAppendFrame appends (and runs if asked)", async () => {
  const context = new LLMContext();
  const user = new LLMUserAggregator(context);
  const { tail } = await runFrames([user], [
    new LLMRunFrame(),
    new LLMMessagesAppendFrame([{ role: "system", content: "Say hi." }]),
    new LLMMessagesAppendFrame([{ role: "user", content: "hi" }], true),
  ]);
  assert.equal(tail.downstream(LLMContextFrame).length, 2);
  assert.deepEqual(context.messages, [{ role: "system", content: "Say hi." }, { role: "user", content: "hi" }]);
});

test("the assistant aggregator records spoken text as one assistant message per turn", async () => {
  const context = new LLMContext();
  const assistant = new LLMAssistantAggregator(context);
  const events = [];
  assistant.on("onAssistantTurnStopped", (aggregator, message) => events.push(message));
  await runFrames([assistant], [
    new LLMFullResponseStartFrame(),
    new TTSTextFrame("Hello there.", "ctx"),
    new TTSTextFrame("How are you?", "ctx"),
    new LLMFullResponseEndFrame(),
    new LLMFullResponseStartFrame(),
    new LLMTextFrame("Fine"),
    new LLMTextFrame(", thanks."),
    new LLMFullResponseEndFrame(),
  ]);
  assert.deepEqual(context.messages, [
    { role: "assistant", content: "Hello there. How are you?" },
    { role: "assistant", content: "Fine, thanks." },
  ]);
  assert.equal(events.length, 2);
  assert.equal(events[0].content, "Hello there. How are you?");
  assert.equal(events[0].interrupted, false);
  assert.match(events[0].timestamp, ISO_UTC);
});

test("a response that called tools is left to the LLM's context entries; the turn ends with the follow-up", async () => {
  const context = new LLMContext();
  const assistant = new LLMAssistantAggregator(context);
  const events = [];
  assistant.on("onAssistantTurnStopped", (_, message) => events.push(message));
  await runFrames([assistant], [
    new LLMFullResponseStartFrame(),
    new LLMTextFrame("Let me check."),
    new FunctionCallInProgressFrame({ functionName: "get_weather", toolCallId: "c1", arguments: {} }),
    new LLMFullResponseEndFrame(),
    new LLMFullResponseStartFrame(),
    new LLMTextFrame("It is sunny."),
    new LLMFullResponseEndFrame(),
  ]);
  assert.deepEqual(context.messages, [{ role: "assistant", content: "It is sunny." }]);
  assert.deepEqual(events.map((e) => [e.content, e.interrupted]), [["Let me check. It is sunny.", false]]);
});

test("an interruption ends the assistant turn as interrupted, keeping what was said", async () => {
  const clock = new VirtualClock();
  const context = new LLMContext();
  const assistant = new LLMAssistantAggregator(context);
  const events = [];
  assistant.on("onAssistantTurnStopped", (_, message) => events.push(message));
  const task = new PipelineTask(new Pipeline([assistant]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrames([new LLMFullResponseStartFrame(), new TTSTextFrame("The story begins.", "ctx")]);
  // the interruption is a system frame: it would overtake the queued text if sent at once
  await clock.sleep(10);
  await task.queueFrame(new InterruptionFrame());
  await task.queueFrames([new LLMFullResponseEndFrame(), new EndFrame()]);
  await within(5000, running);
  assert.deepEqual(context.messages, [{ role: "assistant", content: "The story begins." }]);
  assert.deepEqual(events.map((e) => [e.content, e.interrupted]), [["The story begins.", true]]);
});

test("a throwing event handler is reported as an ErrorFrame and the turn still goes on", async () => {
  const context = new LLMContext();
  const user = new LLMUserAggregator(context);
  user.on("onUserTurnStopped", () => {
    throw new Error("listener bug");
  });
  const { tail, errors } = await runFrames([user], [new UserStartedSpeakingFrame(), transcript("Hello"), new UserStoppedSpeakingFrame()]);
  assert.equal(errors.length, 1);
  assert.match(errors[0].error, /^LLMUserAggregator#\d+: the "onUserTurnStopped" handler threw: listener bug$/);
  assert.equal(tail.downstream(LLMContextFrame).length, 1);
});

test("LLMContext validates messages and tools", () => {
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new LLMContext({ messages: "hi" }), /LLMContext: "messages" must be an array of chat messages, got "hi"/);
  // @ts-expect-error "robot" is not a role: the run-time check must reject it
  assert.throws(() => new LLMContext({ messages: [{ role: "robot", content: "x" }] }), /"messages" must be objects with a role of "system", "developer", "user", "assistant" or "tool"/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new LLMContext({ tools: {} }), /"tools" must be an array of function-tool schemas/);
  const context = new LLMContext({ toolChoice: "auto" });
  assert.deepEqual([context.messages, context.tools, context.toolChoice], [[], [], "auto"]);
  // @ts-expect-error a message without a role, on purpose: the run-time check must reject it
  assert.throws(() => context.addMessage({ content: "no role" }), /LLMContext.addMessage: "messages" must be objects with a role/);
});
