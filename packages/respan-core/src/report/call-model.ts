/**
 * The call model: what a call report shows, computed once in Node from a trace's spans so that the page
 * script only draws. Times are milliseconds from the trace's first span start. Everything shown comes
 * from the spans: with content capture off there is no transcript text because the spans hold none.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  ATTR_CONVERSATION_ID,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_IS_FINAL,
  ATTR_OUTPUT,
  ATTR_RECORDING_OFFSET_SECONDS,
  ATTR_RECORDING_STATUS,
  ATTR_RECORDING_URI,
  ATTR_TEXT,
  ATTR_TOOL_CANCELLED,
  ATTR_TRANSCRIPT,
  ATTR_TURN_ENDED_BY_CONVERSATION_END,
  ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
  ATTR_TURN_NUMBER,
  ATTR_TURN_USER_BOT_LATENCY_SECONDS,
  ATTR_TURN_WAS_INTERRUPTED,
  SPAN_CONVERSATION,
  SPAN_LLM,
  SPAN_STT,
  SPAN_TOOL_PREFIX,
  SPAN_TTS,
  SPAN_TURN,
  SPAN_VAD,
} from "@respan/semconv-pipecat";
import type { SpanValue, TraceSpan } from "./otlp-spans.js";

export type SpanCategory = "workflow" | "conversation" | "turn" | "vad" | "stt" | "llm" | "tts" | "tool" | "client" | "other";

export interface ReportSpan {
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  category: SpanCategory;
  kind: string;
  /** Index into CallModel.services. */
  service: number;
  depth: number;
  start: number;
  end: number;
  error: string | undefined;
  /** Turns only: interrupted by the user (not merely cut off by the end of the call). */
  interrupted?: boolean;
  attributes: Record<string, SpanValue>;
  events: Array<{ name: string; time: number; attributes: Record<string, SpanValue> }>;
}

export interface ReportTurn {
  number: number;
  /** Index of the turn's span in CallModel.spans. */
  span: number;
  start: number;
  end: number;
  interrupted: boolean;
  endedByConversationEnd: boolean;
  /** Seconds, straight from the turn span's attributes (undefined when the span has none). */
  voiceToVoice: number | undefined;
  sttTtfb: number | undefined;
  llmTtfb: number | undefined;
  ttsTtfb: number | undefined;
  recordingOffset: number | undefined;
}

export type TranscriptRole = "user" | "assistant" | "tool_call" | "tool_result";

export interface TranscriptLine {
  role: TranscriptRole;
  text: string;
  /** Index of the span the line comes from. */
  span: number;
  time: number;
  turn: number | undefined;
  interrupted: boolean;
}

export interface CallSummary {
  traceId: string;
  title: string;
  startUnixMs: number;
  durationMs: number;
  spanCount: number;
  turns: number;
  medianVoiceToVoice: number | undefined;
  worstVoiceToVoice: number | undefined;
  interruptions: number;
  errors: number;
}

export interface CallRecording {
  /** URL of the audio, relative to the report when the file is on this machine. */
  src: string;
  /** Where second 0 of the recording falls on the report's time axis, in ms. */
  startsAt: number;
  status: string | undefined;
}

export interface CallModel {
  summary: CallSummary;
  services: string[];
  spans: ReportSpan[];
  turns: ReportTurn[];
  transcript: TranscriptLine[];
  recording: CallRecording | undefined;
}

function categoryOf(span: TraceSpan, primaryService: string): SpanCategory {
  if (span.name === SPAN_CONVERSATION) return "conversation";
  if (span.name === SPAN_TURN) return "turn";
  if (span.name === SPAN_VAD) return "vad";
  if (span.name === SPAN_STT) return "stt";
  if (span.name === SPAN_LLM) return "llm";
  if (span.name === SPAN_TTS) return "tts";
  if (span.name.startsWith(SPAN_TOOL_PREFIX)) return "tool";
  if (span.name.endsWith(".workflow") || span.name.endsWith(".task") || span.name.endsWith(".agent")) return "workflow";
  if (span.service !== primaryService || span.kind === "CLIENT") return "client";
  return "other";
}

