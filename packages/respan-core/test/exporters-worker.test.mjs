// The export worker of the client's HTTP destinations: spans for Respan are translated, serialised and
// sent from a worker thread, with the same bytes on the wire as from the application's thread, and nothing
// is lost or left waiting when the worker cannot take a batch, stops, or never answers; the process still
// ends on its own, and the application's --require / --import preloads do not run again in it. The OTLP
// collector destination sends from a worker too, configured by the variables as on the application's thread.
import { test } from "node:test";
import assert from "node:assert/strict";
import dc from "node:diagnostics_channel";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { diag, DiagLogLevel, trace } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Respan, RespanSpanExporter } from "@respan/core";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { runNode } from "../../../test/support/processes.mjs";
import { captureConsole, withEnv } from "./helpers/client-helpers.mjs";

const API_KEY = "rsp-worker-test-key";

/** A few finished spans of a real SDK: an llm span (translated for Respan) inside a conversation. */
function finishedSpans() {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer("pipecat-test", "1.0.0");
  const conversation = tracer.startSpan("conversation", { attributes: { "conversation.id": "call-1", "turn.count": 3 } });
  const llm = tracer.startSpan("llm", {
    attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 120, output: "Sunny." },
  });
  llm.addEvent("first_token", { "token.index": 0 });
  llm.end();
  conversation.end();
  return memory.getFinishedSpans();
}

function exportOnce(exporter, spans) {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** HTTP requests this thread starts while `fn` runs (diagnostics channels are per thread). */
async function requestsFromThisThread(fn) {
  let started = 0;
  const onStart = () => (started += 1);
  dc.subscribe("http.client.request.start", onStart);
  try {
    await fn();
  } finally {
    dc.unsubscribe("http.client.request.start", onStart);
  }
  return started;
}

test("export worker: the same request as from the application's thread, and no request made on it", async () => {
  const receiver = await startOtlpReceiver();
  const offThread = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url });
  const onThread = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url, exportThread: "main" });
  try {
    assert.equal(offThread.exportThread, "worker");
    assert.equal(onThread.exportThread, "main");
    const spans = finishedSpans();
    const fromWorker = await requestsFromThisThread(async () => assert.equal((await exportOnce(offThread, spans)).code, ExportResultCode.SUCCESS));
    const fromMain = await requestsFromThisThread(async () => assert.equal((await exportOnce(onThread, spans)).code, ExportResultCode.SUCCESS));
    assert.equal(fromWorker, 0, "the worker's request is not made on the application's thread");
    assert.equal(fromMain, 1);
    const [viaWorker, viaMain] = receiver.requests;
    assert.equal(viaWorker.body.toString("utf8"), viaMain.body.toString("utf8"));
    assert.equal(viaWorker.path, "/api/v2/traces");
    assert.equal(viaWorker.headers.authorization, `Bearer ${API_KEY}`);
    // Translated for Respan in the worker.
    assert.equal(receiver.spans().find((span) => span.name === "llm").attributes["gen_ai.usage.prompt_tokens"], 120);
  } finally {
    await Promise.all([offThread.shutdown(), onThread.shutdown()]);
    await receiver.close();
  }
});

test("export worker: failures keep their HTTP status, and abortAll reaches the worker's requests", async () => {
  const receiver = await startOtlpReceiver({ respond: ({ index }) => (index === 0 ? { status: 401 } : { hang: true }) });
  const exporter = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url });
  try {
    const refused = await exportOnce(exporter, finishedSpans());
    assert.equal(refused.code, ExportResultCode.FAILED);
    assert.equal(exporter.requestDeadlines.lastStatusCode, 401);
    const hanging = exportOnce(exporter, finishedSpans());
    await receiver.waitFor((_, requests) => requests.length === 2);
    const startedAt = performance.now();
    exporter.requestDeadlines.abortAll("the client gave up at its shutdown deadline");
    const aborted = await hanging;
    assert.equal(aborted.code, ExportResultCode.FAILED);
    assert.match(aborted.error.message, /gave up at its shutdown deadline/);
    assert.ok(performance.now() - startedAt < 5_000, "the hanging request was destroyed, not waited for");
  } finally {
    await exporter.shutdown();
    await receiver.close();
  }
});

test("export worker: a batch that cannot be copied to the worker is sent from the application's thread", async () => {
  const receiver = await startOtlpReceiver();
  const exporter = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url });
  try {
    const [span] = finishedSpans();
    // A value postMessage cannot clone (an exporter may be handed spans that did not come from the SDK).
    const uncloneable = { ...span, spanContext: () => span.spanContext(), attributes: { ...span.attributes, "app.callback": () => "x" } };
    let code;
    const fromThisThread = await requestsFromThisThread(async () => ({ code } = await exportOnce(exporter, [uncloneable])));
    assert.equal(code, ExportResultCode.SUCCESS);
    assert.equal(fromThisThread, 1, "sent from the application's thread");
    assert.deepEqual(receiver.spans().map((received) => received.name), [span.name]);
    assert.equal(exporter.exportThread, "worker", "the worker stays in use for the batches it can take");
  } finally {
    await exporter.shutdown();
    await receiver.close();
  }
});

