// The instrumentation's metrics, recorded from the attributes its spans end with: GenAI names as the
// installed semantic conventions spell them, the advised bucket boundaries, failures, interruptions and
// conversation ends, only low-cardinality attributes, and a broken instrument never disturbing the spans.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createNoopMeter, metrics } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_TOKEN_TYPE as SEMCONV_TOKEN_TYPE,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT as SEMCONV_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT as SEMCONV_OUTPUT,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from "@opentelemetry/semantic-conventions/incubating";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { createInstruments, VOICE_LATENCY_BUCKETS, GEN_AI_DURATION_BUCKETS } from "../dist/esm/metrics/instruments.js";
import * as names from "@respan/semconv-pipecat";
import * as P from "./support/fake-pipecat.mjs";
import { onlyOne } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

function metered() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const instruments = createInstruments(provider.getMeter("test"));
  /** Every metric of a fresh collection, by name: `{ unit, points: [{ attributes, value }] }`. */
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    return new Map(
      resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        // Points are read per metric: a sum's value is a number, a histogram's an object.
        .map((metric) => [metric.descriptor.name, { unit: metric.descriptor.unit, points: /** @type {any[]} */ (metric.dataPoints) }]),
    );
  };
  return { instruments, collect };
}

const pointsWith = (metric, match) =>
  (metric?.points ?? []).filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));

