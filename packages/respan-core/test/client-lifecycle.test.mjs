// The client's lifecycle: one client per process, the disabled no-op, instrumentation registration,
// flush (shared promise) and shutdown (idempotent, unregisters everything).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { Respan, TRACING_ENABLED_KEY, propagateAttributes, withTask, withWorkflow } from "@respan/core";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { captureConsole, fakeInstrumentation, recordingExporter, withEnv } from "./helpers/client-helpers.mjs";

const base = { batching: false, flushOnExit: false };
// Where the client publishes whether tracing is enabled; instrumentations read it without importing us.
const TRACING_ENABLED = Symbol.for("@respan/core.tracingEnabled");

/**
 * A real OpenTelemetry instrumentation: like every InstrumentationBase it enables itself when constructed
 * and then patches `querystring.escape` when the module is required. Counts its patches.
 */
class QuerystringInstrumentation extends InstrumentationBase {
  constructor(name) {
    super(name, "0.0.1", {});
  }

  init() {
    return new InstrumentationNodeModuleDefinition(
      "querystring",
      ["*"],
      (exports) => {
        this.patchCount = (this.patchCount ?? 0) + 1;
        this._wrap(exports, "escape", (original) => function escape(...args) {
          return original.apply(this, args);
        });
        return exports;
      },
      (exports) => this._unwrap(exports, "escape"),
    );
  }
}

test("a second new Respan warns and returns the first client: one provider, spans exported once", async () => {
  await withEnv({}, async () => {
    const exporter = new InMemorySpanExporter();
    const first = new Respan({ ...base, exporters: [exporter] });
    const secondExporter = new InMemorySpanExporter();
    const { result: second, lines } = await captureConsole(() => new Respan({ ...base, exporters: [secondExporter] }));
    try {
      assert.equal(second, first);
      assert.ok(lines.some((line) => line.method === "warn" && /already initialised.*returning the existing client/.test(line.text)));
      trace.getTracer("t").startSpan("only-once").end();
      await first.flush();
      assert.equal(exporter.getFinishedSpans().length, 1);
      assert.equal(secondExporter.getFinishedSpans().length, 0);
    } finally {
      await first.shutdown();
    }
  });
});

test("the CommonJS build shares the one-client rule with the ESM build", async () => {
  await withEnv({}, async () => {
    const require = createRequire(import.meta.url);
    const cjs = require("@respan/core");
    assert.notEqual(cjs.Respan, Respan, "the CommonJS build is a separate copy");
    const esmClient = new Respan({ ...base, exporters: [new InMemorySpanExporter()] });
    try {
      const { result } = await captureConsole(() => new cjs.Respan({ ...base, exporters: [new InMemorySpanExporter()] }));
      assert.equal(result, esmClient);
    } finally {
      await esmClient.shutdown();
    }
  });
});

test("enabled: false is a complete no-op in which user functions still run", async () => {
  await withEnv({}, async () => {
    const exporter = new InMemorySpanExporter();
    const instrumentation = fakeInstrumentation("fake-disabled");
    const real = new QuerystringInstrumentation("respan-test-disabled");
    // Not given to the client: proves that requiring querystring below does go through the hooks.
    const control = new QuerystringInstrumentation("respan-test-control");
    assert.equal(real.isEnabled(), true, "an InstrumentationBase enables itself when constructed");
    const respan = new Respan({ enabled: false, exporters: [exporter], instrumentations: [instrumentation, real] });
    assert.equal(respan.enabled, false);
    assert.equal(respan.tracerProvider, undefined);
    assert.equal(respan.tracesDir, undefined);
    assert.equal(instrumentation.calls.setTracerProvider, 0);
    assert.equal(instrumentation.calls.enable, 0);
    assert.equal(real.isEnabled(), false, "the disabled client switches the given instrumentations off");
    const querystring = createRequire(import.meta.url)("node:querystring");
    try {
      assert.equal(control.patchCount, 1, "the module was required through the instrumentation hooks");
      assert.equal(real.patchCount, undefined, "the disabled client's instrumentation patched nothing");
    } finally {
      control.disable();
    }
    assert.equal(querystring.escape.__wrapped, undefined, "querystring is left unpatched");
    assert.equal(TRACING_ENABLED_KEY, TRACING_ENABLED);
    assert.equal(globalThis[TRACING_ENABLED], false, "the disabled state is published process-wide");

    const span = trace.getTracer("t").startSpan("not-recorded");
    assert.equal(span.isRecording(), false, "no provider is registered globally");
    span.end();
    const sync = withWorkflow({ name: "wf" }, (a, b) => a + b, 2, 3);
    assert.equal(sync, 5);
    assert.equal(await withTask({ name: "t" }, async () => "async result"), "async result");
    assert.equal(propagateAttributes({ customerIdentifier: "c" }, () => "in scope"), "in scope");

    await Promise.all([respan.flush(), respan.shutdown()]);
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.deepEqual(respan.getStats(), { exported: 0, failed: 0, dropped: 0, pending: 0, held: 0, discarded: 0, exporters: [] });

    // A disabled client does not claim the process: an enabled one can start afterwards.
    const enabled = new Respan({ ...base, exporters: [exporter] });
    try {
      assert.equal(enabled.enabled, true);
    } finally {
      await enabled.shutdown();
    }
  });
});

