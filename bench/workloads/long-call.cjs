"use strict";
// One long call: the settled heap every `--every` turns (after the trace queue is drained and a full GC),
// and, when traced, the exported size of chosen turns (the three turns of a round ending at each turn
// given in --bytes-at), to show whether captured content grows with the conversation.
// A sample "after T turns" is taken when the user starts speaking for the T-th time, i.e. as turn T+1
// begins, so every sample is taken mid-call, with the conversation's state live.
// Usage: node --expose-gc long-call.cjs --mode plain|otel --turns N --every N [--bytes-at 10,1000,...]
const { createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { TurnBytesRecorder } = require("../lib/turn-bytes-recorder.cjs");
const { parseArgs, positiveIntegerArg, runWorkload, settledHeapBytes } = require("../lib/child-result.cjs");

/** A round of the demo is three turns; measuring a whole round evens out its short and long turns. */
const TURNS_PER_ROUND = 3;

runWorkload(async () => {
  const args = parseArgs();
  const turns = positiveIntegerArg(args, "turns");
  const every = positiveIntegerArg(args, "every");
  const bytesAt = args["bytes-at"] === undefined ? [] : args["bytes-at"].split(",").map(Number);
  const watchedTurns = bytesAt.flatMap((end) => Array.from({ length: TURNS_PER_ROUND }, (_, i) => end - i));
  const recorder = new TurnBytesRecorder(watchedTurns);
  const runtime = loadRuntime(args.mode, { spanProcessors: [recorder] });

  const samples = [];
  let userUtterances = 0;
  let lastFrame;
  const observer = {
    onPushFrame({ frame }) {
      if (!(frame instanceof runtime.pipecat.UserStartedSpeakingFrame) || frame === lastFrame) return;
      lastFrame = frame;
      userUtterances += 1;
      if (userUtterances % every !== 0 || userUtterances > turns) return;
      runtime.drainQueue();
      samples.push({ turns: userUtterances, heapBytes: settledHeapBytes() });
    },
  };
  // One turn more than measured, so the last sample is taken while the call is still going.
  const call = createVoiceCall(runtime.pipecat, { turns: turns + 1, observers: [observer] });
  await call.task.run();
  if (samples.length !== Math.floor(turns / every)) throw new Error(`expected ${Math.floor(turns / every)} heap samples, got ${samples.length}`);
  runtime.counter?.assertTraced(`long-call --mode ${args.mode}`);

  const turnBytes = recorder.measure();
  const bytesPerTurn = {};
  for (const end of bytesAt) {
    let bytes = 0;
    for (let turn = end - TURNS_PER_ROUND + 1; turn <= end; turn++) bytes += turnBytes[turn].bytes;
    bytesPerTurn[end] = bytes / TURNS_PER_ROUND;
  }
  return { mode: args.mode, turns: call.expectedTurns, samples, bytesPerTurn, turnBytes, spans: runtime.counter?.counts };
});
