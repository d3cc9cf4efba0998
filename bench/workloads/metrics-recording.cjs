"use strict";
// What recording the instrumentation's metrics costs, apart from everything else: the spans of a traced
// call of --turns turns are recorded, then their end events (kind, final attributes, start and end) are
// replayed into the instrumentation's per-conversation metrics recorder, on instruments of a
// MeterProvider with a cumulative reader — the work a traced call with metrics does on top of tracing,
// with no pipeline and no span export around it, so a loaded machine blurs it less than a wall-time
// ratio. The fastest of --repeats replays is reported; the reader's collection must hold the call's
// voice-to-voice samples.
// Usage: node --expose-gc metrics-recording.cjs --turns N [--repeats N]
const path = require("node:path");
const { hrTimeToMilliseconds } = require("@opentelemetry/core");
const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } = require("@opentelemetry/sdk-metrics");
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { parseArgs, positiveIntegerArg, runWorkload, settledHeapBytes } = require("../lib/child-result.cjs");

// Internal modules of the instrumentation (not part of its public API), from its build.
const dist = path.resolve(__dirname, "../../packages/instrumentation-pipecat/dist/cjs/metrics");
const { ConversationMetrics } = require(path.join(dist, "conversation-metrics.js"));
const { createInstruments } = require(path.join(dist, "instruments.js"));

// More than the SDK floor's: one replay takes a few milliseconds, easily blurred on a shared machine.
const DEFAULT_REPEATS = 20;
const SPAN_KINDS = { conversation: "conversation", turn: "turn", stt: "stt", llm: "llm", tts: "tts" };

runWorkload(async () => {
  const args = parseArgs();
  const turns = positiveIntegerArg(args, "turns");
  const repeats = args.repeats === undefined ? DEFAULT_REPEATS : positiveIntegerArg(args, "repeats");
  const runtime = loadRuntime("memory");
  await createVoiceCall(runtime.pipecat, { turns }).task.run();
  runtime.counter.assertTraced("metrics-recording");
  const ends = runtime.exporter
    .getFinishedSpans()
    .map((span) => [SPAN_KINDS[span.name] ?? "tool", span.attributes, hrTimeToMilliseconds(span.startTime), hrTimeToMilliseconds(span.endTime)]);

  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const instruments = createInstruments(new MeterProvider({ readers: [reader] }).getMeter("metrics-recording"));
  const replayMs = [];
  for (let i = 0; i < repeats; i++) {
    settledHeapBytes();
    const start = performance.now();
    const recorder = new ConversationMetrics(instruments);
    for (const [kind, attributes, startMs, endMs] of ends) recorder.spanEnded(kind, attributes, startMs, endMs);
    replayMs.push(performance.now() - start);
  }
  await reader.forceFlush();
  const voiceToVoice = exporter
    .getMetrics()
    .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics))
    .find((metric) => metric.descriptor.name === "pipecat.turn.voice_to_voice_latency");
  const samples = (voiceToVoice?.dataPoints ?? []).reduce((n, point) => n + point.value.count, 0);
  const turnSpans = ends.filter(([kind, attributes]) => kind === "turn" && attributes["turn.user_bot_latency_seconds"] !== undefined).length;
  if (samples !== turnSpans * repeats) throw new Error(`recorded ${samples} voice-to-voice samples, expected ${turnSpans * repeats}`);
  return { spanEnds: ends.length, replayMs, minMs: Math.min(...replayMs) };
});
