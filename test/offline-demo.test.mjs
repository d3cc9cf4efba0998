// End to end: the offline demo (`pnpm demo`) as a child process against the built packages — its trace
// file, its terminal tree, and the same trace reaching a Respan-compatible receiver and an OTLP collector.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { flattenMetricsRequest, startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { repoRoot, runNode } from "./support/processes.mjs";
import { assertDemoCallMetrics } from "./support/voice-metrics.mjs";
import { assertVoiceSessionTrace, readTraceFiles } from "./support/voice-trace.mjs";

const DEMO = path.join(repoRoot, "examples/offline-voice-agent/dist/main.js");
const API_KEY = "rk-e2e-secret-0123456789";

describe("offline demo with no configuration", () => {
  let tracesDir;
  /** @type {Awaited<ReturnType<typeof runNode>>} */
  let result;
  before(async () => {
    tracesDir = mkdtempSync(path.join(tmpdir(), "demo-traces-"));
    result = await runNode([DEMO], { env: { RESPAN_TRACES_DIR: tracesDir } });
  });
  after(() => rmSync(tracesDir, { recursive: true, force: true }));

  test("exits cleanly and says where the trace file is", () => {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /finished \(a 4-turn script\)/);
    const printed = /Trace file written to (.+\.json)$/m.exec(result.stdout)?.[1];
    assert.ok(printed?.startsWith(tracesDir), `prints the trace file's path in the traces directory: ${printed}`);
    assert.ok(existsSync(printed), "the printed file exists");
  });

  test("prints the trace as a tree", () => {
    const output = result.stdout + result.stderr;
    for (const name of ["voice_session.workflow", "conversation", "turn", "stt", "llm", "tts", "execute_tool get_weather"]) {
      assert.ok(output.includes(name), `tree shows ${name}`);
    }
  });

  test("writes one conversation trace with its turns, services and tool call", () => {
    const spans = readTraceFiles(tracesDir);
    const trace = assertVoiceSessionTrace(spans);
    const [tool] = trace.named("execute_tool get_weather");
    assert.equal(tool.attributes["gen_ai.tool.name"], "get_weather");
    assert.ok(tool.attributes["gen_ai.tool.call.id"], "tool call id");
    const interrupted = trace
      .named("turn")
      .filter((turn) => turn.attributes["turn.was_interrupted"] === true && turn.attributes["turn.ended_by_conversation_end"] === false);
    assert.deepEqual(interrupted.map((turn) => turn.attributes["turn.number"]), [3], "the user interrupts the weather answer (turn 3)");
  });

  test("writes the call's metrics as OTLP JSON beside the trace file, equal to the spans' attributes", () => {
    const printed = /Metrics file written to (.+\.json)$/m.exec(result.stdout)?.[1];
    assert.ok(printed?.startsWith(tracesDir) && existsSync(printed), `the metrics file is in the traces directory: ${printed}`);
    const metrics = flattenMetricsRequest(JSON.parse(readFileSync(printed, "utf8")));
    assertDemoCallMetrics(metrics, readTraceFiles(tracesDir));
  });

  test("prints a metrics summary after the trace tree, its numbers those of the spans", () => {
    const output = result.stdout + result.stderr;
    const tree = output.indexOf("── trace ");
    const summary = output.indexOf("── metrics");
    assert.ok(tree >= 0 && summary > tree, "the summary follows the tree");
    const turns = readTraceFiles(tracesDir).filter((span) => span.name === "turn");
    const line = (label) => {
      const match = new RegExp(`^${label.replace(/\./g, "\\.")}\\s+count (\\d+)\\s+p50 (\\S+)\\s+p95 (\\S+)\\s+max (\\S+)$`, "m").exec(output.slice(summary));
      return match && { count: Number(match[1]), p50: parseDuration(match[2]), p95: parseDuration(match[3]), max: parseDuration(match[4]) };
    };
    const checks = [
      ["pipecat.turn.voice_to_voice_latency", "turn.user_bot_latency_seconds"],
      ["pipecat.turn.ttfb llm", "turn.latency.llm_ttfb_seconds"],
      ["pipecat.turn.ttfb tts", "turn.latency.tts_ttfb_seconds"],
      ["pipecat.turn.ttfb stt", "turn.latency.stt_ttfb_seconds"],
    ];
    for (const [label, key] of checks) {
      const values = turns.map((turn) => turn.attributes[key]).filter((value) => value !== undefined).map((seconds) => seconds * 1000);
      const stats = line(label);
      if (values.length === 0) {
        assert.equal(stats, null, `${label}: no line without a ${key} on any turn`);
        continue;
      }
      assert.ok(stats, `summary line for ${label}`);
      assert.equal(stats.count, values.length, `${label}: one sample per turn span with ${key}`);
      const [min, max] = [Math.min(...values), Math.max(...values)];
      assert.ok(Math.abs(stats.max.ms - max) <= stats.max.precision, `${label}: max ${stats.max.ms} = the largest ${key} (${max})`);
      for (const { ms, precision } of [stats.p50, stats.p95]) {
        assert.ok(ms >= min - precision && ms <= max + precision, `${label}: ${ms} within the spans' values [${min}, ${max}]`);
      }
    }
    assert.match(output.slice(summary), /^pipecat\.turn\.interruptions\s+total 1 interruption$/m);
  });
});

