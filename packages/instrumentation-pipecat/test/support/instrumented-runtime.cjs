// Per test file (one process): a global tracer provider exporting to memory (with the AsyncLocalStorage
// context manager), the instrumentation enabled, and only then `pipecat-ts` required, so the real
// require-in-the-middle hook patches it.
const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
const { inMemoryTracing } = require("../../../../test/support/otel.cjs");
const { requireInstalledPipecat } = require("./installed-packages.cjs");

function instrumentedRuntime(config = {}) {
  const { exporter, provider, tracer } = inMemoryTracing({ register: true });
  // Content capture is off by default (OpenTelemetry GenAI); these tests read content, so they ask for it.
  const instrumentation = new PipecatInstrumentation({ captureContent: true, ...config });
  instrumentation.setTracerProvider(provider);
  const pipecat = requireInstalledPipecat();
  return { exporter, provider, instrumentation, pipecat, tracer };
}

/** Runs a demo conversation to its end; returns it. */
async function runDemo(pipecat, options = {}) {
  const demo = pipecat.createDemoConversation(options);
  await demo.task.run();
  return demo;
}

module.exports = { instrumentedRuntime, runDemo };
