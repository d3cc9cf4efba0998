"use strict";
// The benchmarked call: pipecat-ts's scripted demo conversation on a VirtualClock, with 20 ms audio
// frames in (the simulated transport's microphone frames) and out (TTS chunks, which the output
// transport plays one by one).

/** Length of every audio frame, in and out, in ms. */
const AUDIO_FRAME_MS = 20;

/** The demo's turns come as a greeting plus rounds of three: the smallest number of rounds giving `turns`. */
function roundsFor(turns) {
  return Math.max(1, Math.ceil((turns - 1) / 3));
}

/**
 * A fresh call of at least `turns` turns. `pipecat` is the loaded `pipecat-ts` module: each workload
 * loads it itself, after enabling the instrumentation when it measures an instrumented call.
 */
function createVoiceCall(pipecat, { turns, observers, conversationId }) {
  const call = pipecat.createDemoConversation({
    clock: new pipecat.VirtualClock(),
    repeats: roundsFor(turns),
    observers,
    conversationId,
    // The demo's TTS speaks in 100 ms chunks by default; a real-time transport sends 20 ms frames.
    ttsOptions: { chunkMs: AUDIO_FRAME_MS },
  });
  return call;
}

module.exports = { AUDIO_FRAME_MS, roundsFor, createVoiceCall };
