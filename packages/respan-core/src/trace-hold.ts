/**
 * Withholding whole traces from export until their owner decides their fate.
 *
 * A `TraceHoldSpanProcessor` sits in front of the exporting span processors. While a trace id is held, the
 * spans of that trace that end are withheld instead of being handed to the delegates; releasing the trace
 * forwards them, releasing it with `discard` drops them and every later span of that trace. This is what
 * lets a voice session be aborted with the guarantee that nothing of it leaves the process.
 *
 * Nothing is lost and memory stays flat however long a held trace runs: past `maxSpansInMemory` (over all
 * held traces) the spans of the trace that grew wait in a private spool file (held-span-spool.ts), deleted
 * on release or discard. A release hands the spans to the delegates in slices of `releaseBatchSize`,
 * flushing the delegates between slices, so a long call never floods a bounded export queue. Shutdown
 * releases the traces still held (nothing aborted them). Every span that is lost all the same (its spool
 * write failed, shutdown's deadline passed) is counted in `stats.dropped` and reported through `onDropped`.
 *
 * Instrumentations reach the holds through a process-wide registry on `globalThis` (under
 * `Symbol.for("@respan/core.traceHold")`), so they need not import this package, and the ESM and CommonJS
 * builds of it share one registry.
 *
 * Delegates still see `onStart` (and `onEnding`) at once: standard exporting processors do nothing there,
 * and a span must be started to be ended. Only `onEnd` — the point where spans are exported — is held.
 */
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import { HeldSpanSpool, type HeldSpanFile } from "./held-span-spool.js";
import { describeError } from "./logger.js";
import { isPositiveInteger } from "./validate.js";

export const TRACE_HOLD_REGISTRY_KEY = Symbol.for("@respan/core.traceHold");

export interface TraceReleaseOptions {
  /** Drop the held spans (and any later span of the trace) instead of forwarding them. */
  discard?: boolean;
}

/** What the process-wide registry exposes to instrumentations. */
export interface TraceHoldRegistry {
  /**
   * Starts (or nests) a hold on `traceId` in every registered processor. Returns false when no processor
   * is registered or one of them refused (too many traces held): the spans of that trace cannot be
   * withheld, and no processor keeps a hold on it (there is nothing to release).
   */
  hold(traceId: string): boolean;
  /** Ends one hold on `traceId`; with `discard`, drops the trace whatever other holds remain. */
  release(traceId: string, options?: TraceReleaseOptions): void;
}

/** One participant of the registry (every TraceHoldSpanProcessor, whichever build it comes from). */
interface TraceHoldTarget {
  hold(traceId: string): boolean;
  release(traceId: string, options?: TraceReleaseOptions): void;
}

interface RegistryRecord extends TraceHoldRegistry {
  readonly targets: Set<TraceHoldTarget>;
}

type RegistryHolder = { [TRACE_HOLD_REGISTRY_KEY]?: RegistryRecord };

export interface TraceHoldOptions {
  /** Most ended spans of held traces kept in memory; beyond it they wait in a spool file. Default 2,048. */
  maxSpansInMemory?: number;
  /** Spans handed to the delegates at once when a trace is released (then they are flushed). Default 512. */
  releaseBatchSize?: number;
  /** Most traces held at once; a hold beyond it is refused. Default 1,000. */
  maxHeldTraces?: number;
  /** How many discarded trace ids are remembered so that their late spans are dropped too. Default 1,000. */
  maxDiscardedTraces?: number;
  /** Parent directory of the spool directory. Default: the OS temporary directory. */
  spoolDirectory?: string;
  /** Told each time spans are lost (not discarded on purpose), with why. */
  onDropped?: (count: number, reason: string) => void;
  /** Join the process-wide registry (default true). */
  register?: boolean;
}

/** Span counts of a TraceHoldSpanProcessor. */
export interface TraceHoldStats {
  /** Spans withheld right now: of held traces, and of released traces not yet handed on. */
  held: number;
  /** Spans lost: a spool write failed, or they were still withheld when the processor was abandoned. */
  dropped: number;
  /** Spans of discarded traces (aborted sessions), dropped on purpose. */
  discarded: number;
}

interface HeldTrace {
  readonly traceId: string;
  holds: number;
  /** Ended spans in memory, oldest first; older ones are in `file`. */
  ended: ReadableSpan[];
  file: HeldSpanFile | undefined;
  /** Spans sent to `file` (written or still being written). */
  spilled: number;
}

const DEFAULTS = { maxSpansInMemory: 2_048, releaseBatchSize: 512, maxHeldTraces: 1_000, maxDiscardedTraces: 1_000 };

/** The process-wide registry, or undefined when no TraceHoldSpanProcessor has ever been created. */
export function getTraceHoldRegistry(): TraceHoldRegistry | undefined {
  return (globalThis as RegistryHolder)[TRACE_HOLD_REGISTRY_KEY];
}

