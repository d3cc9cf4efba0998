"use strict";
// One timed call in a fresh process: wall time, main-thread CPU time and process CPU time of the
// conversation (module loading, the tracing setup and a short warm-up call are not timed), then the
// settled heap at the end. With the healthy
// exporter the clock stops only once the last partial batch is serialised too, so every span's
// export is paid for inside the timed region.
// Usage: node --expose-gc timed-call.cjs --mode plain|context|noop|otel|respan|loaded|hops|calls --turns N [--warmup N]
//          [--endpoint URL]   (the modes: bench/lib/tracing.cjs)
const { setTimeout: delay } = require("node:timers/promises");
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { mainThreadCpuClock, processCpuMs } = require("../lib/thread-cpu.cjs");
const { nextTurnOfEventLoop, parseArgs, positiveIntegerArg, runWorkload, settledHeapBytes } = require("../lib/child-result.cjs");

const EXPORT_ATTEMPT_MS = 300;

runWorkload(async () => {
  const args = parseArgs();
  const turns = positiveIntegerArg(args, "turns");
  const runtime = loadRuntime(args.mode, { endpoint: args.endpoint });
  if (args.warmup !== undefined) await createVoiceCall(runtime.pipecat, { turns: positiveIntegerArg(args, "warmup") }).task.run();

  const call = createVoiceCall(runtime.pipecat, { turns });
  runtime.counter?.reset();
  const threadCpu = mainThreadCpuClock();
  settledHeapBytes();
  const processCpuBefore = processCpuMs();
  const threadCpuBefore = threadCpu.readMs();
  const start = performance.now();
  await call.task.run();
  runtime.drainQueue();
  const wallMs = performance.now() - start;
  const threadCpuMs = threadCpu.readMs() - threadCpuBefore;
  const cpuMs = processCpuMs() - processCpuBefore;

  // Untimed: give the exporters a moment to try the backend even when the call was too short to fill a
  // batch (a stalled backend would hold a real flush for its full timeout).
  if (runtime.flush !== undefined) await Promise.race([runtime.flush(), delay(EXPORT_ATTEMPT_MS)]);
  await nextTurnOfEventLoop();
  runtime.counter?.assertTraced(`timed-call --mode ${args.mode}`);
  await runtime.assertMetrics?.(`timed-call --mode ${args.mode}`);
  return {
    mode: args.mode,
    turns: call.expectedTurns,
    wallMs,
    threadCpuMs,
    threadCpuSource: threadCpu.source,
    cpuMs,
    heapEndBytes: settledHeapBytes(),
    spans: runtime.counter?.counts,
    export: runtime.stats(),
  };
});
