import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { AttributeValue, Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_TYPE } from "@opentelemetry/semantic-conventions";
import { ATTR_LATE_ERROR_SPAN_KIND } from "@respan/semconv-pipecat";
import type { ContentPolicy, RecordedError } from "../content.js";
import type { CoverageReport } from "../coverage.js";
import type { ErrorReporter } from "../error-reporter.js";
import type { ConversationMetrics } from "../metrics/conversation-metrics.js";
import type { PipecatAttributeHook, PipecatSpanKind } from "../types.js";

const NOTHING_WAIVED: readonly string[] = [];

/** Starts the spans of one conversation, all with explicit parents and explicit (wall clock) times. */
export class SpanFactory {
  /** The conversation's span: where errors that arrive after their own span ended are recorded. */
  private root: TracedSpan | undefined;

  constructor(
    private readonly tracer: Tracer,
    readonly content: ContentPolicy,
    private readonly hook: PipecatAttributeHook | undefined,
    private readonly errors: ErrorReporter,
    /** Put on every span of the conversation (backends filter child spans by them). */
    private readonly common: Attributes,
    /** Records the conversation's metrics from each span's final attributes. */
    private readonly metrics?: ConversationMetrics,
    /** Told what each span carried when it ends (what the trace could not read). */
    private readonly coverage?: CoverageReport,
  ) {}

  /** The root of the conversation's spans, under the caller's context. */
  startRoot(kind: PipecatSpanKind, name: string, parentContext: Context, startMs: number, attributes: Attributes): TracedSpan {
    this.root = this.open(kind, name, parentContext, undefined, startMs, attributes, SpanKind.INTERNAL);
    return this.root;
  }

  /**
   * A child of `parent`. It never starts before its parent (a back-dated start is clamped to the parent's),
   * and its parent's end waits for it (see TracedSpan.end).
   */
  start(kind: PipecatSpanKind, name: string, parent: TracedSpan, startMs: number, attributes: Attributes,
    spanKind: SpanKind = SpanKind.INTERNAL): TracedSpan {
    return this.open(kind, name, parent.context, parent, Math.max(startMs, parent.startMs), attributes, spanKind);
  }

  private open(kind: PipecatSpanKind, name: string, parentContext: Context, parent: TracedSpan | undefined,
    startMs: number, attributes: Attributes, spanKind: SpanKind): TracedSpan {
    // Object.assign, not spread: merging two records by spread is several times slower, on every span.
    const startAttributes = Object.assign({}, this.common, attributes);
    const span = this.tracer.startSpan(name, { kind: spanKind, startTime: startMs, attributes: startAttributes }, parentContext);
    return new TracedSpan(this, kind, span, trace.setSpan(parentContext, span), startMs, parent, startAttributes);
  }

  /** @internal called by TracedSpan.fail for a span that already finished */
  recordLateError(kind: PipecatSpanKind, recorded: RecordedError, atMs: number): void {
    const root = this.root;
    if (root === undefined || root.isFinished) return;
    root.span.addEvent(
      "exception",
      {
        [ATTR_EXCEPTION_TYPE]: recorded.exception.name,
        [ATTR_EXCEPTION_MESSAGE]: recorded.exception.message,
        [ATTR_LATE_ERROR_SPAN_KIND]: kind,
      },
      atMs,
    );
  }

  /** @internal called by TracedSpan.end */
  finish(traced: TracedSpan, attributes: Attributes, endMs: number): void {
    // What the runtime gave, before the hook redacts anything.
    this.coverage?.spanFinished(traced.kind, traced.startAttributes, attributes, traced.waived);
    if (this.hook !== undefined) {
      try {
        this.hook(traced.span, { kind: traced.kind, attributes });
      } catch (error) {
        this.errors.report("attributeHook", error);
      }
      this.content.capAttributes(attributes);
    }
    if (this.metrics !== undefined) {
      try {
        this.metrics.spanEnded(traced.kind, Object.assign({}, traced.startAttributes, attributes), traced.startMs, endMs);
      } catch (error) {
        this.errors.report("metrics", error);
      }
    }
    traced.span.setAttributes(attributes);
    traced.span.end(endMs);
  }
}