const numberOf = (value: SpanValue | undefined): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const textOf = (value: SpanValue | undefined): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Spans in waterfall order: depth-first, siblings by start time; spans whose parent is absent are roots. */
function treeOrder(spans: TraceSpan[]): Array<{ span: TraceSpan; depth: number }> {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [span]);
    else list.push(span);
  }
  for (const list of children.values()) list.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const ordered: Array<{ span: TraceSpan; depth: number }> = [];
  // Iterative, so that a deep trace cannot overflow the stack.
  const stack = (children.get(undefined) ?? []).map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length > 0) {
    const item = stack.pop()!;
    ordered.push(item);
    const below = children.get(item.span.spanId) ?? [];
    for (let i = below.length - 1; i >= 0; i -= 1) stack.push({ span: below[i], depth: item.depth + 1 });
  }
  return ordered;
}

/** `uri` as the report at `reportDirectory` can load it: relative for a local file, as is for http(s). */
function recordingSource(uri: string, reportDirectory: string): string | undefined {
  if (uri.startsWith("file:")) {
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    return path.relative(reportDirectory, file).split(path.sep).map(encodeURIComponent).join("/");
  }
  return /^https?:\/\//i.test(uri) ? uri : undefined;
}

export interface CallModelOptions {
  /** Directory the report is written to; a local recording is referenced relative to it. */
  reportDirectory: string;
}

/** The model of one trace's report. `spans` must all belong to `traceId` and be non-empty. */
export function buildCallModel(traceId: string, spans: TraceSpan[], options: CallModelOptions): CallModel {
  const origin = spans.reduce((min, span) => (span.startNs < min ? span.startNs : min), spans[0].startNs);
  const ms = (ns: bigint) => Number(ns - origin) / 1e6;
  const serviceCounts = new Map<string, number>();
  for (const span of spans) serviceCounts.set(span.service, (serviceCounts.get(span.service) ?? 0) + 1);
  const ordered = treeOrder(spans);
  // The service of the root span is the call's own; other services' spans are shown as client spans.
  const primaryService = ordered[0]?.span.service ?? "";
  const services = [primaryService, ...[...serviceCounts.keys()].filter((name) => name !== primaryService)];

  const reportSpans: ReportSpan[] = ordered.map(({ span, depth }) => ({
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    category: categoryOf(span, primaryService),
    kind: span.kind,
    service: services.indexOf(span.service),
    depth,
    start: ms(span.startNs),
    end: Math.max(ms(span.endNs), ms(span.startNs)),
    error: span.error,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, time: ms(event.timeNs), attributes: event.attributes })),
  }));

  const turns: ReportTurn[] = [];
  reportSpans.forEach((span, index) => {
    if (span.category !== "turn") return;
    const a = span.attributes;
    const endedByConversationEnd = a[ATTR_TURN_ENDED_BY_CONVERSATION_END] === true;
    // A turn cut off by the end of the call is flagged as interrupted too; only the user interrupts.
    const interrupted = a[ATTR_TURN_WAS_INTERRUPTED] === true && !endedByConversationEnd;
    span.interrupted = interrupted;
    turns.push({
      number: numberOf(a[ATTR_TURN_NUMBER]) ?? turns.length + 1,
      span: index,
      start: span.start,
      end: span.end,
      interrupted,
      endedByConversationEnd,
      voiceToVoice: numberOf(a[ATTR_TURN_USER_BOT_LATENCY_SECONDS]),
      sttTtfb: numberOf(a[ATTR_TURN_LATENCY_STT_TTFB_SECONDS]),
      llmTtfb: numberOf(a[ATTR_TURN_LATENCY_LLM_TTFB_SECONDS]),
      ttsTtfb: numberOf(a[ATTR_TURN_LATENCY_TTS_TTFB_SECONDS]),
      recordingOffset: numberOf(a[ATTR_RECORDING_OFFSET_SECONDS]),
    });
  });
  turns.sort((a, b) => a.start - b.start);

  const transcript = buildTranscript(reportSpans, turns);
  const conversation = reportSpans.find((span) => span.category === "conversation");
  const voiceToVoice = turns.map((turn) => turn.voiceToVoice).filter((value): value is number => value !== undefined);
  const start = reportSpans.reduce((min, span) => Math.min(min, span.start), Infinity);
  const end = reportSpans.reduce((max, span) => Math.max(max, span.end), 0);
  const title =
    textOf(conversation?.attributes[ATTR_CONVERSATION_ID]) ?? (ordered[0] ? ordered[0].span.name : traceId);

  return {
    summary: {
      traceId,
      title,
      startUnixMs: Number(origin / 1_000_000n),
      durationMs: end - start,
      spanCount: reportSpans.length,
      turns: turns.length,
      medianVoiceToVoice: median(voiceToVoice),
      worstVoiceToVoice: voiceToVoice.length > 0 ? Math.max(...voiceToVoice) : undefined,
      interruptions: turns.filter((turn) => turn.interrupted).length,
      errors: reportSpans.filter((span) => span.error !== undefined).length,
    },
    services,
    spans: reportSpans,
    turns,
    transcript,
    recording: findRecording(conversation, turns, options.reportDirectory),
  };
}