function ensureRegistry(): RegistryRecord {
  const holder = globalThis as RegistryHolder;
  const existing = holder[TRACE_HOLD_REGISTRY_KEY];
  if (existing) return existing;
  const targets = new Set<TraceHoldTarget>();
  const registry: RegistryRecord = {
    targets,
    hold(traceId) {
      if (targets.size === 0) return false;
      const holding: TraceHoldTarget[] = [];
      for (const target of targets) {
        if (target.hold(traceId)) {
          holding.push(target);
          continue;
        }
        // A refused hold means the caller will not release: undo the holds already taken, or those
        // processors would withhold the trace forever.
        for (const taken of holding) taken.release(traceId);
        return false;
      }
      return true;
    },
    release(traceId, options) {
      for (const target of targets) target.release(traceId, options);
    },
  };
  holder[TRACE_HOLD_REGISTRY_KEY] = registry;
  return registry;
}

export class TraceHoldSpanProcessor implements SpanProcessor, TraceHoldTarget {
  private readonly delegates: readonly SpanProcessor[];
  private readonly held = new Map<string, HeldTrace>();
  /** Released traces waiting for (or in) their hand-over, in release order. */
  private readonly releasing = new Set<HeldTrace>();
  /** Insertion-ordered, so the oldest discarded id is forgotten first. */
  private readonly discarded = new Set<string>();
  private readonly maxSpansInMemory: number;
  private readonly releaseBatchSize: number;
  private readonly maxHeldTraces: number;
  private readonly maxDiscardedTraces: number;
  private readonly spool: HeldSpanSpool;
  private readonly onDropped: (count: number, reason: string) => void;
  private readonly registry: RegistryRecord | undefined;
  /** The hand-over of released traces, one after another. */
  private handOver: Promise<void> = Promise.resolve();
  private inMemory = 0;
  private counts = { dropped: 0, discarded: 0 };
  private abandoned = false;

  constructor(delegates: SpanProcessor | readonly SpanProcessor[], options: TraceHoldOptions = {}) {
    this.delegates = Array.isArray(delegates) ? [...delegates] : [delegates as SpanProcessor];
    this.maxSpansInMemory = positiveInteger(options.maxSpansInMemory, "maxSpansInMemory", DEFAULTS.maxSpansInMemory);
    this.releaseBatchSize = positiveInteger(options.releaseBatchSize, "releaseBatchSize", DEFAULTS.releaseBatchSize);
    this.maxHeldTraces = positiveInteger(options.maxHeldTraces, "maxHeldTraces", DEFAULTS.maxHeldTraces);
    this.maxDiscardedTraces = positiveInteger(
      options.maxDiscardedTraces,
      "maxDiscardedTraces",
      DEFAULTS.maxDiscardedTraces,
    );
    this.spool = new HeldSpanSpool(options.spoolDirectory);
    this.onDropped = options.onDropped ?? (() => {});
    if (options.register !== false) {
      this.registry = ensureRegistry();
      this.registry.targets.add(this);
    }
  }

  get stats(): TraceHoldStats {
    let held = 0;
    for (const trace of this.held.values()) held += trace.ended.length + trace.spilled;
    for (const trace of this.releasing) held += trace.ended.length + trace.spilled;
    return { held, ...this.counts };
  }

  isHeld(traceId: string): boolean {
    return this.held.has(traceId);
  }

  hold(traceId: string): boolean {
    if (this.discarded.has(traceId)) return true;
    const current = this.held.get(traceId);
    if (current) {
      current.holds += 1;
      return true;
    }
    if (this.held.size >= this.maxHeldTraces) return false;
    this.held.set(traceId, { traceId, holds: 1, ended: [], file: undefined, spilled: 0 });
    return true;
  }

  release(traceId: string, options: TraceReleaseOptions = {}): void {
    const trace = this.held.get(traceId);
    if (options.discard) {
      if (trace) this.discard(trace);
      this.rememberDiscarded(traceId);
      return;
    }
    if (!trace) return;
    trace.holds -= 1;
    if (trace.holds > 0) return;
    this.held.delete(traceId);
    this.handOn(trace);
  }

  onStart(span: Span, parentContext: Context): void {
    if (this.discarded.has(span.spanContext().traceId)) return;
    for (const delegate of this.delegates) delegate.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    if (this.discarded.has(span.spanContext().traceId)) return;
    for (const delegate of this.delegates) delegate.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    if (this.discarded.has(traceId)) {
      this.counts.discarded += 1;
      return;
    }
    const trace = this.held.get(traceId);
    if (!trace) {
      this.forwardEnd(span);
      return;
    }
    trace.ended.push(span);
    this.inMemory += 1;
    if (this.inMemory > this.maxSpansInMemory) this.spillAll();
  }

