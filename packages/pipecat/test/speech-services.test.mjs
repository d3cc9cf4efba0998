import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EndFrame,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  MetricsFrame,
  Pipeline,
  PipelineTask,
  ScriptedSTTService,
  STTUsageMetricsData,
  TextFrame,
  ToneTTSService,
  TranscriptionFrame,
  TTFBMetricsData,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  TTSUsageMetricsData,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VirtualClock,
} from "pipecat-ts";
import { Recorder, runFrames, within } from "./helpers.mjs";

function llmResponse(...tokens) {
  return [new LLMFullResponseStartFrame(), ...tokens.map((t) => new LLMTextFrame(t)), new LLMFullResponseEndFrame()];
}

test("TTS speaks an LLM response sentence by sentence in one audio context", async () => {
  const tts = new ToneTTSService({ msPerCharacter: 10, chunkMs: 40 });
  const { tail } = await runFrames([tts], llmResponse("Hello", " there.", " How", " are", " you?"), {
    params: { audioOutSampleRate: 16000, enableUsageMetrics: true, enableMetrics: true },
  });
  const frames = tail.downstream().filter((f) => !(f instanceof TTSAudioRawFrame) && !(f instanceof MetricsFrame));
  assert.deepEqual(frames.map((f) => f.constructor.name), [
    "StartFrame",
    "LLMFullResponseStartFrame",
    "TTSStartedFrame",
    "TTSTextFrame",
    "TTSTextFrame",
    "TTSStoppedFrame",
    "LLMFullResponseEndFrame",
    "EndFrame",
  ]);
  assert.deepEqual(tail.downstream(LLMTextFrame), [], "LLM text is consumed by the TTS");
  const [started] = tail.downstream(TTSStartedFrame);
  const [stopped] = tail.downstream(TTSStoppedFrame);
  assert.equal(started.contextId, stopped.contextId);
  const texts = tail.downstream(TTSTextFrame);
  assert.deepEqual(texts.map((f) => f.text), ["Hello there.", "How are you?"]);
  assert.ok(texts.every((f) => f.contextId === started.contextId));
  const audio = tail.downstream(TTSAudioRawFrame);
  assert.ok(audio.every((f) => f.contextId === started.contextId && f.sampleRate === 16000 && f.numChannels === 1));
  const totalSamples = audio.reduce((n, f) => n + f.audio.byteLength / 2, 0);
  assert.equal(totalSamples, 16000 * (("Hello there.".length + "How are you?".length) * 10) / 1000, "duration follows text length");
  const data = tail.downstream(MetricsFrame).flatMap((f) => f.data);
  assert.deepEqual(data.filter((d) => d instanceof TTSUsageMetricsData).map((d) => [d.value, d.processor, d.model]), [
    [12, tts.name, "sine-tone"],
    [12, tts.name, "sine-tone"],
  ]);
  assert.equal(data.filter((d) => d instanceof TTFBMetricsData).length, 2);
  assert.equal(tts.voiceId, "tone-a4");
});

