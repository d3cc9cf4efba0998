// stt / llm / tts / execute_tool spans from the ConversationTracer, fed fake hops on a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ROOT_CONTEXT, diag } from "@opentelemetry/api";
import { frameKindOf } from "../dist/esm/class-names.js";
import { ConversationTracer } from "../dist/esm/conversation-tracer.js";
import { ErrorReporter } from "../dist/esm/error-reporter.js";
import { FakeClock } from "./support/fake-clock.mjs";
import * as P from "./support/fake-pipecat.mjs";
import { byName, durationMs, endMs, inMemoryTracing, onlyOne, parentIdOf, startMs } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

const idOf = (span) => span.spanContext().spanId;

function started() {
  const h = createHarness();
  h.hop(h.transport, new P.StartFrame());
  return h;
}

function weatherContext(extra = []) {
  return {
    messages: [
      { role: "system", content: "You are a helpful voice assistant." },
      { role: "user", content: "What's the weather in Paris?" },
      ...extra,
    ],
    tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
  };
}

describe("stt spans", () => {
  it("one span per transcript segment, back-dated to the user's real speech start, ended by the final transcript", () => {
    const h = started();
    h.clock.advance(1000);
    const vadAt = h.clock.now();
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.2));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(600);
    h.hop(h.stt, new P.InterimTranscriptionFrame("what's the"));
    h.clock.advance(600);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.hop(h.stt, new P.MetricsFrame([new P.TTFBMetricsData("DeepgramSTTService#0", 0.35)]));
    h.hop(h.stt, new P.MetricsFrame([new P.STTUsageMetricsData("DeepgramSTTService#0", { audioSeconds: 1.4 })]));
    h.clock.advance(300);
    const final = h.hop(h.stt, new P.TranscriptionFrame("What's the weather in Paris?", "caller-9", "en-GB"));
    h.hop(h.llm, final); // seen again downstream: still one span
    const stt = onlyOne(h.spans(), "stt");
    assert.equal(startMs(stt), vadAt - 200);
    assert.equal(endMs(stt), h.clock.now());
    assert.equal(stt.kind, SpanKind.CLIENT);
    assert.deepEqual(
      { ...stt.attributes },
      {
        "conversation.id": "conv-1",
        "gen_ai.conversation.id": "conv-1",
        "gen_ai.operation.name": "stt",
        "gen_ai.provider.name": "deepgram",
        "gen_ai.request.model": "nova-2",
        transcript: "What's the weather in Paris?",
        is_final: true,
        language: "en-GB",
        user_id: "caller-9",
        "metrics.ttfb": 0.35,
        "metrics.audio_seconds": 1.4,
      },
    );
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(parentIdOf(stt), idOf(onlyOne(h.spans(), "turn")));
  });

  it("without a final transcript the segment ends after the grace period, marked incomplete", () => {
    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(400);
    h.hop(h.stt, new P.InterimTranscriptionFrame("hello"));
    const lastTranscriptAt = h.clock.now();
    h.clock.advance(300);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.clock.advance(1499);
    assert.equal(byName(h.spans(), "stt").length, 0);
    h.clock.advance(1);
    const stt = onlyOne(h.spans(), "stt");
    assert.equal(stt.attributes["stt.incomplete"], true);
    assert.equal(stt.attributes.is_final, false);
    assert.equal(stt.attributes.transcript, "hello");
    assert.equal(endMs(stt), lastTranscriptAt);
  });

  it("the user resuming speech keeps the segment open", () => {
    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new P.InterimTranscriptionFrame("I want"));
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.clock.advance(1000);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(1000);
    assert.equal(byName(h.spans(), "stt").length, 0);
    h.hop(h.stt, new P.TranscriptionFrame("I want a taxi"));
    assert.equal(onlyOne(h.spans(), "stt").attributes.is_final, true);
  });

  it("TTFB and audio seconds reported just before the final transcript land on its span (pipecat#4070)", () => {
    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(800);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.clock.advance(200);
    h.hop(h.stt, new P.MetricsFrame([new P.TTFBMetricsData("DeepgramSTTService#0", 0.2)]));
    h.hop(h.stt, new P.MetricsFrame([new P.STTUsageMetricsData("DeepgramSTTService#0", { audioSeconds: 0.8 })]));
    h.hop(h.stt, new P.TranscriptionFrame("Hello"));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new P.TranscriptionFrame("Again"));
    const [first, second] = byName(h.spans(), "stt").sort((a, b) => startMs(a) - startMs(b));
    assert.equal(first.attributes["metrics.ttfb"], 0.2);
    assert.equal(first.attributes["metrics.audio_seconds"], 0.8);
    assert.equal(second.attributes["metrics.ttfb"], undefined, "metrics are not carried over twice");
  });

  it("a second segment of the same speech starts where the first ended", () => {
    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(1000);
    h.hop(h.stt, new P.TranscriptionFrame("First sentence."));
    const firstEnd = h.clock.now();
    h.clock.advance(1000);
    h.hop(h.stt, new P.TranscriptionFrame("Second sentence."));
    const [first, second] = byName(h.spans(), "stt").sort((a, b) => startMs(a) - startMs(b));
    assert.equal(endMs(first), firstEnd);
    assert.equal(startMs(second), firstEnd);
    assert.equal(second.attributes.transcript, "Second sentence.");
  });
});

