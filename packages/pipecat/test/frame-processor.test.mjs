import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CancelFrame,
  EndFrame,
  ErrorFrame,
  FrameDirection,
  FrameProcessor,
  FunctionCallResultFrame,
  InterruptionFrame,
  Pipeline,
  PipelineTask,
  ScaledClock,
  StartFrame,
  TextFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VirtualClock,
} from "pipecat-ts";
import { Recorder, runFrames, within } from "./helpers.mjs";

/** Takes `workMs` of clock time per text frame (interruptible), logging what it does. */
class SlowWorker extends FrameProcessor {
  constructor(workMs, log = []) {
    super();
    this.workMs = workMs;
    this.log = log;
  }

  async processFrame(frame, direction) {
    if (frame instanceof TextFrame) {
      this.log.push(`start ${frame.text}`);
      await this.clock.sleep(this.workMs, this.interruptionSignal);
      this.log.push(`done ${frame.text}`);
    } else if (!(frame instanceof StartFrame)) {
      this.log.push(frame.constructor.name);
    }
    await this.pushFrame(frame, direction);
  }
}

class Passthrough extends FrameProcessor {
  async processFrame(frame, direction) {
    await this.pushFrame(frame, direction);
  }
}

test("every hop is observed once, in pipeline order, with source, destination, direction and timestamp", async () => {
  const a = new Passthrough({ name: "A" });
  const b = new Passthrough({ name: "B" });
  const text = new TextFrame("hello");
  const { hops, task } = await runFrames([a, b], [text]);
  const textHops = hops.hops.filter((h) => h.frame === text);
  assert.deepEqual(
    textHops.map((h) => `${h.source.name}->${h.destination.name}`),
    [
      `${task.name}::Source->Pipeline#${textHops[0].destination.name.split("#")[1]}`,
      `${textHops[1].source.name}->Head`,
      "Head->A",
      "A->B",
      "B->Tail",
      `Tail->${textHops[5].destination.name}`,
      `${textHops[6].source.name}->${task.name}::Sink`,
    ],
  );
  assert.ok(textHops.every((h) => h.direction === FrameDirection.DOWNSTREAM));
  const timestamps = hops.hops.map((h) => h.timestamp);
  assert.ok(timestamps.every((t, i) => Number.isInteger(t) && t >= 0 && (i === 0 || t >= timestamps[i - 1])));
  const kinds = hops.firstSeen().map((f) => f.constructor.name);
  assert.deepEqual(kinds, ["StartFrame", "TextFrame", "EndFrame"]);
});