test("an interruption resets the TTS audio context: no TTSStoppedFrame for it, unspoken text dropped", async () => {
  const clock = new VirtualClock();
  const tts = new ToneTTSService({ ttfbMs: 100 });
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([tts, tail]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrames([new LLMFullResponseStartFrame(), new LLMTextFrame("First sentence."), new LLMTextFrame(" Never spoken")]);
  await clock.sleep(500);
  assert.ok(tts.activeContextId, "a context is open");
  await task.queueFrame(new InterruptionFrame());
  assert.equal(tts.activeContextId, undefined);
  await task.queueFrames([...llmResponse("Second."), new EndFrame()]);
  await within(5000, running);
  const contexts = tail.downstream(TTSStartedFrame).map((f) => f.contextId);
  assert.equal(contexts.length, 2);
  assert.notEqual(contexts[0], contexts[1]);
  assert.deepEqual(tail.downstream(TTSStoppedFrame).map((f) => f.contextId), [contexts[1]]);
  assert.deepEqual(tail.downstream(TTSTextFrame).map((f) => f.text), ["First sentence.", "Second."]);
});

test("a plain TextFrame is spoken in a context of its own", async () => {
  const { tail } = await runFrames([new ToneTTSService()], [new TextFrame("Please hold.")]);
  const names = tail.downstream().filter((f) => !(f instanceof TTSAudioRawFrame)).map((f) => f.constructor.name);
  assert.deepEqual(names, ["StartFrame", "TTSStartedFrame", "TTSTextFrame", "TTSStoppedFrame", "EndFrame"]);
});

function userUtterance(chunks, sampleRate = 16000) {
  const audio = new Uint8Array((sampleRate / 50) * 2);
  return [
    new UserStartedSpeakingFrame(),
    ...Array.from({ length: chunks }, () => new InputAudioRawFrame({ audio, sampleRate })),
    new UserStoppedSpeakingFrame(),
  ];
}

test("scripted STT yields growing interim transcripts, then the final one after the user stops", async () => {
  const stt = new ScriptedSTTService({ script: [{ text: "one two three four five", durationMs: 1000 }], finalDelayMs: 150 });
  const { tail } = await runFrames([stt], userUtterance(50), { params: { enableMetrics: true, enableUsageMetrics: true }, endAfterMs: 1000 });
  const interims = tail.downstream(InterimTranscriptionFrame).map((f) => f.text);
  assert.ok(interims.length >= 2, `several interims, got ${JSON.stringify(interims)}`);
  assert.ok(interims.every((t, i) => i === 0 || t.length > interims[i - 1].length), "interims grow");
  const [final] = tail.downstream(TranscriptionFrame);
  assert.equal(final.text, "one two three four five");
  assert.equal(final.finalized, true);
  assert.equal(final.userId, "user");
  assert.equal(final.language, "en-US");
  const order = tail.downstream().map((f) => f.constructor.name);
  assert.ok(order.indexOf("UserStoppedSpeakingFrame") < order.indexOf("TranscriptionFrame"));
  assert.equal(tail.downstream(InputAudioRawFrame).length, 50, "audio passes through by default");
  const data = tail.downstream(MetricsFrame).flatMap((f) => f.data);
  const [usage] = data.filter((d) => d instanceof STTUsageMetricsData);
  assert.equal(usage.value.audioSeconds.toFixed(3), "1.000");
  assert.equal(usage.processor, stt.name);
  assert.equal(usage.model, "scripted-stt");
  assert.equal(data.filter((d) => d instanceof TTFBMetricsData).length, 1);
});

test("STT audio passthrough can be turned off", async () => {
  const stt = new ScriptedSTTService({ script: ["hi"], audioPassthrough: false });
  const { tail } = await runFrames([stt], userUtterance(10), { endAfterMs: 1000 });
  assert.equal(tail.downstream(InputAudioRawFrame).length, 0);
  assert.equal(tail.downstream(TranscriptionFrame)[0].text, "hi");
});

test("speech services validate their options", () => {
  assert.throws(() => new ScriptedSTTService({ script: "hello" }), /"script" must be an array of utterances/);
  assert.throws(() => new ScriptedSTTService({ script: [""] }), /"script\[0\]" must be a non-empty string or \{ text/);
  assert.throws(() => new ScriptedSTTService({ script: [{ text: "x", durationMs: -1 }] }), /"script\[0\].durationMs" must be a finite number of milliseconds >= 0/);
  assert.throws(() => new ScriptedSTTService({ script: ["x"], interimIntervalMs: 0 }), /"interimIntervalMs" must be a positive finite number, got 0/);
  assert.throws(() => new ToneTTSService({ sampleRate: 0 }), /"sampleRate" must be a positive finite number, got 0/);
  assert.throws(() => new ToneTTSService({ chunkMs: "big" }), /"chunkMs" must be a positive finite number, got "big"/);
});
