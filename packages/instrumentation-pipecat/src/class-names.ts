/*
 * Recognising frames and processors by class NAME along the prototype chain, never by class identity, so
 * that any port that uses Pipecat's names is traced (and a renamed subclass still matches its base). The
 * result is cached on each constructor (see ClassCache): the per-hop cost is a few property loads.
 */
import { ClassCache } from "./class-cache.js";

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

const ROLE_BY_CLASS_NAME: ReadonlyMap<string, number> = new Map<string, number>([
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

const METRIC_KIND_BY_CLASS_NAME: ReadonlyMap<string, MetricKind> = new Map<string, MetricKind>([
  ["TTFBMetricsData", MetricKind.TTFB],
  ["LLMUsageMetricsData", MetricKind.LLM_USAGE],
  ["TTSUsageMetricsData", MetricKind.TTS_USAGE],
  ["STTUsageMetricsData", MetricKind.STT_USAGE],
]);

/** Class names along the prototype chain of `prototype`, most derived first. Works for ES5-style ports too. */
export function classNamesOf(prototype: unknown): string[] {
  const names: string[] = [];
  for (let proto = prototype; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (typeof proto !== "object" && typeof proto !== "function") break;
    const ctor = Object.prototype.hasOwnProperty.call(proto, "constructor")
      ? (proto as { constructor: unknown }).constructor
      : undefined;
    if (typeof ctor === "function" && ctor.name) names.push(ctor.name);
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

const frameKinds = new ClassCache<FrameKind>(
  (frame) => mostSpecific(frame, FRAME_KIND_BY_CLASS_NAME, FrameKind.OTHER),
  FrameKind.OTHER,
);
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
