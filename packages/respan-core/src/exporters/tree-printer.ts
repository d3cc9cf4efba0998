/**
 * Prints each finished trace as a readable waterfall: one line per span, indented under its parent, with
 * its duration, a timeline bar and a few telling attributes (turn number, model, tokens, tool, TTFB,
 * interruptions, errors). A trace is printed when its root span has ended and every span's parent is in —
 * so a call whose halves come from two processes (a browser's session received through `receiveOtlpJson`,
 * the server's conversation continuing it) prints once, as one tree — or after a short grace period when
 * the other half never comes. Memory is bounded in spans per trace and in traces
 * collected at once; rendering and writing happen off the span-ending path.
 */
import type { Context } from "@opentelemetry/api";
import { SpanStatusCode } from "@opentelemetry/api";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import { describeError } from "../logger.js";
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_METRICS_TTFB,
  ATTR_STT_INCOMPLETE,
  ATTR_TEXT,
  ATTR_TRANSCRIPT,
  ATTR_TTS_INTERRUPTED,
  ATTR_TURN_ENDED_BY_CONVERSATION_END,
  ATTR_TURN_NUMBER,
  ATTR_TURN_USER_BOT_LATENCY_SECONDS,
  ATTR_TURN_WAS_INTERRUPTED,
} from "@respan/semconv-pipecat";
import { isPositiveInteger } from "../validate.js";
import { isLocalRoot } from "./local-root.js";

export interface TraceTreePrinterOptions {
  /** Receives each rendered tree. Default: writes to process.stderr. */
  write?: (text: string) => void;
  /** Draw a timeline bar per span. Default true. */
  bars?: boolean;
  /** Most spans kept per trace; later ones are counted as omitted. Default 1,000. */
  maxSpansPerTrace?: number;
  /** Most traces collected at once; beyond it the oldest is forgotten. Default 100. */
  maxTraces?: number;
  /**
   * How long a trace whose local root has a remote parent waits for the remote half before it is printed,
   * in milliseconds. Default 3,000.
   */
  remoteParentGraceMillis?: number;
}

const DEFAULT_MAX_SPANS_PER_TRACE = 1_000;
const DEFAULT_MAX_TRACES = 100;
const DEFAULT_REMOTE_PARENT_GRACE_MILLIS = 3_000;
const BAR_WIDTH = 30;
const MAX_NAME_COLUMN = 48;
const MAX_QUOTE_LENGTH = 40;

interface CollectedTrace {
  spans: ReadableSpan[];
  omitted: number;
  /** A span without any parent (the trace's root) has ended. */
  hasRoot?: boolean;
  /** Set while the trace waits for its other half (spans of another process). */
  graceTimer?: ReturnType<typeof setTimeout>;
}

/** No collected span's parent is missing (spans over the per-trace limit are not waited for). */
function isComplete(trace: CollectedTrace): boolean {
  if (trace.omitted > 0) return true;
  const ids = new Set(trace.spans.map((span) => span.spanContext().spanId));
  return trace.spans.every((span) => span.parentSpanContext === undefined || ids.has(span.parentSpanContext.spanId));
}

interface Line {
  label: string;
  span: ReadableSpan;
}

export class TraceTreePrinter implements SpanProcessor {
  private readonly write: (text: string) => void;
  private readonly bars: boolean;
  private readonly maxSpansPerTrace: number;
  private readonly maxTraces: number;
  private readonly remoteParentGraceMillis: number;
  private readonly collecting = new Map<string, CollectedTrace>();
  /** Finished traces waiting to be rendered. */
  private readonly ready: CollectedTrace[] = [];
  private renderScheduled = false;
  private isShutdown = false;

