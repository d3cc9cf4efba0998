// The energy voice-activity detector: Pipecat's state machine on 20 ms windows of PCM16.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnergyVADAnalyzer, loudnessLevel } from "pipecat-ts";
import { silence, tone } from "./websocket-helpers.mjs";

function feed(vad, pcm, chunkBytes = 512) {
  const states = [];
  for (let offset = 0; offset < pcm.length; offset += chunkBytes) states.push(vad.analyze(pcm.subarray(offset, offset + chunkBytes)));
  return states;
}

test("loudness level: 0 for silence and very quiet sound, 1 for loud sound", () => {
  const samples = (pcm) => new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
  assert.equal(loudnessLevel(samples(silence(20))), 0);
  assert.equal(loudnessLevel(samples(tone(20, 0.001))), 0);
  assert.equal(loudnessLevel(samples(tone(20, 0.5))), 1);
  const mid = loudnessLevel(samples(tone(20, 0.02)));
  assert.ok(mid > 0 && mid < 1, `a -37 dBFS tone is in between: ${mid}`);
});

test("speech must last startSecs to start, silence stopSecs to stop", () => {
  const vad = new EnergyVADAnalyzer(16000, { startSecs: 0.2, stopSecs: 0.8 });
  assert.equal(feed(vad, tone(100)).at(-1), "starting", "100 ms of speech is not enough");
  assert.equal(feed(vad, tone(200)).at(-1), "speaking");
  assert.equal(feed(vad, silence(500)).at(-1), "stopping", "a 500 ms pause does not end the utterance");
  // The smoothed volume takes about 100 ms to rise from silence past minVolume.
  assert.equal(feed(vad, tone(120)).at(-1), "speaking", "speech resumes the same utterance");
  assert.equal(feed(vad, silence(900)).at(-1), "quiet");
});

test("a short click never starts speech; quiet speech below minVolume does not either", () => {
  const vad = new EnergyVADAnalyzer(16000);
  assert.ok(!feed(vad, Buffer.concat([tone(60), silence(300)])).includes("speaking"));
  const quiet = new EnergyVADAnalyzer(16000);
  assert.ok(!feed(quiet, tone(1000, 0.01)).includes("speaking"), "a -40 dBFS hum is not speech");
});

test("works across chunk boundaries that do not match its windows", () => {
  const a = new EnergyVADAnalyzer(16000, { startSecs: 0.1, stopSecs: 0.2 });
  const b = new EnergyVADAnalyzer(16000, { startSecs: 0.1, stopSecs: 0.2 });
  const pcm = Buffer.concat([silence(100), tone(300), silence(400)]);
  assert.equal(feed(a, pcm, 512).at(-1), feed(b, pcm, 130).at(-1));
  assert.equal(a.state, "quiet");
});

test("parameters are checked", () => {
  assert.throws(() => new EnergyVADAnalyzer(16000, { confidence: 2 }), /"confidence" must be a number from 0 to 1/);
  assert.throws(() => new EnergyVADAnalyzer(0), /"sampleRate"/);
});
