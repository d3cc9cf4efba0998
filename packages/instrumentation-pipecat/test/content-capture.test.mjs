// Content capture (on/off, size caps, flat bytes per turn), the attribute hook, and configuration rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveLimits, resolveSettings, validateConfig } from "../dist/esm/config.js";
import { PipecatInstrumentation } from "../dist/esm/index.js";
import * as P from "./support/fake-pipecat.mjs";
import { allRecordedText, byName, onlyOne } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

const SECRET_PHRASES = ["Paris", "sunny", "Ada", "weather", "Bonjour"];

/** A turn with every kind of content: transcript, system prompt, LLM input/output, tool args/result, TTS text. */
function conversationWithContent(h) {
  h.hop(h.transport, new P.StartFrame());
  h.hop(h.transport, new P.UserStartedSpeakingFrame());
  h.hop(h.stt, new P.InterimTranscriptionFrame("Bonjour Ada"));
  h.hop(h.transport, new P.UserStoppedSpeakingFrame());
  h.hop(h.stt, new P.TranscriptionFrame("Bonjour Ada, what's the weather in Paris?"));
  const context = {
    messages: [
      { role: "system", content: "You are Ada." },
      { role: "user", content: "Bonjour Ada, what's the weather in Paris?" },
    ],
    tools: [],
  };
  h.hop(h.stt, new P.LLMContextFrame(context));
  h.hop(h.llm, new P.LLMFullResponseStartFrame());
  const call = { functionName: "lookup", toolCallId: "c1", arguments: { city: "Paris" } };
  h.hop(h.llm, new P.FunctionCallsStartedFrame([call]));
  h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
  h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: { sky: "sunny in Paris" } }));
  h.hop(h.llm, new P.LLMTextFrame("It is sunny in Paris."));
  h.hop(h.llm, new P.LLMFullResponseEndFrame());
  h.serviceCall("synthesize", h.tts, "It is sunny in Paris.");
  h.hop(h.tts, new P.TTSStartedFrame("t1"));
  h.hop(h.tts, new P.TTSTextFrame("It is sunny in Paris.", "t1"));
  h.hop(h.tts, new P.TTSStoppedFrame("t1"));
  h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
  h.hop(h.transport, new P.CancelFrame());
}

describe("content capture", () => {
  it("on: every kind of content is recorded", () => {
    const h = createHarness();
    conversationWithContent(h);
    const text = allRecordedText(h.spans());
    for (const phrase of SECRET_PHRASES) assert.ok(text.includes(phrase), `"${phrase}" recorded`);
  });

  it("values JSON cannot hold are still recorded: a BigInt as its digits, a cycle as text", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    const call = { functionName: "lookup", toolCallId: "c1", arguments: { accountId: 12345678901234567890n } };
    h.hop(h.llm, new P.FunctionCallsStartedFrame([call]));
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    const cyclic = { sky: "clear" };
    cyclic.self = cyclic;
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: cyclic }));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    h.hop(h.transport, new P.CancelFrame());
    const tool = onlyOne(h.spans(), "execute_tool lookup").attributes;
    assert.equal(tool["gen_ai.tool.call.arguments"], '{"accountId":"12345678901234567890"}');
    assert.equal(tool["gen_ai.tool.call.result"], "[object Object]");
  });

  it("off: no user or assistant text on any span, but counts remain", () => {
    const h = createHarness({ captureContent: false });
    conversationWithContent(h);
    const spans = h.spans();
    const text = allRecordedText(spans);
    for (const phrase of SECRET_PHRASES) assert.ok(!text.includes(phrase), `"${phrase}" must not be recorded`);
    assert.equal(onlyOne(spans, "tts").attributes["metrics.character_count"], "It is sunny in Paris.".length);
    assert.equal(onlyOne(spans, "llm").attributes["input.message_count"], 2);
    assert.equal(onlyOne(spans, "stt").attributes.is_final, true);
    assert.equal(onlyOne(spans, "execute_tool lookup").attributes["gen_ai.tool.name"], "lookup");
  });

  it("cuts long values at maxContentLength and marks the cut", () => {
    const h = createHarness({ maxContentLength: 20 });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    for (let i = 0; i < 50; i++) h.hop(h.llm, new P.LLMTextFrame("word "));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const output = onlyOne(h.spans(), "llm").attributes.output;
    assert.equal(output, `${"word ".repeat(4)}…[truncated]`);
  });

  it("bytes captured per turn stay flat as the context grows (no quadratic re-serialisation)", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    const context = { messages: [{ role: "system", content: "You are a patient assistant." }], tools: [] };
    const inputSizes = [];
    for (let turn = 0; turn < 60; turn++) {
      context.messages.push({ role: "user", content: `Question number ${turn} about something long enough.` });
      h.hop(h.stt, new P.LLMContextFrame(context));
      h.hop(h.llm, new P.LLMFullResponseStartFrame());
      h.hop(h.llm, new P.LLMTextFrame(`Answer number ${turn}.`));
      h.hop(h.llm, new P.LLMFullResponseEndFrame());
      context.messages.push({ role: "assistant", content: `Answer number ${turn}.` });
    }
    for (const span of byName(h.spans(), "llm")) {
      inputSizes.push(Object.values(span.attributes).reduce((sum, value) => sum + String(value).length, 0));
    }
    const [first, last] = [inputSizes[1], inputSizes.at(-1)];
    assert.ok(last <= first + 10, `bytes per llm span stay flat: turn 2 ${first}, turn 60 ${last}`);
    assert.equal(byName(h.spans(), "llm").at(-1).attributes["input.message_count"], 120);
  });
});

