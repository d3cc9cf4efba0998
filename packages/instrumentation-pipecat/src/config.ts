import { parseEnvBoolean } from "./env-boolean.js";
import { rejectUnknownOptions } from "./option-names.js";
import { latestGenAiOptedIn } from "./spans/genai-latest.js";
import type { ConversationLimits } from "./hop-router.js";
import type { PipecatAttributeHook, PipecatInstrumentationConfig } from "./types.js";
import type { SessionCaptureFactory } from "./listener.js";
import { METRIC_KIND_BY_CLASS_NAME, PIPECAT_FRAME_NAMES, ROLE_BY_CLASS_NAME } from "./class-names.js";

export const DEFAULT_MODULE_NAMES: readonly string[] = ["pipecat-ts"];
export const DEFAULT_TURN_END_TIMEOUT_MS = 2500;
export const DEFAULT_MAX_CONTENT_LENGTH = 4096;
/** Ten minutes: far longer than any silence in a live call, short enough that a dropped pipeline is let go. */
export const DEFAULT_CONVERSATION_IDLE_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_CONVERSATIONS = 1000;
export const ENV_CAPTURE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

/** The configuration one conversation runs with, fixed when it starts (precedence: option > env > default). */
export interface ConversationSettings {
  captureContent: boolean;
  maxContentLength: number;
  turnEndTimeoutMs: number;
  attributeHook: PipecatAttributeHook | undefined;
  sessionCapture: SessionCaptureFactory | undefined;
  /** OTEL_SEMCONV_STABILITY_OPT_IN asks for OpenTelemetry's newest GenAI attributes (read once per conversation). */
  latestGenAi: boolean;
}

function fail(option: string, accepted: string, value: unknown): never {
  throw new TypeError(
    `PipecatInstrumentation: invalid option "${option}": expected ${accepted}, got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : typeof value === "object" ? "an object" : String(value);
}

function checkOptional(config: PipecatInstrumentationConfig, option: keyof PipecatInstrumentationConfig,
  valid: (value: unknown) => boolean, accepted: string): void {
  const value = config[option];
  if (value !== undefined && !valid(value)) fail(option, accepted, value);
}

/** Throws a TypeError naming the option and what it accepts when the configuration is invalid. */
export function validateConfig(config: PipecatInstrumentationConfig): void {
  if (config === null || typeof config !== "object") fail("config", "an object", config);
  rejectUnknownOptions(config);
  checkOptional(config, "moduleNames",
    (v) => Array.isArray(v) && v.length > 0 && v.every((name) => typeof name === "string" && name.length > 0),
    "a non-empty array of module names");
  checkOptional(config, "captureContent", (v) => typeof v === "boolean", "true or false");
  checkOptional(config, "maxContentLength", (v) => Number.isInteger(v) && (v as number) > 0,
    "a positive integer (characters)");
  checkOptional(config, "turnEndTimeoutMs", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0,
    "a number of milliseconds >= 0");
  checkOptional(config, "attributeHook", (v) => typeof v === "function", "a function (span, info) => void");
  checkOptional(config, "debugLogFilename", (v) => typeof v === "string" && v.length > 0, "a file path");
  checkOptional(config, "sessionCapture", (v) => typeof v === "function", "a function (info) => listener");
  checkOptional(config, "conversationIdleTimeoutMs", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0,
    "a number of milliseconds >= 0 (0: never)");
  checkOptional(config, "maxConversations", (v) => Number.isInteger(v) && (v as number) > 0, "a positive integer");
  if (config.runtimeMapping !== undefined) validateRuntimeMapping(config.runtimeMapping);
}

/** The Pipecat classes a port's class may be mapped to. */
const PIPECAT_CLASS_NAMES: ReadonlySet<string> = new Set([
  ...PIPECAT_FRAME_NAMES, ...ROLE_BY_CLASS_NAME.keys(), ...METRIC_KIND_BY_CLASS_NAME.keys(),
]);
/** The Pipecat fields (as this instrumentation reads them, camelCase) a port's field may be mapped to. */
export const PIPECAT_FIELD_NAMES: ReadonlySet<string> = new Set([
  "text", "userId", "language", "contextId", "toolCallId", "functionName", "arguments", "result",
  "cancelOnInterruption", "functionCalls", "context", "messages", "tools", "model", "voiceId", "settings",
  "systemInstruction", "next", "prev", "processors", "pipeline", "conversationId", "additionalSpanAttributes",
  "startSecs", "stopSecs", "error", "fatal", "processor", "data", "value", "name", "role", "content",
  "broadcastSiblingId", "audioSeconds", "promptTokens", "completionTokens",
]);

function describeList(names: ReadonlySet<string>): string {
  return [...names].sort().join(", ");
}

/** Each key checked on its own: the TypeError names the exact key that is wrong. */
function validateRuntimeMapping(mapping: unknown): void {
  if (mapping === null || typeof mapping !== "object" || Array.isArray(mapping)) {
    fail("runtimeMapping", "an object { classes?, fields? }", mapping);
  }
  for (const [key, table] of Object.entries(mapping)) {
    const accepted = key === "classes" ? PIPECAT_CLASS_NAMES : key === "fields" ? PIPECAT_FIELD_NAMES : undefined;
    if (accepted === undefined) fail(`runtimeMapping.${key}`, 'no such key: "classes" or "fields"', table);
    if (table === null || typeof table !== "object" || Array.isArray(table)) {
      fail(`runtimeMapping.${key}`, "an object of port name -> Pipecat name", table);
    }
    for (const [portName, pipecatName] of Object.entries(table as Record<string, unknown>)) {
      if (typeof pipecatName !== "string" || !accepted.has(pipecatName)) {
        const what = key === "classes" ? "a Pipecat class name" : "a Pipecat field name";
        fail(`runtimeMapping.${key}.${portName}`, `${what} (one of ${describeList(accepted)})`, pipecatName);
      }
    }
  }
}

/** The router's bounds on live conversations (read whenever the configuration changes). */
export function resolveLimits(config: PipecatInstrumentationConfig): ConversationLimits {
  return {
    idleTimeoutMs: config.conversationIdleTimeoutMs ?? DEFAULT_CONVERSATION_IDLE_TIMEOUT_MS,
    maxConversations: config.maxConversations ?? DEFAULT_MAX_CONVERSATIONS,
  };
}

/**
 * Content capture follows OpenTelemetry's GenAI instrumentations: off unless the `captureContent` option
 * or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT turns it on. A value of the variable that is not a
 * boolean word fails closed (off), reported through `onInvalidEnv`.
 */
export function resolveSettings(config: PipecatInstrumentationConfig, env: NodeJS.ProcessEnv,
  onInvalidEnv: (name: string, raw: string) => void): ConversationSettings {
  const captureContent = config.captureContent ??
    parseEnvBoolean(env[ENV_CAPTURE_CONTENT], (raw) => onInvalidEnv(ENV_CAPTURE_CONTENT, raw)) ?? false;
  return {
    captureContent,
    maxContentLength: config.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
    turnEndTimeoutMs: config.turnEndTimeoutMs ?? DEFAULT_TURN_END_TIMEOUT_MS,
    attributeHook: config.attributeHook,
    sessionCapture: config.sessionCapture,
    latestGenAi: latestGenAiOptedIn(env),
  };
}
