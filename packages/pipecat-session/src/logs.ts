/**
 * Session logs: records at INFO and above (`console.info`, `console.log` as INFO, `console.warn`,
 * `console.error`, and process warnings) emitted while a session's code runs, attributed to that session
 * even when several run at once, and correlated with its trace. pipecat-ts has no logger of its own: it
 * reports problems as ErrorFrames (recorded by the capture, see capture.ts) and, outside processors, as
 * process warnings (recorded here).
 *
 * Attribution: a console call belongs to the session whose scope it runs in (scope.ts: entered around the
 * session's code, e.g. the task's run), or else to the session whose trace the active OpenTelemetry span
 * belongs to (service and tool code runs inside the session's spans). A call with neither belongs to no
 * session and is left alone.
 *
 * Console is patched only while at least one capturing session is live, and restored after the last one
 * ends (unless someone patched it after us, in which case our inert wrapper stays). The patch state lives on
 * `globalThis`, so the ESM and CommonJS builds of this package share one patch. Log capture is opt-in:
 * messages are the application's own text; obvious credentials (bearer tokens, `sk-` keys, `key=` / `token=`
 * values) are masked, but anything else an application prints is captured as printed.
 */
import { format } from "node:util";
import { trace } from "@opentelemetry/api";
import { currentSessionScope } from "./scope.js";

export type SessionLogLevel = "INFO" | "WARN" | "ERROR";

export interface SessionLogRecord {
  /** ISO-8601 UTC. */
  timestamp: string;
  level: SessionLogLevel;
  message: string;
  /** `console`, or the name of the logger that emitted it. */
  source: string;
  sessionId: string;
  traceId?: string;
  spanId?: string;
}

export interface SessionLogCollectorOptions {
  sessionId: string;
  /** The session's trace (and its conversation span), stamped on every record. */
  traceId?: string;
  spanId?: string;
  /** Most records kept for the session; later ones are counted (default 100). */
  maxRecords?: number;
  /** Longest message kept, in characters (default 4,096). */
  maxMessageChars?: number;
  /** Receives every kept record (e.g. to put it on a span). Errors it throws are swallowed. */
  onRecord?: (record: SessionLogRecord) => void;
}

/** One session's log records. */
export class SessionLogCollector {
  readonly sessionId: string;
  private readonly maxRecords: number;
  private readonly maxMessageChars: number;
  private readonly onRecord: ((record: SessionLogRecord) => void) | undefined;
  private readonly kept: SessionLogRecord[] = [];
  private droppedCount = 0;
  private closed = false;
  readonly traceId: string | undefined;
  private readonly spanId: string | undefined;

  constructor(options: SessionLogCollectorOptions) {
    this.sessionId = options.sessionId;
    this.traceId = options.traceId;
    this.spanId = options.spanId;
    this.maxRecords = options.maxRecords ?? 100;
    this.maxMessageChars = options.maxMessageChars ?? 4096;
    this.onRecord = options.onRecord;
  }

  get records(): readonly SessionLogRecord[] {
    return this.kept;
  }

