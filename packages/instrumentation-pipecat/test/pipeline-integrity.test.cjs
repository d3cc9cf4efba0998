// Never break the pipeline: the frames are identical with and without the instrumentation, and nothing
// the instrumentation (or a user hook) does wrong reaches the pipeline.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");
const { allRecordedText, byName } = require("../../../test/support/otel.cjs");

const { exporter, instrumentation, pipecat } = instrumentedRuntime();

/** What a task observer sees, in order: frame class, source -> destination, direction. */
async function observedHops(options = {}) {
  const hops = [];
  const observer = {
    onPushFrame({ source, destination, frame, direction }) {
      const className = (object) => object.constructor.name;
      hops.push(`${className(frame)} ${className(source)}->${className(destination)} ${direction}`);
    },
  };
  await runDemo(pipecat, { observers: [observer], ...options });
  return hops;
}

describe("the pipeline is unaffected", () => {
  it("produces the same frames, hop for hop, with and without the instrumentation", async () => {
    instrumentation.disable();
    const plain = await observedHops();
    const plainAgain = await observedHops();
    assert.deepEqual(plainAgain, plain, "the scripted run is deterministic on its VirtualClock");
    instrumentation.enable();
    exporter.reset();
    const traced = await observedHops();
    assert.ok(byName(exporter.getFinishedSpans(), "turn").length === 4, "and it was traced");
    assert.ok(plain.length > 500, `a real conversation (${plain.length} hops)`);
    assert.deepEqual(traced, plain);
  });

  it("a throwing attribute hook and a throwing session listener change nothing either", async () => {
    instrumentation.disable();
    const plain = await observedHops();
    const failing = () => {
      throw new Error("user hook bug");
    };
    instrumentation.setConfig({
      ...instrumentation.getConfig(),
      attributeHook: failing,
      sessionCapture: () => ({ onFrame: failing, onUserAudio: failing, onBotAudio: failing, onTurnStart: failing }),
    });
    instrumentation.enable();
    exporter.reset();
    const traced = await observedHops();
    assert.deepEqual(traced, plain);
    assert.equal(byName(exporter.getFinishedSpans(), "conversation").length, 1, "spans still end");
    instrumentation.setConfig({});
  });
});

describe("content capture through the instrumentation", () => {
  it("setConfig({ captureContent: false }) applies to later conversations: no user or bot text on any span", async () => {
    // What the Respan client does when its traceContent is off and the user did not choose.
    instrumentation.setConfig({ ...instrumentation.getConfig(), captureContent: false });
    exporter.reset();
    const demo = await runDemo(pipecat);
    const text = allRecordedText(exporter.getFinishedSpans());
    const phrases = [
      ...demo.userScript.map((utterance) => utterance.text),
      "Hello, I'm Ada",
      "I can answer questions",
      "sunny",
      "You're welcome",
      "You are Ada",
    ];
    for (const phrase of phrases) assert.ok(!text.includes(phrase), `"${phrase}" must not be recorded`);
    assert.equal(byName(exporter.getFinishedSpans(), "turn").length, 4, "still fully traced");
    instrumentation.setConfig({ captureContent: true });
    exporter.reset();
    await runDemo(pipecat);
    assert.ok(allRecordedText(exporter.getFinishedSpans()).includes("Hello, I'm Ada"), "on again");
    instrumentation.setConfig({});
    exporter.reset();
    await runDemo(pipecat);
    assert.ok(!allRecordedText(exporter.getFinishedSpans()).includes("Hello, I'm Ada"), "off by default (OpenTelemetry GenAI)");
  });
});
