import { type Clock, clockOption, ScaledClock } from "../clock.js";
import { Frame, SystemFrame } from "../frames/frame.js";
import {
  CancelFrame,
  ErrorFrame,
  InterruptionFrame,
  StartFrame,
  type StartFrameParams,
} from "../frames/lifecycle.js";
import {
  LLMUsageMetricsData,
  type LLMTokenUsage,
  type MetricsData,
  MetricsFrame,
  STTUsageMetricsData,
  TTSUsageMetricsData,
} from "../frames/metrics.js";
import { ProcessorTimingMetrics } from "../metrics/processor-metrics.js";
import { BaseObject, errorMessage } from "../utils/base-object.js";
import { DONE, isThenable } from "../utils/done.js";
import { Fifo } from "../utils/fifo.js";
import { nonEmptyString, optionsObject } from "../utils/validate.js";
import { FrameDirection } from "./frame-direction.js";

/** What an observer learns about one hop: `source` pushed `frame` to `destination`. */
export interface FramePushed {
  source: FrameProcessor;
  destination: FrameProcessor;
  frame: Frame;
  direction: FrameDirection;
  /** Real nanoseconds since the task started running (monotonic). */
  timestamp: number;
}

/** Called once per hop, before the destination queues the frame. */
export type HopListener = (source: FrameProcessor, destination: FrameProcessor, frame: Frame, direction: FrameDirection) => void;

/** What the task hands every processor before it starts. */
export interface FrameProcessorSetup {
  clock: Clock;
  onHop?: HopListener;
}

export interface FrameProcessorOptions {
  /** Overrides the default "ClassName#n". */
  name?: string;
  /** Process frames as they are queued, without queues (pipeline plumbing does this). */
  enableDirectMode?: boolean;
  /** A clock of its own; by default the processor waits on its task's clock. */
  clock?: Clock;
}

interface QueuedFrame {
  frame: Frame;
  direction: FrameDirection;
}

/**
 * A node of the pipeline. Frames from a neighbour are queued: system frames are processed at once, in
 * arrival order; data and control frames wait in an input queue processed by the processor's own loop.
 * An InterruptionFrame drops the queued frames (except uninterruptible ones), aborts `interruptionSignal`
 * and stops the metrics; a CancelFrame stops the processor. Subclasses override `processFrame` and push
 * frames on with `pushFrame` (which they never override).
 */
export class FrameProcessor extends BaseObject {
  next?: FrameProcessor;
  prev?: FrameProcessor;

  #clock?: Clock;
  readonly #ownClock?: Clock;
  #onHop?: HopListener;
  readonly #direct: boolean;
  #startParams?: StartFrameParams;
  #cancelled = false;
  #interruption = new AbortController();
  readonly #lifetime = new AbortController();
  readonly #queue = new Fifo<QueuedFrame>();
  #loopRunning = false;
  #wakeLoop?: () => void;
  /** The last system frame still in progress or waiting behind one; undefined when there is none. */
  #systemTail?: Promise<void>;
  /** A system frame is being processed synchronously right now (a frame arriving meanwhile waits). */
  #systemRunning = false;
  /** Lets the frames that arrived during that synchronous run go on. */
  #releaseSystemFrames?: () => void;
  #interrupting?: Promise<void>;
  readonly #timing: ProcessorTimingMetrics;

  constructor(options?: FrameProcessorOptions) {
    const opts = optionsObject("FrameProcessor", options);
    super(opts.name === undefined ? undefined : nonEmptyString("FrameProcessor", "name", opts.name));
    this.#direct = opts.enableDirectMode === true;
    this.#ownClock = clockOption(this.name, "clock", opts.clock);
    this.#timing = new ProcessorTimingMetrics(this.name);
  }

  /** Links `next` after this processor (and this one before it); returns `next` for chaining. */
  link(next: FrameProcessor): FrameProcessor {
    this.next = next;
    next.prev = this;
    return next;
  }

  /** Called by the task before it runs: the clock to wait on and the hop listener for its observers. */
  setup(setup: FrameProcessorSetup): void {
    this.#clock = setup.clock;
    this.#onHop = setup.onHop;
  }

