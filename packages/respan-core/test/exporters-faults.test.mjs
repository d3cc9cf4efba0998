// Exporter faults — receiver down, HTTP errors, a slow receiver, broken exporters — never reach user
// code: functions return as usual, nothing throws or rejects, memory stays bounded (queue cap, dropped
// spans counted and reported once), retries happen where OTLP says they should.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { trace } from "@opentelemetry/api";
import { Respan, RespanSpanExporter, withTask, withWorkflow } from "@respan/core";
import { refusingUrl } from "../../../test/support/loopback-server.mjs";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { captureConsole, withEnv } from "./helpers/client-helpers.mjs";

const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
after(() => {
  process.off("unhandledRejection", onUnhandled);
  assert.deepEqual(unhandled, [], "no promise rejection escaped to the process");
});

/** User code under test: sync and async wrapped functions and plain spans; returns what it computed. */
async function userWork(count = 5) {
  const results = [];
  for (let i = 0; i < count; i++) {
    results.push(withWorkflow({ name: "sync-work" }, (n) => n * 2, i));
    results.push(await withTask({ name: "async-work" }, async (n) => n + 100, i));
    trace.getTracer("t").startSpan(`plain-${i}`).end();
  }
  return results;
}

const EXPECTED_WORK = [0, 100, 2, 101, 4, 102, 6, 103, 8, 104];

test("receiver down (connection refused): user code unaffected, failures counted and logged once per exporter", async () => {
  const url = await refusingUrl();
  const { lines } = await captureConsole(() =>
    withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TIMEOUT: "1500" }, async () => {
      const respan = new Respan({
        flushOnExit: false,
        batching: false,
        exporters: [new RespanSpanExporter({ apiKey: "k-dead", baseUrl: url, timeoutMillis: 1500 })],
      });
      try {
        assert.deepEqual(await userWork(), EXPECTED_WORK);
        await respan.flush();
        const stats = respan.getStats();
        assert.deepEqual(stats.exporters.map((exporter) => exporter.name), ["otlp", "exporters[0]"]);
        for (const exporter of stats.exporters) {
          assert.equal(exporter.exported, 0, exporter.name);
          assert.equal(exporter.failed, 15, exporter.name);
        }
      } finally {
        await respan.shutdown();
      }
    }),
  );
  const failures = lines.filter((line) => line.method === "warn" && line.text.includes("failed"));
  assert.equal(failures.filter((line) => line.text.includes("sending spans to otlp failed")).length, 1);
  assert.equal(failures.filter((line) => line.text.includes("sending spans to exporters[0] failed")).length, 1);
  assert.ok(failures.every((line) => line.text.startsWith("[respan] ")));
});

test("HTTP 500: not retried (OTLP: not retryable), counted as failed, reported once", async () => {
  const receiver = await startOtlpReceiver({ respond: () => ({ status: 500 }) });
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ apiKey: "k-500", baseUrl: receiver.url, batching: false, flushOnExit: false });
      try {
        for (let i = 0; i < 3; i++) trace.getTracer("t").startSpan(`s${i}`).end();
        await respan.flush();
        assert.deepEqual(respan.getStats().exporters, [{ name: "respan", exported: 0, failed: 3, dropped: 0, pending: 0 }]);
      } finally {
        await respan.shutdown();
      }
    }),
  );
  await receiver.close();
  assert.equal(receiver.requests.length, 3, "one request per export, no retry");
  const failures = lines.filter((line) => line.text.includes("sending spans to respan failed"));
  assert.equal(failures.length, 1);
  assert.match(failures[0].text, /HTTP 500/);
});

test("429 and 503 are retried with backoff until the receiver accepts", async () => {
  const receiver = await startOtlpReceiver({ respond: ({ index }) => ({ status: [429, 503][index] ?? 200 }) });
  await withEnv({}, async () => {
    const respan = new Respan({ apiKey: "k-retry", baseUrl: receiver.url, batching: { scheduledDelayMillis: 60_000 }, flushOnExit: false });
    try {
      const span = trace.getTracer("t").startSpan("retried");
      span.end();
      await respan.flush();
      assert.deepEqual(respan.getStats().exporters, [{ name: "respan", exported: 1, failed: 0, dropped: 0, pending: 0 }]);
    } finally {
      await respan.shutdown();
    }
  });
  await receiver.close();
  assert.deepEqual(receiver.requests.map((request) => request.status), [429, 503, 200]);
  assert.deepEqual(receiver.spans().map((span) => span.name), ["retried"]);
  const sameBody = receiver.requests.every((request) => request.body.equals(receiver.requests[0].body));
  assert.ok(sameBody, "each retry resends the same request");
});

