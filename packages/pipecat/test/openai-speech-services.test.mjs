// OpenAISTTService and OpenAITTSService against a loopback server speaking OpenAI's audio API: what they
// send (multipart WAV upload; JSON speech request for PCM) and what they push (transcripts, streamed audio).
// (The first request of a process loads the SDK's upload code: the STT tests give it 2.5 s.)
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  InputAudioRawFrame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  MetricsFrame,
  OpenAISTTService,
  OpenAITTSService,
  ScaledClock,
  STTUsageMetricsData,
  TranscriptionFrame,
  TTFBMetricsData,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from "pipecat-ts";
import { runFrames } from "./helpers.mjs";
import { silence, tone } from "./websocket-helpers.mjs";
import { speech, startFakeOpenAI, transcription } from "../../../test/support/openai-server.mjs";

const METRICS = { enableMetrics: true, enableUsageMetrics: true };

function audioFrames(pcm) {
  const frames = [];
  for (let offset = 0; offset < pcm.length; offset += 640) frames.push(new InputAudioRawFrame({ audio: pcm.subarray(offset, offset + 640), sampleRate: 16000 }));
  return frames;
}

test("OpenAISTTService uploads each utterance as a WAV (with a pre-roll) and pushes the transcript", async () => {
  const server = await startFakeOpenAI([transcription(" What's the weather? ")]);
  try {
    const stt = new OpenAISTTService({ apiKey: "test-key", baseURL: server.baseURL, model: "stt-test", language: "en-US", maxRetries: 0, prerollSecs: 0.2 });
    const before = silence(1000); // only the last 0.2 s of it is kept
    const spoken = tone(600);
    const { tail, errors } = await runFrames(
      [stt],
      [...audioFrames(before), new UserStartedSpeakingFrame(), ...audioFrames(spoken), new UserStoppedSpeakingFrame()],
      { clock: new ScaledClock(), params: METRICS, endAfterMs: 2500 },
    );
    assert.deepEqual(errors, []);
    const [final] = tail.downstream(TranscriptionFrame);
    assert.equal(final.text, "What's the weather?");
    assert.equal(final.language, "en-US");
    assert.equal(tail.downstream(InputAudioRawFrame).length, audioFrames(before).length + audioFrames(spoken).length, "audio passes through");
    const metrics = tail.downstream(MetricsFrame).flatMap((f) => f.data);
    assert.ok(metrics.some((m) => m instanceof TTFBMetricsData && m.model === "stt-test"));
    const usage = metrics.find((m) => m instanceof STTUsageMetricsData);
    assert.ok(Math.abs(usage.value.audioSeconds - 0.8) < 0.03, `pre-roll + speech seconds: ${usage.value.audioSeconds}`);

    const [request] = server.requests;
    assert.equal(request.url, "/v1/audio/transcriptions");
    assert.equal(request.headers.authorization, "Bearer test-key");
    const form = await request.form();
    assert.equal(form.get("model"), "stt-test");
    assert.equal(form.get("language"), "en");
    const wav = Buffer.from(await form.get("file").arrayBuffer());
    assert.equal(wav.toString("ascii", 0, 4), "RIFF");
    assert.equal(wav.readUInt32LE(24), 16000, "sample rate in the WAV header");
    assert.equal(wav.readUInt16LE(34), 16, "16-bit");
    assert.equal(wav.length - 44, Math.round(0.2 * 16000) * 2 + spoken.length, "pre-roll + utterance");
    assert.deepEqual(wav.subarray(wav.length - spoken.length), spoken, "the utterance, intact");
  } finally {
    await server.close();
  }
});

test("OpenAISTTService reports a failed request as an error naming the HTTP status", async () => {
  const server = await startFakeOpenAI([]);
  try {
    const stt = new OpenAISTTService({ apiKey: "test-key", baseURL: server.baseURL, maxRetries: 0 });
    const { errors, tail } = await runFrames([stt], [new UserStartedSpeakingFrame(), ...audioFrames(tone(200)), new UserStoppedSpeakingFrame()], {
      clock: new ScaledClock(),
      endAfterMs: 2500,
    });
    assert.equal(tail.downstream(TranscriptionFrame).length, 0);
    assert.match(errors.map((e) => e.error).join("\n"), /transcription request failed with HTTP 500/);
  } finally {
    await server.close();
  }
});

test("OpenAITTSService streams 24 kHz PCM for each sentence, whole samples only", async () => {
  const pcm = tone(300, 0.3, 24000, 440);
  const server = await startFakeOpenAI([speech(pcm, { chunkBytes: 1001, delayMs: 5 })]);
  try {
    const tts = new OpenAITTSService({ apiKey: "test-key", baseURL: server.baseURL, voiceId: "nova", instructions: "Cheerful.", maxRetries: 0 });
    const { tail, errors } = await runFrames(
      [tts],
      [new LLMFullResponseStartFrame(), new LLMTextFrame("Hello"), new LLMTextFrame(" there."), new LLMFullResponseEndFrame()],
      { clock: new ScaledClock(), params: METRICS },
    );
    assert.deepEqual(errors, []);
    const audio = tail.downstream(TTSAudioRawFrame);
    assert.ok(audio.length > 1, "streamed in several frames");
    assert.ok(audio.every((f) => f.sampleRate === 24000 && f.audio.byteLength % 2 === 0));
    assert.deepEqual(Buffer.concat(audio.map((f) => f.audio)), pcm, "the server's audio, intact");
    assert.equal(tail.downstream(TTSStartedFrame).length, 1);
    assert.equal(tail.downstream(TTSStoppedFrame).length, 1);
    assert.deepEqual(tail.downstream(TTSTextFrame).map((f) => f.text), ["Hello there."]);
    const [request] = server.requests;
    assert.equal(request.url, "/v1/audio/speech");
    assert.deepEqual(request.body, { model: "gpt-4o-mini-tts", voice: "nova", input: "Hello there.", response_format: "pcm", instructions: "Cheerful." });
  } finally {
    await server.close();
  }
});

test("an interruption cuts OpenAITTSService's stream short", async () => {
  const pcm = tone(3000, 0.3, 24000, 440);
  const server = await startFakeOpenAI([speech(pcm, { chunkBytes: 4800, delayMs: 50 })]);
  try {
    const tts = new OpenAITTSService({ apiKey: "test-key", baseURL: server.baseURL, maxRetries: 0 });
    const clock = new ScaledClock();
    const run = runFrames([tts], [new LLMFullResponseStartFrame(), new LLMTextFrame("A long sentence."), new LLMFullResponseEndFrame()], {
      clock,
      endAfterMs: 1500,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Interrupt through the service itself, as an InterruptionFrame from upstream would.
    await tts.queueFrame(new InterruptionFrame());
    const { tail, errors } = await run;
    assert.deepEqual(errors, [], "an interrupted request ends quietly");
    const received = tail.downstream(TTSAudioRawFrame).reduce((sum, f) => sum + f.audio.byteLength, 0);
    assert.ok(received > 0 && received < pcm.length / 2, `cut short: ${received} of ${pcm.length} bytes`);
  } finally {
    await server.close();
  }
});