test("export worker: if it stops, its unanswered batches and all later ones go from the application's thread, reported once", async () => {
  // The worker's request is never answered. (A delayed answer raced the test: the receiver reports a
  // delayed request only once it has answered it, so the worker could hear back before it was stopped.)
  const receiver = await startOtlpReceiver({ respond: ({ index }) => (index === 0 ? { hang: true } : undefined) });
  const exporter = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url });
  const warnings = [];
  diag.setLogger({ warn: (message) => warnings.push(message), error() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
  try {
    const inFlight = exportOnce(exporter, finishedSpans());
    await receiver.waitFor((_, requests) => requests.length === 1);
    // The worker dies with the batch unanswered.
    await exporter["sender"]["worker"].terminate();
    assert.equal((await inFlight).code, ExportResultCode.SUCCESS);
    assert.equal(exporter.exportThread, "main");
    assert.equal((await exportOnce(exporter, finishedSpans())).code, ExportResultCode.SUCCESS);
    assert.equal(receiver.requests.length, 3, "the unanswered batch was sent again, then the next one");
    assert.equal(warnings.filter((message) => /export worker stopped/.test(message)).length, 1);
  } finally {
    diag.disable();
    await exporter.shutdown();
    await receiver.close();
  }
});

test("export worker: a batch it never answers fails after the request deadline and a grace period", async () => {
  const receiver = await startOtlpReceiver();
  const exporter = new RespanSpanExporter({ apiKey: API_KEY, baseUrl: receiver.url, timeoutMillis: 100 });
  try {
    // Messages to the worker vanish: the batch is handed over and never answered.
    exporter["sender"]["worker"].postMessage = () => undefined;
    const startedAt = performance.now();
    const result = await exportOnce(exporter, finishedSpans());
    const waitedMs = performance.now() - startedAt;
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(result.error.message, /export worker did not answer within 5100 ms/);
    assert.ok(waitedMs >= 5_000 && waitedMs < 15_000, `settled after ${waitedMs} ms`);
    await exporter.forceFlush();
  } finally {
    await exporter.shutdown();
    await receiver.close();
  }
});

test("export worker: the client option and RESPAN_EXPORT_THREAD choose the thread; bad values are named", async () => {
  await withEnv({}, async () => {
    assert.throws(() => new RespanSpanExporter({ apiKey: "k", exportThread: /** @type {any} */ ("gpu") }), /option "exportThread" must be "worker" or "main", got "gpu"/);
    assert.throws(() => new Respan({ apiKey: "k", tracesDir: false, exportThread: /** @type {any} */ ("gpu") }), /option "exportThread"/);
  });
  await withEnv({ RESPAN_EXPORT_THREAD: "sideways" }, async () => {
    assert.throws(() => new Respan({ apiKey: "k", tracesDir: false }), /RESPAN_EXPORT_THREAD/);
  });
  /** @type {Array<[Record<string, string>, "worker" | "main" | undefined, string]>} */
  const cases = [
    [{}, undefined, "an export worker"],
    [{ RESPAN_EXPORT_THREAD: "Main" }, undefined, "the application's thread"],
    [{ RESPAN_EXPORT_THREAD: "main" }, "worker", "an export worker"],
  ];
  for (const [env, option, expected] of cases) {
    await withEnv(env, async () => {
      const { lines } = await captureConsole(async () => {
        const respan = new Respan({ apiKey: API_KEY, baseUrl: "http://127.0.0.1:1", tracesDir: false, printTree: false, flushOnExit: false, logLevel: "info", exportThread: option });
        await respan.shutdown();
      });
      const tracingTo = lines.find((line) => line.text.includes("tracing to:"));
      assert.ok(tracingTo?.text.includes(`sent from ${expected}`), `${JSON.stringify(env)}, option ${option}: ${tracingTo?.text}`);
    });
  }
});

/** A child that traces one span through the client (to RECEIVER_URL) and then simply ends. */
const CHILD_TRACES_AND_ENDS = (load) => `
  const { Respan } = ${load("@respan/core")};
  const { trace } = ${load("@opentelemetry/api")};
  const respan = new Respan({ tracesDir: false, printTree: false, logLevel: "info" });
  trace.getTracer("child").startSpan("turn").end();
`;

