// OpenTelemetry's diag logger: the client shows what the SDK and instrumentations report through it
// (through its own Logger: level, "[respan]" prefix, secrets masked), never replaces an application's
// own diag logger, and removes only what it installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { diag, DiagLogLevel, trace } from "@opentelemetry/api";
import { InstrumentationBase } from "@opentelemetry/instrumentation";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Respan } from "@respan/core";
import { captureConsole, withEnv } from "./helpers/client-helpers.mjs";

const base = { batching: false, flushOnExit: false, exporters: [new InMemorySpanExporter()] };
const API_KEY = "rsp-diag-test-SECRET-0123456789";

/** An instrumentation that reports a telemetry failure the way instrumentations do: `this._diag`. */
class FailingTelemetryInstrumentation extends InstrumentationBase {
  constructor() {
    super("@respan/test-failing-telemetry", "0.0.1", {});
  }

  init() {
    return [];
  }

  reportFailure() {
    this._diag.error("could not record a span:", new Error("attribute hook threw"));
  }
}

test("diag messages are printed once through the client's logger, at its level, secrets masked", async () => {
  const instrumentation = new FailingTelemetryInstrumentation();
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ ...base, apiKey: API_KEY, logLevel: "warn", instrumentations: [instrumentation] });
      try {
        diag.error("a component failed", new Error("boom"));
        instrumentation.reportFailure();
        diag.warn(`request rejected for Bearer ${API_KEY}`);
        diag.info("below the client's level");
        diag.debug("below the client's level");
      } finally {
        await respan.shutdown();
      }
      diag.error("after shutdown: no diag logger any more");
    }),
  );
  assert.deepEqual(
    lines.map(({ method, text }) => [method, text]),
    [
      ["error", "[respan] a component failed boom"],
      ["error", "[respan] @respan/test-failing-telemetry could not record a span: attribute hook threw"],
      ["warn", "[respan] request rejected for Bearer [redacted]"],
    ],
  );
});

test("the diag logger follows the client's logLevel (debug shows info and debug, silent shows nothing)", async () => {
  const { lines: debugLines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ ...base, logLevel: "debug" });
      diag.info("an info message");
      diag.debug("a debug message");
      await respan.shutdown();
    }),
  );
  assert.ok(debugLines.some((line) => line.method === "info" && line.text === "[respan] an info message"));
  assert.ok(debugLines.some((line) => line.method === "debug" && line.text === "[respan] a debug message"));

  const { lines: silentLines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ ...base, logLevel: "silent" });
      diag.error("not shown");
      await respan.shutdown();
    }),
  );
  assert.deepEqual(silentLines, []);
});

test("an application's own diag logger is never replaced, nor removed at shutdown", async () => {
  const received = [];
  const record = (level) => (message) => received.push([level, message]);
  const appLogger = { error: record("error"), warn: record("warn"), info: record("info"), debug: record("debug"), verbose: record("verbose") };
  diag.setLogger(appLogger, DiagLogLevel.WARN);
  try {
    const { lines } = await captureConsole(() =>
      withEnv({}, async () => {
        const respan = new Respan({ ...base, logLevel: "warn" });
        diag.warn("for the application's logger");
        await respan.shutdown();
        diag.warn("still the application's logger");
      }),
    );
    assert.deepEqual(lines, [], "nothing went through the client's logger");
    assert.deepEqual(received, [
      ["warn", "for the application's logger"],
      ["warn", "still the application's logger"],
    ]);
  } finally {
    diag.disable();
  }
});

test("a diag logger the application registers after the client starts is left in place at shutdown", async () => {
  const received = [];
  await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ ...base, logLevel: "warn" });
      diag.setLogger({ error() {}, warn: (message) => received.push(message), info() {}, debug() {}, verbose() {} }, {
        logLevel: DiagLogLevel.WARN,
        suppressOverrideMessage: true,
      });
      await respan.shutdown();
    }),
  );
  try {
    diag.warn("after the client's shutdown");
    assert.deepEqual(received, ["after the client's shutdown"]);
  } finally {
    diag.disable();
  }
});

test("with the diag logger installed, a failing destination is still reported once, not once per failure", async () => {
  let exports = 0;
  const failing = {
    export(spans, callback) {
      exports += 1;
      callback({ code: 1, error: new Error("backend unavailable") });
    },
    shutdown: async () => {},
  };
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ flushOnExit: false, batching: false, exporters: [failing], logLevel: "warn" });
      try {
        for (let i = 0; i < 3; i++) trace.getTracer("t").startSpan(`s${i}`).end();
        await respan.flush();
      } finally {
        await respan.shutdown();
      }
    }),
  );
  assert.equal(exports, 3);
  assert.deepEqual(
    lines.map((line) => line.text),
    ["[respan] sending spans to exporters[0] failed (backend unavailable); later failures are only counted (see getStats())"],
  );
});

test("per-span SDK complaints (invalid attribute values, calls on ended spans) are shown once, not once per span", async () => {
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan(base);
      try {
        const tracer = trace.getTracer("t");
        for (let i = 0; i < 54; i++) {
          const span = tracer.startSpan(`s${i}`);
          // @ts-expect-error an attribute value OpenTelemetry rejects, on purpose: the SDK's complaint is what is counted
          span.setAttribute("app.payload", { nested: i });
          // @ts-expect-error an attribute value OpenTelemetry rejects, on purpose: the SDK's complaint is what is counted
          span.setAttribute("app.other", { nested: i });
          span.end();
          span.setAttribute("late", i);
        }
      } finally {
        await respan.shutdown();
      }
    }),
  );
  const texts = lines.map((line) => line.text);
  assert.equal(texts.filter((text) => text.includes("Invalid attribute value")).length, 1, texts.join("\n"));
  assert.equal(texts.filter((text) => text.includes("ended Span")).length, 1, texts.join("\n"));
  assert.ok(texts.every((text) => text.startsWith("[respan] ")));
});
