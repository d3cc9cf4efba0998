#!/usr/bin/env node
// The overhead benchmark of @respan/instrumentation-pipecat (issue 6), in one run:
//   1. hops      — frame hops of one uninstrumented call (task observer), to price the overhead per hop;
//   2. floors    — what emitting that call's spans through the OpenTelemetry SDK alone costs (no pipeline),
//                  and what recording the instrumentation's metrics from those spans' ends costs;
//   3. timing    — rounds of fresh-process calls, one per variant, in rotating order: uninstrumented,
//                  uninstrumented with OpenTelemetry's context manager on (the floor of any tracing on
//                  Node 20), traced with a healthy exporter, traced with the backend refusing
//                  connections, traced with the backend hanging, traced with the instrumentation's
//                  metrics recorded too; ratios are taken within each round,
//                  medians across rounds;
//   4. memory    — one long traced call (heap growth, exported bytes per turn) beside the same call
//                  untraced (the runtime's own growth), and many short traced calls in one process;
//   5. exporters — spans per second through the trace file exporter and OTLP http/json to loopback.
// Prints a table, then one JSON line (the last line of stdout). Exit status 0 whether or not targets are
// met (it is a measurement); 1 only when a workload fails, e.g. when tracing produced no spans.
// Usage: node --expose-gc bench/overhead.mjs [--quick]   (knobs: see lib/options.mjs and README.md)
import os from "node:os";
import { refusingUrl, startDrainingReceiver, startStallingServer } from "./lib/loopback.mjs";
import { EARLY_BYTES_TURN, readOptions } from "./lib/options.mjs";
import { formatTable } from "./lib/report.mjs";
import { MB, median, round } from "./lib/stats.mjs";
import { runWorkload } from "./lib/workload-process.mjs";

const TARGETS = {
  overheadRatio: 1.02,
  backendDownRatio: 1.05,
  // A backend that is down may cost its bounded queue (2,048 spans) and the request in flight, no more.
  backendExtraHeapMb: 16,
  heapGrowthMb: 5,
  stateAfterCallsMb: 1,
  bytesPerTurnRatio: 1.5,
};

function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Generous limits that only catch a hung workload (the machine may be shared and slow). */
const timeouts = {
  perTurn: (turns) => 30_000 + turns * 100,
  long: (turns) => 60_000 + turns * 50,
};

async function countHops(options) {
  progress(`counting frame hops of a ${options.turns}-turn call`);
  return runWorkload("hop-count.cjs", ["--turns", String(options.turns)], { timeoutMs: timeouts.perTurn(options.turns) });
}

async function sdkFloor(options) {
  progress(`OpenTelemetry SDK floor: the spans of a ${options.turns}-turn call, emitted again through the SDK alone`);
  return runWorkload("sdk-floor.cjs", ["--turns", String(options.turns)], { timeoutMs: timeouts.perTurn(options.turns) });
}

async function metricsRecording(options) {
  progress(`metrics: the span ends of a ${options.turns}-turn call, replayed into the metrics recorder`);
  return runWorkload("metrics-recording.cjs", ["--turns", String(options.turns)], { timeoutMs: timeouts.perTurn(options.turns) });
}

async function timedRounds(options, backends) {
  const variants = [
    { key: "plain", args: ["--mode", "plain"] },
    { key: "context", args: ["--mode", "context"] },
    { key: "otel", args: ["--mode", "otel"], traced: true },
    { key: "refused", args: ["--mode", "respan", "--endpoint", backends.refused], traced: true },
    { key: "stalled", args: ["--mode", "respan", "--endpoint", backends.stalled], traced: true },
    { key: "metrics", args: ["--mode", "metrics"], traced: true },
  ];
  const runs = Object.fromEntries(variants.map((variant) => [variant.key, []]));
  for (let round = 0; round < options.pairs; round++) {
    // Rotating the order gives every variant every position in a round: no variant always runs first.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      const result = await runWorkload(
        "timed-call.cjs",
        [...variant.args, "--turns", String(options.turns), "--warmup", String(options.warmupTurns)],
        { timeoutMs: timeouts.perTurn(options.turns), cpuProfileDir: variant.traced ? options.profileDir : undefined },
      );
      runs[variant.key].push(result);
      progress(`round ${round + 1}/${options.pairs} ${variant.key.padEnd(7)} ${result.wallMs.toFixed(0)} ms`);
    }
  }
  return runs;
}

