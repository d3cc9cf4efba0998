import { test } from "node:test";
import assert from "node:assert/strict";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { context, trace } from "@opentelemetry/api";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventually } from "../../../test/support/eventually.cjs";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import {
  TraceHoldSpanProcessor,
  TRACE_HOLD_REGISTRY_KEY,
  getTraceHoldRegistry,
} from "@respan/core";

function setup(options) {
  const exporter = new InMemorySpanExporter();
  const hold = new TraceHoldSpanProcessor(new SimpleSpanProcessor(exporter), { register: false, ...options });
  const provider = new BasicTracerProvider({ spanProcessors: [hold] });
  const tracer = provider.getTracer("trace-hold-test");
  return { exporter, hold, provider, tracer };
}

/** Starts a root span and `childCount` children under it; returns the root (children ended). */
function traceWithChildren(tracer, childCount) {
  const root = tracer.startSpan("root");
  const parent = trace.setSpan(context.active(), root);
  for (let i = 0; i < childCount; i++) tracer.startSpan(`child-${i}`, {}, parent).end();
  return root;
}

test("spans of a held trace are buffered until released, then exported; other traces flow", async () => {
  const { exporter, hold, provider, tracer } = setup();
  const root = tracer.startSpan("held-root");
  const traceId = root.spanContext().traceId;
  assert.equal(hold.hold(traceId), true);
  tracer.startSpan("held-child", {}, trace.setSpan(context.active(), root)).end();
  tracer.startSpan("free").end();
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["free"]);

  root.end();
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["free"]);
  hold.release(traceId);
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["free", "held-child", "held-root"]);
  tracer.startSpan("after-release", {}, trace.setSpan(context.active(), root)).end();
  assert.equal(exporter.getFinishedSpans().length, 4);
  assert.deepEqual(hold.stats, { held: 0, dropped: 0, discarded: 0 });
  await provider.shutdown();
});

test("release with discard drops the buffered spans and every later span of that trace", async () => {
  const { exporter, hold, provider, tracer } = setup();
  const root = tracer.startSpan("root");
  const traceId = root.spanContext().traceId;
  hold.hold(traceId);
  const parent = trace.setSpan(context.active(), root);
  tracer.startSpan("a", {}, parent).end();
  hold.release(traceId, { discard: true });
  tracer.startSpan("late", {}, parent).end();
  root.end();
  tracer.startSpan("other-trace").end();
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["other-trace"]);
  assert.deepEqual(hold.stats, { held: 0, dropped: 0, discarded: 3 });
  await provider.shutdown();
});

test("holds nest: the trace is released when the last hold ends; discard wins over remaining holds", async () => {
  const { exporter, hold, provider, tracer } = setup();
  const first = tracer.startSpan("first");
  const firstId = first.spanContext().traceId;
  hold.hold(firstId);
  hold.hold(firstId);
  first.end();
  hold.release(firstId);
  assert.equal(exporter.getFinishedSpans().length, 0, "one hold remains");
  hold.release(firstId);
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["first"]);

  const second = tracer.startSpan("second");
  const secondId = second.spanContext().traceId;
  hold.hold(secondId);
  hold.hold(secondId);
  second.end();
  hold.release(secondId, { discard: true });
  hold.release(secondId);
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ["first"]);
  await provider.shutdown();
});