  constructor(options: TraceTreePrinterOptions = {}) {
    this.write = options.write ?? ((text) => void process.stderr.write(text));
    this.bars = options.bars ?? true;
    this.maxSpansPerTrace = limit("maxSpansPerTrace", options.maxSpansPerTrace, DEFAULT_MAX_SPANS_PER_TRACE);
    this.maxTraces = limit("maxTraces", options.maxTraces, DEFAULT_MAX_TRACES);
    this.remoteParentGraceMillis = limit(
      "remoteParentGraceMillis",
      options.remoteParentGraceMillis,
      DEFAULT_REMOTE_PARENT_GRACE_MILLIS,
    );
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.isShutdown) return;
    const traceId = span.spanContext().traceId;
    let trace = this.collecting.get(traceId);
    if (trace === undefined) {
      if (this.collecting.size >= this.maxTraces) {
        const oldest = this.collecting.keys().next().value as string;
        clearTimeout(this.collecting.get(oldest)?.graceTimer);
        this.collecting.delete(oldest);
      }
      trace = { spans: [], omitted: 0 };
      this.collecting.set(traceId, trace);
    }
    if (trace.spans.length < this.maxSpansPerTrace) trace.spans.push(span);
    else trace.omitted += 1;
    if (span.parentSpanContext === undefined) trace.hasRoot = true;
    // A trace is printed once its root has ended and no span waits for a parent: its halves from two
    // processes (a browser's session, the server's conversation) end in either order.
    if (trace.hasRoot && isComplete(trace)) {
      this.finish(traceId, trace);
    } else if ((trace.hasRoot || isLocalRoot(span)) && trace.graceTimer === undefined) {
      const collected = trace;
      collected.graceTimer = setTimeout(() => this.finish(traceId, collected), this.remoteParentGraceMillis);
      collected.graceTimer.unref?.();
    }
  }

  private finish(traceId: string, trace: CollectedTrace): void {
    clearTimeout(trace.graceTimer);
    if (this.collecting.get(traceId) === trace) this.collecting.delete(traceId);
    this.ready.push(trace);
    this.scheduleRender();
  }

  /**
   * Prints the traces whose root span has ended. One waiting for its remote half keeps waiting (its grace
   * period is short): a flush right after a call must not split that call's tree in two.
   */
  forceFlush(): Promise<void> {
    this.renderReady();
    return Promise.resolve();
  }

  /** Prints every trace whose root has ended, including those still waiting for a remote half. */
  shutdown(): Promise<void> {
    for (const [traceId, trace] of [...this.collecting]) if (trace.graceTimer !== undefined) this.finish(traceId, trace);
    this.renderReady();
    this.isShutdown = true;
    this.collecting.clear();
    return Promise.resolve();
  }

  private scheduleRender(): void {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    setImmediate(() => {
      this.renderScheduled = false;
      this.renderReady();
    });
  }

  private renderReady(): void {
    while (this.ready.length > 0) {
      const trace = this.ready.shift() as CollectedTrace;
      try {
        this.write(renderTraceTree(trace.spans, { bars: this.bars, omitted: trace.omitted }));
      } catch (error) {
        // The printer is a convenience: a broken writer must not disturb tracing or the application.
        console.warn(`[respan] could not print a trace tree: ${describeError(error)}`);
      }
    }
  }
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isPositiveInteger(value)) {
    throw new Error(`TraceTreePrinter: option "${name}" must be a positive integer; got ${String(value)}`);
  }
  return value;
}