function findRecording(conversation: ReportSpan | undefined, turns: ReportTurn[], reportDirectory: string): CallRecording | undefined {
  const uri = textOf(conversation?.attributes[ATTR_RECORDING_URI]);
  if (conversation === undefined || uri === undefined) return undefined;
  const src = recordingSource(uri, reportDirectory);
  if (src === undefined) return undefined;
  const anchor = turns.find((turn) => turn.recordingOffset !== undefined);
  return {
    src,
    startsAt: anchor ? anchor.start - anchor.recordingOffset! * 1000 : conversation.start,
    status: textOf(conversation.attributes[ATTR_RECORDING_STATUS]),
  };
}

/** The conversation as the spans tell it, in time order: what the user said, what the bot answered, tools. */
function buildTranscript(spans: ReportSpan[], turns: ReportTurn[]): TranscriptLine[] {
  const turnOfSpan = new Map<number, ReportTurn>();
  const turnBySpanId = new Map(turns.map((turn) => [spans[turn.span].spanId, turn]));
  const byId = new Map(spans.map((span, index) => [span.spanId, index]));
  const enclosingTurn = (index: number): ReportTurn | undefined => {
    let current: number | undefined = index;
    for (let hops = 0; current !== undefined && hops < 64; hops += 1) {
      const turn = turnBySpanId.get(spans[current].spanId);
      if (turn !== undefined) return turn;
      const parent: string | undefined = spans[current].parentSpanId;
      current = parent === undefined ? undefined : byId.get(parent);
    }
    return undefined;
  };
  const lines: TranscriptLine[] = [];
  const add = (role: TranscriptRole, text: string | undefined, span: number, time: number) => {
    if (text === undefined) return;
    const turn = turnOfSpan.get(span);
    lines.push({ role, text, span, time, turn: turn?.number, interrupted: false });
  };
  const assistantTurns = new Set<number>();
  spans.forEach((span, index) => {
    if (span.category !== "stt" && span.category !== "llm" && span.category !== "tts" && span.category !== "tool") return;
    const turn = enclosingTurn(index);
    if (turn !== undefined) turnOfSpan.set(index, turn);
    const a = span.attributes;
    if (span.category === "stt" && a[ATTR_IS_FINAL] !== false) add("user", textOf(a[ATTR_TRANSCRIPT]), index, span.start);
    if (span.category === "llm") {
      const output = textOf(a[ATTR_OUTPUT]);
      if (output !== undefined && turn !== undefined) assistantTurns.add(turn.number);
      add("assistant", output, index, span.end);
    }
    if (span.category === "tool") {
      const name = textOf(a[ATTR_GEN_AI_TOOL_NAME]) ?? span.name;
      const args = textOf(a[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]);
      add("tool_call", args === undefined ? undefined : `${name}(${args})`, index, span.start);
      const result = textOf(a[ATTR_GEN_AI_TOOL_CALL_RESULT]);
      const cancelled = a[ATTR_TOOL_CANCELLED] === true ? " (cancelled)" : "";
      add("tool_result", result === undefined ? undefined : `${result}${cancelled}`, index, span.end);
    }
  });
  // Speech the bot said without a model run in its turn (e.g. a scripted greeting): its TTS text.
  spans.forEach((span, index) => {
    const turn = turnOfSpan.get(index);
    if (span.category === "tts" && (turn === undefined || !assistantTurns.has(turn.number))) {
      add("assistant", textOf(span.attributes[ATTR_TEXT]), index, span.start);
    }
  });
  lines.sort((a, b) => a.time - b.time);
  // The user cut the bot off: its last words in an interrupted turn are marked.
  const interruptedTurns = new Set(turns.filter((turn) => turn.interrupted).map((turn) => turn.number));
  const lastAnswer = new Map<number, TranscriptLine>();
  for (const line of lines) {
    if (line.role === "assistant" && line.turn !== undefined && interruptedTurns.has(line.turn)) lastAnswer.set(line.turn, line);
  }
  for (const line of lastAnswer.values()) line.interrupted = true;
  return lines;
}
