// manuallyInstrument on an already loaded module: here pipecat-ts imported as ESM with no loader hook,
// so the module object is an ESM namespace.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isWrapped } from "@opentelemetry/instrumentation";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";
import * as pipecat from "pipecat-ts";
import otel from "../../../test/support/otel.cjs";

const { inMemoryTracing, byName, onlyOne } = otel;

describe("manuallyInstrument", () => {
  it("does nothing until called: importing without the loader hook leaves the module alone", () => {
    const instrumentation = new PipecatInstrumentation();
    assert.equal(isWrapped(pipecat.FrameProcessor.prototype.pushFrame), false);
    instrumentation.disable();
  });

  it("instruments an ESM namespace of the runtime and traces a conversation", async () => {
    const { exporter, provider } = inMemoryTracing();
    const instrumentation = new PipecatInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(pipecat);
    instrumentation.manuallyInstrument(pipecat); // twice: still wrapped once
    const pushFrame = pipecat.FrameProcessor.prototype.pushFrame;
    assert.ok(isWrapped(pushFrame));
    assert.equal(isWrapped(pushFrame.__original), false);

    const demo = pipecat.createDemoConversation({ conversationId: "manual-1" });
    await demo.task.run();
    const spans = exporter.getFinishedSpans();
    assert.equal(onlyOne(spans, "conversation").attributes["conversation.id"], "manual-1");
    assert.equal(byName(spans, "turn").length, 4);

    instrumentation.disable();
    assert.equal(pipecat.FrameProcessor.prototype.pushFrame, pushFrame.__original, "disable() restores the original");
  });
});
