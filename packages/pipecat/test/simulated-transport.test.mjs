import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  EndFrame,
  ErrorFrame,
  InputAudioRawFrame,
  InterruptionFrame,
  LLMContext,
  LLMContextAggregatorPair,
  Pipeline,
  PipelineTask,
  ScaledClock,
  ScriptedLLMService,
  ScriptedSTTService,
  SimulatedTransport,
  ToneTTSService,
  TTSAudioRawFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
  VirtualClock,
} from "pipecat-ts";
import { Recorder, hopRecorder, within } from "./helpers.mjs";

test("the simulated user speaks: VAD + user frames around 20 ms audio chunks, durations in real seconds", async () => {
  const clock = new ScaledClock({ speed: 50 });
  const transport = new SimulatedTransport({
    script: [{ text: "Hello there", durationMs: 500 }],
    vad: { startSecs: 0.2, stopSecs: 0.8 },
    botSpeaksFirst: false,
    replyTimeoutMs: 1000,
  });
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([transport.input(), tail]), { clock, idleTimeoutSecs: null, params: { audioInSampleRate: 8000 } });
  const errors = [];
  task.on("onPipelineError", (_, frame) => errors.push(frame.error));
  let scriptFinished = false;
  transport.input().on("onScriptFinished", () => {
    scriptFinished = true;
  });
  await within(10000, task.run());

  const names = tail.downstream().map((f) => f.constructor.name).filter((n, i, all) => n !== "InputAudioRawFrame" || all[i - 1] !== n);
  assert.deepEqual(names, [
    "StartFrame",
    "VADUserStartedSpeakingFrame",
    "UserStartedSpeakingFrame",
    "InputAudioRawFrame",
    "VADUserStoppedSpeakingFrame",
    "UserStoppedSpeakingFrame",
    "EndFrame",
  ]);
  const audio = tail.downstream(InputAudioRawFrame);
  assert.equal(audio.length, 25, "500 ms of speech in 20 ms chunks");
  assert.ok(audio.every((f) => f.sampleRate === 8000 && f.numChannels === 1 && f.audio.byteLength === 160 * 2));
  assert.equal(tail.downstream(VADUserStartedSpeakingFrame)[0].startSecs, 0.2 / 50);
  assert.equal(tail.downstream(VADUserStoppedSpeakingFrame)[0].stopSecs, 0.8 / 50);
  assert.equal(scriptFinished, true);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /SimulatedTransport#\d+::Input: the bot did not reply to the last utterance within 1000 ms/);
  assert.match(tail.downstream(EndFrame)[0].reason, /simulated user finished/);
});

test("the output plays audio on the clock, announces the bot speaking both ways, and stops after silence", async () => {
  const clock = new VirtualClock();
  const transport = new SimulatedTransport({ script: [], botStopSilenceMs: 350 });
  const head = new Recorder("Head");
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([head, transport.output(), tail]), { clock, idleTimeoutSecs: null });
  // when each frame left the output, on the clock
  const leftAt = new Map();
  task.addObserver({
    onPushFrame: ({ source, frame }) => {
      if (source === transport.output() && !leftAt.has(frame.id)) leftAt.set(frame.id, clock.now());
    },
  });
  const running = task.run();
  const chunk = () => new TTSAudioRawFrame({ audio: new Uint8Array(2400 * 2), sampleRate: 24000, contextId: "c" });
  const chunks = [chunk(), chunk(), chunk()];
  await task.queueFrames(chunks);
  await clock.sleep(2000);
  await task.queueFrame(new EndFrame());
  await within(5000, running);

  const [startedDown] = tail.downstream(BotStartedSpeakingFrame);
  const [startedUp] = head.upstream(BotStartedSpeakingFrame);
  const [stoppedDown] = tail.downstream(BotStoppedSpeakingFrame);
  const [stoppedUp] = head.upstream(BotStoppedSpeakingFrame);
  assert.ok(startedDown && startedUp && stoppedDown && stoppedUp);
  assert.equal(startedDown.broadcastSiblingId, startedUp.id);
  assert.deepEqual(chunks.map((c) => leftAt.get(c.id)), [100, 200, 300], "each 100 ms chunk leaves once played");
  assert.equal(leftAt.get(startedDown.id), 0);
  assert.equal(leftAt.get(stoppedDown.id), 300 + 350, "stops 350 ms after 300 ms of audio");
  assert.equal(tail.downstream(TTSAudioRawFrame).length, 3);
});

