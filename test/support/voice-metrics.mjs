// The assertions every run of the scripted demo call must pass on its metrics, wherever they went (a
// NodeSDK's metric reader, an OTLP collector, the offline file): the exact counts of the script, the
// values equal to the spans' attributes of the same call, and only low-cardinality attribute keys.
// Metrics come in the shape flattenMetricsRequest (otlp-receiver.mjs) gives.
import assert from "node:assert/strict";

/** Every attribute key a metric of this instrumentation may carry (none of them unbounded). */
export const METRIC_ATTRIBUTE_KEYS = [
  "gen_ai.operation.name",
  "gen_ai.provider.name",
  "gen_ai.request.model",
  "gen_ai.token.type",
  "error.type",
  "pipecat.service.kind",
  "pipecat.turn.interrupted",
  "pipecat.conversation.end_reason",
];

/** The metrics of the last collection of each name (a cumulative exporter sends every metric again). */
export function latestByName(metrics) {
  const byName = new Map();
  for (const metric of metrics) byName.set(metric.name, metric);
  return byName;
}

/** The points of `metric` whose attributes include `match`, merged: count, sum, max, and total value. */
function select(byName, name, match = {}) {
  const metric = byName.get(name);
  assert.ok(metric, `metric ${name} recorded; got ${[...byName.keys()].join(", ")}`);
  const points = metric.points.filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));
  return {
    metric,
    points,
    count: points.reduce((total, point) => total + (point.count ?? 0), 0),
    sum: points.reduce((total, point) => total + (point.sum ?? 0), 0),
    max: Math.max(...points.map((point) => point.max ?? Number.NEGATIVE_INFINITY)),
    total: points.reduce((total, point) => total + (point.value ?? 0), 0),
  };
}

const closeTo = (actual, expected, what) =>
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

/**
 * The scripted call (examples/offline-voice-agent, pipecat-ts's createDemoConversation): 4 turns (the bot's
 * greeting, then 3 user turns), the user interrupts turn 3, 5 llm runs (one calls a tool), 3 stt segments,
 * 4 tts contexts. What depends on timing (whether an interrupted run reported its usage or TTFB before it
 * was cut) is checked against `spans`, the same call's spans (flattened, with attributes).
 */
export function assertDemoCallMetrics(metrics, spans) {
  const byName = latestByName(metrics);
  const expectCount = (name, match, count) => assert.equal(select(byName, name, match).count, count, `${name} ${JSON.stringify(match)} count`);
  const attribute = (name, key) => spans.filter((span) => span.name === name).map((span) => span.attributes[key]).filter((v) => v !== undefined);
  const sum = (values) => values.reduce((a, b) => a + b, 0);

  expectCount("pipecat.turn.voice_to_voice_latency", {}, 3);
  expectCount("pipecat.turn.duration", {}, 4);
  expectCount("pipecat.turn.duration", { "pipecat.turn.interrupted": true }, 1);
  assert.equal(select(byName, "pipecat.turn.interruptions").total, 1, "one interruption");
  expectCount("gen_ai.client.operation.duration", { "gen_ai.operation.name": "chat" }, 5);
  expectCount("gen_ai.client.operation.duration", { "gen_ai.operation.name": "execute_tool" }, 1);
  expectCount("gen_ai.client.operation.duration", { "gen_ai.operation.name": "stt" }, 3);
  expectCount("gen_ai.client.operation.duration", { "gen_ai.operation.name": "tts" }, 4);
  for (const kind of ["stt", "llm", "tts"]) {
    expectCount("pipecat.turn.ttfb", { "pipecat.service.kind": kind }, attribute("turn", `turn.latency.${kind}_ttfb_seconds`).length);
  }
  for (const [span, operation] of [["llm", "chat"], ["stt", "stt"], ["tts", "tts"]]) {
    expectCount("gen_ai.client.operation.time_to_first_chunk", { "gen_ai.operation.name": operation }, attribute(span, "metrics.ttfb").length);
  }
  assert.equal(select(byName, "pipecat.conversations", { "pipecat.conversation.end_reason": "end_frame" }).total, 1);
  expectCount("pipecat.conversation.duration", {}, 1);

  const keys = new Set([...byName.values()].flatMap((metric) => metric.points.flatMap((point) => Object.keys(point.attributes))));
  assert.deepEqual([...keys].sort(), METRIC_ATTRIBUTE_KEYS.filter((key) => key !== "error.type").sort(), "the attribute keys of every metric");
  assert.deepEqual(
    Object.keys(select(byName, "pipecat.turn.voice_to_voice_latency").points[0].attributes).sort(),
    ["gen_ai.provider.name", "gen_ai.request.model", "pipecat.turn.interrupted"],
    "voice-to-voice latency by provider, model and interrupted",
  );

  const latencies = attribute("turn", "turn.user_bot_latency_seconds");
  const voiceToVoice = select(byName, "pipecat.turn.voice_to_voice_latency");
  assert.equal(voiceToVoice.count, latencies.length, "one sample per turn with a latency");
  closeTo(voiceToVoice.sum, sum(latencies), "voice-to-voice sum = the turns' latencies");
  assert.equal(voiceToVoice.max, Math.max(...latencies), "voice-to-voice max = the largest turn latency");
  for (const tokenType of ["input", "output"]) {
    const tokens = attribute("llm", `gen_ai.usage.${tokenType}_tokens`);
    assert.ok(tokens.length >= 4, `most llm runs report ${tokenType} tokens (${tokens.length})`);
    const usage = select(byName, "gen_ai.client.token.usage", { "gen_ai.token.type": tokenType });
    assert.equal(usage.count, tokens.length, `one ${tokenType} token sample per llm span with usage`);
    closeTo(usage.sum, sum(tokens), `${tokenType} tokens`);
  }
  closeTo(select(byName, "pipecat.turn.ttfb", { "pipecat.service.kind": "llm" }).sum, sum(attribute("turn", "turn.latency.llm_ttfb_seconds")), "llm ttfb");
  closeTo(select(byName, "pipecat.tts.characters").total, sum(attribute("tts", "metrics.character_count")), "tts characters");
  closeTo(select(byName, "pipecat.stt.audio_duration").total, sum(attribute("stt", "metrics.audio_seconds")), "stt audio seconds");
}
