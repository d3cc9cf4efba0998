"use strict";
// The OpenTelemetry SDK's own share of a traced call. The spans of a traced call of --turns turns are
// recorded, then emitted again through the SDK alone — tracer.startSpan with the same names, kinds,
// start times, attributes and parents, the same events and status, then end() — on a provider whose
// BatchSpanProcessor (default limits) feeds the discarding OTLP JSON exporter, as in the traced timing
// runs. No pipeline runs during the replay, so its time is what emitting these spans through the
// OpenTelemetry SDK costs any instrumentation, however little work it does itself: a floor under the
// traced call's overhead. The fastest of --repeats replays is reported (a floor should not be inflated
// by a slow moment of a shared machine).
// Usage: node --expose-gc sdk-floor.cjs --turns N [--repeats N]
const { ROOT_CONTEXT, SpanStatusCode, trace } = require("@opentelemetry/api");
const { BatchSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
const { DiscardingOtlpJsonExporter } = require("../lib/discarding-otlp-exporter.cjs");
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { nextTurnOfEventLoop, parseArgs, positiveIntegerArg, runWorkload, settledHeapBytes } = require("../lib/child-result.cjs");

const DEFAULT_REPEATS = 5;

function hrTimeBefore(a, b) {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The recorded spans, every parent before its children, siblings in start order. */
function parentsFirst(spans) {
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    if (parentId !== undefined && byId.has(parentId)) {
      if (!children.has(parentId)) children.set(parentId, []);
      children.get(parentId).push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a, b) => (hrTimeBefore(a.startTime, b.startTime) ? -1 : hrTimeBefore(b.startTime, a.startTime) ? 1 : 0);
  const ordered = [];
  const pending = roots.sort(byStart).reverse();
  while (pending.length > 0) {
    const span = pending.pop();
    ordered.push(span);
    const own = children.get(span.spanContext().spanId);
    if (own !== undefined) pending.push(...own.sort(byStart).reverse());
  }
  return ordered;
}

/** Spans emitted between two turns of the event loop: the processor exports a full batch only once it may. */
const SPANS_PER_TURN_OF_LOOP = 256;

/** Emits every recorded span again through `tracer`; resolves to the milliseconds it took, export included. */
async function replay(recorded, tracer, processor) {
  const replayed = new Map();
  const start = performance.now();
  for (let i = 0; i < recorded.length; i++) {
    const span = recorded[i];
    const parent = replayed.get(span.parentSpanContext?.spanId);
    const parentContext = parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent);
    const copy = tracer.startSpan(span.name, { kind: span.kind, startTime: span.startTime, attributes: span.attributes, links: span.links }, parentContext);
    replayed.set(span.spanContext().spanId, copy);
    for (const event of span.events) copy.addEvent(event.name, event.attributes, event.time);
    if (span.status.code !== SpanStatusCode.UNSET) copy.setStatus(span.status);
    copy.end(span.endTime);
    // In a call, spans end between frame hops and the processor's export completes in between: without
    // these pauses its bounded queue would overflow and drop spans it would never serialise.
    if (i % SPANS_PER_TURN_OF_LOOP === SPANS_PER_TURN_OF_LOOP - 1) await nextTurnOfEventLoop();
  }
  await processor.forceFlush();
  return performance.now() - start;
}

runWorkload(async () => {
  const args = parseArgs();
  const turns = positiveIntegerArg(args, "turns");
  const repeats = args.repeats === undefined ? DEFAULT_REPEATS : positiveIntegerArg(args, "repeats");
  const runtime = loadRuntime("memory");
  await createVoiceCall(runtime.pipecat, { turns }).task.run();
  runtime.counter.assertTraced("sdk-floor");
  const recorded = parentsFirst(runtime.exporter.getFinishedSpans());
  runtime.exporter.reset();

  const exporter = new DiscardingOtlpJsonExporter();
  const processor = new BatchSpanProcessor(exporter);
  const tracer = new NodeTracerProvider({ spanProcessors: [processor] }).getTracer("sdk-floor");
  const replayMs = [];
  for (let i = 0; i < repeats; i++) {
    settledHeapBytes();
    replayMs.push(await replay(recorded, tracer, processor));
  }
  if (exporter.exportedSpans !== recorded.length * repeats) {
    throw new Error(`the replays exported ${exporter.exportedSpans} spans, expected ${recorded.length * repeats}`);
  }
  return { spans: recorded.length, replayMs, minMs: Math.min(...replayMs) };
});