test("system frames jump the input queue and keep their own order", async () => {
  const log = [];
  const worker = new SlowWorker(100, log);
  const frames = [new TextFrame("1"), new TextFrame("2"), new TextFrame("3")];
  const clock = new VirtualClock();
  const task = new PipelineTask(new Pipeline([worker]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrames(frames);
  await task.queueFrames([new VADUserStartedSpeakingFrame(), new UserStartedSpeakingFrame(), new UserStoppedSpeakingFrame()]);
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.deepEqual(log, [
    "start 1",
    "VADUserStartedSpeakingFrame",
    "UserStartedSpeakingFrame",
    "UserStoppedSpeakingFrame",
    "done 1",
    "start 2",
    "done 2",
    "start 3",
    "done 3",
    "EndFrame",
  ]);
});

test("an InterruptionFrame aborts the work in progress and drops queued frames except uninterruptible ones", async () => {
  const log = [];
  const worker = new SlowWorker(1000, log);
  const tail = new Recorder("Tail");
  const clock = new VirtualClock();
  const task = new PipelineTask(new Pipeline([worker, tail]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  const result = new FunctionCallResultFrame({ functionName: "f", toolCallId: "c1", arguments: {}, result: 42 });
  await task.queueFrames([new TextFrame("1"), new TextFrame("2"), result, new TextFrame("3")]);
  await clock.sleep(500);
  await task.queueFrame(new InterruptionFrame());
  await task.queueFrame(new TextFrame("after"));
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.deepEqual(log, ["start 1", "InterruptionFrame", "FunctionCallResultFrame", "start after", "done after", "EndFrame"]);
  const texts = tail.downstream(TextFrame).map((f) => f.text);
  assert.deepEqual(texts, ["after"]);
  assert.deepEqual(tail.downstream(FunctionCallResultFrame), [result]);
});

test("an EndFrame is processed after everything queued before it, then the task ends", async () => {
  const log = [];
  const finished = [];
  const worker = new SlowWorker(200, log);
  const frames = [1, 2, 3, 4].map((n) => new TextFrame(String(n)));
  const { tail, task } = await runFrames([worker], frames, {});
  assert.deepEqual(tail.downstream(TextFrame).map((f) => f.text), ["1", "2", "3", "4"]);
  const downstream = tail.downstream();
  assert.ok(downstream.at(-1) instanceof EndFrame, "EndFrame comes last");
  assert.equal(task.hasFinished, true);
  task.on("onPipelineFinished", () => finished.push(true));
  await assert.rejects(task.run(), /run\(\) was already called/);
});

test("a CancelFrame stops the pipeline promptly, dropping queued work", async () => {
  const log = [];
  const worker = new SlowWorker(10_000, log);
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([worker, tail]), { clock: new ScaledClock(), idleTimeoutSecs: null });
  /** @type {import("pipecat-ts").Frame | undefined} */
  let finishedWith;
  task.on("onPipelineFinished", (_, frame) => {
    finishedWith = frame;
  });
  const running = task.run();
  await task.queueFrames([new TextFrame("1"), new TextFrame("2"), new TextFrame("3")]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  await within(3000, task.cancel("user hung up"), "cancel");
  await within(3000, running, "run after cancel");
  assert.ok(performance.now() - started < 2000, "cancel must not wait for the 10 s of queued work");
  assert.ok(finishedWith instanceof CancelFrame);
  assert.equal(finishedWith.reason, "user hung up");
  assert.deepEqual(tail.downstream(TextFrame), []);
  assert.deepEqual(log, ["start 1", "CancelFrame"]);
});

test("an exception in processFrame becomes a non-fatal ErrorFrame upstream naming the processor", async () => {
  class Broken extends FrameProcessor {
    async processFrame(frame, direction) {
      if (frame instanceof TextFrame && frame.text === "bad") throw new Error("cannot digest this frame");
      await this.pushFrame(frame, direction);
    }
  }
  const broken = new Broken({ name: "Broken" });
  const { head, tail, errors } = await runFrames([broken], [new TextFrame("bad"), new TextFrame("good")]);
  assert.equal(errors.length, 1);
  const [error] = errors;
  assert.ok(error instanceof ErrorFrame);
  assert.equal(error.error, "Broken: cannot digest this frame");
  assert.equal(error.fatal, false);
  assert.equal(error.processor, broken);
  assert.deepEqual(head.upstream(ErrorFrame), [error], "the error travels upstream");
  assert.deepEqual(tail.downstream(TextFrame).map((f) => f.text), ["good"], "the pipeline keeps going");
});

test("a fatal error ends the task and run() rejects saying which processor failed and why", async () => {
  class Doomed extends FrameProcessor {
    async processFrame(frame, direction) {
      if (frame instanceof TextFrame) {
        await this.pushError(new Error("the disk is on fire"), { fatal: true });
        return;
      }
      await this.pushFrame(frame, direction);
    }
  }
  const doomed = new Doomed({ name: "Doomed" });
  const task = new PipelineTask(new Pipeline([doomed]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  const events = [];
  task.on("onPipelineError", (_, frame) => events.push(`error:${frame.fatal}`));
  task.on("onPipelineFinished", (_, frame) => events.push(`finished:${frame.constructor.name}`));
  await task.queueFrame(new TextFrame("x"));
  await assert.rejects(within(5000, task.run()), (error) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /PipelineTask#\d+ ended by a fatal error: Doomed: the disk is on fire/);
    return true;
  });
  assert.deepEqual(events, ["error:true", "finished:CancelFrame"]);
});

test("pushFrame rejects an unknown direction and on() an unknown event", async () => {
  const processor = new Passthrough();
  // @ts-expect-error "sideways" is not a direction: the run-time check must reject it
  await assert.rejects(processor.pushFrame(new TextFrame("x"), "sideways"), /"direction" must be FrameDirection.DOWNSTREAM \(1\) or UPSTREAM \(2\), got sideways/);
  assert.throws(() => processor.on("onWhatever", () => {}), /unknown event "onWhatever"; accepted events: none/);
  assert.throws(() => new FrameProcessor({ name: "" }), /"name" must be a non-empty string/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new FrameProcessor({ clock: {} }), /"clock" must be a Clock/);
});

test("a pipeline is a processor linking its processors between its own source and sink", () => {
  const a = new Passthrough();
  const b = new Passthrough();
  const pipeline = new Pipeline([a, b]);
  assert.ok(pipeline instanceof FrameProcessor);
  assert.deepEqual(pipeline.processors, [a, b]);
  assert.equal(a.next, b);
  assert.equal(b.prev, a);
  assert.match(a.prev.name, /^Pipeline#\d+::Source$/);
  assert.match(b.next.name, /^Pipeline#\d+::Sink$/);
  // @ts-expect-error a string among the processors, on purpose: the run-time check must reject it
  assert.throws(() => new Pipeline([a, "b"]), /"processors" must be an array of FrameProcessor instances/);
  assert.throws(() => new Pipeline([a, a]), /lists the same processor twice/);
});

test("nested pipelines pass frames through", async () => {
  const inner = new Pipeline([new Passthrough()]);
  const { tail } = await runFrames([inner, new Passthrough()], [new TextFrame("deep")]);
  assert.deepEqual(tail.downstream(TextFrame).map((f) => f.text), ["deep"]);
});

test("a system frame pushed back to a processor while it handles one waits until that one is done", async () => {
  const log = [];
  // Not async: the whole exchange below happens synchronously inside A's pushFrame call.
  class A extends FrameProcessor {
    processFrame(frame, direction) {
      if (!(frame instanceof UserStartedSpeakingFrame || frame instanceof UserStoppedSpeakingFrame)) return this.pushFrame(frame, direction);
      log.push(`A got ${frame.constructor.name}`);
      if (direction === FrameDirection.UPSTREAM) return undefined;
      const pushed = this.pushFrame(frame, direction);
      log.push(`A done with ${frame.constructor.name}`);
      return pushed;
    }
  }
  class Bouncer extends FrameProcessor {
    async processFrame(frame, direction) {
      if (frame instanceof UserStartedSpeakingFrame) await this.pushFrame(new UserStoppedSpeakingFrame(), FrameDirection.UPSTREAM);
      await this.pushFrame(frame, direction);
    }
  }
  await runFrames([new A(), new Bouncer()], [new UserStartedSpeakingFrame()]);
  assert.deepEqual(log, ["A got UserStartedSpeakingFrame", "A done with UserStartedSpeakingFrame", "A got UserStoppedSpeakingFrame"]);
});

test("system frames reaching a processor still busy with an earlier one are processed after it, in arrival order", async () => {
  const log = [];
  const clock = new VirtualClock();
  class Slow extends FrameProcessor {
    async processFrame(frame, direction) {
      if (frame instanceof VADUserStartedSpeakingFrame) {
        log.push("vad start");
        await clock.sleep(100);
        log.push("vad end");
      } else if (frame instanceof UserStartedSpeakingFrame || frame instanceof UserStoppedSpeakingFrame) {
        log.push(frame.constructor.name);
      }
      await this.pushFrame(frame, direction);
    }
  }
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([new Slow(), tail]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrames([new VADUserStartedSpeakingFrame(), new UserStartedSpeakingFrame(), new UserStoppedSpeakingFrame()]);
  await clock.sleep(200);
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.deepEqual(log, ["vad start", "vad end", "UserStartedSpeakingFrame", "UserStoppedSpeakingFrame"]);
  assert.deepEqual(
    tail.downstream().map((f) => f.constructor.name),
    ["StartFrame", "VADUserStartedSpeakingFrame", "UserStartedSpeakingFrame", "UserStoppedSpeakingFrame", "EndFrame"],
  );
});

test("processFrame may be a plain function returning nothing; a synchronous throw still becomes an ErrorFrame", async () => {
  class Plain extends FrameProcessor {
    // @ts-expect-error a synchronous processFrame returning nothing, which the runtime accepts though the type says Promise
    processFrame(frame, direction) {
      if (frame instanceof TextFrame && frame.text === "bad") throw new Error("no thanks");
      void this.pushFrame(frame, direction);
    }
  }
  const plain = new Plain({ name: "Plain" });
  const { tail, errors } = await runFrames([plain], [new TextFrame("bad"), new TextFrame("good"), new UserStartedSpeakingFrame()]);
  assert.deepEqual(errors.map((e) => [e.error, e.processor]), [["Plain: no thanks", plain]]);
  assert.deepEqual(tail.downstream(TextFrame).map((f) => f.text), ["good"]);
  assert.equal(tail.downstream(UserStartedSpeakingFrame).length, 1);
});

test("pushFrame returns a promise whatever the destination does, and resolves once the frame is queued", async () => {
  const gate = { open: undefined };
  class Holder extends FrameProcessor {
    async processFrame(frame, direction) {
      if (frame instanceof TextFrame) await new Promise((resolve) => (gate.open = resolve));
      await this.pushFrame(frame, direction);
    }
  }
  const source = new Passthrough();
  const holder = new Holder();
  const tail = new Recorder("Tail");
  const task = new PipelineTask(new Pipeline([source, holder, tail]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  const running = task.run();
  await task.queueFrame(new UserStartedSpeakingFrame());
  const pushed = source.pushFrame(new TextFrame("held"));
  assert.ok(pushed instanceof Promise);
  await within(1000, pushed, "push to a busy processor");
  assert.deepEqual(tail.downstream(TextFrame), [], "queued, not yet processed");
  assert.ok(source.pushFrame(new UserStoppedSpeakingFrame()) instanceof Promise);
  await within(1000, new Promise((resolve) => setImmediate(resolve)));
  gate.open();
  await task.queueFrame(new EndFrame());
  await within(5000, running);
  assert.deepEqual(tail.downstream(TextFrame).map((f) => f.text), ["held"]);
  assert.equal(tail.downstream(UserStoppedSpeakingFrame).length, 1, "the system frame went past the busy queue");
  assert.ok(
    tail.seen.findIndex((e) => e.frame instanceof UserStoppedSpeakingFrame) < tail.seen.findIndex((e) => e.frame instanceof TextFrame),
    "the system frame arrived before the held text",
  );
});