describe("errors", () => {
  const secret = "my card number is 4111";
  const failLlm = (h) => {
    h.hop(h.transport, new P.StartFrame());
    const call = h.serviceCall("processContext", h.llm, { messages: [{ role: "user", content: "hi" }] });
    call.settled(new TypeError(`${secret} ${"x".repeat(50_000)}`), true);
    h.hop(h.transport, new P.CancelFrame());
    return onlyOne(h.spans(), "llm");
  };

  it("content capture off: the error's type and a fixed text, no message, no stack", () => {
    const llm = failLlm(createHarness({ captureContent: false }));
    assert.equal(llm.status.message, "TypeError: error details withheld (content capture is off)");
    const [event] = llm.events;
    assert.equal(event.attributes["exception.type"], "TypeError");
    assert.equal(event.attributes["exception.message"], "error details withheld (content capture is off)");
    assert.equal(event.attributes["exception.stacktrace"], undefined);
    assert.ok(!JSON.stringify({ status: llm.status, events: llm.events }).includes("4111"));
  });

  it("content capture on: message and stack cut to maxContentLength", () => {
    const llm = failLlm(createHarness({ maxContentLength: 200 }));
    assert.ok(llm.status.message.startsWith(secret));
    assert.ok(llm.status.message.length <= 220);
    const [event] = llm.events;
    assert.ok(event.attributes["exception.message"].length <= 220);
    assert.ok(event.attributes["exception.stacktrace"].length <= 220);
  });
});

describe("attribute hook", () => {
  it("sees each span's attributes before it ends and can redact or enrich them", () => {
    const seen = [];
    const h = createHarness({
      attributeHook: (span, info) => {
        seen.push(info.kind);
        if (info.attributes.transcript !== undefined) info.attributes.transcript = "[redacted]";
        if (info.kind === "llm") delete info.attributes.output;
        span.setAttribute("app.reviewed", true);
      },
    });
    conversationWithContent(h);
    assert.deepEqual(new Set(seen), new Set(["conversation", "turn", "stt", "llm", "tts", "tool"]));
    assert.equal(onlyOne(h.spans(), "stt").attributes.transcript, "[redacted]");
    assert.equal(onlyOne(h.spans(), "llm").attributes.output, undefined);
    for (const span of h.spans()) assert.equal(span.attributes["app.reviewed"], true);
  });

  it("what the hook puts in the attributes record, and the task's additionalSpanAttributes, are capped", () => {
    const huge = "h".repeat(100_000);
    const h = createHarness({
      maxContentLength: 100,
      additionalAttributes: { "app.note": huge, "app.list": Array.from({ length: 1000 }, () => huge) },
      attributeHook: (_span, info) => {
        info.attributes["app.dump"] = huge;
      },
    });
    conversationWithContent(h);
    for (const span of h.spans()) assert.ok(String(span.attributes["app.dump"]).length <= 100 + 20, span.name);
    const conversation = onlyOne(h.spans(), "conversation");
    assert.ok(conversation.attributes["app.note"].length <= 120);
    assert.equal(conversation.attributes["app.list"].length, 128);
    assert.ok(conversation.attributes["app.list"].every((item) => item.length <= 120));
  });

  it("a hook that throws never stops a span from ending", () => {
    const h = createHarness({
      attributeHook: () => {
        throw new Error("hook bug");
      },
    });
    conversationWithContent(h);
    assert.equal(onlyOne(h.spans(), "conversation").attributes["conversation.end_reason"], "cancel_frame");
    assert.equal(byName(h.spans(), "turn").length, 1);
    assert.ok(h.reported.some((r) => r.where === "attributeHook" && r.error.message === "hook bug"));
  });
});

