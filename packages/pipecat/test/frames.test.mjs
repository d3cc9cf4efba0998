import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BotStartedSpeakingFrame,
  CancelFrame,
  ControlFrame,
  DataFrame,
  EndFrame,
  ErrorFrame,
  Frame,
  FrameDirection,
  FrameProcessor,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
  InputAudioRawFrame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  MetricsFrame,
  OutputAudioRawFrame,
  StartFrame,
  SystemFrame,
  TextFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  TTSStartedFrame,
} from "pipecat-ts";

test("frames get increasing process-unique ids and per-class names", () => {
  const a = new TextFrame("a");
  const b = new TextFrame("b");
  const c = new EndFrame();
  assert.ok(b.id > a.id && c.id > b.id);
  const [, na] = a.name.split("#");
  assert.match(a.name, /^TextFrame#\d+$/);
  assert.equal(b.name, `TextFrame#${Number(na) + 1}`);
  assert.match(c.name, /^EndFrame#\d+$/);
  assert.deepEqual(a.metadata, {});
  assert.equal(String(a), a.name);
});

test("frame kinds follow Pipecat", () => {
  const kinds = [
    [new StartFrame(), SystemFrame],
    [new CancelFrame(), SystemFrame],
    [new ErrorFrame("x"), SystemFrame],
    [new InterruptionFrame(), SystemFrame],
    [new BotStartedSpeakingFrame(), SystemFrame],
    [new InputAudioRawFrame({ audio: new Uint8Array(2), sampleRate: 16000 }), SystemFrame],
    [new FunctionCallsStartedFrame([]), SystemFrame],
    [new MetricsFrame([]), SystemFrame],
    [new EndFrame(), ControlFrame],
    [new LLMFullResponseStartFrame(), ControlFrame],
    [new LLMFullResponseEndFrame(), ControlFrame],
    [new TTSStartedFrame("c"), ControlFrame],
    [new FunctionCallInProgressFrame({ functionName: "f", toolCallId: "1", arguments: {} }), ControlFrame],
    [new OutputAudioRawFrame({ audio: new Uint8Array(2), sampleRate: 24000 }), DataFrame],
    [new TTSAudioRawFrame({ audio: new Uint8Array(2), sampleRate: 24000, contextId: "c" }), OutputAudioRawFrame],
    [new LLMTextFrame("t"), TextFrame],
    [new TranscriptionFrame({ text: "t", userId: "u" }), TextFrame],
    [new FunctionCallResultFrame({ functionName: "f", toolCallId: "1", arguments: {}, result: 1 }), DataFrame],
  ];
  for (const [frame, Kind] of kinds) {
    assert.ok(frame instanceof /** @type {Function} */ (Kind), `${frame.name} should be a ${Kind.name}`);
    assert.ok(frame instanceof Frame);
  }
});

test("frame fields and defaults match the contract", () => {
  const start = new StartFrame({ enableMetrics: true });
  assert.deepEqual(
    [start.audioInSampleRate, start.audioOutSampleRate, start.allowInterruptions, start.enableMetrics, start.enableUsageMetrics, start.reportOnlyInitialTtfb],
    [16000, 24000, true, true, false, false],
  );
  const transcript = new TranscriptionFrame({ text: "hi", userId: "u1", language: "en" });
  assert.equal(transcript.finalized, true);
  assert.match(transcript.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const audio = new InputAudioRawFrame({ audio: new Uint8Array(640), sampleRate: 16000 });
  assert.equal(audio.numChannels, 1);
  const error = new ErrorFrame("bad", { fatal: true });
  assert.equal(error.fatal, true);
  assert.equal(new LLMTextFrame(" x").includesInterFrameSpaces, true);
  assert.equal(new TextFrame("x").includesInterFrameSpaces, false);
});

test("function-call frames survive interruptions, other frames do not", () => {
  assert.equal(new FunctionCallInProgressFrame({ functionName: "f", toolCallId: "1", arguments: {} }).uninterruptible, true);
  assert.equal(new FunctionCallResultFrame({ functionName: "f", toolCallId: "1", arguments: {}, result: null }).uninterruptible, true);
  assert.equal(new TextFrame("x").uninterruptible, false);
});

test("FrameDirection is numeric as in Python", () => {
  assert.equal(FrameDirection.DOWNSTREAM, 1);
  assert.equal(FrameDirection.UPSTREAM, 2);
});

test("broadcastFrame pushes one copy each way, naming each other", async () => {
  const before = new FrameProcessor();
  const middle = new FrameProcessor();
  const after = new FrameProcessor();
  before.link(middle).link(after);
  const received = [];
  before.queueFrame = async (frame, direction) => void received.push({ frame, direction });
  after.queueFrame = async (frame, direction) => void received.push({ frame, direction });
  await middle.broadcastFrame(BotStartedSpeakingFrame);
  assert.equal(received.length, 2);
  const down = received.find((r) => r.direction === FrameDirection.DOWNSTREAM).frame;
  const up = received.find((r) => r.direction === FrameDirection.UPSTREAM).frame;
  assert.ok(down instanceof BotStartedSpeakingFrame && up instanceof BotStartedSpeakingFrame);
  assert.notEqual(down.id, up.id);
  assert.equal(down.broadcastSiblingId, up.id);
  assert.equal(up.broadcastSiblingId, down.id);
});
