"use strict";
// Loads pipecat-ts for a workload, traced or not. In this workspace `pipecat-ts` is a linked package
// (packages/pipecat): the instrumentation's require hook patches it by the path it resolves to from the
// workload script, as it would in a user's monorepo. manuallyInstrument() is called as well (a no-op when
// the hook has patched it) so that a script run from elsewhere is traced all the same, and the function
// checks the patch is in place.
//
//   plain   no instrumentation at all: the baseline.
//   context no instrumentation, but OpenTelemetry's context manager registered and in use — the
//           AsyncLocalStorage-based one of NodeTracerProvider, switched on by a first context.with(),
//           as any span export does. On Node 20 that alone puts a hook on every promise the process
//           creates: the floor any OpenTelemetry tracing pays, whatever the instrumentation does.
//   noop    PipecatInstrumentation on OpenTelemetry's no-op tracer (the API's ProxyTracerProvider with no
//           delegate), with the context manager registered and in use as in `context`: everything the
//           instrumentation itself does (hop routing, turn state, attributes, context switches) and
//           nothing of the SDK's. otel − noop is the SDK's share; noop − context is the instrumentation's.
//   otel    PipecatInstrumentation on a NodeTracerProvider whose BatchSpanProcessor (default limits)
//           feeds the OTLP JSON serializer into a discarding sink: every span is built, batched and
//           serialised, as with a healthy collector.
//   respan  PipecatInstrumentation registered by the @respan/core client, sending to Respan at
//           `endpoint` (a loopback port that refuses or stalls: the backend is down).
//
// Stages between `plain` and `noop`, for splitting the instrumentation's cost (compare-builds.mjs
// --modes); they trace partially or not at all by design, and their span counts are checked for that:
//   loaded  as `context`, with @respan/instrumentation-pipecat and @respan/core loaded and not used.
//   hops    as `noop`, but only the pushFrame wrapper stays patched and the hop router does nothing:
//           the cost of the wrapper on every hop. Produces no span (checked).
//   calls   as `noop`, but the hop router does nothing: the wrapper, the conversation begun by the
//           task's run() and the spans the service-call wrappers begin (llm, tts, tool calls), without
//           any frame routed to the conversation (checked: llm spans, no turn spans).
const { context, ProxyTracerProvider, ROOT_CONTEXT } = require("@opentelemetry/api");
const { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
const { DiscardingOtlpJsonExporter } = require("./discarding-otlp-exporter.cjs");
const { SpanCounter } = require("./span-counter.cjs");

const MODES = ["plain", "context", "noop", "otel", "metrics", "respan", "memory", "loaded", "hops", "calls"];
/** What the partial stages must (and must not) trace. */
const STAGE_SPANS = {
  hops: { required: [], forbidden: ["conversation", "turn", "llm", "tts", "stt", "vad", "execute_tool"] },
  calls: { required: ["conversation", "llm"], forbidden: ["turn"] },
};
const STAGES = Object.keys(STAGE_SPANS);

/**
 * OpenTelemetry's no-op tracer, counting the spans started (by kind, as SpanCounter counts ended ones) so
 * that the no-op run too proves it traced a conversation.
 */
function countingNoopTracerProvider(counter) {
  const noop = new ProxyTracerProvider().getTracer("noop");
  const tracer = {
    startSpan(name, options, parentContext) {
      counter.onEnd({ name });
      return noop.startSpan(name, options, parentContext);
    },
    startActiveSpan(...args) {
      return noop.startActiveSpan(...args);
    },
  };
  return { getTracer: () => tracer };
}

function assertPatched(pipecat) {
  const pushFrame = pipecat.FrameProcessor.prototype.pushFrame;
  if (pushFrame.__wrapped !== true) {
    throw new Error("PipecatInstrumentation.manuallyInstrument() did not patch FrameProcessor.prototype.pushFrame");
  }
}

/**
 * @param {"plain"|"context"|"noop"|"otel"|"metrics"|"respan"|"memory"} mode  ("memory": every span kept in memory, for workloads
 *   that need the spans themselves)
 * @param {{ endpoint?: string, spanProcessors?: object[] }} options  extra processors run before export
 */
function loadRuntime(mode, options = {}) {
  if (!MODES.includes(mode)) throw new Error(`unknown tracing mode "${mode}" (expected ${MODES.join(", ")})`);
  if (mode === "plain" || mode === "context" || mode === "loaded") {
    if (mode !== "plain") {
      new NodeTracerProvider().register();
      context.with(ROOT_CONTEXT, () => undefined);
    }
    if (mode === "loaded") {
      require("@respan/instrumentation-pipecat");
      require("@respan/core");
    }
    return { pipecat: require("pipecat-ts"), counter: undefined, drainQueue() {}, stats: () => undefined };
  }

  const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
  // Content on, as under `new Respan(...)` (traceContent defaults on): the spans the benchmark prices are full ones.
  const instrumentation = new PipecatInstrumentation({ captureContent: true });
  const counter = new SpanCounter(STAGE_SPANS[mode]);
  const processors = [counter, ...(options.spanProcessors ?? [])];
  let tracing;
  if (mode === "respan") {
    const { Respan } = require("@respan/core");
    if (options.endpoint === undefined) throw new Error("mode respan needs an endpoint");
    const respan = new Respan({
      apiKey: "bench-placeholder-key",
      baseUrl: options.endpoint,
      instrumentations: [instrumentation],
      spanProcessors: processors,
      tracesDir: false,
      printTree: false,
      flushOnExit: false,
      logLevel: "silent",
    });
    tracing = { drainQueue() {}, stats: () => respan.getStats(), flush: () => respan.flush() };
  } else if (mode === "noop" || STAGES.includes(mode)) {
    // The SDK's context manager, as the traced variants have it; the spans go nowhere.
    new NodeTracerProvider().register();
    context.with(ROOT_CONTEXT, () => undefined);
    instrumentation.setTracerProvider(countingNoopTracerProvider(counter));
    tracing = { drainQueue() {}, stats: () => undefined };
  } else {
    const exporter = mode === "memory" ? new InMemorySpanExporter() : new DiscardingOtlpJsonExporter();
    const exportProcessor = mode === "memory" ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
    const provider = new NodeTracerProvider({ spanProcessors: [...processors, exportProcessor] });
    provider.register();
    instrumentation.setTracerProvider(provider);
    const metrics = mode === "metrics" ? meteredInstrumentation(instrumentation) : undefined;
    tracing = {
      exporter,
      assertMetrics: metrics?.assertRecorded,
      // The discarding exporter is synchronous, so a flush empties the batch queue before it returns:
      // heap samples then never include a half-full queue.
      drainQueue: () => void exportProcessor.forceFlush(),
      stats: () => (mode === "memory" ? undefined : { exportedSpans: exporter.exportedSpans, exportedBytes: exporter.exportedBytes }),
      flush: () => provider.forceFlush(),
    };
  }
  const pipecat = require("pipecat-ts");
  instrumentation.manuallyInstrument(pipecat);
  assertPatched(pipecat);
  if (STAGES.includes(mode)) switchOffStages(mode, instrumentation, pipecat);
  return { pipecat, counter, instrumentation, ...tracing };
}

/** The `hops` and `calls` stages: parts of the instrumentation switched off (a diagnostic, reaching into its privates). */
function switchOffStages(mode, instrumentation, pipecat) {
  instrumentation.router.onPushFrame = () => undefined;
  if (mode !== "hops") return;
  for (const exported of Object.values(pipecat)) {
    const prototype = typeof exported === "function" ? exported.prototype : undefined;
    if (prototype === undefined) continue;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name).value;
      // Every wrapper but pushFrame's gets its original back (__original: set by the wrapping library).
      if (name !== "pushFrame" && typeof method === "function" && method.__wrapped === true) prototype[name] = method.__original;
    }
  }
}

/** Gives the instrumentation a MeterProvider; `assertRecorded` fails when the call recorded no voice metric. */
function meteredInstrumentation(instrumentation) {
  const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } = require("@opentelemetry/sdk-metrics");
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    async assertRecorded(label) {
      await reader.forceFlush();
      const names = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.map((m) => m.descriptor.name)));
      if (!names.includes("pipecat.turn.voice_to_voice_latency")) throw new Error(`${label}: no voice-to-voice latency recorded`);
    },
  };
}

module.exports = { loadRuntime };
