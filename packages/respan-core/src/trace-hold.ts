/**
 * Withholding whole traces from export until their owner decides their fate.
 *
 * A `TraceHoldSpanProcessor` sits in front of the exporting span processors. While a trace id is held, the
 * spans of that trace that end are buffered (bounded) instead of being handed to the delegates; releasing
 * the trace forwards them, releasing it with `discard` drops them and every later span of that trace. This
 * is what lets a voice session be aborted with the guarantee that nothing of it leaves the process.
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
  /** Most ended spans buffered per held trace; later ones are dropped and counted. Default 10,000. */
  maxSpansPerTrace?: number;
  /** Most traces held at once; a hold beyond it is refused. Default 1,000. */
  maxHeldTraces?: number;
  /** How many discarded trace ids are remembered so that their late spans are dropped too. Default 1,000. */
  maxDiscardedTraces?: number;
  /** Join the process-wide registry (default true). */
  register?: boolean;
}

interface HeldTrace {
  holds: number;
  ended: ReadableSpan[];
}

const DEFAULTS = { maxSpansPerTrace: 10_000, maxHeldTraces: 1_000, maxDiscardedTraces: 1_000 };

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
  /** Insertion-ordered, so the oldest discarded id is forgotten first. */
  private readonly discarded = new Set<string>();
  private readonly maxSpansPerTrace: number;
  private readonly maxHeldTraces: number;
  private readonly maxDiscardedTraces: number;
  private readonly registry: RegistryRecord | undefined;
  private dropped = 0;

  constructor(delegates: SpanProcessor | readonly SpanProcessor[], options: TraceHoldOptions = {}) {
    this.delegates = Array.isArray(delegates) ? [...delegates] : [delegates as SpanProcessor];
    this.maxSpansPerTrace = positiveInteger(options.maxSpansPerTrace, "maxSpansPerTrace", DEFAULTS.maxSpansPerTrace);
    this.maxHeldTraces = positiveInteger(options.maxHeldTraces, "maxHeldTraces", DEFAULTS.maxHeldTraces);
    this.maxDiscardedTraces = positiveInteger(
      options.maxDiscardedTraces,
      "maxDiscardedTraces",
      DEFAULTS.maxDiscardedTraces,
    );
    if (options.register !== false) {
      this.registry = ensureRegistry();
      this.registry.targets.add(this);
    }
  }

  /** Spans dropped so far: discarded with their trace, or beyond a held trace's buffer. */
  get droppedSpanCount(): number {
    return this.dropped;
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
    this.held.set(traceId, { holds: 1, ended: [] });
    return true;
  }

  release(traceId: string, options: TraceReleaseOptions = {}): void {
    const trace = this.held.get(traceId);
    if (options.discard) {
      if (trace) this.dropped += trace.ended.length;
      this.held.delete(traceId);
      this.rememberDiscarded(traceId);
      return;
    }
    if (!trace) return;
    trace.holds -= 1;
    if (trace.holds > 0) return;
    this.held.delete(traceId);
    for (const span of trace.ended) this.forwardEnd(span);
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
      this.dropped += 1;
      return;
    }
    const trace = this.held.get(traceId);
    if (!trace) {
      this.forwardEnd(span);
      return;
    }
    if (trace.ended.length >= this.maxSpansPerTrace) {
      this.dropped += 1;
      return;
    }
    trace.ended.push(span);
  }

  /** Flushes the delegates; spans of held traces stay held. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.delegates.map((delegate) => delegate.forceFlush()));
  }

  /** Drops whatever is still held (it was never released, so never cleared for export) and shuts down. */
  async shutdown(): Promise<void> {
    this.registry?.targets.delete(this);
    for (const trace of this.held.values()) this.dropped += trace.ended.length;
    this.held.clear();
    await Promise.all(this.delegates.map((delegate) => delegate.shutdown()));
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
