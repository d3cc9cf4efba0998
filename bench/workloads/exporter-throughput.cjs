"use strict";
// Exporter throughput: real spans of a traced call, copied into as many calls (fresh trace ids) as it
// takes to reach --spans, exported in batches of 512 — one batch in flight at a time, as the
// BatchSpanProcessor does — through each exporter, until everything is written or acknowledged.
//   file    @respan/core's TraceFileExporter into a temporary directory (one file per trace)
//   otlp    OpenTelemetry's OTLPTraceExporter (http/json) to the loopback receiver at --endpoint
//   respan  @respan/core's RespanSpanExporter (translation to Respan's keys + OTLP JSON) to the same receiver,
//           from its export worker (the default)
//   respanMainThread  the same, everything on the application's thread (exportThread: "main")
// For each: spans per second, the main thread's CPU time per batch and the longest export() call (how long
// handing a batch over holds up the application's event loop).
// Usage: node exporter-throughput.cjs --spans N --endpoint http://127.0.0.1:PORT [--call-turns N]
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { randomBytes } = require("node:crypto");
const { ExportResultCode } = require("@opentelemetry/core");
const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http");
const { RespanSpanExporter, TraceFileExporter } = require("@respan/core");
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { parseArgs, positiveIntegerArg, runWorkload } = require("../lib/child-result.cjs");
const { mainThreadCpuClock } = require("../lib/thread-cpu.cjs");

const BATCH_SIZE = 512;

/** A finished span of another trace: the same content, every id rebased onto `traceId`. */
function inTrace(span, traceId) {
  const spanContext = { ...span.spanContext(), traceId };
  const parentSpanContext = span.parentSpanContext === undefined ? undefined : { ...span.parentSpanContext, traceId };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    ended: true,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function batchesOf(callSpans, total) {
  const spans = [];
  while (spans.length < total) {
    const traceId = randomBytes(16).toString("hex");
    for (const span of callSpans) spans.push(inTrace(span, traceId));
  }
  spans.length = total;
  const batches = [];
  for (let i = 0; i < spans.length; i += BATCH_SIZE) batches.push(spans.slice(i, i + BATCH_SIZE));
  return batches;
}

function exportBatch(exporter, batch, name) {
  return new Promise((resolve, reject) => {
    exporter.export(batch, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(new Error(`${name} export failed: ${result.error?.message ?? "unknown error"}`));
    });
  });
}

async function spansPerSecond(name, exporter, batches) {
  const threadCpu = mainThreadCpuClock();
  const cpuBefore = threadCpu.readMs();
  const start = performance.now();
  let longestExportCallMs = 0;
  for (const batch of batches) {
    const callStart = performance.now();
    const exported = exportBatch(exporter, batch, name);
    longestExportCallMs = Math.max(longestExportCallMs, performance.now() - callStart);
    await exported;
  }
  await exporter.shutdown();
  const seconds = (performance.now() - start) / 1000;
  const spans = batches.reduce((n, batch) => n + batch.length, 0);
  const mainThreadMsPerBatch = (threadCpu.readMs() - cpuBefore) / batches.length;
  return { spans, seconds, spansPerSec: spans / seconds, mainThreadMsPerBatch, longestExportCallMs, cpuSource: threadCpu.source };
}

runWorkload(async () => {
  const args = parseArgs();
  const total = positiveIntegerArg(args, "spans");
  if (args.endpoint === undefined) throw new Error("--endpoint is required");
  const runtime = loadRuntime("memory");
  await createVoiceCall(runtime.pipecat, { turns: positiveIntegerArg(args, "call-turns") }).task.run();
  runtime.counter.assertTraced("exporter-throughput");
  const callSpans = runtime.exporter.getFinishedSpans();
  const batches = batchesOf(callSpans, total);

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "respan-bench-traces-"));
  try {
    const file = await spansPerSecond("file", new TraceFileExporter({ directory }), batches);
    file.files = fs.readdirSync(directory).length;
    const otlp = await spansPerSecond("otlp", new OTLPTraceExporter({ url: `${args.endpoint}/v1/traces` }), batches);
    const respanOptions = { apiKey: "bench-placeholder-key", baseUrl: args.endpoint };
    const offThread = new RespanSpanExporter(respanOptions);
    if (offThread.exportThread !== "worker") throw new Error("the Respan exporter did not start its export worker");
    const respan = await spansPerSecond("respan", offThread, batches);
    const respanMainThread = await spansPerSecond("respan", new RespanSpanExporter({ ...respanOptions, exportThread: "main" }), batches);
    return { spansPerCall: callSpans.length, batchSize: BATCH_SIZE, file, otlp, respan, respanMainThread };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
