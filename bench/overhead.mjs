#!/usr/bin/env node
// The overhead benchmark of @respan/instrumentation-pipecat, in one run, on each Node measured (Node 24,
// fetched from the npm registry when the machine's Node is older, and the machine's Node; `--node` picks):
//   1. hops      — frame hops of one uninstrumented call (task observer), to price the overhead per hop;
//   2. timing    — rounds of fresh-process calls, one per variant, in rotating order: uninstrumented;
//                  uninstrumented with OpenTelemetry's context manager on (what any tracing pays on
//                  Node < 24); the instrumentation on a no-op tracer (its own work, no SDK); traced with a
//                  healthy exporter (OpenTelemetry's serializer on the application's thread: the gate);
//                  traced with metrics too; through the Respan client to a healthy backend (its export in
//                  a worker); the Respan client with the backend refusing connections, and hanging.
//                  Ratios of main-thread CPU time (the gate) and of wall time are taken within each
//                  round, medians across rounds;
//   3. memory    — one long traced call (heap growth, exported bytes per turn) beside the same call
//                  untraced (the runtime's own growth), and many short traced calls in one process;
//   4. exporters — spans per second through the trace file exporter, OTLP http/json and the Respan exporter
//      to loopback; for the Respan exporter also the application thread's CPU per batch, sent from its
//      export worker and from the application's thread.
// Per Node: a table, then one JSON line (starting with {"node":). Exit status 0 whether or not targets are
// met (it is a measurement); 1 only when a workload fails, e.g. when tracing produced no spans.
// Usage: node --expose-gc bench/overhead.mjs [--quick] [--node 24,machine]   (knobs: lib/options.mjs, README.md)
import os from "node:os";
import { refusingUrl, startDrainingReceiver, startStallingServer } from "./lib/loopback.mjs";
import { majorOf, PRIMARY_NODE_MAJOR, resolveNodes } from "./lib/node-binaries.mjs";
import { EARLY_BYTES_TURN, readOptions } from "./lib/options.mjs";
import { formatTable } from "./lib/report.mjs";
import { MB, median, round } from "./lib/stats.mjs";
import { runWorkload } from "./lib/workload-process.mjs";

/**
 * Targets. The CPU-time ratios are judged per Node: from Node 24 on, AsyncLocalStorage needs no promise
 * hook; before, OpenTelemetry's context manager alone costs this promise-heavy pipeline 8–18%.
 */
function targetsFor(nodeVersion) {
  const modern = majorOf(nodeVersion) >= PRIMARY_NODE_MAJOR;
  return {
    overheadCpuRatio: modern ? 1.15 : 1.3,
    overheadCpuStretch: modern ? 1.1 : undefined,
    backendDownCpuRatio: modern ? 1.15 : 1.3,
    // A backend that is down may cost its bounded queue (2,048 spans) and the request in flight, no more.
    backendExtraHeapMb: 16,
    heapGrowthMb: 5,
    stateAfterCallsMb: 1,
    bytesPerTurnRatio: 1.5,
  };
}

function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Generous limits that only catch a hung workload: on a shared machine a call runs up to ~20x slower than
 * on a quiet one (a 1,000-turn call takes ~3 s there).
 */
const timeouts = {
  perTurn: (turns) => 60_000 + turns * 300,
  long: (turns) => 120_000 + turns * 150,
};

async function countHops(options, node) {
  progress(`counting frame hops of a ${options.turns}-turn call`);
  return runWorkload("hop-count.cjs", ["--turns", String(options.turns)], { execPath: node.execPath, timeoutMs: timeouts.perTurn(options.turns) });
}

const VARIANTS = ["plain", "context", "noop", "otel", "metrics", "respan", "refused", "stalled"];