describe("llm spans", () => {
  it("from LLMFullResponseStart to End, with provider, model, request params, input, tools, output, TTFB and usage", () => {
    const h = started();
    h.hop(h.stt, new P.LLMContextFrame(weatherContext())); // stt.next is the llm
    h.clock.advance(5);
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.clock.advance(300);
    h.hop(h.llm, new P.MetricsFrame([new P.TTFBMetricsData("OpenAILLMService#0", 0.3, "gpt-4o-mini")]));
    h.hop(h.llm, new P.LLMTextFrame("It is "));
    h.hop(h.llm, new P.LLMTextFrame("sunny."));
    h.hop(h.llm, new P.MetricsFrame([new P.LLMUsageMetricsData("OpenAILLMService#0", {
      promptTokens: 120, completionTokens: 8, totalTokens: 128, cacheReadInputTokens: 100, reasoningTokens: 2,
    })]));
    h.clock.advance(200);
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const llm = onlyOne(h.spans(), "llm");
    assert.equal(durationMs(llm), 500);
    assert.equal(llm.kind, SpanKind.CLIENT);
    const a = llm.attributes;
    assert.equal(a["gen_ai.operation.name"], "chat");
    assert.equal(a["gen_ai.provider.name"], "openai");
    assert.equal(a["gen_ai.request.model"], "gpt-4o-mini");
    assert.equal(a["gen_ai.output.type"], "text");
    assert.equal(a.stream, true);
    assert.equal(a["gen_ai.request.temperature"], 0.5);
    assert.equal(a["gen_ai.request.max_tokens"], 200);
    assert.equal(a["gen_ai.request.top_p"], 0.9);
    assert.equal(a["gen_ai.system_instructions"], "You are a helpful voice assistant.");
    assert.deepEqual(JSON.parse(a.input), [{ role: "user", content: "What's the weather in Paris?" }]);
    assert.equal(a["input.message_count"], 2);
    assert.equal(a.tool_count, 1);
    assert.equal(JSON.parse(a.tools)[0].function.name, "get_weather");
    assert.equal(a.output, "It is sunny.");
    assert.equal(a["metrics.ttfb"], 0.3);
    assert.equal(a["gen_ai.usage.input_tokens"], 120);
    assert.equal(a["gen_ai.usage.output_tokens"], 8);
    assert.equal(a["gen_ai.usage.cache_read.input_tokens"], 100);
    assert.equal(a["gen_ai.usage.reasoning.output_tokens"], 2);
  });

  it("records only the messages added since the previous run as input", () => {
    const h = started();
    const context = weatherContext();
    h.hop(h.stt, new P.LLMContextFrame(context));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    context.messages.push({ role: "assistant", content: "Sunny." }, { role: "user", content: "And tomorrow?" });
    h.hop(h.stt, new P.LLMContextFrame(context));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const [, second] = byName(h.spans(), "llm").sort((a, b) => startMs(a) - startMs(b));
    assert.deepEqual(JSON.parse(second.attributes.input).map((m) => m.content), ["Sunny.", "And tomorrow?"]);
    assert.equal(second.attributes["gen_ai.system_instructions"], "You are a helpful voice assistant.");
    assert.equal(second.attributes["input.message_count"], 4);
  });

  it("records the tools of each run: a new tools array, or a tool added to the same one, shows in the next run", () => {
    const h = started();
    const context = weatherContext();
    const run = () => {
      h.hop(h.stt, new P.LLMContextFrame(context));
      h.hop(h.llm, new P.LLMFullResponseStartFrame());
      h.hop(h.llm, new P.LLMFullResponseEndFrame());
    };
    const toolNames = (span) => JSON.parse(span.attributes.tools).map((tool) => tool.function.name);
    run();
    run();
    context.tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object" } } }];
    run();
    context.tools.push({ type: "function", function: { name: "get_date", parameters: { type: "object" } } });
    run();
    const spans = byName(h.spans(), "llm").sort((a, b) => startMs(a) - startMs(b));
    assert.deepEqual(spans.map(toolNames), [["get_weather"], ["get_weather"], ["get_time"], ["get_time", "get_date"]]);
    assert.deepEqual(spans.map((span) => span.attributes.tool_count), [1, 1, 1, 2]);
  });

  it("a processContext call and the response frames share one span", () => {
    const h = started();
    const run = h.serviceCall("processContext", h.llm, weatherContext());
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMTextFrame("Hi"));
    h.clock.advance(100);
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    run.settled(undefined, false);
    const llm = onlyOne(h.spans(), "llm");
    assert.equal(llm.attributes.output, "Hi");
    assert.equal(llm.attributes.tool_count, 1);
    assert.equal(durationMs(llm), 100);
  });

  it("a failed processContext call ends its span with ERROR", () => {
    const h = started();
    const run = h.serviceCall("processContext", h.llm, weatherContext());
    h.clock.advance(50);
    run.settled(new TypeError("socket hang up"), true);
    const llm = onlyOne(h.spans(), "llm");
    assert.equal(llm.status.code, SpanStatusCode.ERROR);
    assert.equal(llm.status.message, "socket hang up");
    assert.equal(llm.attributes["error.type"], "LLMError");
  });

  it("an error that arrives after its span ended is recorded on the conversation, not lost or printed", () => {
    const warnings = [];
    diag.setLogger({ warn: (message) => warnings.push(message), error() {}, info() {}, debug() {}, verbose() {} });
    try {
      const h = started();
      const call = h.serviceCall("processContext", h.llm, weatherContext());
      h.hop(h.llm, new P.LLMFullResponseStartFrame());
      h.hop(h.llm, new P.LLMFullResponseEndFrame());
      // A new run supersedes this one (its span ends), then the first call's stream fails.
      h.serviceCall("processContext", h.llm, weatherContext());
      h.clock.advance(10);
      call.settled(new Error("stream reset after the response"), true);
      h.hop(h.transport, new P.CancelFrame());
      const [llm] = byName(h.spans(), "llm");
      assert.equal(llm.status.code, SpanStatusCode.UNSET);
      const late = onlyOne(h.spans(), "conversation").events.filter((event) => event.name === "exception");
      assert.equal(late.length, 1);
      assert.equal(late[0].attributes["pipecat.late_error.span_kind"], "llm");
      assert.equal(late[0].attributes["exception.message"], "stream reset after the response");
      assert.deepEqual(warnings.filter((message) => message.includes("ended Span")), []);
    } finally {
      diag.disable();
    }
  });

  it("is parented on the open turn", () => {
    const h = started();
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(parentIdOf(onlyOne(h.spans(), "llm")), idOf(onlyOne(h.spans(), "turn")));
  });
});

