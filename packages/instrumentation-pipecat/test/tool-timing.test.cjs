// Tool spans measure the handler's real duration (not a zero-length marker, as OpenInference's do) and
// sit under the llm span that asked for the call; a call the user interrupts is marked cancelled.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { SpanStatusCode } = require("@opentelemetry/api");
const { instrumentedRuntime } = require("./support/instrumented-runtime.cjs");
const { durationMs, endMs, onlyOne, parentIdOf, spanIdOf, startMs } = require("../../../test/support/otel.cjs");

const { exporter, pipecat } = instrumentedRuntime();
const HANDLER_MS = 150;
const now = () => performance.timeOrigin + performance.now();

/**
 * The demo with a weather handler that takes HANDLER_MS of real time. On a scaled (real-time based) clock
 * the scripted user waits for the answer; on the default virtual clock they do not, and the call ends while
 * the handler still runs. `interruptWhileRunning` barges in (an InterruptionFrame) once the handler starts.
 */
async function runWithSlowTool({ cancelOnInterruption, realTime, interruptWhileRunning = false }) {
  exporter.reset();
  const demo = pipecat.createDemoConversation(realTime ? { clock: new pipecat.ScaledClock({ speed: 10 }) } : {});
  const handler = { start: 0, end: 0 };
  demo.llm.registerFunction(
    "get_weather",
    async () => {
      handler.start = now();
      if (interruptWhileRunning) void demo.task.queueFrame(new pipecat.InterruptionFrame());
      await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
      handler.end = now();
      return { city: "Paris", conditions: "sunny", temperatureC: 22 };
    },
    { cancelOnInterruption },
  );
  await demo.task.run();
  const spans = exporter.getFinishedSpans();
  const tool = onlyOne(spans, "execute_tool get_weather");
  const llm = spans.find((span) => spanIdOf(span) === parentIdOf(tool));
  return { tool, llm, handler };
}

describe("tool span timing", () => {
  it("spans the handler's real run, inside the llm span that asked for it", async () => {
    const { tool, llm, handler } = await runWithSlowTool({ cancelOnInterruption: true, realTime: true });
    assert.equal(llm.name, "llm");
    assert.equal(tool.status.code, SpanStatusCode.UNSET);
    assert.equal(tool.attributes["tool.cancelled"], false);
    assert.ok(durationMs(tool) >= HANDLER_MS - 5, `tool span ${durationMs(tool).toFixed(1)} ms`);
    // It starts before the handler and ends after it (the upper bound is generous for a loaded machine).
    assert.ok(startMs(tool) <= handler.start + 1 && endMs(tool) >= handler.end - 1);
    assert.ok(durationMs(tool) < handler.end - handler.start + 1000);
    assert.ok(startMs(llm) <= startMs(tool) && endMs(tool) <= endMs(llm), "within the requesting llm span");
  });

  it("a call the user interrupts ends when it is cancelled, marked as such", async () => {
    const { tool, handler } = await runWithSlowTool({ cancelOnInterruption: true, realTime: false, interruptWhileRunning: true });
    assert.equal(tool.attributes["tool.cancelled"], true);
    assert.equal(tool.status.code, SpanStatusCode.ERROR);
    assert.match(tool.status.message, /interrupted/);
    assert.equal(tool.attributes["error.type"], "cancelled");
    assert.ok(endMs(tool) < handler.start + HANDLER_MS, "ended at the cancellation, not when the handler finished");
  });

  it("a call still running when the conversation ends is cancelled by that end, never left open", async () => {
    const { tool } = await runWithSlowTool({ cancelOnInterruption: false, realTime: false });
    assert.equal(tool.attributes["tool.cancelled"], true);
    assert.match(tool.status.message, /conversation ended/);
  });
});
