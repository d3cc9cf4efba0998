// The OTLP collector exporter configured by the standard OTEL_EXPORTER_OTLP_* variables, over
// http/json and http/protobuf, decoded by a loopback receiver; and several exporters at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { context, trace } from "@opentelemetry/api";
import { Respan } from "@respan/core";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { withEnv } from "./helpers/client-helpers.mjs";

/** Emits a two-span trace with typed attributes and returns nothing. */
function emitTrace() {
  const tracer = trace.getTracer("collector-test", "2.0.0");
  const parent = tracer.startSpan("turn", { attributes: { "turn.number": 3, "turn.was_interrupted": false } });
  tracer
    .startSpan(
      "llm",
      { attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "metrics.ttfb": 0.25, "gen_ai.usage.input_tokens": 42 } },
      trace.setSpan(context.active(), parent),
    )
    .end();
  parent.end();
}

for (const protocol of ["http/json", "http/protobuf"]) {
  test(`OTLP ${protocol}: spans reach the collector unchanged, with the OTEL_EXPORTER_OTLP_HEADERS`, async () => {
    const collector = await startOtlpReceiver();
    await withEnv(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=abc123",
        OTEL_SERVICE_NAME: "collector-service",
      },
      async () => {
        const respan = new Respan({ flushOnExit: false, customerIdentifier: "cust-7" });
        try {
          emitTrace();
          await respan.flush();
          assert.deepEqual(respan.getStats().exporters, [{ name: "otlp", exported: 2, failed: 0, dropped: 0, pending: 0 }]);
        } finally {
          await respan.shutdown();
        }
      },
    );
    await collector.close();

    assert.equal(collector.requests.length, 1);
    const [request] = collector.requests;
    assert.equal(request.path, "/v1/traces");
    assert.equal(request.headers["content-type"], protocol === "http/json" ? "application/json" : "application/x-protobuf");
    assert.equal(request.headers["x-collector-token"], "abc123");
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.decodeError, undefined);

    const spans = collector.spans();
    assert.deepEqual(spans.map((span) => span.name).sort(), ["llm", "turn"]);
    const turn = spans.find((span) => span.name === "turn");
    const llm = spans.find((span) => span.name === "llm");
    assert.match(turn.traceId, /^[0-9a-f]{32}$/);
    assert.equal(llm.traceId, turn.traceId);
    assert.equal(llm.parentSpanId, turn.spanId);
    assert.equal(turn.resource["service.name"], "collector-service");
    assert.equal(turn.scope.name, "collector-test");
    assert.equal(turn.attributes["turn.number"], 3);
    assert.equal(turn.attributes["turn.was_interrupted"], false);
    assert.equal(llm.attributes["metrics.ttfb"], 0.25);
    assert.equal(llm.attributes["gen_ai.usage.input_tokens"], 42);
    // Propagated attributes are span attributes for every exporter; Respan's translation is not.
    assert.equal(llm.attributes["respan.customer_params.customer_identifier"], "cust-7");
    assert.equal(llm.attributes["respan.entity.log_type"], undefined);
    assert.equal(llm.attributes["respan.entity.log_method"], undefined);
    assert.equal(llm.attributes["gen_ai.usage.prompt_tokens"], undefined);
  });
}

test("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as the full URL", async () => {
  const collector = await startOtlpReceiver();
  await withEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/custom/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }, async () => {
    const respan = new Respan({ flushOnExit: false });
    emitTrace();
    await respan.shutdown();
  });
  await collector.close();
  assert.deepEqual(collector.requests.map((request) => request.path), ["/custom/traces"]);
});

test("several destinations at once: Respan, an OTLP collector and trace files each get every span", async (t) => {
  const respanReceiver = await startOtlpReceiver();
  const collector = await startOtlpReceiver();
  const { mkdtemp, readdir, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const dir = await mkdtemp(path.join(tmpdir(), "respan-multi-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }, async () => {
    const respan = new Respan({ apiKey: "k-multi", baseUrl: respanReceiver.url, tracesDir: dir, flushOnExit: false });
    try {
      emitTrace();
      await respan.flush();
      const stats = respan.getStats();
      assert.deepEqual(stats.exporters.map((exporter) => exporter.name), ["respan", "otlp", "file"]);
      assert.deepEqual(stats.exporters.map((exporter) => exporter.exported), [2, 2, 2]);
      assert.equal(stats.exported, 6);
    } finally {
      await respan.shutdown();
    }
  });
  await respanReceiver.close();
  await collector.close();
  assert.equal(respanReceiver.spans().length, 2);
  assert.equal(collector.spans().length, 2);
  const files = (await readdir(dir)).filter((name) => name.endsWith(".json")); // beside the HTML reports
  assert.deepEqual(files, [`${collector.spans()[0].traceId}.json`]);
});
