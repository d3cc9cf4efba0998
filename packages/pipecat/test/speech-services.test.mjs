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
  STTService,
  STTUsageMetricsData,
  TextFrame,
  ToneTTSService,
  TranscriptionFrame,
  TTFBMetricsData,
  TTSAudioRawFrame,
  TTSService,
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

test("scripted STT takes the next utterance each time the user speaks; with repeat it starts over after the last", async () => {
  const utterances = (n) => Array.from({ length: n }, () => userUtterance(10)).flat();
  const once = await runFrames([new ScriptedSTTService({ script: ["one", "two"] })], utterances(3), { endAfterMs: 1000 });
  assert.deepEqual(once.tail.downstream(TranscriptionFrame).map((f) => f.text), ["one", "two"], "nothing heard past the script");
  const repeating = await runFrames([new ScriptedSTTService({ script: ["one", "two"], repeat: true })], utterances(3), { endAfterMs: 1000 });
  assert.deepEqual(repeating.tail.downstream(TranscriptionFrame).map((f) => f.text), ["one", "two", "one"]);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new ScriptedSTTService({ script: ["x"], repeat: "yes" }), /"repeat" must be true or false/);
});

test("STT audio passthrough can be turned off", async () => {
  const stt = new ScriptedSTTService({ script: ["hi"], audioPassthrough: false });
  const { tail } = await runFrames([stt], userUtterance(10), { endAfterMs: 1000 });
  assert.equal(tail.downstream(InputAudioRawFrame).length, 0);
  assert.equal(tail.downstream(TranscriptionFrame)[0].text, "hi");
});

test("speech services validate their options", () => {
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new ScriptedSTTService({ script: "hello" }), /"script" must be an array of utterances/);
  assert.throws(() => new ScriptedSTTService({ script: [""] }), /"script\[0\]" must be a non-empty string or \{ text/);
  assert.throws(() => new ScriptedSTTService({ script: [{ text: "x", durationMs: -1 }] }), /"script\[0\].durationMs" must be a finite number of milliseconds >= 0/);
  assert.throws(() => new ScriptedSTTService({ script: ["x"], interimIntervalMs: 0 }), /"interimIntervalMs" must be a positive finite number, got 0/);
  assert.throws(() => new ToneTTSService({ sampleRate: 0 }), /"sampleRate" must be a positive finite number, got 0/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new ToneTTSService({ chunkMs: "big" }), /"chunkMs" must be a positive finite number, got "big"/);
});

// runStt / runTts may stream (async iterable), give their items at once (iterable) or after one wait
// (promise of an iterable): the frames pushed are the same.
const OUTPUT_FORMS = {
  "async generator": (items) =>
    (async function* () {
      yield* items;
    })(),
  "sync generator": (items) =>
    (function* () {
      yield* items;
    })(),
  array: (items) => items,
  "promise of an array": (items) => Promise.resolve(items),
};

for (const [form, produce] of Object.entries(OUTPUT_FORMS)) {
  test(`an STT service whose runStt returns ${form === "array" ? "an array" : `a ${form}`} pushes what it yields`, async () => {
    class EchoSTT extends STTService {
      heard = 0;
      runStt() {
        this.heard += 1;
        const text = `chunk ${this.heard}`;
        return produce(this.heard % 2 === 0 ? [new InterimTranscriptionFrame({ text, userId: "u" })] : []);
      }
    }
    const { tail } = await runFrames([new EchoSTT()], userUtterance(4), { endAfterMs: 100 });
    assert.deepEqual(tail.downstream(InterimTranscriptionFrame).map((f) => f.text), ["chunk 2", "chunk 4"]);
    assert.equal(tail.downstream(InputAudioRawFrame).length, 4);
  });

  test(`a TTS service whose runTts returns ${form === "array" ? "an array" : `a ${form}`} speaks each chunk as a frame`, async () => {
    class CountingTTS extends TTSService {
      runTts(text) {
        return produce(Array.from({ length: text.length }, (_, i) => new Uint8Array(2).fill(i)));
      }
    }
    const { tail } = await runFrames([new CountingTTS()], [new TextFrame("abc.")]);
    const audio = tail.downstream(TTSAudioRawFrame);
    assert.deepEqual(audio.map((f) => f.audio[0]), [0, 1, 2, 3]);
    assert.deepEqual(tail.downstream(TTSTextFrame).map((f) => f.text), ["abc."]);
  });
}

test("an STT service whose runStt throws reports an ErrorFrame naming it, and the audio goes on", async () => {
  class BrokenSTT extends STTService {
    runStt() {
      return {
        [Symbol.iterator]() {
          throw new Error("model unavailable");
        },
      };
    }
  }
  const stt = new BrokenSTT({ name: "BrokenSTT" });
  const { errors, tail } = await runFrames([stt], userUtterance(2), { endAfterMs: 100 });
  assert.deepEqual(errors.map((e) => e.error), ["BrokenSTT: model unavailable", "BrokenSTT: model unavailable"]);
  assert.equal(tail.downstream(UserStoppedSpeakingFrame).length, 1);
});

test("an interruption stops a TTS that had all its audio at once, and closes its iterator", async () => {
  const clock = new VirtualClock();
  let closed = false;
  class BurstTTS extends TTSService {
    async runTts() {
      await clock.sleep(100);
      return this.#burst();
    }

    *#burst() {
      try {
        for (let i = 0; i < 10; i++) {
          // The user barges in while the burst is being pushed.
          if (i === 3) void this.queueFrame(new InterruptionFrame());
          yield new Uint8Array(2);
        }
      } finally {
        closed = true;
      }
    }
  }
  const tts = new BurstTTS();
  const spoken = [];
  const observer = { onPushFrame: ({ source, frame }) => void (source === tts && spoken.push(frame)) };
  const task = new PipelineTask(new Pipeline([tts]), { clock, idleTimeoutSecs: null, observers: [observer] });
  const errors = [];
  task.on("onPipelineError", (_, frame) => errors.push(frame));
  const running = task.run();
  await task.queueFrames(llmResponse("Ten chunks."));
  await clock.sleep(500);
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.equal(closed, true);
  assert.equal(spoken.filter((f) => f instanceof TTSAudioRawFrame).length, 3, "nothing after the interruption");
  assert.deepEqual(spoken.filter((f) => f instanceof TTSTextFrame || f instanceof TTSStoppedFrame), []);
  assert.deepEqual(errors, [], "an interrupted synthesis ends quietly");
});

test("a runTts that returns neither a stream nor an iterable is reported as an ErrorFrame saying what it must return", async () => {
  class SilentTTS extends TTSService {
    runTts() {
      return undefined;
    }
  }
  const tts = new SilentTTS({ name: "SilentTTS" });
  const { errors } = await runFrames([tts], [new TextFrame("Hello.")]);
  assert.deepEqual(errors.map((e) => e.error), [
    "SilentTTS: runTts must return an async iterable, an iterable or a promise of an iterable, got undefined",
  ]);
});
