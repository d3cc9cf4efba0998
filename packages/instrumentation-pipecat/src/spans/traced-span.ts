import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { AttributeValue, Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import type { ContentPolicy } from "../content.js";
import type { ErrorReporter } from "../error-reporter.js";
import type { PipecatAttributeHook, PipecatSpanKind } from "../types.js";
import { errorMessage } from "../utils.js";

/** Starts the spans of one conversation, all with explicit parents and explicit (wall clock) times. */
export class SpanFactory {
  constructor(
    private readonly tracer: Tracer,
    readonly content: ContentPolicy,
    private readonly hook: PipecatAttributeHook | undefined,
    private readonly errors: ErrorReporter,
    /** Put on every span of the conversation (backends filter child spans by them). */
    private readonly common: Attributes,
  ) {}

  start(kind: PipecatSpanKind, name: string, parent: Context, startMs: number, attributes: Attributes,
    spanKind: SpanKind = SpanKind.INTERNAL): TracedSpan {
    const span = this.tracer.startSpan(
      name,
      { kind: spanKind, startTime: startMs, attributes: { ...this.common, ...attributes } },
      parent,
    );
    return new TracedSpan(this, kind, span, trace.setSpan(parent, span), startMs);
  }

  /** @internal called by TracedSpan.end */
  finish(traced: TracedSpan, attributes: Attributes, endMs: number): void {
    if (this.hook !== undefined) {
      try {
        this.hook(traced.span, { kind: traced.kind, attributes });
      } catch (error) {
        this.errors.report("attributeHook", error);
      }
    }
    traced.span.setAttributes(attributes);
    traced.span.end(endMs);
  }
}

/**
 * A span plus the attributes gathered while it is open. Those are set when it ends, after the attribute
 * hook has seen them (so the hook can redact them).
 */
export class TracedSpan {
  private readonly pending: Attributes = {};
  private ended = false;

  constructor(
    private readonly factory: SpanFactory,
    readonly kind: PipecatSpanKind,
    readonly span: Span,
    /** The parent's context with this span set: what children and nested calls run in. */
    readonly context: Context,
    readonly startMs: number,
  ) {}

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

  get(key: string): AttributeValue | undefined {
    return this.pending[key];
  }

  /** Marks the span failed: ERROR status, `error.type` and an exception event. */
  fail(error: unknown, type: string, atMs: number): void {
    const message = errorMessage(error);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    this.span.recordException(error instanceof Error ? error : { name: type, message }, atMs);
    this.pending[ATTR_ERROR_TYPE] = type;
  }

  end(endMs: number): void {
    if (this.ended) return;
    this.ended = true;
    this.factory.finish(this, this.pending, Math.max(endMs, this.startMs));
  }
}
