// Every wait has a deadline that holds on the wall clock, whatever the backend does: a receiver that
// answers 200 and then drips one byte per second, one that never answers, and one that refuses
// connections. flush(), shutdown() and the exit of the process (natural end and SIGTERM) return within
// their bounds, and what was left unsent is counted. The bounds are shortened here (1-2 s); the defaults
// are 10 s (flush), 30 s (shutdown) and 5 s (exit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { trace } from "@opentelemetry/api";
import { Respan } from "@respan/core";
import { refusingUrl } from "./support/loopback-server.mjs";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { runNode } from "./support/processes.mjs";

const FLUSH_MS = 1000;
const SHUTDOWN_MS = 1500;
const EXIT_MS = 1000;
/**
 * Scheduling slack on a loaded 2-core machine; the waits these tests replace took 10 s (the exporter's own
 * timeout) to 148 s.
 */
const SLACK_MS = 2000;
const SPANS = 10;

const FAULTS = {
  dripping: async () => startOtlpReceiver({ respond: () => ({ dripIntervalMs: 1000 }) }),
  hanging: async () => startOtlpReceiver({ respond: () => ({ hang: true }) }),
  refusing: async () => ({ url: await refusingUrl(), close: async () => {}, requests: [] }),
};

/** Runs `fn` with the OTLP collector variables set (and every other RESPAN_/OTEL_ variable removed). */
async function withCollector(url, extra, fn) {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (/^(RESPAN_|OTEL_)/.test(key)) delete process.env[key];
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", ...extra });
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

async function elapsed(fn) {
  const start = Date.now();
  await fn();
  return Date.now() - start;
}

for (const [fault, start] of Object.entries(FAULTS)) {
  test(`${fault} receiver: flush() and shutdown() return by their deadlines; every span is accounted for`, async () => {
    const receiver = await start();
    const warnings = [];
    const originalWarn = console.warn;
    console.warn = (...args) => warnings.push(args.join(" "));
    try {
      await withCollector(receiver.url, {}, async () => {
        const respan = new Respan({ flushOnExit: false, flushTimeoutMillis: FLUSH_MS, shutdownTimeoutMillis: SHUTDOWN_MS });
        for (let i = 0; i < SPANS; i++) trace.getTracer("t").startSpan(`s${i}`).end();
        const flushMs = await elapsed(() => respan.flush());
        assert.ok(flushMs < FLUSH_MS + SLACK_MS, `flush() took ${flushMs} ms`);
        const shutdownMs = await elapsed(() => respan.shutdown());
        assert.ok(shutdownMs < SHUTDOWN_MS + SLACK_MS, `shutdown() took ${shutdownMs} ms`);
        const stats = respan.getStats();
        assert.equal(stats.pending, 0, JSON.stringify(stats));
        assert.equal(stats.exported + stats.failed + stats.dropped, SPANS, JSON.stringify(stats));
        if (fault !== "dripping") assert.equal(stats.exported, 0, JSON.stringify(stats));
      });
    } finally {
      console.warn = originalWarn;
      await receiver.close();
    }
    if (fault === "hanging") {
      assert.ok(warnings.some((line) => /flush\(\) did not finish within 1000 ms: 10 span\(s\) still waiting/.test(line)), warnings.join("\n"));
      assert.ok(warnings.some((line) => /shutdown\(\) did not finish within 1500 ms: 10 span\(s\) not sent were dropped/.test(line)), warnings.join("\n"));
    }
  });

  for (const mode of ["natural", "signal"]) {
    test(`${fault} receiver: the process ends within the exit bound (${mode === "natural" ? "event loop ran dry" : "SIGTERM"})`, async () => {
      const receiver = await start();
      try {
        /** @type {number} */
        let signalledAt;
        /** @type {number} */
        let tracedAt;
        const result = await runNode(["test/fixtures/deadline-child.mjs", mode], {
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS: String(EXIT_MS) },
          timeoutMs: 60_000,
          onStdout: (stdout, child) => {
            if (tracedAt === undefined && stdout.includes("traced\n")) tracedAt = Date.now();
            if (signalledAt === undefined && stdout.includes("ready\n")) {
              signalledAt = Date.now();
              child.kill("SIGTERM");
            }
          },
        });
        const exitMs = Date.now() - (mode === "signal" ? signalledAt : tracedAt);
        if (mode === "signal") {
          assert.equal(result.code, 143, result.stderr);
          assert.ok(exitMs < EXIT_MS + SLACK_MS, `exited ${exitMs} ms after SIGTERM`);
        } else {
          assert.equal(result.code, 0, result.stderr);
          assert.ok(exitMs < EXIT_MS + SLACK_MS, `the process ended ${exitMs} ms after its work`);
        }
      } finally {
        await receiver.close();
      }
    });
  }
}

test("OTEL_EXPORTER_OTLP_TIMEOUT is a total request deadline, not an idle timer reset by each dripped byte", async () => {
  const receiver = await startOtlpReceiver({ respond: () => ({ dripIntervalMs: 200 }) });
  try {
    await withCollector(receiver.url, { OTEL_EXPORTER_OTLP_TIMEOUT: "800" }, async () => {
      const respan = new Respan({ flushOnExit: false, flushTimeoutMillis: 20_000 });
      try {
        trace.getTracer("t").startSpan("dripped").end();
        const flushMs = await elapsed(() => respan.flush());
        assert.ok(flushMs < 800 + SLACK_MS, `flush() took ${flushMs} ms`);
        assert.equal(respan.getStats().pending, 0);
      } finally {
        await respan.shutdown();
      }
    });
  } finally {
    await receiver.close();
  }
});

test("a 429 that outlasts the retries is reported with its status code", async () => {
  const receiver = await startOtlpReceiver({ respond: () => ({ status: 429 }) });
  const warnings = [];
  const originalWarn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    await withCollector(receiver.url, { OTEL_EXPORTER_OTLP_TIMEOUT: "1500" }, async () => {
      const respan = new Respan({ flushOnExit: false, batching: false });
      trace.getTracer("t").startSpan("throttled").end();
      await respan.shutdown();
      assert.equal(respan.getStats().failed, 1);
    });
  } finally {
    console.warn = originalWarn;
    await receiver.close();
  }
  assert.ok(warnings.some((line) => line.includes("sending spans to otlp failed (HTTP 429")), warnings.join("\n"));
});
