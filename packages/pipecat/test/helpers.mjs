// Shared test helpers (not a test file): small processors and a bounded pipeline runner.
import { EndFrame, Frame, FrameDirection, FrameProcessor, Pipeline, PipelineTask, VirtualClock } from "pipecat-ts";

/** Passes every frame on and remembers it with its direction. */
export class Recorder extends FrameProcessor {
  constructor(name) {
    super({ name });
    /** @type {{ frame: Frame, direction: FrameDirection }[]} */
    this.seen = [];
  }

  async processFrame(frame, direction) {
    this.seen.push({ frame, direction });
    await this.pushFrame(frame, direction);
  }

  /**
   * The frames of class `FrameClass` that went downstream, in order.
   * @template {Frame} T
   * @param {abstract new (...args: any[]) => T} [FrameClass]
   * @returns {T[]}
   */
  downstream(FrameClass = /** @type {any} */ (Frame)) {
    return this.seen.filter((e) => e.direction === FrameDirection.DOWNSTREAM && e.frame instanceof FrameClass).map((e) => /** @type {T} */ (e.frame));
  }

  /**
   * The frames of class `FrameClass` that went upstream, in order.
   * @template {Frame} T
   * @param {abstract new (...args: any[]) => T} [FrameClass]
   * @returns {T[]}
   */
  upstream(FrameClass = /** @type {any} */ (Frame)) {
    return this.seen.filter((e) => e.direction === FrameDirection.UPSTREAM && e.frame instanceof FrameClass).map((e) => /** @type {T} */ (e.frame));
  }
}

/** Records every hop a task's observer sees. */
export function hopRecorder() {
  const hops = [];
  return {
    hops,
    observer: {
      onPushFrame: (data) => {
        hops.push(data);
      },
    },
    /** Frames in the order they first appeared (one entry per frame id). */
    firstSeen() {
      const seen = new Set();
      return hops.filter((h) => !seen.has(h.frame.id) && seen.add(h.frame.id)).map((h) => h.frame);
    },
  };
}

/** Rejects if `promise` has not settled within `ms` real milliseconds. */
export function within(ms, promise, what = "operation") {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `processors` in a task on a VirtualClock with recorders at both ends, queues `frames` and then
 * an EndFrame, and waits (bounded) for the end.
 */
export async function runFrames(processors, frames, options = {}) {
  const head = new Recorder("Head");
  const tail = new Recorder("Tail");
  const hops = hopRecorder();
  const clock = options.clock ?? new VirtualClock();
  const task = new PipelineTask(new Pipeline([head, ...processors, tail]), {
    clock,
    observers: [hops.observer],
    params: options.params,
    idleTimeoutSecs: null,
  });
  const errors = [];
  task.on("onPipelineError", (_, frame) => errors.push(frame));
  const running = task.run();
  await task.queueFrames(frames);
  // Background work (a transcript due after the user stops) gets `endAfterMs` of clock time to finish.
  if (options.endAfterMs) await clock.sleep(options.endAfterMs);
  await task.queueFrame(new EndFrame());
  await within(options.timeoutMs ?? 10000, running, "pipeline run");
  return { head, tail, hops, task, errors, clock };
}