async function memoryRuns(options) {
  progress(`memory: a ${options.longTurns}-turn call (traced and not) and ${options.calls} sequential calls`);
  const longArgs = ["--turns", String(options.longTurns), "--every", String(options.turns)];
  const bytesAt = [EARLY_BYTES_TURN, options.turns, options.longTurns].join(",");
  // Heap figures do not depend on CPU speed, so these three run side by side.
  const [longPlain, longTraced, calls] = await Promise.all([
    runWorkload("long-call.cjs", ["--mode", "plain", ...longArgs], { timeoutMs: timeouts.long(options.longTurns) }),
    runWorkload("long-call.cjs", ["--mode", "otel", ...longArgs, "--bytes-at", bytesAt], { timeoutMs: timeouts.long(options.longTurns) }),
    runWorkload(
      "sequential-calls.cjs",
      ["--calls", String(options.calls), "--checkpoint", String(options.calls / 10), "--turns", String(options.callTurns)],
      { timeoutMs: timeouts.long(options.calls * options.callTurns) },
    ),
  ]);
  return { longPlain, longTraced, calls };
}

async function exporterThroughput(options) {
  progress(`exporters: ${options.throughputSpans} spans through each`);
  const receiver = await startDrainingReceiver();
  try {
    const result = await runWorkload(
      "exporter-throughput.cjs",
      ["--spans", String(options.throughputSpans), "--endpoint", receiver.url, "--call-turns", "31"],
      { timeoutMs: 30_000 + options.throughputSpans * 2 },
    );
    return { ...result, received: { ...receiver.received } };
  } finally {
    receiver.close();
  }
}

function heapAt(samples, turns) {
  const sample = samples.find((s) => s.turns === turns);
  if (sample === undefined) throw new Error(`no heap sample after ${turns} turns`);
  return sample.heapBytes;
}

function figuresFrom(options, hops, sdk, metricsRecorded, runs, memory, exporters) {
  const rounds = runs.plain.map((_, i) => Object.fromEntries(Object.keys(runs).map((key) => [key, runs[key][i]])));
  const ratios = (key, field = "wallMs", base = "plain") => rounds.map((r) => r[key][field] / r[base][field]);
  const medianOf = (key, field) => median(runs[key].map((run) => run[field]));
  const calls = memory.calls;
  const checkpoint = calls.checkpoint;
  const bytes = memory.longTraced.bytesPerTurn;
  return {
    overheadRatios: ratios("otel"),
    refusedRatios: ratios("refused"),
    stalledRatios: ratios("stalled"),
    overheadRatio: median(ratios("otel")),
    contextRatios: ratios("context"),
    contextRatio: median(ratios("context")),
    overFloorRatios: ratios("otel", "wallMs", "context"),
    overFloorRatio: median(ratios("otel", "wallMs", "context")),
    cpuRatio: median(ratios("otel", "cpuMs")),
    sdkFloorMs: sdk.minMs,
    sdkFloorSpans: sdk.spans,
    sdkFloorShare: median(rounds.map((r) => sdk.minMs / r.plain.wallMs)),
    // What no instrumentation built on the OpenTelemetry SDK can go below on this Node: the context
    // manager's cost plus the SDK's for the same spans.
    lowerBoundRatio: median(rounds.map((r) => (r.context.wallMs + sdk.minMs) / r.plain.wallMs)),
    ownShare: median(rounds.map((r) => (r.otel.wallMs - r.context.wallMs - sdk.minMs) / r.plain.wallMs)),
    metricsRecordingMs: metricsRecorded.minMs,
    metricsSpanEnds: metricsRecorded.spanEnds,
    metricsRecordingShare: median(rounds.map((r) => metricsRecorded.minMs / r.plain.wallMs)),
    metricsRatios: ratios("metrics"),
    metricsRatio: median(ratios("metrics")),
    metricsVsTraced: median(ratios("metrics", "wallMs", "otel")),
    refusedRatio: median(ratios("refused")),
    stalledRatio: median(ratios("stalled")),
    refusedVsHealthy: median(ratios("refused", "wallMs", "otel")),
    stalledVsHealthy: median(ratios("stalled", "wallMs", "otel")),
    wallMs: Object.fromEntries(Object.keys(runs).map((key) => [key, medianOf(key, "wallMs")])),
    heapEndMb: Object.fromEntries(Object.keys(runs).map((key) => [key, medianOf(key, "heapEndBytes") / MB])),
    hops: hops.hops,
    nsPerHop: (median(rounds.map((r) => r.otel.wallMs - r.plain.wallMs)) * 1e6) / hops.hops,
    nsPerHopOverFloor: (median(rounds.map((r) => r.otel.wallMs - r.context.wallMs)) * 1e6) / hops.hops,
    plainNsPerHop: (medianOf("plain", "wallMs") * 1e6) / hops.hops,
    callMinutes: hops.callSeconds / 60,
    cpuMsPerCallMinute: median(rounds.map((r) => r.otel.cpuMs - r.plain.cpuMs)) / (hops.callSeconds / 60),
    spansPerCall: runs.otel[0].spans,
    backendExtraHeapMb: (Math.max(medianOf("refused", "heapEndBytes"), medianOf("stalled", "heapEndBytes")) - medianOf("otel", "heapEndBytes")) / MB,
    backendStats: { refused: runs.refused.at(-1).export, stalled: runs.stalled.at(-1).export },
    heapGrowthMb: (heapAt(memory.longTraced.samples, options.longTurns) - heapAt(memory.longTraced.samples, options.turns)) / MB,
    heapGrowthPlainMb: (heapAt(memory.longPlain.samples, options.longTurns) - heapAt(memory.longPlain.samples, options.turns)) / MB,
    heapSamplesMb: memory.longTraced.samples.map((s) => [s.turns, s.heapBytes / MB]),
    stateAfterCallsMb: (calls.heapAfterCall[calls.calls] - calls.heapAfterCall[checkpoint]) / MB,
    callsCheckpoint: checkpoint,
    stillReachable: calls.stillReachable,
    bytesPerTurn: bytes,
    bytesPerTurnRatio: bytes[options.turns] / bytes[EARLY_BYTES_TURN],
    bytesPerTurnRatioLong: bytes[options.longTurns] / bytes[EARLY_BYTES_TURN],
    exporters,
  };
}

