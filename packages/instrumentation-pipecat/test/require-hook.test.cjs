// The real require hook: the instrumentation is enabled before `pipecat-ts` is required.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { isWrapped } = require("@opentelemetry/instrumentation");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");
const { byName, onlyOne } = require("../../../test/support/otel.cjs");

const { exporter, instrumentation, pipecat } = instrumentedRuntime();

const PATCHED = [
  ["FrameProcessor", "pushFrame"],
  ["PipelineTask", "run"],
  ["LLMService", "processContext"],
  ["LLMService", "executeFunctionCall"],
  ["TTSService", "synthesize"],
];

describe("require hook", () => {
  it("patches the runtime's base-class prototypes when it is required", () => {
    for (const [className, method] of PATCHED) {
      assert.ok(isWrapped(pipecat[className].prototype[method]), `${className}.prototype.${method} is wrapped`);
    }
    // Per-frame STT work is not wrapped: no context switch per 20 ms audio frame.
    assert.equal(isWrapped(pipecat.STTService.prototype.processAudioFrame), false);
    // Subclasses inherit the patched methods; none is patched twice.
    assert.equal(Object.hasOwn(pipecat.ScriptedLLMService.prototype, "processContext"), false);
    assert.equal(isWrapped(/** @type {any} */ (pipecat.FrameProcessor.prototype.pushFrame).__original), false);
  });

  it("traces a whole conversation", async () => {
    exporter.reset();
    await runDemo(pipecat, { conversationId: "hooked" });
    const spans = exporter.getFinishedSpans();
    assert.equal(onlyOne(spans, "conversation").attributes["conversation.id"], "hooked");
    assert.equal(byName(spans, "turn").length, 4);
    assert.ok(byName(spans, "llm").length >= 4);
    assert.equal(byName(spans, "execute_tool get_weather").length, 1);
  });

  it("enable(); disable(); enable() never double-wraps, and disable() restores every original", async () => {
    const originals = new Map(PATCHED.map(([c, m]) => [`${c}.${m}`, pipecat[c].prototype[m].__original]));
    instrumentation.disable();
    for (const [c, m] of PATCHED) {
      assert.equal(pipecat[c].prototype[m], originals.get(`${c}.${m}`), `${c}.${m} restored`);
      assert.equal(isWrapped(pipecat[c].prototype[m]), false);
    }
    exporter.reset();
    await runDemo(pipecat);
    assert.equal(exporter.getFinishedSpans().length, 0, "nothing traced while disabled");

    instrumentation.enable();
    instrumentation.enable();
    for (const [c, m] of PATCHED) {
      const current = pipecat[c].prototype[m];
      assert.ok(isWrapped(current));
      assert.equal(current.__original, originals.get(`${c}.${m}`), `${c}.${m} wrapped exactly once`);
    }
    exporter.reset();
    await runDemo(pipecat);
    assert.equal(byName(exporter.getFinishedSpans(), "conversation").length, 1);
    assert.equal(byName(exporter.getFinishedSpans(), "turn").length, 4, "each hop counted once");
  });

  it("a method reference taken while enabled does nothing once disabled", async () => {
    const heldWrapper = pipecat.FrameProcessor.prototype.pushFrame;
    const { FrameProcessor, StartFrame, CancelFrame } = pipecat;
    const processor = new FrameProcessor();
    processor.pushFrame = heldWrapper; // as if bound before disable()
    instrumentation.disable();
    exporter.reset();
    await processor.pushFrame(new StartFrame());
    await processor.pushFrame(new CancelFrame());
    assert.equal(exporter.getFinishedSpans().length, 0);
    instrumentation.enable();
    await processor.pushFrame(new StartFrame());
    await processor.pushFrame(new CancelFrame());
    assert.equal(byName(exporter.getFinishedSpans(), "conversation").length, 1, "traced again once enabled");
  });

  it("disable() in the middle of a conversation ends it: no span is left open", async () => {
    exporter.reset();
    const demo = pipecat.createDemoConversation({ conversationId: "cut-short" });
    const running = demo.task.run();
    while (byName(exporter.getFinishedSpans(), "turn").length === 0) await new Promise((resolve) => setImmediate(resolve));
    instrumentation.disable();
    const conversation = onlyOne(exporter.getFinishedSpans(), "conversation");
    assert.equal(conversation.attributes["conversation.end_reason"], "instrumentation_disabled");
    await running;
    assert.equal(byName(exporter.getFinishedSpans(), "conversation").length, 1);
    instrumentation.enable();
  });
});
