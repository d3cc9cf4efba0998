/**
 * Session-capture options: what a user passes, validated up front (a bad value fails fast with an error
 * naming the option and what it accepts), with precedence option > environment variable > default.
 */
import path from "node:path";
import { parseEnvBoolean } from "@respan/instrumentation-pipecat";
import type { RecordingSink } from "./sinks.js";
import type { SessionLogRecord } from "./logs.js";
import {
  booleanOption,
  invalidOption,
  isPlainObject,
  positiveIntegerOption,
  sampleRateOption,
} from "./validate.js";

export type SessionMode = "testing" | "production";

export interface RecordingSinkContext {
  sessionId: string;
  conversationId: string;
}

export interface SessionOptions {
  /** The session's id. Default: the runner's session id when it exposes one, else a generated UUID. */
  sessionId?: string;
  /** `testing`: transcript, tool calls, metadata, logs, traces. `production`: the same plus audio. Default `testing`. */
  mode?: SessionMode;
  /** Initial custom metadata (merged with later `setCustomMetadata` calls). */
  customMetadata?: Record<string, unknown>;
  /** Hold the audio on local disk until `session.startAudioUpload()`; discard it if that never happens. */
  deferUpload?: boolean;
  /** Where the recording goes: a sink, or a function making one per session. Default: a local WAV file. */
  recordingSink?: RecordingSink | ((context: RecordingSinkContext) => RecordingSink);
  /**
   * Directory of the default WAV files. Default `<RESPAN_TRACES_DIR or ./traces>/recordings`; none when
   * RESPAN_TRACES_DIR is `false`/`none` (then, without a recordingSink, nothing is recorded).
   */
  recordingsDir?: string;
  /** Recording sample rate in Hz. Default: the StartFrame's audioOutSampleRate. */
  recordingSampleRate?: number;
  /** Capture INFO+ console output (and the runtime's logger) emitted during the session. Default false. */
  captureLogs?: boolean;
  /** Most log records kept per session (default 100). */
  maxLogRecords?: number;
  /** Receives each captured log record, e.g. to forward it to a log pipeline. */
  onLog?: (record: SessionLogRecord) => void;
  /** Keep transcript text, tool arguments and results. Default: the instrumentation's content setting. */
  captureContent?: boolean;
  /** Largest transcript document on the conversation span, in characters (default 1,000,000). */
  maxTranscriptChars?: number;
}

export interface ResolvedSessionOptions {
  sessionId: string | undefined;
  mode: SessionMode;
  customMetadata: Record<string, unknown>;
  deferUpload: boolean;
  recordingSink: SessionOptions["recordingSink"];
  /** Undefined when the traces directory is switched off and no recordingsDir was given. */
  recordingsDir: string | undefined;
  recordingSampleRate: number | undefined;
  captureLogs: boolean;
  maxLogRecords: number;
  onLog: SessionOptions["onLog"];
  captureContent: boolean | undefined;
  maxTranscriptChars: number;
}

const ENV_TRACING_ENABLED = "RESPAN_TRACING_ENABLED";
const ENV_TRACES_DIR = "RESPAN_TRACES_DIR";
const DEFAULT_TRACES_DIR = "./traces";
/** The values of RESPAN_TRACES_DIR that switch the directory off (as @respan/core reads them). */
const DISABLED_DIRECTORY_WORDS = ["false", "0", "no", "off", "none"];

const OPTION_NAMES: ReadonlyArray<keyof SessionOptions> = [
  "sessionId",
  "mode",
  "customMetadata",
  "deferUpload",
  "recordingSink",
  "recordingsDir",
  "recordingSampleRate",
  "captureLogs",
  "maxLogRecords",
  "onLog",
  "captureContent",
  "maxTranscriptChars",
];

const OWNER = "session";

function fail(option: string, accepted: string, value: unknown): never {
  return invalidOption(OWNER, option, accepted, value);
}

/**
 * Where a @respan/core client publishes whether tracing is on (`enabled` option > RESPAN_TRACING_ENABLED),
 * so that its `enabled: false` switches session capture off without this package importing it.
 */