test("an interruption drops the queued bot audio and stops the bot speaking at once", async () => {
  const clock = new VirtualClock();
  const transport = new SimulatedTransport({ script: [] });
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([transport.output(), tail]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrames(Array.from({ length: 10 }, () => new TTSAudioRawFrame({ audio: new Uint8Array(1600 * 2), sampleRate: 16000, contextId: "c" })));
  await clock.sleep(250);
  assert.equal(transport.output().botSpeaking, true);
  await task.queueFrame(new InterruptionFrame());
  assert.equal(transport.output().botSpeaking, false);
  await clock.sleep(2000);
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  const names = tail.downstream().map((f) => f.constructor.name);
  assert.ok(tail.downstream(TTSAudioRawFrame).length <= 3, `only what was played before the interruption, got ${names}`);
  assert.equal(tail.downstream(BotStoppedSpeakingFrame).length, 1);
  assert.ok(names.indexOf("BotStoppedSpeakingFrame") < names.indexOf("InterruptionFrame"));
});

function conversation({ allowInterruptions }) {
  const clock = new VirtualClock();
  const script = ["Tell me a long story.", { text: "Stop, please.", interruptAfterMs: 1000 }];
  const context = new LLMContext();
  const transport = new SimulatedTransport({ script, botSpeaksFirst: false });
  const llm = new ScriptedLLMService({ replies: ["Once upon a time there was a very long story that went on and on and on for many minutes.", "Okay."] });
  const pair = new LLMContextAggregatorPair(context);
  const pipeline = new Pipeline([transport.input(), new ScriptedSTTService({ script }), pair.user(), llm, new ToneTTSService(), transport.output(), pair.assistant()]);
  const hops = hopRecorder();
  const task = new PipelineTask(pipeline, { clock, params: { allowInterruptions }, observers: [hops.observer] });
  return { task, hops, clock };
}

test("a user who starts speaking while the bot speaks interrupts it when interruptions are allowed", async () => {
  const { task, hops } = conversation({ allowInterruptions: true });
  await within(10000, task.run());
  const frames = hops.firstSeen();
  const userStarts = frames.filter((f) => f instanceof UserStartedSpeakingFrame);
  assert.equal(userStarts.length, 2);
  const index = (frame) => frames.indexOf(frame);
  const interruption = frames.find((f) => f instanceof InterruptionFrame);
  assert.ok(interruption, "an InterruptionFrame was pushed");
  assert.equal(index(interruption), index(userStarts[1]) + 1, "right after the second UserStartedSpeakingFrame");
  const botStop = frames.find((f, i) => f instanceof BotStoppedSpeakingFrame && i > index(interruption));
  assert.ok(botStop, "the bot stops speaking");
  assert.equal(frames.filter((f) => f instanceof ErrorFrame).length, 0);
});

test("without allowInterruptions the user talks over the bot and nothing is interrupted", async () => {
  const { task, hops } = conversation({ allowInterruptions: false });
  await within(10000, task.run());
  assert.equal(hops.firstSeen().filter((f) => f instanceof InterruptionFrame).length, 0);
  assert.equal(hops.firstSeen().filter((f) => f instanceof UserStoppedSpeakingFrame).length, 2);
});

test("SimulatedTransport validates its options", () => {
  // @ts-expect-error the options are missing on purpose: the run-time check must reject it
  assert.throws(() => new SimulatedTransport(), /SimulatedTransport#\d+: "options" must be an object with a "script"/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new SimulatedTransport({ script: "hi" }), /"script" must be an array of utterances/);
  assert.throws(() => new SimulatedTransport({ script: [], vad: { stopSecs: -1 } }), /"vad.stopSecs" must be a finite number >= 0, got -1/);
  assert.throws(() => new SimulatedTransport({ script: [], replyTimeoutMs: 0 }), /"replyTimeoutMs" must be a positive finite number, got 0/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new SimulatedTransport({ script: [], endWhenDone: 1 }), /"endWhenDone" must be true or false, got 1/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new SimulatedTransport({ script: [], clock: {} }), /"clock" must be a Clock/);
});
