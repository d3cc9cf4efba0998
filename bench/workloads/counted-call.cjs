"use strict";
// One call for counting machine instructions (bench/tools/instruction-counts.mjs runs it under valgrind):
// load the runtime, traced or not, run a short warm-up call, then a call of --turns turns, drain the
// export queue and exit. With --turns 0 it stops after the warm-up: the difference between the two
// counts is what the call itself executed, start-up and module loading excluded.
// Usage: node counted-call.cjs --mode <a mode of bench/lib/tracing.cjs> --turns N [--endpoint URL]
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { parseArgs, runWorkload } = require("../lib/child-result.cjs");

const WARMUP_TURNS = 10;

// Every variant loads the same packages, traced or not: merely loading a module moves the untraced call's
// count by several percent (see bench/README.md, "Instructions and time"), which is not work the tracing
// does.
require("@respan/instrumentation-pipecat");
require("@respan/core");

runWorkload(async () => {
  const args = parseArgs();
  const turns = Number(args.turns);
  if (!Number.isInteger(turns) || turns < 0) throw new Error(`--turns must be a whole number, got ${args.turns}`);
  const runtime = loadRuntime(args.mode, { endpoint: args.endpoint });
  await createVoiceCall(runtime.pipecat, { turns: WARMUP_TURNS }).task.run();
  runtime.counter?.assertTraced(`counted-call --mode ${args.mode} (warm-up)`);
  if (turns > 0) await createVoiceCall(runtime.pipecat, { turns }).task.run();
  runtime.drainQueue();
  return { mode: args.mode, turns };
});