test("502 and 504 are retried like 429 and 503; a 500 after them ends the retries (documented OTLP behaviour)", async () => {
  const receiver = await startOtlpReceiver({ respond: ({ index }) => ({ status: [502, 504, 500][index] ?? 200 }) });
  await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ apiKey: "k-5xx", baseUrl: receiver.url, batching: { scheduledDelayMillis: 60_000 }, flushOnExit: false });
      try {
        trace.getTracer("t").startSpan("retried-then-refused").end();
        await respan.flush();
        assert.deepEqual(respan.getStats().exporters, [{ name: "respan", exported: 0, failed: 1, dropped: 0, pending: 0 }]);
      } finally {
        await respan.shutdown();
      }
    }),
  );
  await receiver.close();
  assert.deepEqual(receiver.requests.map((request) => request.status), [502, 504, 500]);
});

test("slow receiver: user code does not wait, the queue is capped and drops are counted and reported once", async () => {
  const receiver = await startOtlpReceiver({ respond: () => ({ delayMs: 1500 }) });
  const produced = 500;
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({
        apiKey: "k-slow",
        baseUrl: receiver.url,
        flushOnExit: false,
        batching: { maxQueueSize: 20, maxExportBatchSize: 10, scheduledDelayMillis: 10 },
      });
      try {
        const tracer = trace.getTracer("t");
        for (let i = 0; i < produced; i++) tracer.startSpan(`span-${i}`).end();
        // The loop finished before the first (stalled) export could complete.
        assert.equal(respan.getStats().exported, 0);
        const dropped = respan.getStats().dropped;
        assert.ok(dropped >= produced - 20 - 10, `spans beyond the queue were dropped (dropped ${dropped})`);
      } finally {
        await respan.shutdown();
      }
      const stats = respan.getStats();
      assert.equal(stats.exported + stats.dropped + stats.failed, produced, JSON.stringify(stats));
      assert.ok(stats.exported <= 30, `at most one in-flight batch and the queue were kept (${stats.exported})`);
    }),
  );
  await receiver.close();
  const dropReports = lines.filter((line) => line.text.includes("were dropped because its export queue was full"));
  assert.equal(dropReports.length, 1, lines.map((line) => line.text).join("\n"));
  assert.match(dropReports[0].text, /^\[respan\] (\d+) span\(s\) for respan were dropped .*\(\1 in total\)/);
  assert.equal(receiver.spans().length, receiver.requests.reduce((sum, request) => sum + request.spans.length, 0));
});

test("slow receiver without batching: concurrent requests are capped, the rest fail fast", async () => {
  const receiver = await startOtlpReceiver({ respond: () => ({ delayMs: 1000 }) });
  await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ apiKey: "k-simple", baseUrl: receiver.url, batching: false, flushOnExit: false });
      try {
        for (let i = 0; i < 100; i++) trace.getTracer("t").startSpan(`s${i}`).end();
        await respan.flush();
        const stats = respan.getStats();
        assert.equal(stats.exported + stats.failed, 100);
        assert.ok(stats.exported <= 30, `at most 30 requests in flight (${stats.exported} delivered)`);
        assert.ok(stats.failed >= 70);
      } finally {
        await respan.shutdown();
      }
    }),
  );
  await receiver.close();
  assert.ok(receiver.requests.length <= 30, `${receiver.requests.length} requests`);
});

test("broken exporters (throwing export, rejecting flush and shutdown) never reach user code", async () => {
  const broken = {
    export() {
      throw new Error("exporter bug");
    },
    forceFlush: () => Promise.reject(new Error("flush bug")),
    shutdown: () => Promise.reject(new Error("shutdown bug")),
  };
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ exporters: [broken], flushOnExit: false, batching: { scheduledDelayMillis: 60_000 } });
      assert.deepEqual(await userWork(), EXPECTED_WORK);
      await respan.flush();
      await respan.shutdown();
      assert.equal(respan.getStats().failed, 15);
    }),
  );
  const texts = lines.map((line) => line.text);
  assert.equal(texts.filter((text) => text.includes("sending spans to exporters[0] failed (exporter bug)")).length, 1);
  assert.ok(texts.some((text) => text.includes("flushing exporters[0] failed: flush bug")));
  assert.ok(texts.some((text) => text.includes("shutting down exporters[0] failed: shutdown bug")));
});

test("an unwritable traces directory: user code unaffected, the failure logged once", async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), "respan-unwritable-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const blocker = path.join(dir, "not-a-directory");
  await writeFile(blocker, "a file where the traces directory should be");
  const { lines } = await captureConsole(() =>
    withEnv({}, async () => {
      const respan = new Respan({ tracesDir: path.join(blocker, "traces"), printTree: false, flushOnExit: false, batching: false });
      try {
        assert.deepEqual(await userWork(), EXPECTED_WORK);
        await respan.flush();
        assert.ok(respan.getStats().failed > 0);
      } finally {
        await respan.shutdown();
      }
    }),
  );
  const failures = lines.filter((line) => line.text.includes("sending spans to file failed"));
  assert.equal(failures.length, 1);
  assert.match(failures[0].text, /ENOTDIR|EEXIST/);
});
