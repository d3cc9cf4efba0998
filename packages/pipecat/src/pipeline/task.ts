import { type Clock, clockOption, ScaledClock } from "../clock.js";
import type { Frame } from "../frames/frame.js";
import {
  CancelFrame,
  CancelTaskFrame,
  EndFrame,
  EndTaskFrame,
  ErrorFrame,
  resolveStartParams,
  StartFrame,
  type StartFrameParams,
} from "../frames/lifecycle.js";
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from "../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor } from "../processors/frame-processor.js";
import { BaseObject, errorMessage } from "../utils/base-object.js";
import { DONE } from "../utils/done.js";
import { optionError, optionsObject, positiveNumber } from "../utils/validate.js";
import type { FrameClass, FrameObserver } from "./task-observer.js";

export type PipelineParams = Partial<StartFrameParams>;


export interface PipelineTaskOptions {
  /** Sent to every processor in the StartFrame. */
  params?: PipelineParams;
  observers?: FrameObserver[];
  /** Identifies the conversation (tracing uses it). */
  conversationId?: string;
  /** Extra attributes for a tracer's conversation span; the runtime only stores them. */
  additionalSpanAttributes?: Record<string, unknown>;
  /** Seconds (on the task's clock) without activity before `onIdleTimeout`; null disables. Default 300. */
  idleTimeoutSecs?: number | null;
  /** Frames that count as activity. Default: user/bot speaking and transcription frames. */
  idleTimeoutFrames?: FrameClass[];
  /** Cancel the task when the idle timeout fires. Default true. */
  cancelOnIdleTimeout?: boolean;
  /** Real seconds to wait for a CancelFrame to cross the pipeline before giving up on it. Default 5. */
  cancelTimeoutSecs?: number;
  /**
   * Data about the call, copied into the StartFrame's `metadata` (e.g. what a transport learnt when the
   * client connected: a WebSocket URL's query string). The runtime only carries it.
   */
  startMetadata?: Record<string, unknown>;
  /** Stored for tracers; the runtime itself does not trace. */
  enableTracing?: boolean;
  /** Stored for tracers; the runtime itself does not track turns. */
  enableTurnTracking?: boolean;
  /** The clock every processor waits on. Default: real time. */
  clock?: Clock;
}

const DEFAULT_IDLE_FRAMES: FrameClass[] = [
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  TranscriptionFrame,
  InterimTranscriptionFrame,
];

/** The task's own entry: frames queued on the task leave from here; upstream frames end here. */
class PipelineTaskSource extends FrameProcessor {
  constructor(
    name: string,
    private readonly onUpstreamFrame: (frame: Frame) => Promise<void>,
  ) {
    super({ name, enableDirectMode: true });
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return direction === FrameDirection.UPSTREAM ? this.onUpstreamFrame(frame) : this.pushFrame(frame, direction);
  }
}

/** The task's own exit: downstream frames end here; frames queued upstream leave from here. */
class PipelineTaskSink extends FrameProcessor {
  constructor(
    name: string,
    private readonly onDownstreamFrame: (frame: Frame) => Promise<void>,
  ) {
    super({ name, enableDirectMode: true });
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return direction === FrameDirection.DOWNSTREAM ? this.onDownstreamFrame(frame) : this.pushFrame(frame, direction);
  }
}

type TaskState = "idle" | "running" | "finished";

/**
 * Runs one pipeline: sends the StartFrame with the task's params, lets frames be queued in, notifies the
 * observers of every hop, and finishes when an EndFrame or CancelFrame reaches its end. Events:
 * onPipelineStarted(task, startFrame), onPipelineFinished(task, frame), onPipelineError(task, errorFrame),
 * onIdleTimeout(task).
 */
export class PipelineTask extends BaseObject {
  readonly pipeline: FrameProcessor;
  readonly params: StartFrameParams;
  readonly conversationId?: string;
  readonly additionalSpanAttributes: Record<string, unknown>;
  /** Copied into the StartFrame's metadata when the task runs. */
  readonly startMetadata: Record<string, unknown>;
  /** As given (the runtime does not trace; tracers decide what an absent value means). */
  readonly enableTracing?: boolean;
  /** As given (the runtime does not track turns). */
  readonly enableTurnTracking?: boolean;
  readonly clock: Clock;
  readonly idleTimeoutSecs: number | null;

