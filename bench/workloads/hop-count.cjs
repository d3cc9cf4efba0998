"use strict";
// Counts the frame hops of one uninstrumented call with a task observer (the observer sees every hop
// once), measures how long the call lasts in conversation time, and checks the audio really moves in
// 20 ms frames both ways.
// Usage: node hop-count.cjs --turns N
const { AUDIO_FRAME_MS, createVoiceCall } = require("../lib/voice-call.cjs");
const { loadRuntime } = require("../lib/tracing.cjs");
const { parseArgs, positiveIntegerArg, runWorkload } = require("../lib/child-result.cjs");

function frameMs(frame) {
  return (frame.audio.byteLength / 2 / frame.numChannels / frame.sampleRate) * 1000;
}

runWorkload(async () => {
  const args = parseArgs();
  const { pipecat } = loadRuntime("plain");
  const audio = { in: { frames: 0, maxMs: 0 }, out: { frames: 0, maxMs: 0 } };
  const seen = new WeakSet();
  let hops = 0;
  const observer = {
    onPushFrame({ frame }) {
      hops += 1;
      const side = frame instanceof pipecat.InputAudioRawFrame ? audio.in : frame instanceof pipecat.OutputAudioRawFrame ? audio.out : undefined;
      if (side === undefined || seen.has(frame)) return;
      seen.add(frame);
      side.frames += 1;
      side.maxMs = Math.max(side.maxMs, frameMs(frame));
    },
  };
  const call = createVoiceCall(pipecat, { turns: positiveIntegerArg(args, "turns"), observers: [observer] });
  await call.task.run();
  for (const [side, { frames, maxMs }] of Object.entries(audio)) {
    if (frames === 0 || maxMs > AUDIO_FRAME_MS + 1e-6) {
      throw new Error(`audio ${side}: ${frames} frames, longest ${maxMs} ms; expected ${AUDIO_FRAME_MS} ms frames`);
    }
  }
  // How long the call lasts in conversation time (the VirtualClock's reading at the end).
  return { turns: call.expectedTurns, hops, audio, callSeconds: call.clock.now() / 1000 };
});