test("enabled: false: an instrumentation that throws while being disabled is warned about, not fatal", async () => {
  await withEnv({}, async () => {
    const stubborn = { ...fakeInstrumentation("stubborn"), disable() { throw new Error("cannot unhook"); } };
    const after = fakeInstrumentation("after-stubborn");
    const { result: respan, lines } = await captureConsole(() => new Respan({ enabled: false, instrumentations: [stubborn, after] }));
    assert.equal(respan.enabled, false);
    assert.equal(after.calls.disable, 1, "the next instrumentation is still disabled");
    assert.ok(lines.some((line) => line.method === "warn" && line.text === "[respan] instrumentation stubborn could not be disabled: cannot unhook"));
  });
});

test("RESPAN_TRACING_ENABLED=false disables tracing; the option overrides it", async () => {
  await withEnv({ RESPAN_TRACING_ENABLED: "false" }, async () => {
    const real = new QuerystringInstrumentation("respan-test-env-disabled");
    const disabled = new Respan({ exporters: [new InMemorySpanExporter()], instrumentations: [real] });
    assert.equal(disabled.enabled, false);
    assert.equal(trace.getTracer("t").startSpan("x").isRecording(), false);
    assert.equal(real.isEnabled(), false);
    assert.equal(globalThis[TRACING_ENABLED], false);
    await disabled.shutdown();

    const enabled = new Respan({ ...base, enabled: true, exporters: [new InMemorySpanExporter()] });
    try {
      assert.equal(enabled.enabled, true);
      assert.equal(trace.getTracer("t").startSpan("y").isRecording(), true);
      assert.equal(globalThis[TRACING_ENABLED], true);
    } finally {
      await enabled.shutdown();
    }
    assert.equal(globalThis[TRACING_ENABLED], undefined, "withdrawn when the enabled client shuts down");
  });
});

test("instrumentations: provider set and enabled; duplicates skipped; a failing one warned about, not fatal", async () => {
  await withEnv({}, async () => {
    const good = fakeInstrumentation("good");
    const sameName = fakeInstrumentation("good");
    const failing = fakeInstrumentation("failing", { failOnEnable: true });
    const later = fakeInstrumentation("later");
    const { result: respan, lines } = await captureConsole(
      () => new Respan({ ...base, exporters: [new InMemorySpanExporter()], instrumentations: [good, good, sameName, failing, later] }),
    );
    try {
      assert.equal(good.calls.setTracerProvider, 1);
      assert.equal(good.calls.enable, 1);
      assert.equal(good.tracerProvider, respan.tracerProvider);
      assert.equal(sameName.calls.setTracerProvider, 0, "a second instrumentation with the same name is skipped");
      assert.equal(later.calls.enable, 1, "instrumentations after a failing one are still registered");
      const warnings = lines.filter((line) => line.method === "warn").map((line) => line.text);
      assert.equal(warnings.filter((text) => text.includes("instrumentation good is listed twice")).length, 2);
      assert.ok(warnings.some((text) => /instrumentation failing could not be enabled and is skipped: failing cannot hook its module/.test(text)));
    } finally {
      await respan.shutdown();
    }
    assert.equal(good.calls.disable, 1, "shutdown disables registered instrumentations");
    assert.equal(later.calls.disable, 1);
    assert.equal(failing.calls.disable, 0, "a skipped instrumentation is left alone");
  });
});

