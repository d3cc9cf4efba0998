import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FunctionCallCancelFrame,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
  InterruptionFrame,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMService,
  LLMTextFrame,
  LLMUsageMetricsData,
  MetricsFrame,
  Pipeline,
  PipelineTask,
  ProcessingMetricsData,
  ScaledClock,
  ScriptedLLMService,
  TTFBMetricsData,
  EndFrame,
  VirtualClock,
} from "pipecat-ts";
import { Recorder, runFrames, within } from "./helpers.mjs";

/** @type {import("pipecat-ts").LLMTool} */
const WEATHER_TOOL = { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

function weatherContext() {
  return new LLMContext({ messages: [{ role: "user", content: "Weather in Paris?" }], tools: [WEATHER_TOOL] });
}

/** Frame class names pushed by `processor`, in push order, one per frame (broadcast copies once). */
function pushedBy(hops, processor) {
  const seen = new Set();
  return hops.hops
    .filter((h) => h.source === processor && !seen.has(h.frame.broadcastSiblingId ?? -1) && seen.add(h.frame.id))
    .map((h) => h.frame);
}

test("a tool call round trip: announced, run, result recorded in the context, model rerun with it", async () => {
  const llm = new ScriptedLLMService({
    replies: [{ toolCall: { name: "get_weather", arguments: { city: "Paris" } }, then: "It is {result.conditions} in {result.city}." }],
    firstTokenDelayMs: 100,
  });
  const calls = [];
  llm.registerFunction("get_weather", async (params) => {
    calls.push(params);
    return { city: params.arguments.city, conditions: "sunny" };
  });
  const context = weatherContext();
  const { head, tail, hops } = await runFrames([llm], [new LLMContextFrame(context)]);

  const pushed = pushedBy(hops, llm).map((f) => f.constructor.name);
  assert.deepEqual(pushed.filter((n) => !["LLMTextFrame", "StartFrame", "EndFrame"].includes(n)), [
    "LLMFullResponseStartFrame",
    "FunctionCallsStartedFrame",
    "FunctionCallInProgressFrame",
    "FunctionCallResultFrame",
    "LLMFullResponseEndFrame",
    "LLMFullResponseStartFrame",
    "LLMFullResponseEndFrame",
  ]);
  assert.equal(tail.downstream(LLMTextFrame).map((f) => f.text).join(""), "It is sunny in Paris.");

  assert.equal(calls.length, 1);
  const [call] = calls;
  assert.equal(call.functionName, "get_weather");
  assert.deepEqual(call.arguments, { city: "Paris" });
  assert.equal(call.llm, llm);
  assert.equal(call.context, context);
  assert.match(call.toolCallId, /^call_\d+$/);

  const [started] = tail.downstream(FunctionCallsStartedFrame);
  assert.deepEqual(started.functionCalls, [{ functionName: "get_weather", toolCallId: call.toolCallId, arguments: { city: "Paris" } }]);
  const [inProgress] = tail.downstream(FunctionCallInProgressFrame);
  assert.equal(inProgress.cancelOnInterruption, true);
  const [result] = tail.downstream(FunctionCallResultFrame);
  assert.deepEqual(result.result, { city: "Paris", conditions: "sunny" });
  assert.equal(result.toolCallId, call.toolCallId);
  assert.equal(result.runLlm, true);
  // broadcast: the same frames also went upstream
  assert.equal(head.upstream(FunctionCallResultFrame).length, 1);
  assert.equal(head.upstream(FunctionCallInProgressFrame).length, 1);

  assert.deepEqual(context.messages.slice(1), [
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: call.toolCallId, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
    },
    { role: "tool", tool_call_id: call.toolCallId, content: '{"city":"Paris","conditions":"sunny"}' },
  ]);
});

