/*
 * Recognising frames and processors by class NAME along the prototype chain, never by class identity, so
 * that any port that uses Pipecat's names is traced (and a renamed subclass still matches its base). The
 * result is cached on each constructor (see ClassCache): the per-hop cost is a few property loads.
 */
import { ClassCache } from "./class-cache.js";
import { pipecatClassName } from "./runtime-mapping.js";
import { isObject } from "./utils.js";

/** What a frame means to the tracer. OTHER frames are ignored (their hops return at once). */
export const FrameKind = {
  OTHER: 0,
  START: 1,
  END: 2,
  CANCEL: 3,
  ERROR: 4,
  INTERRUPTION: 5,
  USER_STARTED_SPEAKING: 6,
  USER_STOPPED_SPEAKING: 7,
  BOT_STARTED_SPEAKING: 8,
  BOT_STOPPED_SPEAKING: 9,
  VAD_USER_STARTED_SPEAKING: 10,
  VAD_USER_STOPPED_SPEAKING: 11,
  TRANSCRIPTION: 12,
  INTERIM_TRANSCRIPTION: 13,
  LLM_CONTEXT: 14,
  LLM_RESPONSE_START: 15,
  LLM_RESPONSE_END: 16,
  LLM_TEXT: 17,
  TTS_STARTED: 18,
  TTS_STOPPED: 19,
  TTS_TEXT: 20,
  FUNCTION_CALLS_STARTED: 21,
  FUNCTION_CALL_IN_PROGRESS: 22,
  FUNCTION_CALL_RESULT: 23,
  FUNCTION_CALL_CANCEL: 24,
  METRICS: 25,
  // Audio is only of interest to a session-capture listener; the tracer itself never needs it.
  INPUT_AUDIO: 26,
  OUTPUT_AUDIO: 27,
  /** A plain TextFrame (or a port's text-carrying frame): what it means depends on who pushes it. */
  TEXT: 28,
  /** A frame of a port's own that carries a function name, a call id and arguments. */
  INFERRED_TOOL_CALL: 29,
  /** A frame of a port's own that carries a function name, a call id and a result. */
  INFERRED_TOOL_RESULT: 30,
  /** A frame class that is neither Pipecat's (by name or mapping) nor recognisable by its shape. */
  UNRECOGNISED: 31,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export function isAudioKind(kind: FrameKind): boolean {
  return kind === FrameKind.INPUT_AUDIO || kind === FrameKind.OUTPUT_AUDIO;
}

// The most specific name found walking up the chain wins (TTSTextFrame before TextFrame, and so on).
const FRAME_KIND_BY_CLASS_NAME: ReadonlyMap<string, FrameKind> = new Map<string, FrameKind>([
  ["StartFrame", FrameKind.START],
  ["EndFrame", FrameKind.END],
  ["CancelFrame", FrameKind.CANCEL],
  ["ErrorFrame", FrameKind.ERROR],
  ["InterruptionFrame", FrameKind.INTERRUPTION],
  ["StartInterruptionFrame", FrameKind.INTERRUPTION],
  ["UserStartedSpeakingFrame", FrameKind.USER_STARTED_SPEAKING],
  ["UserStoppedSpeakingFrame", FrameKind.USER_STOPPED_SPEAKING],
  ["BotStartedSpeakingFrame", FrameKind.BOT_STARTED_SPEAKING],
  ["BotStoppedSpeakingFrame", FrameKind.BOT_STOPPED_SPEAKING],
  ["VADUserStartedSpeakingFrame", FrameKind.VAD_USER_STARTED_SPEAKING],
  ["VADUserStoppedSpeakingFrame", FrameKind.VAD_USER_STOPPED_SPEAKING],
  ["TranscriptionFrame", FrameKind.TRANSCRIPTION],
  ["InterimTranscriptionFrame", FrameKind.INTERIM_TRANSCRIPTION],
  ["LLMContextFrame", FrameKind.LLM_CONTEXT],
  ["OpenAILLMContextFrame", FrameKind.LLM_CONTEXT],
  ["LLMFullResponseStartFrame", FrameKind.LLM_RESPONSE_START],
  ["LLMFullResponseEndFrame", FrameKind.LLM_RESPONSE_END],
  ["LLMTextFrame", FrameKind.LLM_TEXT],
  ["TTSStartedFrame", FrameKind.TTS_STARTED],
  ["TTSStoppedFrame", FrameKind.TTS_STOPPED],
  ["TTSTextFrame", FrameKind.TTS_TEXT],
  ["FunctionCallsStartedFrame", FrameKind.FUNCTION_CALLS_STARTED],
  ["FunctionCallInProgressFrame", FrameKind.FUNCTION_CALL_IN_PROGRESS],
  ["FunctionCallResultFrame", FrameKind.FUNCTION_CALL_RESULT],
  ["FunctionCallCancelFrame", FrameKind.FUNCTION_CALL_CANCEL],
  ["MetricsFrame", FrameKind.METRICS],
  ["InputAudioRawFrame", FrameKind.INPUT_AUDIO],
  ["OutputAudioRawFrame", FrameKind.OUTPUT_AUDIO],
  ["TextFrame", FrameKind.TEXT],
]);

/** Pipecat's frame base classes: a chain with only these is a port's own frame class. */
const FRAME_BASE_NAMES: ReadonlySet<string> = new Set(["Frame", "SystemFrame", "DataFrame", "ControlFrame"]);
/** Pipecat frames the tracer does not need: known, so never reported as unrecognised. */
const IGNORED_PIPECAT_FRAME_NAMES: readonly string[] = [
  "CancelTaskFrame", "EndTaskFrame", "StopFrame", "StopTaskFrame", "LLMMessagesAppendFrame", "LLMMessagesUpdateFrame",
  "LLMRunFrame", "LLMSetToolsFrame", "LLMUpdateSettingsFrame", "TTSSpeakFrame", "TTSUpdateSettingsFrame",
  "STTUpdateSettingsFrame", "STTMuteFrame", "ProcessingMetricsData", "TransportMessageFrame",
  "OutputTransportMessageFrame", "InputTransportMessageFrame", "ImageRawFrame", "UserImageRawFrame",
  "OutputImageRawFrame", "HeartbeatFrame", "UserIdleFrame", "BotSpeakingFrame", "EmulateUserStartedSpeakingFrame",
  "EmulateUserStoppedSpeakingFrame", "StartInterruptionFrame", "StopInterruptionFrame", "TTSAudioRawFrame",
];

/** Every Pipecat frame class name this instrumentation knows (what `runtimeMapping.classes` may map to). */
export const PIPECAT_FRAME_NAMES: ReadonlySet<string> = new Set([
  ...FRAME_KIND_BY_CLASS_NAME.keys(), ...FRAME_BASE_NAMES, ...IGNORED_PIPECAT_FRAME_NAMES,
]);

/** Bit flags: a class can be several things at once (every service is also a FrameProcessor). */
export const Role = {
  NONE: 0,
  PROCESSOR: 1,
  PIPELINE: 2,
  TASK: 4,
  LLM: 8,
  STT: 16,
  TTS: 32,
  /** The task's own exit: a downstream EndFrame arriving there has crossed the whole pipeline. */
  TASK_SINK: 64,
} as const;
export type Role = number;

export const ROLE_BY_CLASS_NAME: ReadonlyMap<string, number> = new Map<string, number>([
  ["FrameProcessor", Role.PROCESSOR],
  ["Pipeline", Role.PIPELINE],
  ["PipelineTask", Role.TASK],
  ["PipelineWorker", Role.TASK],
  ["LLMService", Role.LLM],
  ["STTService", Role.STT],
  ["TTSService", Role.TTS],
  ["PipelineTaskSink", Role.TASK_SINK],
]);

/** The kinds of metrics data the tracer records. */
export const MetricKind = {
  OTHER: 0,
  TTFB: 1,
  LLM_USAGE: 2,
  TTS_USAGE: 3,
  STT_USAGE: 4,
} as const;
export type MetricKind = (typeof MetricKind)[keyof typeof MetricKind];

export const METRIC_KIND_BY_CLASS_NAME: ReadonlyMap<string, MetricKind> = new Map<string, MetricKind>([
  ["TTFBMetricsData", MetricKind.TTFB],
  ["LLMUsageMetricsData", MetricKind.LLM_USAGE],
  ["TTSUsageMetricsData", MetricKind.TTS_USAGE],
  ["STTUsageMetricsData", MetricKind.STT_USAGE],
]);

/**
 * Class names along the prototype chain of `prototype`, most derived first, each as Pipecat names it (a
 * runtime mapping can say that a port's `Brain` is an `LLMService`). Works for ES5-style ports too.
 */
export function classNamesOf(prototype: unknown): string[] {
  const names: string[] = [];
  for (let proto = prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (typeof proto !== "object" && typeof proto !== "function") break;
    const ctor = Object.prototype.hasOwnProperty.call(proto, "constructor")
      ? (proto as { constructor: unknown }).constructor
      : undefined;
    if (typeof ctor === "function" && ctor.name) names.push(pipecatClassName(ctor.name));
  }
  return names;
}

function mostSpecific<K>(instance: object, table: ReadonlyMap<string, K>, fallback: K): K {
  for (const name of classNamesOf(Object.getPrototypeOf(instance))) {
    const match = table.get(name);
    if (match !== undefined) return match;
  }
  return fallback;
}

/** Where a port's own tool-call frame keeps what identifies the call (found once per class, by its shape). */
export interface ToolCallFields {
  functionName: string;
  toolCallId: string;
  arguments: string | undefined;
  result: string | undefined;
}

const FUNCTION_NAME_FIELDS = ["functionName", "function_name", "toolName", "tool_name"];
const ARGUMENTS_FIELDS = ["arguments", "args", "toolArguments", "tool_arguments", "input", "parameters", "params"];
const RESULT_FIELDS = ["result", "toolResult", "tool_result", "output", "outcome"];
/** Ids that are not a call's: the frame's own, its context's, its user's. */
const NOT_CALL_IDS = new Set(["id", "broadcastSiblingId", "broadcast_sibling_id", "contextId", "context_id", "userId", "user_id"]);

function firstPresent(instance: object, fields: readonly string[]): string | undefined {
  return fields.find((field) => field in instance && (instance as Record<string, unknown>)[field] !== undefined);
}

/**
 * The call id field of a tool-call-shaped frame, whatever it is called: a string field named like an id
 * (`invocationId`, `call_id`, `toolUseId`...), preferring one that also says call, tool or invocation.
 */
function callIdField(instance: object): string | undefined {
  let fallback: string | undefined;
  for (const key of Object.keys(instance)) {
    if (NOT_CALL_IDS.has(key) || !/(id|Id|ID)$/.test(key)) continue;
    if (typeof (instance as Record<string, unknown>)[key] !== "string") continue;
    if (/call|tool|invocation|function/i.test(key)) return key;
    fallback ??= key;
  }
  return fallback;
}

function toolCallShape(instance: object): ToolCallFields | undefined {
  const functionName = firstPresent(instance, FUNCTION_NAME_FIELDS);
  const toolCallId = functionName !== undefined ? callIdField(instance) : undefined;
  if (functionName === undefined || toolCallId === undefined) return undefined;
  const result = firstPresent(instance, RESULT_FIELDS);
  const args = firstPresent(instance, ARGUMENTS_FIELDS);
  return result !== undefined || args !== undefined ? { functionName, toolCallId, arguments: args, result } : undefined;
}

/** Audio of a port's own (a byte buffer): never reported, and never costs more than its classification. */
function isAudioShaped(instance: object): boolean {
  const audio = (instance as Record<string, unknown>).audio;
  return audio instanceof Uint8Array || audio instanceof ArrayBuffer || (isObject(audio) && ArrayBuffer.isView(audio));
}

/**
 * A frame class by its Pipecat name (the most specific wins), else — a port's own class, whose chain has only
 * Pipecat's base classes — by its shape: a tool call or result, text, audio (ignored) or unrecognised.
 */
function classifyFrame(frame: object): FrameKind {
  const names = classNamesOf(Object.getPrototypeOf(frame));
  let ownClass = true;
  for (const name of names) {
    const match = FRAME_KIND_BY_CLASS_NAME.get(name);
    if (match !== undefined) return match;
    if (PIPECAT_FRAME_NAMES.has(name) && !FRAME_BASE_NAMES.has(name)) ownClass = false;
  }
  if (!ownClass) return FrameKind.OTHER;
  const tool = toolCallShape(frame);
  if (tool !== undefined) return tool.result !== undefined ? FrameKind.INFERRED_TOOL_RESULT : FrameKind.INFERRED_TOOL_CALL;
  if (typeof (frame as Record<string, unknown>).text === "string") return FrameKind.TEXT;
  return isAudioShaped(frame) ? FrameKind.OTHER : FrameKind.UNRECOGNISED;
}

const frameKinds = new ClassCache<FrameKind>(classifyFrame, FrameKind.OTHER);
const toolCallFields = new ClassCache<ToolCallFields | undefined>(toolCallShape, undefined);

/** Where a port's tool-call-shaped frame keeps the call's name, id, arguments and result. */
export function toolCallFieldsOf(frame: unknown): ToolCallFields | undefined {
  return toolCallFields.of(frame);
}
const metricKinds = new ClassCache<MetricKind>(
  (data) => mostSpecific(data, METRIC_KIND_BY_CLASS_NAME, MetricKind.OTHER),
  MetricKind.OTHER,
);
const roles = new ClassCache<number>((instance) => rolesOfNames(classNamesOf(Object.getPrototypeOf(instance))), Role.NONE);

export function frameKindOf(frame: unknown): FrameKind {
  return frameKinds.of(frame);
}

export function metricKindOf(data: unknown): MetricKind {
  return metricKinds.of(data);
}

export function roleOf(instance: unknown): number {
  return roles.of(instance);
}

function rolesOfNames(names: readonly string[]): number {
  let role: number = Role.NONE;
  for (const name of names) role |= ROLE_BY_CLASS_NAME.get(name) ?? Role.NONE;
  return role;
}

/** The most derived class name of an instance ("OpenAILLMService"), or undefined. */
export function concreteClassName(instance: unknown): string | undefined {
  if (instance === null || typeof instance !== "object") return undefined;
  const ctor = (instance as { constructor?: unknown }).constructor;
  const name: unknown = typeof ctor === "function" ? ctor.name : undefined;
  return typeof name === "string" && name.length > 0 ? name : undefined;
}