function rowsFor(options, f) {
  const ratio = (value) => value.toFixed(3);
  const percent = (value) => `${(value * 100).toFixed(1)}%`;
  const mb = (value) => `${value.toFixed(2)} MB`;
  const perPair = (values) => values.map((v) => v.toFixed(3)).join(" ");
  const droppedOf = (stats) => stats?.dropped ?? "?";
  return [
    { figure: `overhead ratio (wall, ${options.turns} turns, median of ${options.pairs})`, value: ratio(f.overheadRatio), target: `<= ${TARGETS.overheadRatio}`, met: f.overheadRatio <= TARGETS.overheadRatio },
    { figure: "  per-pair ratios", value: perPair(f.overheadRatios) },
    { figure: "  median wall ms: untraced / traced", value: `${f.wallMs.plain.toFixed(0)} / ${f.wallMs.otel.toFixed(0)}` },
    { figure: "  CPU-time ratio (median)", value: ratio(f.cpuRatio) },
    { figure: "  OTel context manager only / untraced (floor)", value: `${ratio(f.contextRatio)} (per pair: ${perPair(f.contextRatios)})` },
    { figure: "  traced / OTel context manager only", value: `${ratio(f.overFloorRatio)} (per pair: ${perPair(f.overFloorRatios)})` },
    { figure: "  OTel SDK alone, this call's spans / untraced", value: `${percent(f.sdkFloorShare)} (${f.sdkFloorSpans} spans in ${f.sdkFloorMs.toFixed(1)} ms, no pipeline)` },
    { figure: "  floor for any OTel instrumentation (ratio)", value: `${ratio(f.lowerBoundRatio)} = context manager + SDK` },
    { figure: "  the instrumentation's own work / untraced", value: percent(f.ownShare) },
    { figure: "traced with metrics: ratio", value: `${ratio(f.metricsRatio)} (per pair: ${perPair(f.metricsRatios)})` },
    { figure: "  traced with metrics / traced", value: ratio(f.metricsVsTraced) },
    {
      figure: "  recording metrics alone / untraced",
      value: `${percent(f.metricsRecordingShare)} (${f.metricsSpanEnds} span ends in ${f.metricsRecordingMs.toFixed(2)} ms, ${((f.metricsRecordingMs * 1e6) / f.metricsSpanEnds).toFixed(0)} ns each)`,
    },
    { figure: "backend refusing: ratio", value: ratio(f.refusedRatio), target: `<= ${TARGETS.backendDownRatio}`, met: f.refusedRatio <= TARGETS.backendDownRatio },
    { figure: "  per-pair ratios", value: perPair(f.refusedRatios) },
    { figure: "backend stalled: ratio", value: ratio(f.stalledRatio), target: `<= ${TARGETS.backendDownRatio}`, met: f.stalledRatio <= TARGETS.backendDownRatio },
    { figure: "  per-pair ratios", value: perPair(f.stalledRatios) },
    { figure: "  backend down / healthy backend: refused, stalled", value: `${ratio(f.refusedVsHealthy)}, ${ratio(f.stalledVsHealthy)}` },
    {
      figure: "heap at end: untraced / healthy / refused / stalled",
      value: `${f.heapEndMb.plain.toFixed(1)} / ${f.heapEndMb.otel.toFixed(1)} / ${f.heapEndMb.refused.toFixed(1)} / ${f.heapEndMb.stalled.toFixed(1)} MB`,
    },
    {
      figure: "backend down: extra heap vs healthy backend",
      value: `${mb(f.backendExtraHeapMb)} (spans dropped by the full queue: ${droppedOf(f.backendStats.refused)}, ${droppedOf(f.backendStats.stalled)})`,
      target: `<= ${TARGETS.backendExtraHeapMb} MB`,
      met: f.backendExtraHeapMb <= TARGETS.backendExtraHeapMb,
    },
    { figure: "frame hops per call", value: String(f.hops) },
    { figure: "overhead per frame hop", value: `${f.nsPerHop.toFixed(1)} ns`, target: `(2% of ${f.plainNsPerHop.toFixed(0)} ns = ${(f.plainNsPerHop * 0.02).toFixed(1)} ns)` },
    { figure: "  over the context-manager floor", value: `${f.nsPerHopOverFloor.toFixed(1)} ns` },
    {
      figure: `tracing CPU per minute of call (call = ${f.callMinutes.toFixed(0)} min)`,
      value: `${f.cpuMsPerCallMinute.toFixed(1)} ms = ${(f.cpuMsPerCallMinute / 600).toFixed(3)}% of a core at real time`,
    },
    { figure: `heap growth, turn ${options.turns} -> ${options.longTurns} (traced)`, value: mb(f.heapGrowthMb), target: `<= ${TARGETS.heapGrowthMb} MB`, met: f.heapGrowthMb <= TARGETS.heapGrowthMb },
    { figure: "  same call untraced (the runtime's own growth)", value: mb(f.heapGrowthPlainMb) },
    { figure: `state after ${options.calls} calls (heap at call ${f.callsCheckpoint} -> ${options.calls})`, value: mb(f.stateAfterCallsMb), target: `<= ${TARGETS.stateAfterCallsMb} MB`, met: f.stateAfterCallsMb <= TARGETS.stateAfterCallsMb },
    {
      figure: `  finished call still reachable (call ${f.callsCheckpoint})`,
      value: f.stillReachable.length === 0 ? "nothing" : f.stillReachable.join(", "),
      target: "nothing",
      met: f.stillReachable.length === 0,
    },
    {
      figure: `bytes/turn at turn ${options.turns} / turn ${EARLY_BYTES_TURN}`,
      value: `${ratio(f.bytesPerTurnRatio)} (${f.bytesPerTurn[options.turns].toFixed(0)} / ${f.bytesPerTurn[EARLY_BYTES_TURN].toFixed(0)} B)`,
      target: `<= ${TARGETS.bytesPerTurnRatio}`,
      met: f.bytesPerTurnRatio <= TARGETS.bytesPerTurnRatio,
    },
    { figure: `  at turn ${options.longTurns} / turn ${EARLY_BYTES_TURN}`, value: ratio(f.bytesPerTurnRatioLong) },
    { figure: "trace file exporter", value: `${f.exporters.file.spansPerSec.toFixed(0)} spans/s` },
    { figure: "OTLP http/json exporter (loopback)", value: `${f.exporters.otlp.spansPerSec.toFixed(0)} spans/s` },
    { figure: "Respan exporter (loopback)", value: `${f.exporters.respan.spansPerSec.toFixed(0)} spans/s` },
  ];
}

