// A Respan client in an app that already has OpenTelemetry set up (a NodeSDK, a provider of its own):
// it joins that provider instead of registering a second one — no duplicate-registration errors, no trace
// split across two providers — and createRespanSpanProcessors() gives that provider Respan's processing.
// The tests run in order: the first one needs a process in which no Respan processors exist yet.
import assert from "node:assert/strict";
import { context, diag, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { test } from "node:test";
import { createRespanSpanProcessors, propagateAttributes, Respan } from "../dist/esm/index.js";
import { captureConsole, fakeInstrumentation, withEnv } from "./helpers/client-helpers.mjs";

/** @type {import("@respan/core").RespanOptions} */
const quiet = { flushOnExit: false, printTree: false, tracesDir: false };

test("joining a provider that has no Respan processors: the instrumentations report to it, and one warning says how to add them", async () => {
  await withEnv({}, async () => {
    const provider = new NodeTracerProvider();
    const instrumentation = fakeInstrumentation("joined");
    const { result: respan, lines } = await captureConsole(() => new Respan({ ...quiet, tracerProvider: provider, instrumentations: [instrumentation] }));
    try {
      assert.equal(respan.joinedExistingProvider, true);
      assert.equal(respan.tracerProvider, provider);
      assert.equal(instrumentation.tracerProvider, provider, "the instrumentation reports to the joined provider");
      assert.equal(trace.setGlobalTracerProvider(provider), true, "Respan registered no global tracer provider of its own");
      trace.disable();
      const warnings = lines.filter((line) => line.method === "warn").map((line) => line.text);
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /joined the tracer provider given .*createRespanSpanProcessors\(\)/);
    } finally {
      await respan.shutdown();
    }
  });
});

test("a NodeSDK-like setup: global provider built with createRespanSpanProcessors(); new Respan() joins it quietly and spans carry the propagated attributes", async () => {
  await withEnv({}, async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: createRespanSpanProcessors({ exporters: [exporter], batching: false, printTree: false, tracesDir: false }),
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    const diagMessages = [];
    diag.setLogger({ error: (m) => diagMessages.push(m), warn: (m) => diagMessages.push(m), info() {}, debug() {}, verbose() {} });
    const instrumentation = fakeInstrumentation("joined-global");
    try {
      const { result: respan, lines } = await captureConsole(() => new Respan({ flushOnExit: false, instrumentations: [instrumentation] }));
      assert.equal(respan.joinedExistingProvider, true);
      assert.deepEqual(lines.filter((line) => line.method === "warn" || line.method === "error"), [], "no warning: Respan's processors are on it");
      assert.ok(instrumentation.tracerProvider !== undefined && typeof instrumentation.tracerProvider.getTracer === "function");

      propagateAttributes({ customer_identifier: "customer_9", thread_identifier: "thread_3" }, () => {
        trace.getTracer("app").startActiveSpan("outer", (outer) => {
          trace.getTracer("app").startSpan("inner").end();
          outer.end();
        });
      });
      await respan.flush();
      const spans = exporter.getFinishedSpans();
      assert.deepEqual(spans.map((span) => span.name).sort(), ["inner", "outer"]);
      const outer = spans.find((span) => span.name === "outer");
      const inner = spans.find((span) => span.name === "inner");
      assert.equal(inner.parentSpanContext?.spanId, outer.spanContext().spanId, "one trace, correct parent");
      for (const span of spans) {
        assert.equal(span.attributes["respan.customer_params.customer_identifier"], "customer_9", "snake_case key accepted");
        assert.equal(span.attributes["respan.threads.thread_identifier"], "thread_3");
      }
      await respan.shutdown();
      trace.getTracer("app").startSpan("after-shutdown").end();
      assert.ok(exporter.getFinishedSpans().some((span) => span.name === "after-shutdown"), "the joined provider is the app's: still running");
      assert.deepEqual(diagMessages.filter((message) => /duplicate registration/i.test(String(message))), [], "no duplicate registration");
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    }
  });
});

test("createRespanSpanProcessors rejects the options of the provider's owner and is empty when tracing is off", async () => {
  // @ts-expect-error "instrumentations" is not an option here: the run-time check must say whose option it is
  assert.throws(() => createRespanSpanProcessors({ instrumentations: [] }), /option "instrumentations" belongs to the tracer provider's owner/);
  // @ts-expect-error "exporterz" is not an option: the run-time check must reject it
  assert.throws(() => createRespanSpanProcessors({ exporterz: [] }), /unknown option "exporterz" \(did you mean "exporters"\?\)/);
  await withEnv({ OTEL_SDK_DISABLED: "true" }, () => {
    assert.deepEqual(createRespanSpanProcessors({ exporters: [new InMemorySpanExporter()] }), []);
  });
});
