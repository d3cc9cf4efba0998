import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CancelFrame,
  EndFrame,
  EndTaskFrame,
  FrameDirection,
  FrameProcessor,
  Pipeline,
  PipelineRunner,
  PipelineTask,
  StartFrame,
  TextFrame,
  TranscriptionFrame,
  UserStartedSpeakingFrame,
  VirtualClock,
} from "pipecat-ts";
import { Recorder, hopRecorder, within } from "./helpers.mjs";

test("run() sends a StartFrame carrying the params, then the frames queued before run", async () => {
  const recorder = new Recorder("R");
  const task = new PipelineTask(new Pipeline([recorder]), {
    clock: new VirtualClock(),
    idleTimeoutSecs: null,
    params: { audioInSampleRate: 8000, audioOutSampleRate: 48000, enableMetrics: true, enableUsageMetrics: true, allowInterruptions: false, reportOnlyInitialTtfb: true },
    startMetadata: { connection: { query: { token: "t" } } },
  });
  const events = [];
  task.on("onPipelineStarted", (t, frame) => events.push(["started", t === task, frame.constructor.name]));
  task.on("onPipelineFinished", (t, frame) => events.push(["finished", t === task, frame.constructor.name]));
  await task.queueFrames([new TextFrame("queued early"), new EndFrame()]);
  await within(5000, task.run());
  const [start, text, end] = recorder.downstream();
  assert.ok(start instanceof StartFrame);
  assert.deepEqual(
    [start.audioInSampleRate, start.audioOutSampleRate, start.enableMetrics, start.enableUsageMetrics, start.allowInterruptions, start.reportOnlyInitialTtfb],
    [8000, 48000, true, true, false, true],
  );
  assert.equal(/** @type {TextFrame} */ (text).text, "queued early");
  assert.ok(end instanceof EndFrame);
  assert.equal(recorder.startParams.audioInSampleRate, 8000);
  assert.deepEqual(start.metadata, { connection: { query: { token: "t" } } }, "startMetadata rides on the StartFrame");
  assert.deepEqual(task.startMetadata, { connection: { query: { token: "t" } } });
  assert.deepEqual(events, [["started", true, "StartFrame"], ["finished", true, "EndFrame"]]);
  await assert.rejects(task.queueFrame(new TextFrame("late")), /cannot queue TextFrame#\d+, the task has finished/);
});

test("the task keeps its identity, conversation id and span attributes for tracers", () => {
  const task = new PipelineTask(new Pipeline([]), {
    conversationId: "call-42",
    additionalSpanAttributes: { "customer.tier": "gold" },
    enableTracing: true,
    enableTurnTracking: false,
  });
  assert.match(task.name, /^PipelineTask#\d+$/);
  assert.equal(typeof task.id, "number");
  assert.equal(task.conversationId, "call-42");
  assert.deepEqual(task.additionalSpanAttributes, { "customer.tier": "gold" });
  assert.equal(task.enableTracing, true);
  assert.equal(task.enableTurnTracking, false);
  assert.ok(task.pipeline instanceof Pipeline);
  assert.equal(new PipelineTask(new Pipeline([])).enableTracing, undefined, "stored as given");
});

test("frames queued upstream leave from the end of the pipeline", async () => {
  const recorder = new Recorder("R");
  const task = new PipelineTask(new Pipeline([recorder]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrame(new TextFrame("from the end"), FrameDirection.UPSTREAM);
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.deepEqual(recorder.upstream(TextFrame).map((f) => f.text), ["from the end"]);
});

test("an EndTaskFrame pushed upstream by a processor ends the task gracefully", async () => {
  class Quitter extends FrameProcessor {
    async processFrame(frame, direction) {
      await this.pushFrame(frame, direction);
      if (frame instanceof TextFrame) await this.pushFrame(new EndTaskFrame("done talking"), FrameDirection.UPSTREAM);
    }
  }
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([new Quitter(), tail]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  await task.queueFrame(new TextFrame("bye"));
  await within(5000, task.run());
  const end = tail.downstream(EndFrame)[0];
  assert.equal(end.reason, "done talking");
});

test("the idle timeout fires on the task's clock and cancels the task; activity postpones it", async () => {
  const clock = new VirtualClock();
  const task = new PipelineTask(new Pipeline([new Recorder("R")]), { clock, idleTimeoutSecs: 10 });
  const events = [];
  task.on("onIdleTimeout", () => events.push(["idle", clock.now()]));
  task.on("onPipelineFinished", (_, frame) => events.push([frame.constructor.name, frame.reason]));
  const running = task.run();
  await clock.sleep(6000);
  await task.queueFrame(new UserStartedSpeakingFrame());
  await within(5000, running);
  assert.deepEqual(events, [["idle", 16000], ["CancelFrame", "idle timeout"]]);
});

test("cancel() before run() makes run() return at once", async () => {
  const task = new PipelineTask(new Pipeline([]), { clock: new VirtualClock() });
  await task.cancel();
  await within(1000, task.run());
  assert.equal(task.hasFinished, true);
});

test("observers that throw never break the pipeline", async () => {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning.message);
  process.on("warning", onWarning);
  try {
    const hops = hopRecorder();
    const task = new PipelineTask(new Pipeline([new Recorder("R")]), {
      clock: new VirtualClock(),
      idleTimeoutSecs: null,
      observers: [{ onPushFrame: () => { throw new Error("observer bug"); } }, hops.observer],
    });
    await task.queueFrames([new TextFrame("x"), new EndFrame()]);
    await within(5000, task.run());
    assert.ok(hops.firstSeen().some((f) => f instanceof TextFrame), "the other observer still sees frames");
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(warnings.some((m) => m.includes("an observer threw: observer bug")));
  } finally {
    process.off("warning", onWarning);
  }
});

test("an observer with frameTypes sees only hops of those classes (and their subclasses); one without sees every hop", async () => {
  const wanted = [];
  const every = [];
  const task = new PipelineTask(new Pipeline([new Recorder("R")]), {
    clock: new VirtualClock(),
    idleTimeoutSecs: null,
    observers: [
      { frameTypes: [TextFrame], onPushFrame: ({ frame, destination }) => void wanted.push([frame.constructor.name, destination.name]) },
      { onPushFrame: ({ frame }) => void every.push(frame.constructor.name) },
    ],
  });
  await task.queueFrames([new TextFrame("x"), new TranscriptionFrame({ text: "y", userId: "u" }), new EndFrame()]);
  await within(5000, task.run());
  assert.ok(wanted.length > 0);
  assert.deepEqual([...new Set(wanted.map(([name]) => name))].sort(), ["TextFrame", "TranscriptionFrame"]);
  assert.ok(every.includes("StartFrame") && every.includes("EndFrame"), "the other observer still sees every hop");
  assert.equal(wanted.length, every.filter((name) => name === "TextFrame" || name === "TranscriptionFrame").length);
});

test("PipelineTask rejects bad options with the option's name and what it accepts", () => {
  const pipeline = () => new Pipeline([]);
  // @ts-expect-error a string, not a pipeline, on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask("pipeline"), /"pipeline" must be a Pipeline \(or another FrameProcessor\)/);
  assert.throws(() => new PipelineTask(pipeline(), { idleTimeoutSecs: 0 }), /"idleTimeoutSecs" must be a positive finite number, got 0/);
  assert.throws(() => new PipelineTask(pipeline(), { params: { audioInSampleRate: -16000 } }), /"params.audioInSampleRate" must be a positive finite number/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { params: { enableMetrics: "yes" } }), /"params.enableMetrics" must be true or false, got "yes"/);
  // @ts-expect-error an observer without onPushFrame, on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { observers: [{}] }), /"observers" must be objects with an onPushFrame\(data\) method/);
  assert.throws(
    // @ts-expect-error a class name where a class is expected, on purpose: the run-time check must reject it
    () => new PipelineTask(pipeline(), { observers: [{ onPushFrame() {}, frameTypes: ["TextFrame"] }] }),
    /"observers" must be observers whose frameTypes is an array of frame classes/,
  );
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { clock: { now: 1 } }), /"clock" must be a Clock/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { conversationId: 7 }), /"conversationId" must be a non-empty string, got 7/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { enableTracing: "on" }), /"enableTracing" must be true or false, got "on"/);
  // @ts-expect-error a class name where a class is expected, on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { idleTimeoutFrames: ["BotSpeakingFrame"] }), /"idleTimeoutFrames" must be an array of frame classes/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineTask(pipeline(), { startMetadata: [1] }), /"startMetadata" must be an object, got an array/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new PipelineRunner({ handleSigint: "yes" }), /"handleSigint" must be true or false/);
});