function jsonLine(options, f, rows, seconds) {
  const missed = rows.filter((row) => row.met === false).map((row) => row.figure.trim());
  return {
    overhead_ratio: round(f.overheadRatio, 4),
    metrics_overhead_ratio: round(f.metricsRatio, 4),
    metrics_vs_traced: round(f.metricsVsTraced, 4),
    metrics_recording_ms: round(f.metricsRecordingMs, 3),
    metrics_recording_share: round(f.metricsRecordingShare, 5),
    backend_down_ratio: round(Math.max(f.refusedRatio, f.stalledRatio), 4),
    backend_refused_ratio: round(f.refusedRatio, 4),
    backend_stalled_ratio: round(f.stalledRatio, 4),
    backend_down_vs_healthy: round(Math.max(f.refusedVsHealthy, f.stalledVsHealthy), 4),
    backend_down_extra_heap_mb: round(f.backendExtraHeapMb, 3),
    heap_growth_mb: round(f.heapGrowthMb, 3),
    heap_growth_untraced_mb: round(f.heapGrowthPlainMb, 3),
    bytes_per_turn_ratio: round(f.bytesPerTurnRatio, 4),
    bytes_per_turn_ratio_long: round(f.bytesPerTurnRatioLong, 4),
    ns_per_hop: round(f.nsPerHop, 1),
    ns_per_hop_over_context_floor: round(f.nsPerHopOverFloor, 1),
    tracing_cpu_ms_per_call_minute: round(f.cpuMsPerCallMinute, 2),
    context_floor_ratio: round(f.contextRatio, 4),
    overhead_ratio_over_context_floor: round(f.overFloorRatio, 4),
    sdk_floor_ms: round(f.sdkFloorMs, 1),
    sdk_floor_share: round(f.sdkFloorShare, 4),
    lower_bound_ratio: round(f.lowerBoundRatio, 4),
    instrumentation_own_share: round(f.ownShare, 4),
    spans_per_sec_file: Math.round(f.exporters.file.spansPerSec),
    spans_per_sec_otlp: Math.round(f.exporters.otlp.spansPerSec),
    spans_per_sec_respan: Math.round(f.exporters.respan.spansPerSec),
    state_after_calls_mb: round(f.stateAfterCallsMb, 3),
    state_left_after_calls: f.stillReachable,
    cpu_ratio: round(f.cpuRatio, 4),
    overhead_ratios: f.overheadRatios.map((v) => round(v, 4)),
    backend_refused_ratios: f.refusedRatios.map((v) => round(v, 4)),
    backend_stalled_ratios: f.stalledRatios.map((v) => round(v, 4)),
    wall_ms_median: Object.fromEntries(Object.entries(f.wallMs).map(([k, v]) => [k, round(v, 1)])),
    heap_end_mb: Object.fromEntries(Object.entries(f.heapEndMb).map(([k, v]) => [k, round(v, 2)])),
    hops_per_call: f.hops,
    spans_per_call: f.spansPerCall,
    pairs: options.pairs,
    turns: options.turns,
    long_turns: options.longTurns,
    calls: options.calls,
    quick: options.quick,
    duration_s: round(seconds, 1),
    targets_met: missed.length === 0,
    targets_missed: missed,
  };
}