  /** The observers with the frame classes each wants (undefined: every frame), in the order they were added. */
  readonly #observers: Array<{ observer: FrameObserver; frameTypes: readonly FrameClass[] | undefined }>;
  /** Per frame class, the observers that want it (filled as classes are seen; cleared when observers change). */
  readonly #observersByClass = new Map<unknown, FrameObserver[]>();
  readonly #idleFrames: FrameClass[];
  readonly #activityByClass = new Map<unknown, boolean>();
  readonly #cancelOnIdleTimeout: boolean;
  readonly #cancelTimeoutMs: number;
  readonly #source: PipelineTaskSource;
  readonly #sink: PipelineTaskSink;
  readonly #pending: Array<{ frame: Frame; direction: FrameDirection }> = [];
  #state: TaskState = "idle";
  #cancelRequested = false;
  #startedAt = 0;
  #lastActivity = 0;
  #fatalError?: Error;
  #finish!: (frame: Frame) => void;
  readonly #finished: Promise<Frame>;
  readonly #stopIdleWatch = new AbortController();

  constructor(pipeline: FrameProcessor, options?: PipelineTaskOptions) {
    super();
    if (!(pipeline instanceof FrameProcessor)) {
      throw optionError(this.name, "pipeline", "a Pipeline (or another FrameProcessor)", pipeline);
    }
    const opts = optionsObject(this.name, options);
    this.pipeline = pipeline;
    this.params = resolveStartParams(checkParams(this.name, opts.params));
    if (opts.observers !== undefined && !Array.isArray(opts.observers)) {
      throw optionError(this.name, "observers", "an array of observers", opts.observers);
    }
    this.#observers = [];
    for (const observer of opts.observers ?? []) this.addObserver(observer);
    if (opts.conversationId !== undefined && (typeof opts.conversationId !== "string" || opts.conversationId === "")) {
      throw optionError(this.name, "conversationId", "a non-empty string", opts.conversationId);
    }
    this.conversationId = opts.conversationId;
    this.additionalSpanAttributes = { ...(opts.additionalSpanAttributes ?? {}) };
    if (opts.startMetadata !== undefined && (opts.startMetadata === null || typeof opts.startMetadata !== "object" || Array.isArray(opts.startMetadata))) {
      throw optionError(this.name, "startMetadata", "an object", opts.startMetadata);
    }
    this.startMetadata = { ...(opts.startMetadata ?? {}) };
    for (const key of ["enableTracing", "enableTurnTracking", "cancelOnIdleTimeout"] as const) {
      if (opts[key] !== undefined && typeof opts[key] !== "boolean") throw optionError(this.name, key, "true or false", opts[key]);
    }
    this.enableTracing = opts.enableTracing;
    this.enableTurnTracking = opts.enableTurnTracking;
    this.clock = clockOption(this.name, "clock", opts.clock) ?? new ScaledClock();
    this.idleTimeoutSecs =
      opts.idleTimeoutSecs === null ? null : positiveNumber(this.name, "idleTimeoutSecs", opts.idleTimeoutSecs ?? 300);
    if (opts.idleTimeoutFrames !== undefined && (!Array.isArray(opts.idleTimeoutFrames) || opts.idleTimeoutFrames.some((c) => typeof c !== "function"))) {
      throw optionError(this.name, "idleTimeoutFrames", "an array of frame classes", opts.idleTimeoutFrames);
    }
    this.#idleFrames = opts.idleTimeoutFrames ?? DEFAULT_IDLE_FRAMES;
    this.#cancelOnIdleTimeout = opts.cancelOnIdleTimeout ?? true;
    this.#cancelTimeoutMs = positiveNumber(this.name, "cancelTimeoutSecs", opts.cancelTimeoutSecs ?? 5) * 1000;
    this.#source = new PipelineTaskSource(`${this.name}::Source`, (frame) => this.#onUpstreamFrame(frame));
    this.#sink = new PipelineTaskSink(`${this.name}::Sink`, (frame) => this.#onDownstreamFrame(frame));
    this.#source.link(pipeline);
    pipeline.link(this.#sink);
    this.#finished = new Promise<Frame>((resolve) => {
      this.#finish = resolve;
    });
    for (const event of ["onPipelineStarted", "onPipelineFinished", "onPipelineError", "onIdleTimeout"]) {
      this.registerEvent(event);
    }
  }

  /** True once the task has finished running. */
  get hasFinished(): boolean {
    return this.#state === "finished";
  }

  addObserver(observer: FrameObserver): void {
    if (observer === null || typeof observer !== "object" || typeof observer.onPushFrame !== "function") {
      throw optionError(this.name, "observers", "objects with an onPushFrame(data) method", observer);
    }
    const { frameTypes } = observer;
    if (frameTypes !== undefined && (!Array.isArray(frameTypes) || frameTypes.some((c) => typeof c !== "function"))) {
      throw optionError(this.name, "observers", "observers whose frameTypes is an array of frame classes", frameTypes);
    }
    this.#observers.push({ observer, frameTypes: frameTypes === undefined ? undefined : [...frameTypes] });
    this.#observersByClass.clear();
  }

  removeObserver(observer: FrameObserver): void {
    const index = this.#observers.findIndex((entry) => entry.observer === observer);
    if (index >= 0) this.#observers.splice(index, 1);
    this.#observersByClass.clear();
  }

  /**
   * Runs the pipeline until an EndFrame or CancelFrame reaches its end. Rejects, after cleaning up, if a
   * processor reported a fatal error.
   */
  async run(): Promise<void> {
    if (this.#state !== "idle") throw new Error(`${this.name}: run() was already called; a task runs once`);
    this.#state = "running";
    if (this.#cancelRequested) {
      this.#state = "finished";
      return;
    }
    this.#startedAt = performance.now();
    this.#lastActivity = this.clock.now();
    const setup = { clock: this.clock, onHop: this.#onHop };
    for (const processor of [this.#source, this.pipeline, this.#sink]) processor.setup(setup);
    void this.#watchIdle();
    let lastFrame: Frame;
    try {
      const startFrame = new StartFrame(this.params);
      Object.assign(startFrame.metadata, this.startMetadata);
      await this.#source.queueFrame(startFrame, FrameDirection.DOWNSTREAM);
      for (const { frame, direction } of this.#pending.splice(0)) await this.#inject(frame, direction);
      lastFrame = await this.#finished;
    } finally {
      this.#state = "finished";
      this.#stopIdleWatch.abort();
      for (const processor of [this.#source, this.pipeline, this.#sink]) await processor.cleanup();
    }
    await this.emit("onPipelineFinished", lastFrame);
    if (this.#fatalError) throw this.#fatalError;
  }

  /** Sends a frame into the pipeline (downstream from its start, or upstream from its end). */
  async queueFrame(frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM): Promise<void> {
    if (this.#state === "finished") throw new Error(`${this.name}: cannot queue ${String(frame)}, the task has finished`);
    if (this.#state === "idle") this.#pending.push({ frame, direction });
    else await this.#inject(frame, direction);
  }

  async queueFrames(frames: Iterable<Frame>): Promise<void> {
    for (const frame of frames) await this.queueFrame(frame);
  }

  /** Ends the task once everything queued so far has been processed. */
  async stopWhenDone(): Promise<void> {
    await this.queueFrame(new EndFrame());
  }

  /** Stops the task now: a CancelFrame crosses the pipeline (bounded wait) and run() returns. */
  async cancel(reason = "cancelled"): Promise<void> {
    if (this.#state === "idle") {
      this.#cancelRequested = true;
      return;
    }
    if (this.#state === "finished") return;
    if (!this.#cancelRequested) {
      this.#cancelRequested = true;
      const cancelFrame = new CancelFrame(reason);
      const timer = setTimeout(() => this.#finish(cancelFrame), this.#cancelTimeoutMs);
      void this.#finished.then(() => clearTimeout(timer));
      await this.#source.queueFrame(cancelFrame, FrameDirection.DOWNSTREAM);
    }
    await this.#finished;
  }

  async #inject(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.UPSTREAM) await this.#sink.queueFrame(frame, direction);
    else await this.#source.queueFrame(frame, FrameDirection.DOWNSTREAM);
  }

  readonly #onHop = (source: FrameProcessor, destination: FrameProcessor, frame: Frame, direction: FrameDirection): void => {
    if (this.idleTimeoutSecs !== null && this.#isActivity(frame)) this.#lastActivity = this.clock.now();
    if (this.#observers.length === 0) return;
    const observers = this.#observersOf(frame);
    if (observers.length === 0) return;
    const data = { source, destination, frame, direction, timestamp: Math.round((performance.now() - this.#startedAt) * 1e6) };
    for (const observer of observers) {
      try {
        const result = observer.onPushFrame(data);
        if (result && typeof (result as Promise<void>).catch === "function") {
          (result as Promise<void>).catch((error: unknown) => this.#observerFailed(error));
        }
      } catch (error) {
        this.#observerFailed(error);
      }
    }
  };

  #observerFailed(error: unknown): void {
    process.emitWarning(`${this.name}: an observer threw: ${errorMessage(error)}`);
  }

  // Called on every hop while there are observers: the answer is remembered per frame class.
  #observersOf(frame: Frame): FrameObserver[] {
    let observers = this.#observersByClass.get(frame.constructor);
    if (observers === undefined) {
      observers = this.#observers
        .filter(({ frameTypes }) => frameTypes === undefined || frameTypes.some((FrameClass) => frame instanceof FrameClass))
        .map(({ observer }) => observer);
      this.#observersByClass.set(frame.constructor, observers);
    }
    return observers;
  }

  // Called on every hop: the answer is remembered per frame class (six instanceof checks per hop add up).
  #isActivity(frame: Frame): boolean {
    let activity = this.#activityByClass.get(frame.constructor);
    if (activity === undefined) {
      activity = this.#idleFrames.some((FrameClass) => frame instanceof FrameClass);
      this.#activityByClass.set(frame.constructor, activity);
    }
    return activity;
  }

  // Every frame leaving the pipeline comes through these two: nearly all need nothing, and get no promise.
  #onDownstreamFrame(frame: Frame): Promise<void> {
    if (frame instanceof StartFrame) return this.emit("onPipelineStarted", frame);
    if (frame instanceof EndFrame || frame instanceof CancelFrame) this.#finish(frame);
    return DONE;
  }

  #onUpstreamFrame(frame: Frame): Promise<void> {
    if (frame instanceof EndTaskFrame) return this.queueFrame(new EndFrame(frame.reason));
    if (frame instanceof CancelTaskFrame) void this.cancel(frame.reason);
    else if (frame instanceof ErrorFrame) return this.#onError(frame);
    return DONE;
  }

  async #onError(frame: ErrorFrame): Promise<void> {
    await this.emit("onPipelineError", frame);
    if (frame.fatal && !this.#fatalError) {
      this.#fatalError = new Error(`${this.name} ended by a fatal error: ${frame.error}`);
      void this.cancel(`fatal error: ${frame.error}`);
    }
  }

  async #watchIdle(): Promise<void> {
    if (this.idleTimeoutSecs === null) return;
    const timeoutMs = this.idleTimeoutSecs * 1000;
    const signal = this.#stopIdleWatch.signal;
    while (!signal.aborted) {
      const remaining = this.#lastActivity + timeoutMs - this.clock.now();
      if (remaining <= 0) {
        await this.emit("onIdleTimeout");
        if (this.#cancelOnIdleTimeout) {
          await this.cancel("idle timeout");
          return;
        }
        this.#lastActivity = this.clock.now();
        continue;
      }
      try {
        await this.clock.sleep(remaining, signal);
      } catch {
        return;
      }
    }
  }
}

function checkParams(owner: string, params: PipelineParams | undefined): PipelineParams {
  const p = optionsObject(`${owner} params`, params);
  for (const key of ["audioInSampleRate", "audioOutSampleRate"] as const) {
    if (p[key] !== undefined) positiveNumber(owner, `params.${key}`, p[key]);
  }
  for (const key of ["allowInterruptions", "enableMetrics", "enableUsageMetrics", "reportOnlyInitialTtfb"] as const) {
    if (p[key] !== undefined && typeof p[key] !== "boolean") throw optionError(owner, `params.${key}`, "true or false", p[key]);
  }
  return p;
}