/** "168ms" → 168 ms (±0.5, whole milliseconds under a second), "1.04s" → 1040 ms (±5). */
function parseDuration(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  assert.ok(match, `a duration: ${text}`);
  return match[2] === "ms" ? { ms: Number(match[1]), precision: 0.5 } : { ms: Number(match[1]) * 1000, precision: 5 };
}

describe("offline demo exporting to Respan and to an OTLP collector", () => {
  /** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
  let respanReceiver;
  /** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
  let collector;
  /** @type {Awaited<ReturnType<typeof runNode>>} */
  let result;
  before(async () => {
    respanReceiver = await startOtlpReceiver();
    collector = await startOtlpReceiver();
    result = await runNode([DEMO], {
      env: {
        RESPAN_API_KEY: API_KEY,
        RESPAN_BASE_URL: `${respanReceiver.url}/api`,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      },
    });
  });
  after(async () => {
    await respanReceiver.close();
    await collector.close();
  });

  test("the demo succeeds and writes no trace file when a destination is configured", () => {
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /Trace file written/);
  });

  test("Respan receives the trace: POST /api/v2/traces, Bearer auth, OTLP JSON, Respan keys on every span", () => {
    assert.ok(respanReceiver.requests.length > 0, "at least one request");
    for (const request of respanReceiver.requests) {
      assert.equal(request.method, "POST");
      assert.equal(request.path, "/api/v2/traces");
      assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
      assert.match(request.headers["content-type"], /^application\/json/);
      assert.ok(!request.body.toString("utf8").includes(API_KEY), "the key never appears in a body");
    }
    const spans = respanReceiver.spans();
    assertVoiceSessionTrace(spans);
    const logTypes = new Map(spans.map((span) => [span.name, span.attributes["respan.entity.log_type"]]));
    assert.equal(logTypes.get("stt"), "transcription");
    assert.equal(logTypes.get("llm"), "chat");
    assert.equal(logTypes.get("tts"), "speech");
    assert.equal(logTypes.get("execute_tool get_weather"), "tool");
    assert.equal(logTypes.get("conversation"), "workflow");
    assert.equal(logTypes.get("turn"), "workflow");
    for (const span of spans) {
      assert.equal(span.attributes["respan.entity.log_method"], "ts_tracing", `log method on ${span.name}`);
      assert.ok(span.attributes["respan.entity.log_type"], `log type on ${span.name}`);
    }
  });

  test("the collector receives the same trace, untranslated, at /v1/traces", () => {
    assert.ok(collector.requests.every((request) => request.path === "/v1/traces" || request.path === "/v1/metrics"));
    const spans = collector.spans();
    assertVoiceSessionTrace(spans);
    assert.equal(spans.length, respanReceiver.spans().length, "the same spans");
    assert.ok(spans.every((span) => span.attributes["respan.entity.log_type"] === undefined), "no Respan translation");
  });

  test("the collector receives the call's metrics at /v1/metrics (OTLP protobuf), equal to the spans' attributes", () => {
    const requests = collector.requests.filter((request) => request.path === "/v1/metrics");
    assert.ok(requests.length > 0, "at least one metrics request");
    for (const request of requests) assert.equal(request.headers["content-type"], "application/x-protobuf");
    assertDemoCallMetrics(collector.metrics(), collector.spans());
    assert.ok(respanReceiver.requests.every((request) => request.path === "/api/v2/traces"), "Respan gets no metrics");
  });
});