test("a long held trace keeps a bounded number of spans in memory; the rest waits in a private spool file", async () => {
  const spoolDirectory = await mkdtemp(path.join(tmpdir(), "hold-spool-test-"));
  const { exporter, hold, provider, tracer } = setup({ maxSpansInMemory: 50, releaseBatchSize: 40, spoolDirectory });
  try {
    const root = tracer.startSpan("root");
    const traceId = root.spanContext().traceId;
    hold.hold(traceId);
    const parent = trace.setSpan(context.active(), root);
    for (let i = 0; i < 1000; i++) tracer.startSpan(`c${i}`, { attributes: { i } }, parent).end();
    root.end();
    assert.equal(hold.stats.held, 1001, "every span is held, none dropped");
    await eventually(async () => (await readdir(spoolDirectory)).length === 1, 5000, "the spool directory");
    const [spoolDir] = await readdir(spoolDirectory);
    assert.equal((await stat(path.join(spoolDirectory, spoolDir))).mode & 0o777, 0o700, "private directory");
    hold.release(traceId);
    await hold.forceFlush();
    const names = exporter.getFinishedSpans().map((span) => span.name);
    assert.equal(names.length, 1001);
    assert.deepEqual(names.slice(0, 3), ["c0", "c1", "c2"], "in the order they ended");
    const restored = exporter.getFinishedSpans()[500];
    assert.equal(restored.attributes.i, 500);
    assert.equal(restored.spanContext().traceId, traceId);
    assert.equal(restored.parentSpanContext.spanId, root.spanContext().spanId);
    // root is the SDK's span, which has a resource.
    assert.equal(restored.resource, /** @type {any} */ (root).resource, "the provider's resource is put back");
    assert.deepEqual(hold.stats, { held: 0, dropped: 0, discarded: 0 });
  } finally {
    await provider.shutdown();
    assert.deepEqual(await readdir(spoolDirectory), [], "the spool directory is deleted at shutdown");
    await rm(spoolDirectory, { recursive: true, force: true });
  }
});

test("discarding a spilled trace deletes its spool file and counts its spans as discarded", async () => {
  const spoolDirectory = await mkdtemp(path.join(tmpdir(), "hold-spool-discard-"));
  const { exporter, hold, provider, tracer } = setup({ maxSpansInMemory: 10, spoolDirectory });
  try {
    const root = tracer.startSpan("root");
    const traceId = root.spanContext().traceId;
    hold.hold(traceId);
    const parent = trace.setSpan(context.active(), root);
    for (let i = 0; i < 100; i++) tracer.startSpan(`secret-${i}`, {}, parent).end();
    const spoolFiles = async () => (await readdir(spoolDirectory, { recursive: true })).filter((name) => name.endsWith(".jsonl"));
    await eventually(async () => (await spoolFiles()).length === 1, 5000, "the spool file");
    hold.release(traceId, { discard: true });
    await eventually(async () => (await spoolFiles()).length === 0, 5000, "the spool file's deletion");
    root.end();
    await hold.forceFlush();
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.deepEqual(hold.stats, { held: 0, dropped: 0, discarded: 101 });
  } finally {
    await provider.shutdown();
    await rm(spoolDirectory, { recursive: true, force: true });
  }
});