/**
 * A span plus the attributes gathered while it is open. Those are set when it ends, after the attribute
 * hook has seen them (so the hook can redact them).
 *
 * A parent never ends before its children: a span ended while children are still open (a turn that
 * ends while the llm run it started waits on a tool) is finished when its last child finishes, at the
 * later of the two end times, as Respan's own tracing does. Ending the conversation ends every child
 * first, so nothing waits past it (and the conversation itself never waits: see endNow).
 */
export class TracedSpan {
  private readonly pending: Attributes = {};
  private ended = false;
  private finished = false;
  private requestedEndMs = 0;
  private openChildren = 0;
  private latestChildEndMs = Number.NEGATIVE_INFINITY;
  /**
   * The parent waiting for this span to finish (none when the parent had already finished). Dropped once
   * this span finishes, so a finished span that is still referenced (the last llm run of a service, kept as
   * the parent of late tool calls) keeps none of its ancestors alive.
   */
  private waitingParent: TracedSpan | undefined;
  /** Core attributes this span has no reason to carry (an llm run that only asked for tools has no output). */
  waived: readonly string[] = NOTHING_WAIVED;

  constructor(
    private readonly factory: SpanFactory,
    readonly kind: PipecatSpanKind,
    readonly span: Span,
    /** The parent's context with this span set: what children and nested calls run in. */
    readonly context: Context,
    readonly startMs: number,
    parent: TracedSpan | undefined,
    /** The attributes the span started with (what its metrics are labelled from, with those set at its end). */
    readonly startAttributes: Attributes,
  ) {
    if (parent !== undefined && !parent.finished) {
      parent.openChildren += 1;
      this.waitingParent = parent;
    }
  }

  /** Whether end() was called (the span may still wait for its children to finish). */
  get isEnded(): boolean {
    return this.ended;
  }

  set(key: string, value: AttributeValue | undefined): void {
    if (value !== undefined) this.pending[key] = value;
  }

  /** Sets the attribute only if it has no value yet (first measurement wins). */
  setIfAbsent(key: string, value: AttributeValue | undefined): void {
    if (value !== undefined && this.pending[key] === undefined) this.pending[key] = value;
  }

  /** A core attribute this span has no reason to carry, for the coverage report (see coverage.ts). */
  waive(label: string): void {
    if (!this.waived.includes(label)) this.waived = [...this.waived, label];
  }

  get(key: string): AttributeValue | undefined {
    return this.pending[key];
  }

  /**
   * Marks the span failed: ERROR status, `error.type` and an exception event (text capped, or withheld
   * when content capture is off). An error arriving after the span finished is recorded on the
   * conversation instead (an ended span takes no more events).
   */
  fail(error: unknown, type: string, atMs: number): void {
    const recorded = this.factory.content.error(error, type);
    if (this.finished) {
      this.factory.recordLateError(this.kind, recorded, atMs);
      return;
    }
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: recorded.message });
    this.span.recordException(recorded.exception, atMs);
    this.pending[ATTR_ERROR_TYPE] = type;
  }

  /** Whether the span has been handed to OpenTelemetry (ended). */
  get isFinished(): boolean {
    return this.finished;
  }

  end(endMs: number): void {
    if (this.ended) return;
    this.ended = true;
    this.requestedEndMs = endMs;
    if (this.openChildren === 0) this.finish();
  }

  /**
   * Ends the span now, even if children are still open: for the conversation, whose end has already ended
   * every child — unless that failed, and then nothing may keep the trace's root from being exported.
   */
  endNow(endMs: number): void {
    if (this.finished) return;
    this.ended = true;
    this.requestedEndMs = endMs;
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    const endMs = Math.max(this.requestedEndMs, this.startMs, this.latestChildEndMs);
    const parent = this.waitingParent;
    this.waitingParent = undefined;
    try {
      this.factory.finish(this, this.pending, endMs);
    } finally {
      parent?.childFinished(endMs);
    }
  }

  private childFinished(endMs: number): void {
    this.openChildren -= 1;
    if (endMs > this.latestChildEndMs) this.latestChildEndMs = endMs;
    if (this.ended && !this.finished && this.openChildren === 0) this.finish();
  }
}