const CLIENT_TRACING_ENABLED_KEY = Symbol.for("@respan/core.tracingEnabled");

/**
 * False when tracing is off: as a running @respan/core client decided it, else as RESPAN_TRACING_ENABLED
 * says (false / 0 / no / off).
 */
export function isTracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const published = (globalThis as { [CLIENT_TRACING_ENABLED_KEY]?: unknown })[CLIENT_TRACING_ENABLED_KEY];
  if (typeof published === "boolean") return published;
  // Any other value leaves tracing on (@respan/core, which owns this variable, reports it).
  return parseEnvBoolean(env[ENV_TRACING_ENABLED], () => undefined) !== false;
}

function isSink(value: unknown): value is RecordingSink {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as RecordingSink).write === "function" &&
    typeof (value as RecordingSink).close === "function" &&
    typeof (value as RecordingSink).abort === "function"
  );
}

/** Validates `options` (layered over `defaults`) and fills in the defaults. */
export function resolveSessionOptions(
  options: SessionOptions | undefined,
  defaults: SessionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSessionOptions {
  if (options !== undefined && !isPlainObject(options)) fail("options", "an object", options);
  const given: SessionOptions = { ...defaults, ...options };
  for (const key of Object.keys(given)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      fail(key, `one of the session options (${OPTION_NAMES.join(", ")})`, "an unknown option");
    }
  }
  if (given.sessionId !== undefined && (typeof given.sessionId !== "string" || given.sessionId.trim() === "")) {
    fail("sessionId", "a non-empty string", given.sessionId);
  }
  if (given.mode !== undefined && given.mode !== "testing" && given.mode !== "production") {
    fail("mode", '"testing" or "production"', given.mode);
  }
  if (given.customMetadata !== undefined && !isPlainObject(given.customMetadata)) {
    fail("customMetadata", "a plain object", given.customMetadata);
  }
  if (given.recordingSink !== undefined && !isSink(given.recordingSink) && typeof given.recordingSink !== "function") {
    fail("recordingSink", "a RecordingSink ({ write, close, abort }) or a function returning one", given.recordingSink);
  }
  if (given.recordingsDir !== undefined && (typeof given.recordingsDir !== "string" || given.recordingsDir.trim() === "")) {
    fail("recordingsDir", "a directory path", given.recordingsDir);
  }
  const sampleRate = sampleRateOption(OWNER, "recordingSampleRate", given.recordingSampleRate);
  if (given.onLog !== undefined && typeof given.onLog !== "function") fail("onLog", "a function (record) => void", given.onLog);
  const deferUpload = booleanOption(OWNER, "deferUpload", given.deferUpload) ?? false;
  const mode = given.mode ?? "testing";
  return {
    sessionId: given.sessionId?.trim(),
    mode,
    customMetadata: { ...(defaults.customMetadata ?? {}), ...(options?.customMetadata ?? {}) },
    deferUpload,
    recordingSink: given.recordingSink,
    recordingsDir: resolveRecordingsDir(given.recordingsDir, env),
    recordingSampleRate: sampleRate,
    captureLogs: booleanOption(OWNER, "captureLogs", given.captureLogs) ?? false,
    maxLogRecords: positiveIntegerOption(OWNER, "maxLogRecords", given.maxLogRecords) ?? 100,
    onLog: given.onLog,
    captureContent: booleanOption(OWNER, "captureContent", given.captureContent),
    maxTranscriptChars: positiveIntegerOption(OWNER, "maxTranscriptChars", given.maxTranscriptChars) ?? 1_000_000,
  };
}

/** The default recordings directory, under the traces directory; undefined when RESPAN_TRACES_DIR is false/none. */
function resolveRecordingsDir(given: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (given !== undefined) return path.resolve(given);
  const tracesDir = env[ENV_TRACES_DIR]?.trim() || DEFAULT_TRACES_DIR;
  if (DISABLED_DIRECTORY_WORDS.includes(tracesDir.toLowerCase())) return undefined;
  return path.resolve(tracesDir, "recordings");
}