test("PipelineRunner runs a task and, when asked, cancels it on SIGINT and removes its handler", async () => {
  const before = process.listenerCount("SIGINT");
  const runner = new PipelineRunner({ handleSigint: true });
  const task = new PipelineTask(new Pipeline([new Recorder("R")]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  /** @type {import("pipecat-ts").Frame | undefined} */
  let finishedWith;
  task.on("onPipelineFinished", (_, frame) => {
    finishedWith = frame;
  });
  const running = runner.run(task);
  assert.equal(process.listenerCount("SIGINT"), before + 1);
  await new Promise((resolve) => setImmediate(resolve));
  process.emit("SIGINT", "SIGINT");
  await within(5000, running);
  assert.ok(finishedWith instanceof CancelFrame);
  assert.equal(finishedWith.reason, "SIGINT");
  assert.equal(process.listenerCount("SIGINT"), before);
  // @ts-expect-error a plain object, not a task, on purpose: the run-time check must reject it
  await assert.rejects(runner.run({}), /"task" must be a PipelineTask/);
});

test("PipelineRunner without SIGINT handling leaves the process's handlers alone", async () => {
  const before = process.listenerCount("SIGINT");
  const runner = new PipelineRunner();
  const task = new PipelineTask(new Pipeline([]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  await task.queueFrame(new EndFrame());
  const running = runner.run(task);
  assert.equal(process.listenerCount("SIGINT"), before);
  await within(5000, running);
});