test("held spans that cannot be spooled are counted as dropped and reported, never lost silently", async () => {
  const parent = await mkdtemp(path.join(tmpdir(), "hold-spool-broken-"));
  const notADirectory = path.join(parent, "file");
  await writeFile(notADirectory, "a file where the spool directory should go");
  const reports = [];
  const { hold, provider, tracer } = setup({
    maxSpansInMemory: 5,
    spoolDirectory: notADirectory,
    onDropped: (count, reason) => reports.push({ count, reason }),
  });
  try {
    const root = tracer.startSpan("root");
    hold.hold(root.spanContext().traceId);
    const parentContext = trace.setSpan(context.active(), root);
    for (let i = 0; i < 6; i++) tracer.startSpan(`c${i}`, {}, parentContext).end();
    await eventually(() => hold.stats.dropped === 6, 5000, "the failed spool write");
    assert.deepEqual(hold.stats, { held: 0, dropped: 6, discarded: 0 });
    assert.equal(reports.length, 1);
    assert.match(reports[0].reason, /could not be written to the spool file \((ENOTDIR|ENOENT)/);
  } finally {
    await provider.shutdown();
    await rm(parent, { recursive: true, force: true });
  }
});

test("a release never hands more than releaseBatchSize spans to the delegates between two flushes", async () => {
  const seen = [];
  let sinceFlush = 0;
  const probe = {
    onStart() {},
    onEnd() {
      sinceFlush += 1;
      seen.push(sinceFlush);
    },
    forceFlush: async () => {
      sinceFlush = 0;
    },
    shutdown: async () => {},
  };
  const hold = new TraceHoldSpanProcessor(probe, { register: false, releaseBatchSize: 100, maxSpansInMemory: 10_000 });
  const provider = new BasicTracerProvider({ spanProcessors: [hold] });
  const tracer = provider.getTracer("t");
  const root = tracer.startSpan("root");
  hold.hold(root.spanContext().traceId);
  const parent = trace.setSpan(context.active(), root);
  for (let i = 0; i < 1000; i++) tracer.startSpan(`c${i}`, {}, parent).end();
  hold.release(root.spanContext().traceId);
  await hold.forceFlush();
  assert.equal(seen.length, 1000);
  assert.ok(Math.max(...seen) <= 100, `at most 100 between flushes (saw ${Math.max(...seen)})`);
  await provider.shutdown();
});

test("the number of held traces is capped", async () => {
  const { hold, provider } = setup({ maxHeldTraces: 2 });
  assert.equal(hold.hold("a".repeat(32)), true);
  assert.equal(hold.hold("b".repeat(32)), true);
  assert.equal(hold.hold("c".repeat(32)), false, "a third trace is refused");
  assert.equal(hold.hold("a".repeat(32)), true, "nesting an existing hold is not a new trace");
  await provider.shutdown();
});

test("forceFlush keeps held spans; shutdown releases what no one discarded", async () => {
  const names = [];
  const recorder = { onStart() {}, onEnd: (span) => names.push(span.name), forceFlush: async () => {}, shutdown: async () => {} };
  const hold = new TraceHoldSpanProcessor(recorder, { register: false });
  const provider = new BasicTracerProvider({ spanProcessors: [hold] });
  const root = traceWithChildren(provider.getTracer("t"), 2);
  hold.hold(root.spanContext().traceId);
  root.end();
  await provider.forceFlush();
  assert.deepEqual(names, ["child-0", "child-1"], "the children ended before the hold");
  await provider.shutdown();
  assert.deepEqual(names, ["child-0", "child-1", "root"]);
  assert.deepEqual(hold.stats, { held: 0, dropped: 0, discarded: 0 });
});

test("abandon counts every withheld span as dropped", async () => {
  const { hold, provider, tracer } = setup();
  const root = traceWithChildren(tracer, 0);
  hold.hold(root.spanContext().traceId);
  tracer.startSpan("c", {}, trace.setSpan(context.active(), root)).end();
  root.end();
  assert.equal(hold.abandon(), 2);
  assert.deepEqual(hold.stats, { held: 0, dropped: 2, discarded: 0 });
  await provider.shutdown();
});

test("invalid options name the option and the accepted values", () => {
  assert.throws(
    () => new TraceHoldSpanProcessor([], { maxSpansInMemory: 0, register: false }),
    /maxSpansInMemory must be a positive integer \(got 0\)/,
  );
});

test("the process-wide registry reaches every registered processor (instrumentations use it without importing)", async () => {
  const exporterA = new InMemorySpanExporter();
  const exporterB = new InMemorySpanExporter();
  const holdA = new TraceHoldSpanProcessor(new SimpleSpanProcessor(exporterA));
  const holdB = new TraceHoldSpanProcessor([new SimpleSpanProcessor(exporterB)]);
  const provider = new BasicTracerProvider({ spanProcessors: [holdA, holdB] });
  const tracer = provider.getTracer("registry-test");
  const registry = globalThis[Symbol.for("@respan/core.traceHold")];
  assert.equal(registry, getTraceHoldRegistry());
  assert.equal(TRACE_HOLD_REGISTRY_KEY, Symbol.for("@respan/core.traceHold"));

  const span = tracer.startSpan("via-registry");
  assert.equal(registry.hold(span.spanContext().traceId), true);
  span.end();
  assert.equal(exporterA.getFinishedSpans().length + exporterB.getFinishedSpans().length, 0);
  registry.release(span.spanContext().traceId, { discard: true });
  assert.equal(exporterA.getFinishedSpans().length + exporterB.getFinishedSpans().length, 0);

  await provider.shutdown();
  assert.equal(registry.hold("d".repeat(32)), false, "no processor registered after shutdown");
});

test("a hold refused by one registered processor is undone in the others: nothing stays held", async () => {
  const roomy = new InMemorySpanExporter();
  const full = new InMemorySpanExporter();
  const holdRoomy = new TraceHoldSpanProcessor(new SimpleSpanProcessor(roomy));
  const holdFull = new TraceHoldSpanProcessor(new SimpleSpanProcessor(full), { maxHeldTraces: 1 });
  const provider = new BasicTracerProvider({ spanProcessors: [holdRoomy, holdFull] });
  const tracer = provider.getTracer("refused-hold");
  const registry = getTraceHoldRegistry();
  try {
    const first = tracer.startSpan("first");
    const firstId = first.spanContext().traceId;
    assert.equal(registry.hold(firstId), true, "both processors accept the first trace");

    const second = tracer.startSpan("second");
    const secondId = second.spanContext().traceId;
    assert.equal(registry.hold(secondId), false, "the full processor refuses a second trace");
    assert.equal(holdRoomy.isHeld(secondId), false, "the processor that accepted gives its hold back");
    assert.equal(holdFull.isHeld(secondId), false);
    second.end();
    assert.deepEqual(roomy.getFinishedSpans().map((span) => span.name), ["second"], "the refused trace is exported at once");
    assert.deepEqual(full.getFinishedSpans().map((span) => span.name), ["second"]);

    // A nested hold on a trace that is already held: undoing the refused attempt keeps the earlier hold.
    const third = tracer.startSpan("third");
    const thirdId = third.spanContext().traceId;
    holdRoomy.hold(thirdId);
    assert.equal(registry.hold(thirdId), false);
    assert.equal(holdRoomy.isHeld(thirdId), true, "the hold taken before the refused attempt remains");
    holdRoomy.release(thirdId);
    assert.equal(holdRoomy.isHeld(thirdId), false);

    first.end();
    registry.release(firstId);
    assert.deepEqual(roomy.getFinishedSpans().map((span) => span.name), ["second", "first"]);
  } finally {
    await provider.shutdown();
  }
});

test("over a real OTLP exporter: a discarded trace sends no request at all, a released one is delivered", async () => {
  const receiver = await startOtlpReceiver();
  const exporter = new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` });
  const hold = new TraceHoldSpanProcessor(new SimpleSpanProcessor(exporter), { register: false });
  const provider = new BasicTracerProvider({ spanProcessors: [hold] });
  const tracer = provider.getTracer("otlp-hold-test");
  try {
    const secret = tracer.startSpan("secret-root");
    const secretId = secret.spanContext().traceId;
    hold.hold(secretId);
    const secretParent = trace.setSpan(context.active(), secret);
    for (let i = 0; i < 3; i++) tracer.startSpan("secret-child", {}, secretParent).end();
    secret.setAttribute("payload", "do-not-send");
    const kept = tracer.startSpan("kept-root");
    const keptId = kept.spanContext().traceId;
    hold.hold(keptId);
    kept.end();
    secret.end();
    hold.release(secretId, { discard: true });
    await provider.forceFlush();
    assert.equal(receiver.requests.length, 0, "nothing was sent while the other trace was still held");
    hold.release(keptId);
    await provider.forceFlush();
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === "kept-root"), 10_000);
    assert.equal(spans.some((s) => s.traceId === secretId), false);
    assert.deepEqual(spans.map((s) => s.name), ["kept-root"]);
    for (const request of receiver.requests) assert.equal(request.body.includes("do-not-send"), false);
  } finally {
    await provider.shutdown();
    await receiver.close();
  }
});