describe("tts spans", () => {
  it("one span per audio context with voice, text, characters and TTFB", () => {
    const h = started();
    h.hop(h.tts, new P.TTSStartedFrame("ctx-1"));
    h.hop(h.tts, new P.MetricsFrame([new P.TTFBMetricsData("CartesiaTTSService#0", 0.12)]));
    h.hop(h.tts, new P.TTSAudioRawFrame("ctx-1"));
    h.hop(h.tts, new P.TTSTextFrame("Hello", "ctx-1"));
    h.hop(h.tts, new P.TTSTextFrame("there!", "ctx-1"));
    h.clock.advance(900);
    h.hop(h.tts, new P.TTSStoppedFrame("ctx-1"));
    const tts = onlyOne(h.spans(), "tts");
    assert.equal(durationMs(tts), 900);
    const a = tts.attributes;
    assert.equal(a["gen_ai.operation.name"], "tts");
    assert.equal(a["gen_ai.output.type"], "speech");
    assert.equal(a["gen_ai.provider.name"], "cartesia");
    assert.equal(a["gen_ai.request.model"], "sonic");
    assert.equal(a.voice_id, "voice-42");
    assert.equal(a.text, "Hello there!");
    assert.equal(a["metrics.character_count"], 11);
    assert.equal(a["metrics.ttfb"], 0.12);
    assert.equal(a["tts.interrupted"], false);
    assert.equal(a["tts.context_id"], "ctx-1");
  });

  it("text from synthesize calls is not doubled by the TTSTextFrames of the same words", () => {
    const h = started();
    h.serviceCall("synthesize", h.tts, "Hello there!");
    h.hop(h.tts, new P.TTSStartedFrame("ctx-2"));
    h.hop(h.tts, new P.TTSTextFrame("Hello", "ctx-2"));
    h.hop(h.tts, new P.MetricsFrame([new P.TTSUsageMetricsData("CartesiaTTSService#0", 12)]));
    h.hop(h.tts, new P.TTSStoppedFrame("ctx-2"));
    const tts = onlyOne(h.spans(), "tts");
    assert.equal(tts.attributes.text, "Hello there!");
    assert.equal(tts.attributes["metrics.character_count"], 12, "the service's own count wins");
  });

  it("an interruption ends the open audio context as interrupted", () => {
    const h = started();
    h.hop(h.tts, new P.TTSStartedFrame("ctx-3"));
    h.hop(h.tts, new P.TTSTextFrame("Let me tell you", "ctx-3"));
    h.clock.advance(400);
    h.hop(h.transport, new P.InterruptionFrame());
    h.hop(h.tts, new P.TTSStoppedFrame("ctx-3")); // a late stop changes nothing
    const tts = onlyOne(h.spans(), "tts");
    assert.equal(tts.attributes["tts.interrupted"], true);
    assert.equal(durationMs(tts), 400);
  });
});