test("traceContent reaches instrumentations that did not choose captureContent themselves (default on; a set OTEL GenAI switch is left to them)", async () => {
  await withEnv({}, async () => {
    const undecided = fakeInstrumentation("undecided", { config: { enabled: true, other: 1 } });
    const decided = fakeInstrumentation("decided", { config: { captureContent: true } });
    const respan = new Respan({ ...base, exporters: [new InMemorySpanExporter()], traceContent: false, instrumentations: [undecided, decided] });
    await respan.shutdown();
    assert.deepEqual(undecided.calls.setConfig, [{ enabled: true, other: 1, captureContent: false }]);
    assert.deepEqual(decided.calls.setConfig, []);

    const withContent = fakeInstrumentation("with-content");
    const again = new Respan({ ...base, exporters: [new InMemorySpanExporter()], instrumentations: [withContent] });
    await again.shutdown();
    assert.deepEqual(withContent.calls.setConfig, [{ captureContent: true }], "Respan's default (content on) is handed on");
  });
  await withEnv({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false" }, async () => {
    const undecided = fakeInstrumentation("undecided");
    const respan = new Respan({ ...base, exporters: [new InMemorySpanExporter()], instrumentations: [undecided] });
    await respan.shutdown();
    assert.deepEqual(undecided.calls.setConfig, [], "the instrumentation reads the OTEL variable itself");
  });
});

test("a real instrumentation (http) traces into the client's provider, with propagated attributes", async () => {
  await withEnv({}, async () => {
    const receiver = await startOtlpReceiver();
    const exporter = new InMemorySpanExporter();
    const respan = new Respan({ ...base, exporters: [exporter], instrumentations: [new HttpInstrumentation()], customerIdentifier: "base-customer" });
    try {
      // The instrumentation patches http when it is required after registration.
      const http = createRequire(import.meta.url)("node:http");
      await propagateAttributes({ threadIdentifier: "thread-1" }, () =>
        new Promise((resolve, reject) => {
          http.get(`${receiver.url}/ping`, (res) => res.resume().on("end", resolve)).on("error", reject);
        }),
      );
      await respan.flush();
      const client = exporter.getFinishedSpans().find((span) => span.kind === 2 /* CLIENT */);
      assert.ok(client, `an http client span is recorded (got ${exporter.getFinishedSpans().map((s) => s.name)})`);
      assert.equal(client.attributes["respan.threads.thread_identifier"], "thread-1");
      assert.equal(client.attributes["respan.customer_params.customer_identifier"], "base-customer");
    } finally {
      await respan.shutdown();
      await receiver.close();
    }
  });
});

test("flush: concurrent callers share one flush; it resolves even when an exporter fails", async () => {
  await withEnv({}, async () => {
    let exportCalls = 0;
    const failing = {
      export(spans, callback) {
        exportCalls += 1;
        setTimeout(() => callback({ code: 1, error: new Error("backend unavailable") }), 20);
      },
      shutdown: async () => {},
    };
    const { lines } = await captureConsole(async () => {
      const respan = new Respan({ flushOnExit: false, exporters: [failing], batching: { scheduledDelayMillis: 60_000 } });
      try {
        trace.getTracer("t").startSpan("a").end();
        await Promise.all([respan.flush(), respan.flush()]);
        assert.equal(exportCalls, 1, "one export for both callers");
        trace.getTracer("t").startSpan("b").end();
        await respan.flush();
        assert.equal(exportCalls, 2, "a flush after the previous one settled starts a new one");
        assert.deepEqual(respan.getStats(), {
          exported: 0,
          failed: 2,
          dropped: 0,
          pending: 0,
          held: 0,
          discarded: 0,
          exporters: [{ name: "exporters[0]", exported: 0, failed: 2, dropped: 0, pending: 0 }],
        });
      } finally {
        await respan.shutdown();
      }
    });
    const failures = lines.filter((line) => line.text.includes("sending spans to exporters[0] failed"));
    assert.equal(failures.length, 1);
    assert.match(failures[0].text, /^\[respan\] .*backend unavailable/);
  });
});