/** Renders one trace as text (several lines, each ending in "\n"). */
export function renderTraceTree(spans: readonly ReadableSpan[], options: { bars?: boolean; omitted?: number } = {}): string {
  if (spans.length === 0) return "";
  const byStart = [...spans].sort((a, b) => startMs(a) - startMs(b));
  const ids = new Set(byStart.map((span) => span.spanContext().spanId));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const span of byStart) {
    const parentId = span.parentSpanContext?.spanId;
    if (parentId !== undefined && ids.has(parentId)) {
      const siblings = children.get(parentId);
      if (siblings === undefined) children.set(parentId, [span]);
      else siblings.push(span);
    } else {
      roots.push(span);
    }
  }

  const lines: Line[] = [];
  const visit = (span: ReadableSpan, prefix: string, connector: string) => {
    lines.push({ label: `${prefix}${connector}${span.name}`, span });
    const kids = children.get(span.spanContext().spanId) ?? [];
    const childPrefix = prefix + (connector === "" ? "" : connector === "├─ " ? "│  " : "   ");
    kids.forEach((kid, index) => visit(kid, childPrefix, index === kids.length - 1 ? "└─ " : "├─ "));
  };
  for (const root of roots) visit(root, "", "");

  const traceStart = Math.min(...byStart.map(startMs));
  const traceEnd = Math.max(...byStart.map(endMs));
  const total = Math.max(traceEnd - traceStart, 1e-6);
  const nameWidth = Math.min(MAX_NAME_COLUMN, Math.max(...lines.map((line) => line.label.length)));
  const mainRoot = roots.find(isLocalRoot) ?? roots[0];

  const header = `── trace ${byStart[0]?.spanContext().traceId} · ${mainRoot?.name ?? ""} · ${formatDuration(traceEnd - traceStart)} · ${spans.length} span(s)`;
  const out = [header];
  for (const { label, span } of lines) {
    const name = label.length > nameWidth ? `${label.slice(0, nameWidth - 1)}…` : label.padEnd(nameWidth);
    const bar = options.bars === false ? "" : ` ${timelineBar(startMs(span) - traceStart, durationMs(span), total)}`;
    const details = keyAttributes(span);
    out.push(`${name}${bar} ${formatDuration(durationMs(span)).padStart(8)}${details ? `  ${details}` : ""}`);
  }
  if (options.omitted) out.push(`… ${options.omitted} more span(s) not shown`);
  return `${out.join("\n")}\n`;
}

function startMs(span: ReadableSpan): number {
  return hrTimeToMilliseconds(span.startTime);
}

function endMs(span: ReadableSpan): number {
  return hrTimeToMilliseconds(span.endTime);
}

function durationMs(span: ReadableSpan): number {
  return Math.max(0, endMs(span) - startMs(span));
}

function timelineBar(offsetMs: number, lengthMs: number, totalMs: number): string {
  const start = Math.min(BAR_WIDTH - 1, Math.floor((offsetMs / totalMs) * BAR_WIDTH));
  const length = Math.max(1, Math.min(BAR_WIDTH - start, Math.round((lengthMs / totalMs) * BAR_WIDTH)));
  return `${" ".repeat(start)}${"█".repeat(length)}${" ".repeat(BAR_WIDTH - start - length)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function formatSeconds(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) ? formatDuration(value * 1000) : undefined;
}

function quote(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const oneLine = value.replace(/\s+/g, " ").trim();
  return JSON.stringify(oneLine.length > MAX_QUOTE_LENGTH ? `${oneLine.slice(0, MAX_QUOTE_LENGTH - 1)}…` : oneLine);
}

/** The few attributes worth a glance, as "key=value" pairs. */
function keyAttributes(span: ReadableSpan): string {
  const attributes = span.attributes;
  const parts: string[] = [];
  const add = (label: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== "") parts.push(`${label}=${String(value)}`);
  };
  add("turn", attributes[ATTR_TURN_NUMBER]);
  add("model", attributes[ATTR_GEN_AI_REQUEST_MODEL]);
  const input = attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
  const output = attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
  if (input !== undefined || output !== undefined) add("tokens", `${input ?? "?"}→${output ?? "?"}`);
  const tool = attributes[ATTR_GEN_AI_TOOL_NAME];
  if (typeof tool === "string" && !span.name.includes(tool)) add("tool", tool);
  add("ttfb", formatSeconds(attributes[ATTR_METRICS_TTFB]));
  add("latency", formatSeconds(attributes[ATTR_TURN_USER_BOT_LATENCY_SECONDS]));
  add("transcript", quote(attributes[ATTR_TRANSCRIPT]));
  add("text", quote(attributes[ATTR_TEXT]));
  // A turn cut short because the conversation ended is flagged as interrupted too; say why it stopped.
  if (attributes[ATTR_TURN_ENDED_BY_CONVERSATION_END] === true) {
    parts.push("ended");
  } else if (attributes[ATTR_TURN_WAS_INTERRUPTED] === true || attributes[ATTR_TTS_INTERRUPTED] === true) {
    parts.push("interrupted");
  }
  if (attributes[ATTR_STT_INCOMPLETE] === true) parts.push("incomplete");
  if (span.status.code === SpanStatusCode.ERROR) parts.push(`ERROR${span.status.message ? `: ${span.status.message}` : ""}`);
  return parts.join(" ");
}
