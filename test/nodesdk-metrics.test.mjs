// A plain OpenTelemetry app (NodeSDK with a metric reader, OpenTelemetry's 2.x line on this Node) receives
// the Pipecat instrumentation's metrics for the scripted call: exact counts, values equal to the spans'
// attributes, only low-cardinality attribute keys.
import assert from "node:assert/strict";
import path from "node:path";
import { before, test } from "node:test";
import { repoRoot, runNode } from "./support/processes.mjs";
import { assertDemoCallMetrics } from "./support/voice-metrics.mjs";

let output;
before(async () => {
  const result = await runNode([path.join(repoRoot, "test/fixtures/nodesdk-metrics-app.cjs")], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  output = JSON.parse(result.stdout.trim().split("\n").pop());
});

test("the NodeSDK's metric reader receives every metric of the call, from the instrumentation's meter", () => {
  assert.ok(output.metrics.length > 0, "some metrics");
  assert.ok(output.metrics.every((metric) => metric.scope.name === "@respan/instrumentation-pipecat"), "all from the instrumentation's scope");
  assertDemoCallMetrics(output.metrics, output.spans);
});

test("units: seconds for latencies, annotations for counts", () => {
  const units = Object.fromEntries(output.metrics.map((metric) => [metric.name, metric.unit]));
  assert.equal(units["pipecat.turn.voice_to_voice_latency"], "s");
  assert.equal(units["gen_ai.client.operation.duration"], "s");
  assert.equal(units["gen_ai.client.token.usage"], "{token}");
  assert.equal(units["pipecat.turn.interruptions"], "{interruption}");
});