  /** Waits for released traces to be handed on, then flushes the delegates; spans of held traces stay held. */
  async forceFlush(): Promise<void> {
    await this.handOver;
    await Promise.all(this.delegates.map((delegate) => delegate.forceFlush()));
  }

  /**
   * Releases every trace still held (nothing discarded them, so they are cleared for export), waits for
   * the hand-over, and shuts the delegates down.
   */
  async shutdown(): Promise<void> {
    this.registry?.targets.delete(this);
    for (const trace of [...this.held.values()]) {
      this.held.delete(trace.traceId);
      this.handOn(trace);
    }
    await this.handOver;
    await this.spool.remove();
    await Promise.all(this.delegates.map((delegate) => delegate.shutdown()));
  }

  /**
   * Gives up on every span still withheld (a deadline passed): they are counted as dropped, the spool is
   * deleted and nothing more is handed on. Returns how many were dropped.
   */
  abandon(): number {
    const lost = this.stats.held;
    this.abandoned = true;
    for (const trace of [...this.held.values(), ...this.releasing]) {
      void trace.file?.remove();
      trace.ended = [];
      trace.spilled = 0;
    }
    this.held.clear();
    this.releasing.clear();
    this.inMemory = 0;
    this.counts.dropped += lost;
    void this.spool.remove();
    return lost;
  }

  /** Moves every held trace's in-memory spans to its spool file (once per `maxSpansInMemory` spans at most). */
  private spillAll(): void {
    for (const trace of this.held.values()) if (trace.ended.length > 0) this.spill(trace);
  }

  private spill(trace: HeldTrace): void {
    const spans = trace.ended;
    trace.ended = [];
    this.inMemory -= spans.length;
    trace.file ??= this.spool.file(trace.traceId);
    trace.spilled += spans.length;
    trace.file.append(spans, (count, error) => {
      trace.spilled -= count;
      this.drop(count, `they could not be written to the spool file (${describeError(error)})`);
    });
  }

  private discard(trace: HeldTrace): void {
    this.held.delete(trace.traceId);
    this.counts.discarded += trace.ended.length + trace.spilled;
    this.inMemory -= trace.ended.length;
    trace.ended = [];
    trace.spilled = 0;
    void trace.file?.remove();
  }

  /**
   * Hands a released trace's spans to the delegates: at once when they fit one slice and nothing else is
   * being handed on, else slice by slice after the traces released before it.
   */
  private handOn(trace: HeldTrace): void {
    if (trace.file === undefined && trace.ended.length <= this.releaseBatchSize && this.releasing.size === 0) {
      this.inMemory -= trace.ended.length;
      for (const span of trace.ended) this.forwardEnd(span);
      trace.ended = [];
      return;
    }
    this.releasing.add(trace);
    this.handOver = this.handOver.then(() => this.handOnInSlices(trace));
  }

  private async handOnInSlices(trace: HeldTrace): Promise<void> {
    try {
      if (trace.file !== undefined) {
        for await (const slice of trace.file.read(this.releaseBatchSize)) {
          if (this.abandoned) return;
          trace.spilled -= slice.length;
          await this.forwardSlice(slice);
        }
        await trace.file.remove();
      }
      while (trace.ended.length > 0 && !this.abandoned) {
        const slice = trace.ended.splice(0, this.releaseBatchSize);
        this.inMemory -= slice.length;
        await this.forwardSlice(slice);
      }
    } catch (error) {
      const lost = trace.ended.length + trace.spilled;
      this.inMemory -= trace.ended.length;
      trace.ended = [];
      trace.spilled = 0;
      this.drop(lost, `their spool file could not be read back (${describeError(error)})`);
    } finally {
      this.releasing.delete(trace);
    }
  }

  /** One slice into the delegates, then a flush: the export queues empty before the next slice. */
  private async forwardSlice(slice: readonly ReadableSpan[]): Promise<void> {
    for (const span of slice) this.forwardEnd(span);
    await Promise.all(this.delegates.map((delegate) => delegate.forceFlush().catch(() => undefined)));
  }

  private drop(count: number, reason: string): void {
    if (count <= 0) return;
    this.counts.dropped += count;
    try {
      this.onDropped(count, reason);
    } catch {
      // A failing report must not break the pipeline.
    }
  }

  private forwardEnd(span: ReadableSpan): void {
    for (const delegate of this.delegates) delegate.onEnd(span);
  }

  private rememberDiscarded(traceId: string): void {
    this.discarded.delete(traceId);
    this.discarded.add(traceId);
    if (this.discarded.size > this.maxDiscardedTraces) {
      const oldest = this.discarded.values().next().value;
      if (oldest !== undefined) this.discarded.delete(oldest);
    }
  }
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isPositiveInteger(value)) {
    throw new RangeError(`[respan] TraceHoldSpanProcessor option ${name} must be a positive integer (got ${String(value)})`);
  }
  return value;
}