describe("configuration", () => {
  it("rejects bad options with a TypeError naming the option and what it accepts", () => {
    /** @type {[import("@respan/instrumentation-pipecat").PipecatInstrumentationConfig, RegExp][]} */
    const cases = [
      [{ moduleNames: [] }, /"moduleNames".*non-empty array/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{ moduleNames: ["pipecat-ts", 3] }, /"moduleNames"/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{ captureContent: "yes" }, /"captureContent".*true or false/],
      [{ maxContentLength: 0 }, /"maxContentLength".*positive integer/],
      [{ turnEndTimeoutMs: -1 }, /"turnEndTimeoutMs".*>= 0/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{ attributeHook: "redact" }, /"attributeHook".*function/],
      [{ debugLogFilename: "" }, /"debugLogFilename"/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{ sessionCapture: {} }, /"sessionCapture"/],
      // @ts-expect-error "captureContnet" is not an option: the run-time check must reject it
      [{ captureContnet: true }, /^PipecatInstrumentation: unknown option "captureContnet" \(did you mean "captureContent"\?\)$/],
      // @ts-expect-error "modulenames" is not an option: the run-time check must reject it
      [{ modulenames: ["x"] }, /unknown option "modulenames" \(did you mean "moduleNames"\?\)/],
      // @ts-expect-error "qqqqqqqqqqqqqqq" is not an option: the run-time check must reject it
      [{ qqqqqqqqqqqqqqq: 1 }, /unknown option "qqqqqqqqqqqqqqq" \(known options: enabled, moduleNames/],
    ];
    for (const [config, message] of cases) assert.throws(() => validateConfig(config), { name: "TypeError", message });
    // @ts-expect-error "captureContnet" is not an option: the run-time check must reject it
    assert.throws(() => new PipecatInstrumentation({ captureContnet: true }), /did you mean "captureContent"/);
  });

  it("captureContent: option > OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT > default false (OpenTelemetry GenAI)", () => {
    const env = (value) => ({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: value });
    const noWarn = () => assert.fail("no warning expected");
    assert.equal(resolveSettings({}, {}, noWarn).captureContent, false);
    assert.equal(resolveSettings({}, env("false"), noWarn).captureContent, false);
    assert.equal(resolveSettings({}, env(" TRUE "), noWarn).captureContent, true);
    assert.equal(resolveSettings({ captureContent: true }, env("false"), noWarn).captureContent, true);
    assert.equal(resolveSettings({ captureContent: false }, env("true"), noWarn).captureContent, false);
    const warnings = [];
    assert.equal(resolveSettings({}, env("maybe"), (name, raw) => warnings.push([name, raw])).captureContent, false, "fails closed");
    assert.equal(resolveSettings({ captureContent: true }, env("maybe"), noWarn).captureContent, true, "the option alone decides");
    assert.deepEqual(warnings, [["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "maybe"]]);
  });

  it("defaults: 2.5 s end-of-turn timeout, 4096-character cap", () => {
    const settings = resolveSettings({}, {}, () => undefined);
    assert.equal(settings.turnEndTimeoutMs, 2500);
    assert.equal(settings.maxContentLength, 4096);
  });

  it("the capture variable takes @respan/core's boolean words, any case: 1/yes/on, 0/no/off; empty is unset (D8)", () => {
    const env = (value) => ({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: value });
    const noWarn = () => assert.fail("no warning expected");
    for (const word of ["0", "no", "off", "OFF", " No ", "false"]) {
      assert.equal(resolveSettings({}, env(word), noWarn).captureContent, false, `"${word}" turns capture off`);
    }
    for (const word of ["1", "yes", "on", "ON", "Yes"]) {
      assert.equal(resolveSettings({}, env(word), noWarn).captureContent, true, `"${word}" turns capture on`);
    }
    assert.equal(resolveSettings({}, env(""), noWarn).captureContent, false, "empty: unset, the default");
    assert.equal(resolveSettings({}, env("  "), noWarn).captureContent, false);
    const warnings = [];
    resolveSettings({}, env("nope"), (name, raw) => warnings.push(raw));
    assert.deepEqual(warnings, ["nope"]);
  });

  it("limits: a 10-minute idle timeout for conversations without a task and 1000 live conversations, both configurable", () => {
    assert.deepEqual(resolveLimits({}), { idleTimeoutMs: 600_000, maxConversations: 1000 });
    assert.deepEqual(resolveLimits({ conversationIdleTimeoutMs: 0, maxConversations: 5 }), { idleTimeoutMs: 0, maxConversations: 5 });
    /** @type {[import("@respan/instrumentation-pipecat").PipecatInstrumentationConfig, RegExp][]} */
    const cases = [
      [{ conversationIdleTimeoutMs: -1 }, /"conversationIdleTimeoutMs".*>= 0/],
      [{ conversationIdleTimeoutMs: Infinity }, /"conversationIdleTimeoutMs"/],
      [{ maxConversations: 0 }, /"maxConversations".*positive integer/],
      [{ maxConversations: 1.5 }, /"maxConversations"/],
    ];
    for (const [config, message] of cases) assert.throws(() => validateConfig(config), { name: "TypeError", message });
  });
});
