// The CommonJS build end to end: require("@respan/core"), export to Respan and to a collector.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { trace } = require("@opentelemetry/api");
const { Respan, withWorkflow } = require("@respan/core");

test("require('@respan/core'): the client exports to Respan and to an OTLP collector", async () => {
  const { startOtlpReceiver } = await import("../../../test/support/otlp-receiver.mjs");
  const { withEnv } = await import("./helpers/client-helpers.mjs");
  const respanReceiver = await startOtlpReceiver();
  const collector = await startOtlpReceiver();
  try {
    await withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }, async () => {
      const respan = new Respan({ apiKey: "cjs-key", baseUrl: respanReceiver.url, flushOnExit: false });
      try {
        assert.equal(withWorkflow({ name: "cjs_call" }, () => 42), 42);
        trace.getTracer("cjs").startSpan("stt", { attributes: { transcript: "hello" } }).end();
        await respan.flush();
      } finally {
        await respan.shutdown();
      }
    });
    const respanSpans = respanReceiver.spans();
    assert.deepEqual(respanSpans.map((span) => span.name).sort(), ["cjs_call.workflow", "stt"]);
    assert.equal(respanReceiver.requests[0].headers.authorization, "Bearer cjs-key");
    assert.equal(respanSpans.find((span) => span.name === "stt").attributes["traceloop.entity.output"], "hello");
    assert.equal(collector.requests[0].headers["content-type"], "application/x-protobuf");
    assert.deepEqual(collector.spans().map((span) => span.name).sort(), ["cjs_call.workflow", "stt"]);
  } finally {
    await respanReceiver.close();
    await collector.close();
  }
});
