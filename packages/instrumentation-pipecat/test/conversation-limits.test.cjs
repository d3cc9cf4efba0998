// The bounds on live conversations, through the instrumentation's options, on a runtime without a task
// (the minimal port): a pipeline that got a StartFrame and was dropped without an EndFrame is let go.
const assert = require("node:assert/strict");
const path = require("node:path");
const { describe, it } = require("node:test");
const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
const { minimalRuntimeDir } = require("./support/installed-packages.cjs");
const { eventually } = require("../../../test/support/eventually.cjs");
const { byName, endMs, inMemoryTracing } = require("../../../test/support/otel.cjs");

const { exporter, provider } = inMemoryTracing();
const instrumentation = new PipecatInstrumentation({ moduleNames: ["not-installed-runtime"] });
instrumentation.setTracerProvider(provider);
const port = require(path.join(minimalRuntimeDir, "index.cjs"));
instrumentation.manuallyInstrument(port);

const conversations = () => byName(exporter.getFinishedSpans(), "conversation");

describe("conversation limits", () => {
  it("conversationIdleTimeoutMs ends a dropped conversation without a task, at its last hop (D4)", async () => {
    instrumentation.setConfig({ moduleNames: ["not-installed-runtime"], conversationIdleTimeoutMs: 300 });
    exporter.reset();
    const loop = port.createVoiceLoop();
    await loop.pipeline.processFrame(new port.StartFrame());
    await loop.microphone.say("hello, is anyone there", 10);
    const lastHopAt = performance.timeOrigin + performance.now();
    // ...and the pipeline is dropped: no EndFrame ever comes.
    await eventually(() => conversations().length === 1, 15_000, "the idle conversation to end");
    const [conversation] = conversations();
    assert.equal(conversation.attributes["conversation.end_reason"], "idle_timeout");
    assert.ok(endMs(conversation) <= lastHopAt, "the conversation ends where it was last seen");
    assert.equal(byName(exporter.getFinishedSpans(), "stt").length, 1, "what it recorded is kept");
  });

  it("maxConversations ends the oldest live conversation when one more starts, with a warning (D4)", async () => {
    instrumentation.setConfig({ moduleNames: ["not-installed-runtime"], maxConversations: 2 });
    exporter.reset();
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const loops = [port.createVoiceLoop(), port.createVoiceLoop(), port.createVoiceLoop()];
      for (const loop of loops) await loop.pipeline.processFrame(new port.StartFrame());
      assert.deepEqual(conversations().map((span) => span.attributes["conversation.end_reason"]), ["max_conversations"]);
      for (const loop of loops.slice(1)) await loop.pipeline.processFrame(new port.EndFrame());
      assert.deepEqual(
        conversations().map((span) => span.attributes["conversation.end_reason"]),
        ["max_conversations", "end_frame", "end_frame"],
      );
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((warning) => warning.code === "PIPECAT_INSTRUMENTATION_WARNING");
      assert.equal(ours.length, 1);
      assert.match(ours[0].message, /more than 2 conversations at once/);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