async function main() {
  const options = readOptions();
  const started = performance.now();
  const [cpu] = os.cpus();
  console.log(
    `overhead benchmark${options.quick ? " (--quick)" : ""}: node ${process.version}, ${os.cpus().length} x ${cpu?.model ?? "cpu"}, ` +
      `load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(
    `settings: ${options.pairs} rounds of ${options.turns}-turn calls (warm-up ${options.warmupTurns} turns), ` +
      `long call ${options.longTurns} turns, ${options.calls} sequential ${options.callTurns}-turn calls, ` +
      `${options.throughputSpans} spans per exporter`,
  );

  const stalling = await startStallingServer();
  let runs;
  let hops;
  let sdk;
  let metricsRecorded;
  try {
    hops = await countHops(options);
    sdk = await sdkFloor(options);
    metricsRecorded = await metricsRecording(options);
    runs = await timedRounds(options, { refused: await refusingUrl(), stalled: stalling.url });
    if (stalling.accepted === 0) throw new Error("the stalling backend never saw a connection: the stalled runs did not export");
  } finally {
    stalling.close();
  }
  const memory = await memoryRuns(options);
  const exporters = await exporterThroughput(options);
  if (exporters.received.requests === 0) throw new Error("the loopback receiver got no request from the OTLP exporters");

  const figures = figuresFrom(options, hops, sdk, metricsRecorded, runs, memory, exporters);
  const rows = rowsFor(options, figures);
  const seconds = (performance.now() - started) / 1000;
  const summary = jsonLine(options, figures, rows, seconds);
  console.log();
  console.log(formatTable(rows));
  console.log();
  console.log(`spans per ${options.turns}-turn call: ${JSON.stringify(figures.spansPerCall)}`);
  console.log(`heap of the long traced call (turns: MB): ${figures.heapSamplesMb.map(([t, m]) => `${t}: ${m.toFixed(2)}`).join(", ")}`);
  console.log(
    summary.targets_met
      ? `all targets met (${seconds.toFixed(0)} s)`
      : `TARGETS MISSED: ${summary.targets_missed.join("; ")} (${seconds.toFixed(0)} s)`,
  );
  if (figures.lowerBoundRatio > TARGETS.overheadRatio) {
    console.log(
      `note: on node ${process.version} the floor for any OpenTelemetry instrumentation of this call is ` +
        `${figures.lowerBoundRatio.toFixed(3)} (context manager + SDK), above the ${TARGETS.overheadRatio} target`,
    );
  }
  console.log(JSON.stringify(summary));
}

main().catch((error) => {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