test("shutdown is idempotent and unregisters the OpenTelemetry globals", async () => {
  await withEnv({}, async () => {
    const exporter = recordingExporter();
    const respan = new Respan({ ...base, exporters: [exporter], batching: { scheduledDelayMillis: 60_000 } });
    const before = trace.getTracer("t").startSpan("before");
    assert.equal(before.isRecording(), true);
    before.end();
    assert.notEqual(propagation.fields().length, 0, "W3C propagators are registered");
    const first = respan.shutdown();
    assert.equal(respan.shutdown(), first);
    await first;
    await respan.shutdown();
    await respan.flush();
    assert.equal(trace.getTracer("t").startSpan("after").isRecording(), false);
    assert.equal(propagation.fields().length, 0);
    const key = Symbol("k");
    assert.equal(context.with(context.active().setValue(key, 1), () => context.active().getValue(key)), undefined, "context manager removed");
    assert.deepEqual(exporter.spans.map((span) => span.name), ["before"], "spans still queued at shutdown are exported");
    assert.equal(exporter.shutdownCalls, 1);

    // A new client can start after shutdown.
    const next = new Respan({ ...base, exporters: [exporter] });
    try {
      assert.notEqual(next, respan);
      assert.equal(trace.getTracer("t").startSpan("again").isRecording(), true);
    } finally {
      await next.shutdown();
    }
  });
});

test("attribute defaults from the options are stamped on every span", async () => {
  await withEnv({}, async () => {
    const exporter = new InMemorySpanExporter();
    const respan = new Respan({
      ...base,
      exporters: [exporter],
      customerIdentifier: "user_123",
      threadIdentifier: "thread_9",
      sessionIdentifier: "session_7",
      environment: "production",
      metadata: { service: "voice-agent", replicas: 3 },
    });
    try {
      propagateAttributes({ customerIdentifier: "scoped", metadata: { region: "eu" } }, () => trace.getTracer("t").startSpan("scoped").end());
      trace.getTracer("t").startSpan("plain").end();
      await respan.flush();
      const [scoped, plain] = exporter.getFinishedSpans();
      assert.deepEqual(
        Object.fromEntries(Object.entries(plain.attributes).filter(([key]) => key.startsWith("respan."))),
        {
          "respan.customer_params.customer_identifier": "user_123",
          "respan.threads.thread_identifier": "thread_9",
          "respan.sessions.session_identifier": "session_7",
          "respan.environment": "production",
          "respan.metadata.service": "voice-agent",
          "respan.metadata.replicas": "3",
        },
      );
      assert.equal(scoped.attributes["respan.customer_params.customer_identifier"], "scoped");
      assert.equal(scoped.attributes["respan.metadata.service"], "voice-agent");
      assert.equal(scoped.attributes["respan.metadata.region"], "eu");
    } finally {
      await respan.shutdown();
    }
  });
});

test("exit handlers are installed with the client (unless flushOnExit is false) and removed at shutdown", async () => {
  const counts = () => ["beforeExit", "SIGTERM", "SIGINT"].map((event) => process.listenerCount(event));
  await withEnv({}, async () => {
    const before = counts();
    const respan = new Respan({ exporters: [new InMemorySpanExporter()] });
    assert.deepEqual(counts(), before.map((count) => count + 1));
    await respan.shutdown();
    assert.deepEqual(counts(), before);

    const quiet = new Respan({ exporters: [new InMemorySpanExporter()], flushOnExit: false });
    assert.deepEqual(counts(), before);
    await quiet.shutdown();

    await withEnv({ RESPAN_FLUSH_ON_EXIT: "false" }, async () => {
      const fromEnv = new Respan({ exporters: [new InMemorySpanExporter()] });
      assert.deepEqual(counts(), before);
      await fromEnv.shutdown();
    });
  });
});