async function timedRounds(options, node, backends) {
  const argsOf = {
    plain: ["--mode", "plain"],
    context: ["--mode", "context"],
    noop: ["--mode", "noop"],
    otel: ["--mode", "otel"],
    metrics: ["--mode", "metrics"],
    respan: ["--mode", "respan", "--endpoint", backends.healthy],
    refused: ["--mode", "respan", "--endpoint", backends.refused],
    stalled: ["--mode", "respan", "--endpoint", backends.stalled],
  };
  const runs = Object.fromEntries(VARIANTS.map((key) => [key, []]));
  for (let round = 0; round < options.pairs; round++) {
    // Rotating the order gives every variant every position in a round: no variant always runs first.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const key of order) {
      const traced = key !== "plain" && key !== "context";
      const result = await runWorkload(
        "timed-call.cjs",
        [...argsOf[key], "--turns", String(options.turns), "--warmup", String(options.warmupTurns)],
        { execPath: node.execPath, timeoutMs: timeouts.perTurn(options.turns), cpuProfileDir: traced ? options.profileDir : undefined },
      );
      runs[key].push(result);
      progress(`round ${round + 1}/${options.pairs} ${key.padEnd(7)} ${result.threadCpuMs.toFixed(0)} ms main-thread CPU, ${result.wallMs.toFixed(0)} ms wall`);
    }
  }
  return runs;
}

async function memoryRuns(options, node) {
  progress(`memory: a ${options.longTurns}-turn call (traced and not) and ${options.calls} sequential calls`);
  const longArgs = ["--turns", String(options.longTurns), "--every", String(options.turns)];
  const bytesAt = [EARLY_BYTES_TURN, options.turns, options.longTurns].join(",");
  const execPath = node.execPath;
  // Heap figures do not depend on CPU speed, so these three run side by side.
  const [longPlain, longTraced, calls] = await Promise.all([
    runWorkload("long-call.cjs", ["--mode", "plain", ...longArgs], { execPath, timeoutMs: timeouts.long(options.longTurns) }),
    runWorkload("long-call.cjs", ["--mode", "otel", ...longArgs, "--bytes-at", bytesAt], { execPath, timeoutMs: timeouts.long(options.longTurns) }),
    runWorkload(
      "sequential-calls.cjs",
      ["--calls", String(options.calls), "--checkpoint", String(options.calls / 10), "--turns", String(options.callTurns)],
      { execPath, timeoutMs: timeouts.long(options.calls * options.callTurns) },
    ),
  ]);
  return { longPlain, longTraced, calls };
}

