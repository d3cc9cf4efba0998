// The span signature of a traced call: every span's name, kind, parent, attributes, events (with their
// attributes) and status, as a tree with children in start order. What changes from run to run is left
// out: ids, timestamps, and the values of attributes that are measured durations (kept as their type), so
// two runs of the same code give the same signature and a change in what is emitted shows up as a diff.
//
// Run as a script it prints the signatures of the scripted calls as JSON (how the committed fixture
// test/fixtures/span-signature/scripted-calls.json was made):
//   node packages/instrumentation-pipecat/test/support/span-signature.cjs > <file>
const { instrumentedRuntime } = require("./instrumented-runtime.cjs");
const { spanIdOf, spanTree, startMs } = require("../../../../test/support/otel.cjs");

/** Attributes whose values are measured times (durations, latencies): their sign is kept, not their value. */
const MEASURED = /(ttfb|ttfb_seconds|latency_seconds|duration_seconds)$/;
/** Attributes whose values are random ids: replaced by their order of first appearance, so sharing an id still shows. */
const RANDOM_IDS = new Set(["tts.context_id"]);
const CONVERSATION_ID = "signature-1";

function normalisedAttributes(attributes, ids) {
  const out = {};
  for (const key of Object.keys(attributes ?? {}).sort()) {
    const value = attributes[key];
    if (MEASURED.test(key) && typeof value === "number") out[key] = `<${value >= 0 ? "non-negative" : "negative"} number>`;
    else if (RANDOM_IDS.has(key)) out[key] = `<id ${ids.has(value) ? ids.get(value) : ids.set(value, ids.size + 1).get(value)}>`;
    else out[key] = value;
  }
  return out;
}

function spanSignature(spans) {
  const ids = new Map();
  const { children, roots } = spanTree(spans);
  const node = (span) => {
    const signature = {
      name: span.name,
      kind: span.kind,
      status: span.status.message === undefined ? { code: span.status.code } : { code: span.status.code, message: span.status.message },
      attributes: normalisedAttributes(span.attributes, ids),
      events: span.events.map((event) => ({ name: event.name, attributes: normalisedAttributes(event.attributes, ids) })),
      links: span.links.length,
    };
    const kids = (children.get(spanIdOf(span)) ?? []).sort((a, b) => startMs(a) - startMs(b)).map(node);
    if (kids.length > 0) signature.children = kids;
    return signature;
  };
  return roots.sort((a, b) => startMs(a) - startMs(b)).map(node);
}

/**
 * The scripted calls the signature is taken of: the demo conversation (greeting, a question, a tool call, an
 * interrupted answer, repeated) on a virtual clock with 20 ms audio frames in and out, as the benchmark runs
 * it; then the same conversation once more with a tool that throws (a span in error, an exception event).
 */
async function scriptedCallSignature(runtime = instrumentedRuntime()) {
  const { exporter, pipecat } = runtime;
  const signatures = {};
  for (const scenario of ["scripted call", "scripted call, failing tool"]) {
    exporter.reset();
    const demo = pipecat.createDemoConversation({
      clock: new pipecat.VirtualClock(),
      repeats: 2,
      conversationId: CONVERSATION_ID,
      ttsOptions: { chunkMs: 20 },
    });
    if (scenario.endsWith("failing tool")) {
      demo.llm.registerFunction("get_weather", () => {
        throw new Error("weather service unreachable");
      });
    }
    await demo.task.run();
    signatures[scenario] = spanSignature(exporter.getFinishedSpans());
  }
  return signatures;
}

module.exports = { spanSignature, scriptedCallSignature };

if (require.main === module) {
  scriptedCallSignature().then(
    (signature) => process.stdout.write(`${JSON.stringify(signature, null, 1)}\n`),
    (error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}