describe("tool spans", () => {
  function requestWeather(h, toolCallId = "call_1") {
    h.hop(h.stt, new P.LLMContextFrame(weatherContext()));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    const call = { functionName: "get_weather", toolCallId, arguments: { city: "Paris" } };
    const down = new P.FunctionCallsStartedFrame([call]);
    const up = new P.FunctionCallsStartedFrame([call]);
    down.broadcastSiblingId = up.id;
    up.broadcastSiblingId = down.id;
    h.hop(h.llm, down);
    h.hop(h.llm, up, UP);
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    return call;
  }

  it("spans FunctionCallInProgress to FunctionCallResult, once per tool call id, under the llm span that asked", () => {
    const h = started();
    const call = requestWeather(h);
    h.clock.advance(10);
    const inProgress = new P.FunctionCallInProgressFrame(call);
    h.hop(h.llm, inProgress);
    h.hop(h.tts, inProgress); // the same frame further down
    const sibling = new P.FunctionCallInProgressFrame(call); // an upstream copy
    h.hop(h.llm, sibling, UP);
    h.clock.advance(750);
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: { temperature_c: 21, sky: "sunny" } }));
    const tool = onlyOne(h.spans(), "execute_tool get_weather");
    assert.equal(durationMs(tool), 750);
    assert.equal(parentIdOf(tool), idOf(onlyOne(h.spans(), "llm")));
    assert.equal(tool.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(
      {
        op: tool.attributes["gen_ai.operation.name"],
        name: tool.attributes["gen_ai.tool.name"],
        id: tool.attributes["gen_ai.tool.call.id"],
        args: JSON.parse(tool.attributes["gen_ai.tool.call.arguments"]),
        result: JSON.parse(tool.attributes["gen_ai.tool.call.result"]),
        cancelled: tool.attributes["tool.cancelled"],
      },
      {
        op: "execute_tool",
        name: "get_weather",
        id: "call_1",
        args: { city: "Paris" },
        result: { temperature_c: 21, sky: "sunny" },
        cancelled: false,
      },
    );
  });

  it("the executeFunctionCall call opens the span the frames then share", () => {
    const h = started();
    const call = requestWeather(h);
    const toolCall = h.serviceCall("executeFunctionCall", h.llm, call);
    assert.ok(toolCall.context);
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    h.clock.advance(40);
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: "ok" }));
    toolCall.settled(undefined, false);
    const tool = onlyOne(h.spans(), "execute_tool get_weather");
    assert.equal(tool.attributes["gen_ai.tool.call.id"], "call_1");
    assert.equal(durationMs(tool), 40);
  });

  it("a failing handler marks the span ERROR", () => {
    const h = started();
    const call = requestWeather(h);
    h.serviceCall("executeFunctionCall", h.llm, call).settled(new RangeError("no such city"), true);
    const tool = onlyOne(h.spans(), "execute_tool get_weather");
    assert.equal(tool.status.code, SpanStatusCode.ERROR);
    assert.equal(tool.attributes["error.type"], "ToolError");
    assert.equal(tool.attributes["tool.cancelled"], false);
  });

  it("a result that only reports an error (a handler that threw or timed out) marks the span ERROR", () => {
    const h = started();
    const call = requestWeather(h);
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: { error: 'function "get_weather" failed: timed out' } }));
    const tool = onlyOne(h.spans(), "execute_tool get_weather");
    assert.equal(tool.status.code, SpanStatusCode.ERROR);
    assert.match(tool.status.message, /timed out/);
    assert.equal(tool.attributes["error.type"], "ToolError");
    assert.equal(tool.attributes["tool.cancelled"], false);
  });

  it("a FunctionCallCancelFrame or an interruption cancels the call", () => {
    const h = started();
    const first = requestWeather(h, "call_a");
    h.hop(h.llm, new P.FunctionCallInProgressFrame(first));
    h.hop(h.llm, new P.FunctionCallCancelFrame("get_weather", "call_a"));
    const second = requestWeather(h, "call_b");
    h.hop(h.llm, new P.FunctionCallInProgressFrame(second));
    const keep = { functionName: "book_taxi", toolCallId: "call_c", arguments: {}, cancelOnInterruption: false };
    h.hop(h.llm, new P.FunctionCallInProgressFrame(keep));
    h.hop(h.transport, new P.InterruptionFrame());
    const cancelled = byName(h.spans(), "execute_tool get_weather");
    assert.equal(cancelled.length, 2);
    for (const tool of cancelled) {
      assert.equal(tool.status.code, SpanStatusCode.ERROR);
      assert.equal(tool.attributes["tool.cancelled"], true);
      assert.equal(tool.attributes["error.type"], "cancelled");
    }
    assert.equal(byName(h.spans(), "execute_tool book_taxi").length, 0, "cancelOnInterruption: false keeps running");
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(onlyOne(h.spans(), "execute_tool book_taxi").attributes["tool.cancelled"], true);
  });

  it("a late result for a finished call creates nothing", () => {
    const h = started();
    const call = requestWeather(h);
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    h.hop(h.llm, new P.FunctionCallCancelFrame("get_weather", "call_1"));
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: "late" }));
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    assert.equal(byName(h.spans(), "execute_tool get_weather").length, 1);
  });
});