describe("metric names", () => {
  it("the GenAI metrics are named as @opentelemetry/semantic-conventions/incubating names them", () => {
    assert.equal(names.METRIC_GEN_AI_CLIENT_OPERATION_DURATION, METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    assert.equal(names.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    assert.equal(names.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
    assert.equal(names.ATTR_GEN_AI_TOKEN_TYPE, SEMCONV_TOKEN_TYPE);
    assert.equal(names.GEN_AI_TOKEN_TYPE_VALUE_INPUT, SEMCONV_INPUT);
    assert.equal(names.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT, SEMCONV_OUTPUT);
  });

  it("every other metric and metric-only attribute is under the one voice prefix", () => {
    const voice = Object.entries(names).filter(([key]) => key.startsWith("METRIC_PIPECAT_") || key.startsWith("ATTR_PIPECAT_"));
    assert.ok(voice.length >= 10);
    for (const [key, value] of voice) assert.ok(String(value).startsWith(names.VOICE_METRIC_PREFIX), `${key} = ${value}`);
  });
});

describe("metrics recorded from span ends", () => {
  it("no instruments (and no metric work per span) while the meter is the API's no-op one", () => {
    assert.equal(createInstruments(createNoopMeter()), undefined);
    assert.equal(createInstruments(metrics.getMeter("no provider registered")), undefined);
    const h = createHarness({ instruments: undefined });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(onlyOne(h.spans(), "conversation").attributes["conversation.end_reason"], "cancel_frame");
  });

  it("histograms use the advised bucket boundaries", async () => {
    const { instruments, collect } = metered();
    instruments.voiceToVoiceLatency.record(0.35);
    instruments.operationDuration.record(0.2, { "gen_ai.operation.name": "chat" });
    const metrics = await collect();
    assert.deepEqual(metrics.get(names.METRIC_PIPECAT_TURN_VOICE_TO_VOICE_LATENCY).points[0].value.buckets.boundaries, VOICE_LATENCY_BUCKETS);
    assert.deepEqual(metrics.get(names.METRIC_GEN_AI_CLIENT_OPERATION_DURATION).points[0].value.buckets.boundaries, GEN_AI_DURATION_BUCKETS);
  });

  it("a failed llm run: its duration carries error.type; tokens and TTFB by provider and model", async () => {
    const { instruments, collect } = metered();
    const h = createHarness({ instruments });
    h.hop(h.transport, new P.StartFrame());
    const run = h.serviceCall("processContext", h.llm, { messages: [{ role: "user", content: "secret question" }] });
    h.clock.advance(250);
    run.settled(new TypeError("socket hang up"), true);
    const llm = onlyOne(h.spans(), "llm");
    const metrics = await collect();
    const [duration] = metrics.get(names.METRIC_GEN_AI_CLIENT_OPERATION_DURATION).points;
    assert.deepEqual(duration.attributes, {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": llm.attributes["gen_ai.provider.name"],
      "gen_ai.request.model": llm.attributes["gen_ai.request.model"],
      "error.type": "LLMError",
    });
    assert.equal(duration.value.count, 1);
    assert.equal(duration.value.sum, 0.25, "the span's duration");
    assert.deepEqual(h.reported, []);
  });

  it("an interruption counts once; a turn cut short by the conversation's end is not an interruption", async () => {
    const { instruments, collect } = metered();
    const h = createHarness({ instruments });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(700);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.InterruptionFrame());
    h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
    h.clock.advance(1000);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.clock.advance(400);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(100);
    h.hop(h.transport, new P.CancelFrame());
    const turns = h.spans().filter((span) => span.name === "turn");
    assert.deepEqual(turns.map((turn) => turn.attributes["turn.was_interrupted"]), [true, true], "both turns flagged on their spans");

    const metrics = await collect();
    assert.equal(metrics.get(names.METRIC_PIPECAT_TURN_INTERRUPTIONS).points.reduce((n, p) => n + p.value, 0), 1);
    const durations = metrics.get(names.METRIC_PIPECAT_TURN_DURATION);
    assert.equal(pointsWith(durations, { [names.ATTR_PIPECAT_TURN_INTERRUPTED]: true })[0].value.count, 1);
    assert.equal(pointsWith(durations, { [names.ATTR_PIPECAT_TURN_INTERRUPTED]: false })[0].value.count, 1);
    const [latency] = metrics.get(names.METRIC_PIPECAT_TURN_VOICE_TO_VOICE_LATENCY).points;
    assert.equal(latency.value.count, 1);
    assert.ok(Math.abs(latency.value.sum - 0.4) < 1e-9, "user stopped -> bot started");
    const [conversations] = metrics.get(names.METRIC_PIPECAT_CONVERSATIONS).points;
    assert.deepEqual(conversations.attributes, { [names.ATTR_PIPECAT_CONVERSATION_END_REASON]: "cancel_frame" });
    assert.equal(conversations.value, 1);
    assert.equal(metrics.get(names.METRIC_PIPECAT_CONVERSATION_DURATION).points[0].value.sum, 2.2);
  });

  it("no attribute value is an id, a transcript or other content", async () => {
    const { instruments, collect } = metered();
    const h = createHarness({ instruments, conversationId: "conv-unique-42" });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new P.TranscriptionFrame("my card number is 4242", "user-7"));
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    const run = h.serviceCall("processContext", h.llm, { messages: [{ role: "user", content: "my card number is 4242" }] });
    h.hop(h.llm, new P.LLMTextFrame("noted"));
    h.clock.advance(100);
    run.settled(undefined, false);
    h.hop(h.transport, new P.CancelFrame());
    const metrics = await collect();
    const values = [...metrics.values()].flatMap((metric) => metric.points.flatMap((point) => Object.values(point.attributes).map(String)));
    assert.ok(values.length > 0);
    for (const value of values) {
      assert.ok(!/conv-unique-42|4242|user-7|noted/.test(value), `no unbounded value: ${value}`);
    }
  });

  it("an instrument that throws is reported and the spans still end", async () => {
    const { instruments } = metered();
    const broken = { ...instruments, conversations: { add: () => { throw new Error("meter broke"); } } };
    const h = createHarness({ instruments: broken });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(onlyOne(h.spans(), "conversation").attributes["conversation.end_reason"], "cancel_frame");
    assert.deepEqual(h.reported.map((r) => [r.where, r.error.message]), [["metrics", "meter broke"]]);
  });
});