test("an unknown function or a failing handler gives an error result, never a crash", async () => {
  const llm = new ScriptedLLMService({
    replies: [
      { toolCall: { name: "launch_rockets" }, then: "Result: {result.error}" },
      { toolCall: { name: "flaky" }, then: "Result: {result.error}" },
    ],
    firstTokenDelayMs: 10,
  });
  llm.registerFunction("flaky", () => {
    throw new Error("backend down");
  });
  const { tail, errors } = await runFrames([llm], [new LLMContextFrame(weatherContext()), new LLMContextFrame(weatherContext())]);
  const results = tail.downstream(FunctionCallResultFrame).map((f) => /** @type {{ error: string }} */ (f.result));
  assert.match(results[0].error, /function "launch_rockets" is not registered with ScriptedLLMService#\d+/);
  assert.equal(results[1].error, 'function "flaky" failed: backend down');
  const text = tail.downstream(LLMTextFrame).map((f) => f.text).join("");
  assert.match(text, /Result: function "launch_rockets" is not registered/);
  assert.match(text, /Result: function "flaky" failed: backend down/);
  assert.deepEqual(errors, []);
});

test("an interruption cancels a running function call (FunctionCallCancelFrame) and the model does not rerun", async () => {
  const clock = new VirtualClock();
  const llm = new ScriptedLLMService({ replies: [{ toolCall: { name: "slow_lookup" }, then: "never said" }], firstTokenDelayMs: 10 });
  let handlerStarted;
  const started = new Promise((resolve) => (handlerStarted = resolve));
  llm.registerFunction("slow_lookup", () => {
    handlerStarted();
    return new Promise(() => {}); // never answers
  });
  const tail = new Recorder("Tail");
  const context = weatherContext();
  const task = new PipelineTask(new Pipeline([llm, tail]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrame(new LLMContextFrame(context));
  await within(5000, started, "handler start");
  await task.queueFrame(new InterruptionFrame());
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  const [cancel] = tail.downstream(FunctionCallCancelFrame);
  assert.equal(cancel.functionName, "slow_lookup");
  assert.deepEqual(tail.downstream(FunctionCallResultFrame), []);
  assert.deepEqual(tail.downstream(LLMTextFrame), []);
  assert.equal(tail.downstream(LLMFullResponseStartFrame).length, 1, "no second model run");
  assert.equal(tail.downstream(LLMFullResponseEndFrame).length, 1, "the interrupted response is still closed");
  assert.deepEqual(context.messages.at(-1), { role: "tool", tool_call_id: cancel.toolCallId, content: "CANCELLED" });
});

test("registerFunction and the LLM options are validated", () => {
  const llm = new ScriptedLLMService({ replies: ["hi"] });
  assert.throws(() => llm.registerFunction("", () => 1), /"functionName" must be a non-empty string/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => llm.registerFunction("f", "not a function"), /"handler" must be a function/);
  assert.throws(() => new ScriptedLLMService({ replies: [] }), /"replies" must be a non-empty array/);
  // @ts-expect-error a tool call without a name, on purpose: the run-time check must reject it
  assert.throws(() => new ScriptedLLMService({ replies: [{ toolCall: {} }] }), /"replies\[0\]" must be a string, \{ toolCall/);
  assert.throws(() => new ScriptedLLMService({ replies: ["x"], tokenIntervalMs: -5 }), /"tokenIntervalMs" must be a finite number >= 0, got -5/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new ScriptedLLMService({ replies: ["x"], settings: 3 }), /"settings" must be an object/);
  assert.throws(() => new ScriptedLLMService({ replies: ["x"], model: "" }), /"model" must be a non-empty string/);
  llm.registerFunction("f", () => 1);
  assert.equal(llm.hasFunction("f"), true);
  llm.unregisterFunction("f");
  assert.equal(llm.hasFunction("f"), false);
});

test("LLM services expose model and settings", () => {
  const llm = new ScriptedLLMService({ replies: ["hi"], model: "house-model", settings: { temperature: 0.2, maxTokens: 64, topP: 0.9 } });
  assert.equal(llm.model, "house-model");
  assert.deepEqual(llm.settings, { temperature: 0.2, maxTokens: 64, topP: 0.9 });
  assert.equal(new ScriptedLLMService({ replies: ["hi"] }).model, "scripted-llm");
});

test("with metrics enabled the LLM reports TTFB, processing time and token usage in MetricsFrames", async () => {
  const llm = new ScriptedLLMService({ replies: ["One two three four."], firstTokenDelayMs: 200, tokenIntervalMs: 20 });
  const context = new LLMContext({ messages: [{ role: "user", content: "Count to four" }] });
  const { tail } = await runFrames([llm], [new LLMContextFrame(context)], {
    clock: new ScaledClock(),
    params: { enableMetrics: true, enableUsageMetrics: true },
  });
  const data = tail.downstream(MetricsFrame).flatMap((f) => f.data);
  const ttfb = data.filter((d) => d instanceof TTFBMetricsData);
  const processing = data.filter((d) => d instanceof ProcessingMetricsData);
  const usage = data.filter((d) => d instanceof LLMUsageMetricsData);
  assert.equal(ttfb.length, 1);
  assert.equal(processing.length, 1);
  assert.equal(usage.length, 1);
  for (const d of [...ttfb, ...processing, ...usage]) {
    assert.equal(d.processor, llm.name);
    assert.equal(d.model, "scripted-llm");
  }
  assert.ok(ttfb[0].value >= 0.15 && ttfb[0].value < 10, `TTFB in seconds, got ${ttfb[0].value}`);
  assert.ok(processing[0].value >= ttfb[0].value, "processing covers the whole response");
  assert.deepEqual(usage[0].value, { promptTokens: Math.ceil("Count to four".length / 4), completionTokens: 5, totalTokens: 4 + 5 });
});

test("prompt tokens count the whole context on every run, a message whose content is replaced afresh", async () => {
  const scripted = () => new ScriptedLLMService({ replies: ["Sure."], firstTokenDelayMs: 0, tokenIntervalMs: 0 });
  /** @type {import("pipecat-ts").LLMToolCall[]} */
  const toolCalls = [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }];
  /** @type {import("pipecat-ts").LLMMessage} */
  const question = { role: "user", content: "What is the weather in Paris?" };
  const context = new LLMContext({ messages: [question, { role: "assistant", content: null, tool_calls: toolCalls }] });
  const estimate = (/** @type {string} */ text) => Math.ceil(text.length / 4);
  const expected = () =>
    estimate(String(question.content)) + estimate(JSON.stringify(toolCalls)) + (context.messages.length > 2 ? estimate("Thanks.") : 0);
  const { tail } = await runFrames([scripted()], [new LLMContextFrame(context)], { params: { enableMetrics: true, enableUsageMetrics: true } });
  const first = tail.downstream(MetricsFrame).flatMap((f) => f.data).find((d) => d instanceof LLMUsageMetricsData);
  assert.equal(first.value.promptTokens, expected());
  // The same messages again (estimates are kept per message, across services), one replaced and one added:
  // the count follows both.
  question.content = "And in Lisbon, tomorrow morning, if you please?";
  context.addMessage({ role: "user", content: "Thanks." });
  const again = await runFrames([scripted()], [new LLMContextFrame(context)], { params: { enableMetrics: true, enableUsageMetrics: true } });
  const second = again.tail.downstream(MetricsFrame).flatMap((f) => f.data).find((d) => d instanceof LLMUsageMetricsData);
  assert.equal(second.value.promptTokens, expected());
  assert.notEqual(second.value.promptTokens, first.value.promptTokens);
});

test("without metrics enabled no MetricsFrame is pushed; reportOnlyInitialTtfb keeps only the first TTFB", async () => {
  const silent = new ScriptedLLMService({ replies: ["Hi."], firstTokenDelayMs: 10 });
  const quiet = await runFrames([silent], [new LLMContextFrame(new LLMContext())]);
  assert.deepEqual(quiet.tail.downstream(MetricsFrame), []);

  const once = new ScriptedLLMService({ replies: ["Hi."], firstTokenDelayMs: 10 });
  const { tail } = await runFrames([once], [new LLMContextFrame(new LLMContext()), new LLMContextFrame(new LLMContext())], {
    params: { enableMetrics: true, reportOnlyInitialTtfb: true },
  });
  const data = tail.downstream(MetricsFrame).flatMap((f) => f.data);
  assert.equal(data.filter((d) => d instanceof TTFBMetricsData).length, 1);
  assert.equal(data.filter((d) => d instanceof ProcessingMetricsData).length, 2);
  assert.equal(data.filter((d) => d instanceof LLMUsageMetricsData).length, 0, "usage metrics were not enabled");
});

test("a custom LLMService only implements runLlm; processContext frames its stream", async () => {
  class EchoLLM extends LLMService {
    /** @param {LLMContext} context @returns {AsyncGenerator<import("pipecat-ts").LLMStreamEvent>} */
    async *runLlm(context) {
      yield { type: "text", text: "You said: " };
      yield { type: "text", text: String(context.messages.at(-1).content) };
    }
  }
  const echo = new EchoLLM({ model: "echo-1" });
  const { tail } = await runFrames([echo], [new LLMContextFrame(new LLMContext({ messages: [{ role: "user", content: "ping" }] }))]);
  assert.equal(tail.downstream(LLMTextFrame).map((f) => f.text).join(""), "You said: ping");
  assert.equal(tail.downstream(LLMFullResponseStartFrame).length, 1);
  assert.equal(tail.downstream(LLMFullResponseEndFrame).length, 1);
  assert.equal(echo.model, "echo-1");
  assert.equal(Object.prototype.hasOwnProperty.call(EchoLLM.prototype, "processContext"), false);
});