describe("conversation end", () => {
  it("ends every open span, children before the conversation", () => {
    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new P.InterimTranscriptionFrame("hmm"));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.tts, new P.TTSStartedFrame("ctx-9"));
    h.hop(h.llm, new P.FunctionCallInProgressFrame({ functionName: "f", toolCallId: "t1", arguments: {} }));
    h.clock.advance(100);
    h.conversation.end("task_finished");
    const names = h.spans().map((span) => span.name);
    assert.deepEqual(new Set(names), new Set(["execute_tool f", "tts", "llm", "stt", "turn", "turn", "conversation"]));
    assert.equal(names.at(-1), "conversation");
    for (const span of h.spans()) assert.ok(endMs(span) <= h.clock.now());
    assert.equal(onlyOne(h.spans(), "stt").attributes["stt.incomplete"], true);
    assert.equal(onlyOne(h.spans(), "tts").attributes["tts.interrupted"], true);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it("a failure while recording the end is reported under its own label; the end reason and the span's end still happen", () => {
    const h = started();
    // An error whose message cannot even be read: recording it on the conversation span throws.
    const unreadable = new Error("placeholder");
    Object.defineProperty(unreadable, "message", {
      get() {
        throw new Error("unreadable message");
      },
    });
    assert.doesNotThrow(() => h.conversation.end("task_failed", unreadable));
    const conversation = onlyOne(h.spans(), "conversation");
    assert.equal(conversation.attributes["conversation.end_reason"], "task_failed");
    assert.equal(h.conversation.isEnded, true);
    assert.deepEqual(h.reported.map((report) => report.where), ["conversation error"]);
    assert.equal(h.reported[0].error.message, "unreadable message");
  });

  it("a span that fails to end does not keep the other spans, or the conversation, open", () => {
    const { exporter, tracer } = inMemoryTracing();
    // A tracer whose tts spans throw when ended (a broken span processor, say).
    // Only what the conversation calls: startSpan.
    const breaking = /** @type {import("@opentelemetry/api").Tracer} */ (/** @type {unknown} */ ({
      startSpan(name, options, parentContext) {
        const span = tracer.startSpan(name, options, parentContext);
        if (name === "tts") span.end = () => { throw new Error("span processor bug"); };
        return span;
      },
    }));
    const errors = new ErrorReporter(diag);
    const reported = [];
    errors.report = (where) => reported.push(where);
    const clock = new FakeClock();
    const conversation = new ConversationTracer({
      tracer: breaking, parentContext: ROOT_CONTEXT, conversationId: "conv-broken", clock, errors,
      settings: { captureContent: true, maxContentLength: 4096, turnEndTimeoutMs: 2500, attributeHook: undefined, sessionCapture: undefined, latestGenAi: false },
    });
    const [transport, llm, tts] = [new P.Transport("t#0"), new P.OpenAILLMService(), new P.CartesiaTTSService()];
    const hop = (source, frame, destination) => conversation.onHop(source, frame, 1, frameKindOf(frame), destination, true, true);
    hop(transport, new P.StartFrame(), llm);
    hop(llm, new P.LLMFullResponseStartFrame(), tts);
    hop(tts, new P.TTSStartedFrame("c1"), transport);
    conversation.end("task_finished");
    const names = exporter.getFinishedSpans().map((span) => span.name).sort();
    assert.deepEqual(names, ["conversation", "llm", "turn"], "everything but the broken span ended");
    assert.equal(onlyOne(exporter.getFinishedSpans(), "conversation").attributes["conversation.end_reason"], "task_finished");
    assert.deepEqual(reported, ["end spans"]);
  });
});