  /** Stops the processor's loop and aborts its work; the task calls this when it is done. */
  async cleanup(): Promise<void> {
    this.#stopLoop();
    this.#interruption.abort();
    this.#lifetime.abort();
  }

  /** Processors inside this one (a pipeline); empty for a plain processor. */
  get processors(): FrameProcessor[] {
    return [];
  }

  /** The processor's own clock if it was given one, else its task's (real time outside a task). */
  get clock(): Clock {
    if (this.#ownClock) return this.#ownClock;
    this.#clock ??= new ScaledClock();
    return this.#clock;
  }

  /** The StartFrame's parameters, once it has arrived. */
  get startParams(): StartFrameParams | undefined {
    return this.#startParams;
  }

  get interruptionsAllowed(): boolean {
    return this.#startParams?.allowInterruptions ?? false;
  }

  /** Aborted when an InterruptionFrame or a CancelFrame arrives: pass it to long waits. */
  protected get interruptionSignal(): AbortSignal {
    return this.#interruption.signal;
  }

  /**
   * Runs work beside frame processing (a player, a timer). Its signal aborts when the processor is
   * cancelled or cleaned up; an error it throws otherwise is reported as an ErrorFrame.
   */
  protected runInBackground(work: (signal: AbortSignal) => Promise<void>): void {
    const signal = this.#lifetime.signal;
    work(signal).catch((error: unknown) => {
      if (!signal.aborted) void this.pushError(error).catch(() => undefined);
    });
  }

  /** Whether this processor measures anything (services do). */
  canGenerateMetrics(): boolean {
    return false;
  }

  /** The model reported in this processor's metrics. */
  protected get metricsModel(): string | undefined {
    return undefined;
  }

  /**
   * Hands a frame to this processor (a neighbour's pushFrame calls it). Resolves once it is queued; a
   * processor in direct mode processes it first. A system frame is processed at once when no other
   * system frame is in progress here (else right after them, in order).
   */
  queueFrame(frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM): Promise<void> {
    if (this.#direct) return this.#process(frame, direction);
    if (frame instanceof SystemFrame) {
      this.#queueSystemFrame(frame, direction);
      return DONE;
    }
    if (this.#cancelled) return DONE;
    this.#queue.push({ frame, direction });
    const wake = this.#wakeLoop;
    if (wake) {
      this.#wakeLoop = undefined;
      wake();
    }
    return DONE;
  }

  /**
   * Handles one frame. The base class does nothing with it: subclasses push what should go on. It may
   * be `async`; on a hot path, returning `pushFrame`'s promise without awaiting it costs no promise
   * (a JavaScript subclass may also return nothing).
   */
  processFrame(_frame: Frame, _direction: FrameDirection): Promise<void> {
    return DONE;
  }

  /**
   * Sends a frame to the next processor (downstream) or the previous one (upstream): one hop. Resolves
   * once the destination has queued it (never rejects for the destination's processing errors).
   */
  pushFrame(frame: Frame, direction: FrameDirection = FrameDirection.DOWNSTREAM): Promise<void> {
    let destination: FrameProcessor | undefined;
    if (direction === FrameDirection.DOWNSTREAM) destination = this.next;
    else if (direction === FrameDirection.UPSTREAM) destination = this.prev;
    else {
      return Promise.reject(
        new Error(`${this.name}.pushFrame: "direction" must be FrameDirection.DOWNSTREAM (1) or UPSTREAM (2), got ${String(direction)}`),
      );
    }
    if (!destination) return DONE;
    try {
      this.#onHop?.(this, destination, frame, direction);
      return destination.queueFrame(frame, direction);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Pushes two instances of a frame, one each way, each naming the other as its broadcast sibling. */
  async broadcastFrame<A extends unknown[]>(FrameClass: new (...args: A) => Frame, ...args: A): Promise<void> {
    const downstream = new FrameClass(...args);
    const upstream = new FrameClass(...args);
    downstream.broadcastSiblingId = upstream.id;
    upstream.broadcastSiblingId = downstream.id;
    await this.pushFrame(downstream, FrameDirection.DOWNSTREAM);
    await this.pushFrame(upstream, FrameDirection.UPSTREAM);
  }

  /** Reports an error upstream (to the task) as an ErrorFrame naming this processor. */
  async pushError(error: unknown, options: { fatal?: boolean } = {}): Promise<void> {
    const frame = new ErrorFrame(`${this.name}: ${errorMessage(error)}`, { fatal: options.fatal ?? false, processor: this });
    await this.pushFrame(frame, FrameDirection.UPSTREAM);
  }

  protected override async onEventHandlerError(event: string, error: unknown): Promise<void> {
    await this.pushError(`the "${event}" handler threw: ${errorMessage(error)}`);
  }

  // ---- metrics helpers: each pushes a MetricsFrame downstream when the task enabled that kind ----
  // (Not `async`: with metrics off, or a measurement only started, they return DONE without a promise.)

  startTtfbMetrics(): Promise<void> {
    if (this.#metricsEnabled) this.#timing.startTtfb(this.#startParams!.reportOnlyInitialTtfb);
    return DONE;
  }

  stopTtfbMetrics(): Promise<void> {
    return this.#metricsEnabled ? this.#pushMetrics(this.#timing.stopTtfb(this.metricsModel)) : DONE;
  }

  startProcessingMetrics(): Promise<void> {
    if (this.#metricsEnabled) this.#timing.startProcessing();
    return DONE;
  }

  stopProcessingMetrics(): Promise<void> {
    return this.#metricsEnabled ? this.#pushMetrics(this.#timing.stopProcessing(this.metricsModel)) : DONE;
  }

  startLlmUsageMetrics(usage: LLMTokenUsage): Promise<void> {
    return this.#usageMetricsEnabled ? this.#pushMetrics(new LLMUsageMetricsData(this.name, usage, this.metricsModel)) : DONE;
  }

  startTtsUsageMetrics(text: string): Promise<void> {
    return this.#usageMetricsEnabled ? this.#pushMetrics(new TTSUsageMetricsData(this.name, text.length, this.metricsModel)) : DONE;
  }

  startSttUsageMetrics(audioSeconds: number): Promise<void> {
    return this.#usageMetricsEnabled ? this.#pushMetrics(new STTUsageMetricsData(this.name, { audioSeconds }, this.metricsModel)) : DONE;
  }

  async stopAllMetrics(): Promise<void> {
    await this.stopTtfbMetrics();
    await this.stopProcessingMetrics();
  }

  get #metricsEnabled(): boolean {
    return this.#startParams !== undefined && this.#startParams.enableMetrics && this.canGenerateMetrics();
  }

  get #usageMetricsEnabled(): boolean {
    return this.#startParams !== undefined && this.#startParams.enableUsageMetrics && this.canGenerateMetrics();
  }

  #pushMetrics(data: MetricsData | undefined): Promise<void> {
    return data ? this.pushFrame(new MetricsFrame([data]), FrameDirection.DOWNSTREAM) : DONE;
  }

  // ---- internals ----

  /** Processes one frame; never rejects. Returns DONE when it finished synchronously. */
  #process(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof InterruptionFrame) return this.#processInterruption(frame, direction);
    if (frame instanceof StartFrame) this.#start(frame);
    else if (frame instanceof CancelFrame) this.#cancel();
    const handled = this.#handle(frame, direction);
    if (!(frame instanceof StartFrame)) return handled;
    // Queued frames start flowing once the StartFrame itself has been handled and passed on.
    if (handled === DONE) {
      this.#startLoop();
      return DONE;
    }
    return handled.then(() => this.#startLoop());
  }

  async #processInterruption(frame: InterruptionFrame, direction: FrameDirection): Promise<void> {
    let resume!: () => void;
    // The input queue waits until the interruption has been handled and passed on.
    this.#interrupting = new Promise<void>((resolve) => {
      resume = resolve;
    });
    try {
      try {
        await this.#startInterruption();
      } catch (error) {
        await this.pushError(error).catch(() => undefined);
      }
      await this.#handle(frame, direction);
    } finally {
      this.#interrupting = undefined;
      resume();
    }
  }

  /** Runs processFrame; never rejects. A synchronous result, or DONE, needs no promise of its own. */
  #handle(frame: Frame, direction: FrameDirection): Promise<void> {
    const interruption = this.#interruption.signal;
    let result: unknown;
    try {
      result = this.processFrame(frame, direction);
    } catch (error) {
      return this.#processingFailed(error, interruption);
    }
    if (result === DONE || !isThenable(result)) return DONE;
    return Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => this.#processingFailed(error, interruption),
    );
  }

  #processingFailed(error: unknown, interruption: AbortSignal): Promise<void> {
    // Work cut short by an interruption or a cancel ends quietly, like a cancelled task in Pipecat.
    if (interruption.aborted) return DONE;
    return this.pushError(error).catch(() => undefined);
  }

  #queueSystemFrame(frame: Frame, direction: FrameDirection): void {
    if (this.#systemTail === undefined && !this.#systemRunning) {
      this.#runSystemFrame(frame, direction);
      return;
    }
    // Behind a system frame still in progress. Chained at arrival, it runs in its pusher's context.
    const previous =
      this.#systemTail ??
      new Promise<void>((resolve) => {
        this.#releaseSystemFrames = resolve;
      });
    this.#setSystemTail(
      previous.then(() => {
        const processed = this.#process(frame, direction);
        return processed === DONE ? undefined : processed;
      }),
    );
  }

  #runSystemFrame(frame: Frame, direction: FrameDirection): void {
    let processed: Promise<void>;
    this.#systemRunning = true;
    try {
      processed = this.#process(frame, direction);
    } finally {
      this.#systemRunning = false;
    }
    const release = this.#releaseSystemFrames;
    if (release) {
      // Frames arrived during the run: they are chained behind it already.
      this.#releaseSystemFrames = undefined;
      if (processed === DONE) release();
      else void processed.then(release);
    } else if (processed !== DONE) {
      this.#setSystemTail(processed);
    }
  }

  #setSystemTail(work: Promise<unknown>): void {
    const tail: Promise<void> = work.then(() => {
      if (this.#systemTail === tail) this.#systemTail = undefined;
    });
    this.#systemTail = tail;
  }

  #start(frame: StartFrame): void {
    this.#startParams = {
      audioInSampleRate: frame.audioInSampleRate,
      audioOutSampleRate: frame.audioOutSampleRate,
      allowInterruptions: frame.allowInterruptions,
      enableMetrics: frame.enableMetrics,
      enableUsageMetrics: frame.enableUsageMetrics,
      reportOnlyInitialTtfb: frame.reportOnlyInitialTtfb,
    };
  }

  #startLoop(): void {
    if (this.#direct || this.#loopRunning || this.#cancelled) return;
    this.#loopRunning = true;
    void this.#runLoop();
  }

  async #startInterruption(): Promise<void> {
    this.#interruption.abort();
    this.#interruption = new AbortController();
    this.#queue.retain((item) => item.frame.uninterruptible);
    await this.stopAllMetrics();
  }

  #cancel(): void {
    this.#cancelled = true;
    this.#interruption.abort();
    this.#lifetime.abort();
    this.#queue.retain(() => false);
    this.#stopLoop();
  }

  #stopLoop(): void {
    this.#loopRunning = false;
    const wake = this.#wakeLoop;
    this.#wakeLoop = undefined;
    wake?.();
  }

  /** Processes the queued frames in order; waits only when one did not finish synchronously, or for more. */
  async #runLoop(): Promise<void> {
    while (this.#loopRunning) {
      if (this.#interrupting) await this.#interrupting;
      const item = this.#queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => {
          this.#wakeLoop = resolve;
        });
        continue;
      }
      const processed = this.#process(item.frame, item.direction);
      if (processed !== DONE) await processed;
    }
  }
}
