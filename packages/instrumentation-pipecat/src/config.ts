import { parseEnvBoolean } from "./env-boolean.js";
import { rejectUnknownOptions } from "./option-names.js";
import type { ConversationLimits } from "./hop-router.js";
import type { PipecatAttributeHook, PipecatInstrumentationConfig } from "./types.js";
import type { SessionCaptureFactory } from "./listener.js";

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
  };
}