async function exporterThroughput(options, node) {
  progress(`exporters: ${options.throughputSpans} spans through each`);
  const receiver = await startDrainingReceiver();
  try {
    const result = await runWorkload(
      "exporter-throughput.cjs",
      ["--spans", String(options.throughputSpans), "--endpoint", receiver.url, "--call-turns", "31"],
      { execPath: node.execPath, timeoutMs: 30_000 + options.throughputSpans * 2 },
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

function figuresFrom(options, hops, runs, memory, exporters) {
  const rounds = runs.plain.map((_, i) => Object.fromEntries(Object.keys(runs).map((key) => [key, runs[key][i]])));
  const ratios = (key, field, base = "plain") => rounds.map((r) => r[key][field] / r[base][field]);
  const cpuRatios = (key) => ratios(key, "threadCpuMs");
  const wallRatios = (key) => ratios(key, "wallMs");
  /** A stage's share of the untraced call's main-thread CPU: (with − without) / untraced, median over rounds. */
  const share = (withKey, withoutKey) => median(rounds.map((r) => (r[withKey].threadCpuMs - r[withoutKey].threadCpuMs) / r.plain.threadCpuMs));
  const medianOf = (key, field) => median(runs[key].map((run) => run[field]));
  const calls = memory.calls;
  const checkpoint = calls.checkpoint;
  const bytes = memory.longTraced.bytesPerTurn;
  const f = {
    cpuSource: runs.plain[0].threadCpuSource,
    cpuRatios: Object.fromEntries(VARIANTS.slice(1).map((key) => [key, cpuRatios(key)])),
    wallRatios: Object.fromEntries(VARIANTS.slice(1).map((key) => [key, wallRatios(key)])),
    processCpuRatio: median(ratios("otel", "cpuMs")),
    breakdown: {
      contextManager: share("context", "plain"),
      instrumentation: share("noop", "context"),
      otelSdk: share("otel", "noop"),
    },
    refusedVsHealthy: median(ratios("refused", "threadCpuMs", "otel")),
    stalledVsHealthy: median(ratios("stalled", "threadCpuMs", "otel")),
    threadCpuMs: Object.fromEntries(VARIANTS.map((key) => [key, medianOf(key, "threadCpuMs")])),
    wallMs: Object.fromEntries(VARIANTS.map((key) => [key, medianOf(key, "wallMs")])),
    heapEndMb: Object.fromEntries(VARIANTS.map((key) => [key, medianOf(key, "heapEndBytes") / MB])),
    hops: hops.hops,
    nsPerHop: (median(rounds.map((r) => r.otel.threadCpuMs - r.plain.threadCpuMs)) * 1e6) / hops.hops,
    plainNsPerHop: (medianOf("plain", "threadCpuMs") * 1e6) / hops.hops,
    callMinutes: hops.callSeconds / 60,
    cpuMsPerCallMinute: median(rounds.map((r) => r.otel.threadCpuMs - r.plain.threadCpuMs)) / (hops.callSeconds / 60),
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
  const medianRatio = (values) => median(values);
  f.overheadCpuRatio = medianRatio(f.cpuRatios.otel);
  // Interference (other processes, a busy core's caches) only ever adds CPU time: on a shared machine the
  // fastest run of each variant is the least disturbed one, a cross-check of the median.
  const fastest = (key) => Math.min(...runs[key].map((run) => run.threadCpuMs));
  f.fastestCpuRatio = { otel: fastest("otel") / fastest("plain"), noop: fastest("noop") / fastest("plain") };
  f.backendDownCpuRatio = Math.max(medianRatio(f.cpuRatios.refused), medianRatio(f.cpuRatios.stalled));
  f.overheadRatio = medianRatio(f.wallRatios.otel);
  // Traced with the instrumentation's metrics recorded too, against traced alone.
  f.metricsVsTracedCpu = median(rounds.map((r) => r.metrics.threadCpuMs / r.otel.threadCpuMs));
  // What an application of the Respan client pays with a healthy backend (its export in a worker).
  f.respanVsTracedCpu = median(rounds.map((r) => r.respan.threadCpuMs / r.otel.threadCpuMs));
  f.backendDownRatio = Math.max(medianRatio(f.wallRatios.refused), medianRatio(f.wallRatios.stalled));
  return f;
}

const CPU_SOURCE_TEXT = {
  thread: "main-thread CPU (process.threadCpuUsage)",
  proc: "main-thread CPU (/proc, 10 ms ticks)",
  process: "process CPU, all threads (no per-thread clock here)",
};

function rowsFor(options, targets, f) {
  const ratio = (value) => value.toFixed(3);
  const percent = (value) => `${value >= 0 ? "+" : ""}${(value * 100).toFixed(1)}%`;
  const mb = (value) => `${value.toFixed(2)} MB`;
  const perRound = (values) => values.map((v) => v.toFixed(3)).join(" ");
  const droppedOf = (stats) => stats?.dropped ?? "?";
  const m = (values) => median(values);
  const cpu = CPU_SOURCE_TEXT[f.cpuSource];
  const stretch = targets.overheadCpuStretch === undefined ? "" : ` (stretch ${targets.overheadCpuStretch})`;
  return [
    {
      figure: `traced / untraced, ${cpu}, ${options.turns} turns, median of ${options.pairs}`,
      value: ratio(f.overheadCpuRatio),
      target: `<= ${targets.overheadCpuRatio}${stretch}`,
      met: f.overheadCpuRatio <= targets.overheadCpuRatio,
    },
    { figure: "  per-round ratios", value: perRound(f.cpuRatios.otel) },
    { figure: "  median main-thread CPU ms: untraced / traced", value: `${f.threadCpuMs.plain.toFixed(0)} / ${f.threadCpuMs.otel.toFixed(0)}` },
    { figure: "  fastest traced run / fastest untraced run", value: `${ratio(f.fastestCpuRatio.otel)} (no-op tracer: ${ratio(f.fastestCpuRatio.noop)})` },
    { figure: "  wall-time ratio (median; per round)", value: `${ratio(f.overheadRatio)} (${perRound(f.wallRatios.otel)})` },
    { figure: "  process CPU ratio, all threads (median)", value: ratio(f.processCpuRatio) },
    { figure: "traced with metrics: CPU ratio (vs traced alone)", value: `${ratio(m(f.cpuRatios.metrics))} (${ratio(f.metricsVsTracedCpu)})` },
    {
      figure: "Respan client, healthy backend: CPU ratio (vs traced)",
      value: `${ratio(m(f.cpuRatios.respan))} (${ratio(f.respanVsTracedCpu)}); per round ${perRound(f.cpuRatios.respan)}`,
    },
    { figure: "breakdown, share of the untraced call's CPU:", value: "" },
    { figure: "  OpenTelemetry context manager registered", value: `${percent(f.breakdown.contextManager)} (context manager / untraced: ${ratio(m(f.cpuRatios.context))})` },
    { figure: "  the instrumentation on a no-op tracer (ours)", value: `${percent(f.breakdown.instrumentation)} (no-op tracer / untraced: ${ratio(m(f.cpuRatios.noop))})` },
    { figure: "  OpenTelemetry SDK: spans, batching, OTLP JSON", value: percent(f.breakdown.otelSdk) },
    {
      figure: "backend refusing: CPU ratio",
      value: `${ratio(m(f.cpuRatios.refused))} (${perRound(f.cpuRatios.refused)})`,
      target: `<= ${targets.backendDownCpuRatio}`,
      met: m(f.cpuRatios.refused) <= targets.backendDownCpuRatio,
    },
    {
      figure: "backend stalled: CPU ratio",
      value: `${ratio(m(f.cpuRatios.stalled))} (${perRound(f.cpuRatios.stalled)})`,
      target: `<= ${targets.backendDownCpuRatio}`,
      met: m(f.cpuRatios.stalled) <= targets.backendDownCpuRatio,
    },
    { figure: "  wall-time ratios: refused, stalled", value: `${ratio(m(f.wallRatios.refused))}, ${ratio(m(f.wallRatios.stalled))}` },
    { figure: "  backend down / healthy backend (CPU): refused, stalled", value: `${ratio(f.refusedVsHealthy)}, ${ratio(f.stalledVsHealthy)}` },
    {
      figure: "heap at end: untraced / healthy / refused / stalled",
      value: `${f.heapEndMb.plain.toFixed(1)} / ${f.heapEndMb.otel.toFixed(1)} / ${f.heapEndMb.refused.toFixed(1)} / ${f.heapEndMb.stalled.toFixed(1)} MB`,
    },
    {
      figure: "backend down: extra heap vs healthy backend",
      value: `${mb(f.backendExtraHeapMb)} (spans dropped by the full queue: ${droppedOf(f.backendStats.refused)}, ${droppedOf(f.backendStats.stalled)})`,
      target: `<= ${targets.backendExtraHeapMb} MB`,
      met: f.backendExtraHeapMb <= targets.backendExtraHeapMb,
    },
    { figure: "frame hops per call", value: String(f.hops) },
    { figure: "tracing CPU per frame hop", value: `${f.nsPerHop.toFixed(1)} ns (untraced: ${f.plainNsPerHop.toFixed(0)} ns per hop)` },
    {
      figure: `tracing CPU per minute of call (call = ${f.callMinutes.toFixed(0)} min)`,
      value: `${f.cpuMsPerCallMinute.toFixed(1)} ms = ${(f.cpuMsPerCallMinute / 600).toFixed(3)}% of a core at real time`,
    },
    { figure: `heap growth, turn ${options.turns} -> ${options.longTurns} (traced)`, value: mb(f.heapGrowthMb), target: `<= ${targets.heapGrowthMb} MB`, met: f.heapGrowthMb <= targets.heapGrowthMb },
    { figure: "  same call untraced (the runtime's own growth)", value: mb(f.heapGrowthPlainMb) },
    { figure: `state after ${options.calls} calls (heap at call ${f.callsCheckpoint} -> ${options.calls})`, value: mb(f.stateAfterCallsMb), target: `<= ${targets.stateAfterCallsMb} MB`, met: f.stateAfterCallsMb <= targets.stateAfterCallsMb },
    {
      figure: `  finished call still reachable (call ${f.callsCheckpoint})`,
      value: f.stillReachable.length === 0 ? "nothing" : f.stillReachable.join(", "),
      target: "nothing",
      met: f.stillReachable.length === 0,
    },
    {
      figure: `bytes/turn at turn ${options.turns} / turn ${EARLY_BYTES_TURN}`,
      value: `${ratio(f.bytesPerTurnRatio)} (${f.bytesPerTurn[options.turns].toFixed(0)} / ${f.bytesPerTurn[EARLY_BYTES_TURN].toFixed(0)} B)`,
      target: `<= ${targets.bytesPerTurnRatio}`,
      met: f.bytesPerTurnRatio <= targets.bytesPerTurnRatio,
    },
    { figure: `  at turn ${options.longTurns} / turn ${EARLY_BYTES_TURN}`, value: ratio(f.bytesPerTurnRatioLong) },
    { figure: "trace file exporter", value: `${f.exporters.file.spansPerSec.toFixed(0)} spans/s` },
    { figure: "OTLP http/json exporter (loopback)", value: `${f.exporters.otlp.spansPerSec.toFixed(0)} spans/s` },
    { figure: "Respan exporter (loopback)", value: `${f.exporters.respan.spansPerSec.toFixed(0)} spans/s` },
    {
      figure: "  application-thread CPU per batch: export worker / in-thread",
      value: `${f.exporters.respan.mainThreadMsPerBatch.toFixed(2)} / ${f.exporters.respanMainThread.mainThreadMsPerBatch.toFixed(2)} ms (longest export() call ${f.exporters.respan.longestExportCallMs.toFixed(1)} / ${f.exporters.respanMainThread.longestExportCallMs.toFixed(1)} ms)`,
    },
  ];
}

function jsonLine(options, node, f, rows, seconds) {
  const missed = rows.filter((row) => row.met === false).map((row) => row.figure.trim());
  const r4 = (values) => values.map((v) => round(v, 4));
  const byVariant = (record, digits) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, round(v, digits)]));
  const m = (values) => round(median(values), 4);
  return {
    node: node.version,
    node_origin: node.origin,
    cpu_clock: f.cpuSource,
    overhead_cpu_ratio: round(f.overheadCpuRatio, 4),
    backend_down_cpu_ratio: round(f.backendDownCpuRatio, 4),
    overhead_ratio: round(f.overheadRatio, 4),
    backend_down_ratio: round(f.backendDownRatio, 4),
    heap_growth_mb: round(f.heapGrowthMb, 3),
    bytes_per_turn_ratio: round(f.bytesPerTurnRatio, 4),
    breakdown_context_manager_cpu_share: round(f.breakdown.contextManager, 4),
    breakdown_instrumentation_cpu_share: round(f.breakdown.instrumentation, 4),
    breakdown_otel_sdk_cpu_share: round(f.breakdown.otelSdk, 4),
    context_cpu_ratio: m(f.cpuRatios.context),
    noop_tracer_cpu_ratio: m(f.cpuRatios.noop),
    metrics_cpu_ratio: m(f.cpuRatios.metrics),
    metrics_vs_traced_cpu_ratio: round(f.metricsVsTracedCpu, 4),
    respan_healthy_cpu_ratio: m(f.cpuRatios.respan),
    respan_healthy_vs_traced_cpu: round(f.respanVsTracedCpu, 4),
    backend_refused_cpu_ratio: m(f.cpuRatios.refused),
    backend_stalled_cpu_ratio: m(f.cpuRatios.stalled),
    backend_down_vs_healthy_cpu: round(Math.max(f.refusedVsHealthy, f.stalledVsHealthy), 4),
    process_cpu_ratio: round(f.processCpuRatio, 4),
    overhead_cpu_ratio_fastest: round(f.fastestCpuRatio.otel, 4),
    noop_tracer_cpu_ratio_fastest: round(f.fastestCpuRatio.noop, 4),
    backend_down_extra_heap_mb: round(f.backendExtraHeapMb, 3),
    heap_growth_untraced_mb: round(f.heapGrowthPlainMb, 3),
    bytes_per_turn_ratio_long: round(f.bytesPerTurnRatioLong, 4),
    state_after_calls_mb: round(f.stateAfterCallsMb, 3),
    state_left_after_calls: f.stillReachable,
    ns_per_hop: round(f.nsPerHop, 1),
    tracing_cpu_ms_per_call_minute: round(f.cpuMsPerCallMinute, 2),
    spans_per_sec_file: Math.round(f.exporters.file.spansPerSec),
    spans_per_sec_otlp: Math.round(f.exporters.otlp.spansPerSec),
    spans_per_sec_respan: Math.round(f.exporters.respan.spansPerSec),
    respan_app_thread_ms_per_batch: round(f.exporters.respan.mainThreadMsPerBatch, 3),
    respan_in_thread_ms_per_batch: round(f.exporters.respanMainThread.mainThreadMsPerBatch, 3),
    overhead_cpu_ratios: r4(f.cpuRatios.otel),
    overhead_ratios: r4(f.wallRatios.otel),
    cpu_ratios: Object.fromEntries(Object.entries(f.cpuRatios).map(([k, v]) => [k, r4(v)])),
    thread_cpu_ms_median: byVariant(f.threadCpuMs, 1),
    wall_ms_median: byVariant(f.wallMs, 1),
    heap_end_mb: byVariant(f.heapEndMb, 2),
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

/** Every figure of one Node; prints its table and its JSON line. */
async function benchmarkOn(options, node) {
  const started = performance.now();
  const targets = targetsFor(node.version);
  progress(`Node ${node.version} (${node.origin}): ${node.execPath}`);
  const stalling = await startStallingServer();
  const healthy = await startDrainingReceiver();
  let runs;
  let hops;
  try {
    hops = await countHops(options, node);
    runs = await timedRounds(options, node, { healthy: healthy.url, refused: await refusingUrl(), stalled: stalling.url });
    if (stalling.accepted === 0) throw new Error("the stalling backend never saw a connection: the stalled runs did not export");
    if (healthy.received.requests === 0) throw new Error("the healthy Respan backend received no request: the respan runs did not export");
  } finally {
    stalling.close();
    healthy.close();
  }
  const memory = await memoryRuns(options, node);
  const exporters = await exporterThroughput(options, node);
  if (exporters.received.requests === 0) throw new Error("the loopback receiver got no request from the OTLP exporters");

  const figures = figuresFrom(options, hops, runs, memory, exporters);
  const rows = rowsFor(options, targets, figures);
  const seconds = (performance.now() - started) / 1000;
  const summary = jsonLine(options, node, figures, rows, seconds);
  console.log();
  console.log(`== Node ${node.version} (${node.origin}) ==`);
  console.log(formatTable(rows));
  console.log();
  console.log(`spans per ${options.turns}-turn call: ${JSON.stringify(figures.spansPerCall)}`);
  console.log(`heap of the long traced call (turns: MB): ${figures.heapSamplesMb.map(([t, mb]) => `${t}: ${mb.toFixed(2)}`).join(", ")}`);
  console.log(
    summary.targets_met
      ? `all targets met on Node ${node.version} (${seconds.toFixed(0)} s)`
      : `TARGETS MISSED on Node ${node.version}: ${summary.targets_missed.join("; ")} (${seconds.toFixed(0)} s)`,
  );
  console.log(JSON.stringify(summary));
}

async function main() {
  const options = readOptions();
  const started = performance.now();
  const [cpu] = os.cpus();
  console.log(
    `overhead benchmark${options.quick ? " (--quick)" : ""}: ${os.cpus().length} x ${cpu?.model ?? "cpu"}, ` +
      `load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, this machine runs Node ${process.version}`,
  );
  console.log(
    `settings: ${options.pairs} rounds of ${options.turns}-turn calls (warm-up ${options.warmupTurns} turns), ` +
      `long call ${options.longTurns} turns, ${options.calls} sequential ${options.callTurns}-turn calls, ` +
      `${options.throughputSpans} spans per exporter`,
  );
  const nodes = resolveNodes(options.node, progress);
  for (const node of nodes) {
    if (node.execPath !== process.execPath) console.log(`workloads on Node ${node.version}: ${node.origin}`);
  }
  for (const node of nodes) await benchmarkOn(options, node);
  console.log();
  console.log(`load at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
}

main().catch((error) => {
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