  get droppedRecords(): number {
    return this.droppedCount;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Records one message. `activeSpanId` correlates it with the span that was running, when it is ours. */
  record(level: SessionLogLevel, message: string, source: string, activeSpanId?: string): void {
    if (this.closed) return;
    if (this.kept.length >= this.maxRecords) {
      this.droppedCount += 1;
      return;
    }
    const record: SessionLogRecord = {
      timestamp: new Date().toISOString(),
      level,
      message: truncate(maskCredentials(message), this.maxMessageChars),
      source,
      sessionId: this.sessionId,
    };
    if (this.traceId) record.traceId = this.traceId;
    const spanId = activeSpanId ?? this.spanId;
    if (spanId) record.spanId = spanId;
    this.kept.push(record);
    try {
      this.onRecord?.(record);
    } catch {
      // The consumer's failure is not the application's problem.
    }
  }

  close(): void {
    this.closed = true;
  }
}

const CONSOLE_LEVELS = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR" } as const;
type ConsoleMethod = keyof typeof CONSOLE_LEVELS;
type ConsoleFunction = (...args: unknown[]) => void;
const NODE_WARNING_PREFIX = `(node:${process.pid}) `;

interface LogCaptureState {
  /** Live collectors by the trace id they belong to (for attribution through the active span). */
  byTrace: Map<string, SessionLogCollector>;
  users: number;
  originals: Partial<Record<ConsoleMethod, ConsoleFunction>>;
  wrappers: Partial<Record<ConsoleMethod, ConsoleFunction>>;
  onWarning: ((warning: Error) => void) | undefined;
  recording: boolean;
}

const STATE_KEY = Symbol.for("@respan/instrumentation-pipecat.sessionLogs");

function state(): LogCaptureState {
  const holder = globalThis as { [STATE_KEY]?: LogCaptureState };
  holder[STATE_KEY] ??= {
    byTrace: new Map(),
    users: 0,
    originals: {},
    wrappers: {},
    onWarning: undefined,
    recording: false,
  };
  return holder[STATE_KEY];
}

/** The collector a log call made here belongs to, if any. */
function currentLogCollector(): SessionLogCollector | undefined {
  const current = state();
  const scoped = currentSessionScope()?.logs;
  if (scoped?.isOpen) return scoped;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return traceId ? current.byTrace.get(traceId) : undefined;
}

/**
 * Starts capturing for `collector` (patching console if it is the first) and returns the function that
 * stops it (restoring console after the last one).
 */
export function startLogCapture(collector: SessionLogCollector): () => void {
  const current = state();
  current.users += 1;
  if (current.users === 1) patchConsole(current);
  const traceId = collector.traceId;
  if (traceId) current.byTrace.set(traceId, collector);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    collector.close();
    if (traceId && current.byTrace.get(traceId) === collector) current.byTrace.delete(traceId);
    current.users -= 1;
    if (current.users === 0) restoreConsole(current);
  };
}

/** Records a log call (console, a process warning) for the session the calling code runs for, if any. */
function captureLoggerRecord(level: SessionLogLevel, args: readonly unknown[], source: string): void {
  const current = state();
  if (current.recording) return;
  current.recording = true;
  try {
    const collector = currentLogCollector();
    if (!collector) return;
    const active = trace.getActiveSpan()?.spanContext();
    const spanId = active && active.traceId === collector.traceId ? active.spanId : undefined;
    collector.record(level, format(...args), source, spanId);
  } catch {
    // Capturing a log must never break the log call.
  } finally {
    current.recording = false;
  }
}

function patchConsole(current: LogCaptureState): void {
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    const original = console[method] as ConsoleFunction;
    const level = CONSOLE_LEVELS[method];
    const wrapper: ConsoleFunction = function (this: unknown, ...args: unknown[]) {
      original.apply(this, args);
      // Node prints process warnings through console.error; they are recorded from the 'warning' event.
      if (typeof args[0] === "string" && args[0].startsWith(NODE_WARNING_PREFIX)) return;
      captureLoggerRecord(level, args, "console");
    };
    current.originals[method] = original;
    current.wrappers[method] = wrapper;
    console[method] = wrapper;
  }
  // A warning is emitted on a later tick of the code that raised it, so it runs in that code's scope.
  current.onWarning = (warning) => captureLoggerRecord("WARN", [`${warning.name}: ${warning.message}`], "process.warning");
  process.on("warning", current.onWarning);
}

function restoreConsole(current: LogCaptureState): void {
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    const original = current.originals[method];
    // If someone wrapped console after us, leave their wrapper (ours beneath it is inert with no sessions).
    if (original && console[method] === current.wrappers[method]) console[method] = original;
  }
  current.originals = {};
  current.wrappers = {};
  if (current.onWarning) process.off("warning", current.onWarning);
  current.onWarning = undefined;
}

const CREDENTIAL_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 [REDACTED]"],
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{12,}/g, "$1-[REDACTED]"],
  [/\b((?:api[_-]?key|access[_-]?token|token|secret|password|signature)\s*[=:]\s*)("?)[^\s"&,;]{4,}/gi, "$1$2[REDACTED]"],
];

function maskCredentials(message: string): string {
  let masked = message;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[truncated]`;
}
