/*
 * The span kinds a conversation is traced with. Adding one: a file in this folder exporting its
 * SpanKindDefinition (see span-kind.ts), and one line in SPAN_KINDS. Order matters where kinds meet:
 * frames, metrics and errors reach the kinds in this order, and the conversation's end closes them in
 * reverse (a kind may open spans under an earlier kind's, as tool calls do under llm runs).
 */
import { llmSpanKind } from "./llm-runs.js";
import type { SpanKindDefinition } from "./span-kind.js";
import { sttSpanKind } from "./stt-segments.js";
import { toolSpanKind } from "./tool-calls.js";
import { ttsSpanKind } from "./tts-contexts.js";
import { vadSpanKind } from "./vad-speech.js";

export const SPAN_KINDS: readonly SpanKindDefinition[] = [
  sttSpanKind,
  llmSpanKind,
  ttsSpanKind,
  toolSpanKind,
  vadSpanKind,
] as readonly SpanKindDefinition[];