/** @type {Array<[string, string[], (name: string) => string]>} */
const BUILDS = [
  ["CommonJS", ["-e"], (name) => `require(${JSON.stringify(name)})`],
  ["ESM", ["--input-type=module", "-e"], (name) => `await import(${JSON.stringify(name)})`],
];
for (const [build, args, load] of BUILDS) {
  test(`export worker (${build} build): the process ends on its own once its spans are sent`, async () => {
    const receiver = await startOtlpReceiver();
    try {
      const startedAt = performance.now();
      const child = await runNode([...args, CHILD_TRACES_AND_ENDS(load)], {
        cwd: new URL("..", import.meta.url),
        env: { RESPAN_API_KEY: API_KEY, RESPAN_BASE_URL: receiver.url },
        timeoutMs: 30_000,
      });
      assert.equal(child.code, 0, child.stderr);
      assert.match(child.stderr + child.stdout, /sent from an export worker/);
      assert.deepEqual(receiver.spans().map((span) => span.name), ["turn"]);
      assert.ok(performance.now() - startedAt < 20_000);
    } finally {
      await receiver.close();
    }
  });
}

test("export worker: the application's NODE_OPTIONS preloads do not run again in it", async () => {
  const receiver = await startOtlpReceiver();
  const directory = mkdtempSync(path.join(os.tmpdir(), "respan-worker-preload-"));
  const preload = path.join(directory, "preload.cjs");
  const record = path.join(directory, "threads.txt");
  writeFileSync(preload, `require("node:fs").appendFileSync(${JSON.stringify(record)}, require("node:worker_threads").isMainThread ? "main\\n" : "worker\\n");\n`);
  try {
    const child = await runNode(["-e", CHILD_TRACES_AND_ENDS((name) => `require(${JSON.stringify(name)})`)], {
      cwd: new URL("..", import.meta.url),
      env: { RESPAN_API_KEY: API_KEY, RESPAN_BASE_URL: receiver.url, NODE_OPTIONS: `--require ${preload}` },
      timeoutMs: 30_000,
    });
    assert.equal(child.code, 0, child.stderr);
    assert.match(child.stderr + child.stdout, /sent from an export worker/);
    assert.deepEqual(receiver.spans().map((span) => span.name), ["turn"]);
    assert.equal(readFileSync(record, "utf8"), "main\n");
  } finally {
    await receiver.close();
  }
});

for (const protocol of ["http/json", "http/protobuf"]) {
  test(`export worker: the OTLP collector destination (${protocol}) sends from it, with the OTEL_EXPORTER_OTLP_* settings`, async () => {
    const collector = await startOtlpReceiver();
    try {
      for (const thread of ["worker", "main"]) {
        await withEnv(
          { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=abc123", RESPAN_EXPORT_THREAD: thread },
          async () => {
            const { lines } = await captureConsole(async () => {
              const respan = new Respan({ flushOnExit: false, logLevel: "info" });
              const fromThisThread = await requestsFromThisThread(async () => {
                trace.getTracer("collector-test").startSpan(`turn-${thread}`, { attributes: { "turn.number": 3 } }).end();
                await respan.flush();
              });
              assert.equal(fromThisThread, thread === "worker" ? 0 : 1, `requests made on the application's thread (${thread})`);
              assert.deepEqual(respan.getStats().exporters, [{ name: "otlp", exported: 1, failed: 0, dropped: 0, pending: 0 }]);
              await respan.shutdown();
            });
            const expected = thread === "worker" ? "an export worker" : "the application's thread";
            assert.ok(lines.some((line) => line.text.includes(`OTLP collector (${protocol}, sent from ${expected})`)), lines.map((line) => line.text).join("\n"));
          },
        );
      }
      assert.deepEqual(collector.spans().map((span) => span.name), ["turn-worker", "turn-main"]);
      assert.deepEqual(collector.requests.map((request) => request.headers["x-collector-token"]), ["abc123", "abc123"]);
      assert.equal(collector.spans()[0].attributes["turn.number"], 3);
    } finally {
      await collector.close();
    }
  });
}

test("export worker: where no worker can be started (frozen intrinsics), the exporter sends from the application's thread", async () => {
  const receiver = await startOtlpReceiver();
  try {
    const child = await runNode(
      [
        "--frozen-intrinsics",
        "-e",
        `const { RespanSpanExporter } = require("@respan/core");
         const exporter = new RespanSpanExporter({ apiKey: process.env.API_KEY, baseUrl: process.env.RECEIVER_URL });
         const span = {
           name: "turn", kind: 0, spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 }),
           parentSpanContext: undefined, startTime: [1, 0], endTime: [2, 0], status: { code: 0 }, attributes: { "turn.number": 1 },
           links: [], events: [], duration: [1, 0], ended: true, resource: { attributes: {} },
           instrumentationScope: { name: "test" }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
         };
         exporter.export([span], (result) => { console.log(exporter.exportThread, result.code); exporter.shutdown(); });`,
      ],
      { cwd: new URL("..", import.meta.url), env: { API_KEY, RECEIVER_URL: receiver.url }, timeoutMs: 30_000 },
    );
    assert.equal(child.code, 0, child.stderr);
    assert.equal(child.stdout.trim(), "main 0");
    assert.deepEqual(receiver.spans().map((span) => span.name), ["turn"]);
  } finally {
    await receiver.close();
  }
});
