// A telemetry failure is reported once, where a user sees it: a Node process warning, printed by default
// even with no OpenTelemetry diag logger installed — and the pipeline never notices.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");
const { byName } = require("../../../test/support/otel.cjs");

const { exporter, instrumentation, pipecat } = instrumentedRuntime();

/** The frames a task observer sees, in order. */
async function observedHops() {
  const hops = [];
  const observer = {
    onPushFrame({ source, destination, frame, direction }) {
      hops.push(`${frame.constructor.name} ${source.constructor.name}->${destination.constructor.name} ${direction}`);
    },
  };
  await runDemo(pipecat, { observers: [observer] });
  return hops;
}

describe("a telemetry failure", () => {
  it("reaches the user as one process warning however often it recurs, and changes no frame (D2)", async () => {
    instrumentation.disable();
    const plain = await observedHops();
    const secret = "sk-live-0123456789 in the user's hook";
    instrumentation.setConfig({
      attributeHook: () => {
        throw new Error(secret);
      },
    });
    instrumentation.enable();
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      exporter.reset();
      const traced = await observedHops();
      const tracedAgain = await observedHops();
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      assert.deepEqual(traced, plain);
      assert.deepEqual(tracedAgain, plain);
      const spans = exporter.getFinishedSpans();
      assert.ok(spans.length > 30, `the hook failed on every one of ${spans.length} spans`);
      assert.equal(byName(spans, "conversation").length, 2, "and every span still ended");
      const ours = warnings.filter((warning) => warning.code === "PIPECAT_INSTRUMENTATION_ERROR");
      assert.equal(ours.length, 1);
      assert.match(ours[0].message, /attributeHook/);
      assert.ok(!ours[0].message.includes("sk-live"), "no user content or secret in the warning");
    } finally {
      process.off("warning", onWarning);
      instrumentation.setConfig({});
    }
  });
});
