/**
 * The conversation's transcript: what the user said, what the assistant said, and the tools it called, in
 * time order, each entry with its UTC timestamp and its start / end offsets (seconds from the call's start).
 * Beyond the usual transcript, every entry carries its turn's number, user-to-bot latency and whether the
 * turn was interrupted.
 *
 * With content capture off, entries keep their roles, timings and tool names but no text, arguments or
 * results. The whole document is capped in size: once the cap is reached later entries are counted, not kept.
 */
import {
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_TRANSCRIPT_CONTENT,
  ATTR_TRANSCRIPT_END_OFFSET_SECONDS,
  ATTR_TRANSCRIPT_INTERRUPTED,
  ATTR_TRANSCRIPT_ROLE,
  ATTR_TRANSCRIPT_START_OFFSET_SECONDS,
  ATTR_TRANSCRIPT_TIMESTAMP,
  ATTR_TRANSCRIPT_TURN_NUMBER,
} from "@respan/semconv-pipecat";
import { jsonSafeCopy, jsonText } from "./json.js";

export type TranscriptRole = "user" | "assistant" | "tool_call" | "tool_call_result";

export interface ToolCallContent {
  id: string;
  name: string;
  arguments?: unknown;
}

export interface ToolCallResultContent {
  id: string;
  name: string;
  result?: unknown;
}

export interface TranscriptEntry {
  role: TranscriptRole;
  /** Text for user / assistant; `{id, name, arguments}` / `{id, name, result}` for tool entries. */
  content?: string | ToolCallContent | ToolCallResultContent;
  /** ISO-8601 UTC time the entry started. */
  timestamp: string;
  startOffsetSeconds: number;
  endOffsetSeconds: number;
  turnNumber?: number;
  /** The turn's user-to-bot latency in seconds, once the turn has ended. */
  latencySeconds?: number;
  /** The bot was cut off by the user in this entry's turn (for an assistant entry: this speech was). */
  interrupted?: boolean;
}

export interface TranscriptDocument {
  version: 1;
  startedAt: string;
  contentCaptured: boolean;
  entries: TranscriptEntry[];
  /** Entries left out because the document reached its size cap. */
  omittedEntries?: number;
}

export interface TranscriptBuilderOptions {
  /** Wall-clock time (ms, same clock as every other time given to the builder) the call started. */
  startWallTimeMs: number;
  /** Epoch ms the call started (default Date.now() at construction): turns wall times into UTC timestamps. */
  startEpochMs?: number;
  /** Keep text, arguments and results (default true). */
  captureContent?: boolean;
  /** Largest transcript document, in characters of JSON (default 1,000,000). */
  maxDocumentChars?: number;
  /** Largest single text / arguments / result kept, in characters (default 32,768). */
  maxValueChars?: number;
}

export interface SpokenEntryInput {
  content?: unknown;
  startWallTimeMs: number;
  endWallTimeMs: number;
  turnNumber?: number;
  /** The aggregator's verdict (assistant turns); undefined to take the turn's. */
  interrupted?: boolean;
}

export interface ToolEntryInput {
  id: string;
  name: string;
  /** Arguments for a call, result for a result. */
  value?: unknown;
  wallTimeMs: number;
  turnNumber?: number;
}

export interface TurnOutcome {
  latencySeconds?: number;
  interrupted?: boolean;
}

/** Fixed JSON overhead of an entry beyond its content, a generous estimate used for the size cap. */
const ENTRY_OVERHEAD_CHARS = 260;

export class TranscriptBuilder {
  private readonly startWallTimeMs: number;
  private readonly startEpochMs: number;
  private readonly captureContent: boolean;
  private readonly maxDocumentChars: number;
  private readonly maxValueChars: number;
  private readonly list: TranscriptEntry[] = [];
  private usedChars = 200;
  private omitted = 0;
  /** Tool-call entries by call id: a call's entry ends when its result arrives. */
  private readonly toolCalls = new Map<string, TranscriptEntry | undefined>();
  private readonly toolResultsSeen = new Set<string>();
  private readonly completedTurns = new Map<number, TurnOutcome>();
  /** Entries whose interruption the aggregator stated itself. */
  private readonly judged = new WeakSet<TranscriptEntry>();

  constructor(options: TranscriptBuilderOptions) {
    this.startWallTimeMs = options.startWallTimeMs;
    this.startEpochMs = options.startEpochMs ?? Date.now();
    this.captureContent = options.captureContent ?? true;
    this.maxDocumentChars = options.maxDocumentChars ?? 1_000_000;
    this.maxValueChars = options.maxValueChars ?? 32_768;
  }

  addUser(input: SpokenEntryInput): TranscriptEntry | undefined {
    return this.addSpoken("user", input);
  }

  addAssistant(input: SpokenEntryInput): TranscriptEntry | undefined {
    return this.addSpoken("assistant", input);
  }

  /** Adds a tool call (once per call id); the entry lasts until the call's result arrives. */
  addToolCall(input: ToolEntryInput): TranscriptEntry | undefined {
    if (this.toolCalls.has(input.id)) return undefined;
    const content: ToolCallContent = { id: input.id, name: input.name };
    if (this.captureContent && input.value !== undefined) content.arguments = jsonSafeCopy(input.value, this.maxValueChars);
    const entry = this.withTurnOutcome(this.push("tool_call", content, input.wallTimeMs, input.wallTimeMs, input.turnNumber));
    this.toolCalls.set(input.id, entry);
    return entry;
  }

  /** Adds a tool result (once per call id). */
  addToolCallResult(input: ToolEntryInput): TranscriptEntry | undefined {
    if (this.toolResultsSeen.has(input.id)) return undefined;
    this.toolResultsSeen.add(input.id);
    const call = this.toolCalls.get(input.id);
    if (call) call.endOffsetSeconds = Math.max(call.startOffsetSeconds, this.offsetSeconds(input.wallTimeMs));
    const content: ToolCallResultContent = { id: input.id, name: input.name };
    if (this.captureContent && input.value !== undefined) content.result = jsonSafeCopy(input.value, this.maxValueChars);
    return this.withTurnOutcome(this.push("tool_call_result", content, input.wallTimeMs, input.wallTimeMs, input.turnNumber));
  }

  /**
   * Stamps the turn's latency, and its interruption (the bot cut off by the user), on its entries once the
   * turn has ended. An assistant entry keeps the aggregator's own verdict when it gave one.
   */
  completeTurn(turnNumber: number, outcome: TurnOutcome): void {
    this.completedTurns.set(turnNumber, outcome);
    // Entries of a turn arrive during it or just after it (an interrupted answer is reported once the
    // next turn has begun): only the last few turns need remembering.
    if (this.completedTurns.size > 8) this.completedTurns.delete(this.completedTurns.keys().next().value as number);
    for (const entry of this.list) {
      if (entry.turnNumber === turnNumber) this.applyOutcome(entry, outcome);
    }
  }

  entries(): readonly TranscriptEntry[] {
    return this.list;
  }

  /** The document, entries in order of their start. */
  document(): TranscriptDocument {
    const entries = this.list
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.startOffsetSeconds - b.entry.startOffsetSeconds || a.index - b.index)
      .map(({ entry }) => entry);
    const document: TranscriptDocument = {
      version: 1,
      startedAt: new Date(this.startEpochMs).toISOString(),
      contentCaptured: this.captureContent,
      entries,
    };
    if (this.omitted > 0) document.omittedEntries = this.omitted;
    return document;
  }

  /** The document as JSON text (within maxDocumentChars). */
  toJSON(): string {
    return jsonText(this.document()) ?? "{}";
  }

  /** An entry that arrives after its turn ended gets that turn's outcome at once. */
  private withTurnOutcome(entry: TranscriptEntry | undefined): TranscriptEntry | undefined {
    const outcome = entry?.turnNumber === undefined ? undefined : this.completedTurns.get(entry.turnNumber);
    if (entry && outcome) this.applyOutcome(entry, outcome);
    return entry;
  }

  private applyOutcome(entry: TranscriptEntry, outcome: TurnOutcome): void {
    if (outcome.latencySeconds !== undefined && Number.isFinite(outcome.latencySeconds)) {
      entry.latencySeconds = round3(outcome.latencySeconds);
    }
    if (outcome.interrupted && !this.judged.has(entry)) entry.interrupted = true;
  }

  private addSpoken(role: "user" | "assistant", input: SpokenEntryInput): TranscriptEntry | undefined {
    let content: string | undefined;
    if (this.captureContent) {
      const text = typeof input.content === "string" ? input.content : jsonText(input.content);
      if (text !== undefined) content = jsonSafeCopy(text, this.maxValueChars) as string;
    }
    const entry = this.push(role, content, input.startWallTimeMs, input.endWallTimeMs, input.turnNumber);
    if (entry && input.interrupted !== undefined) {
      this.judged.add(entry);
      if (input.interrupted) entry.interrupted = true;
    }
    return this.withTurnOutcome(entry);
  }

  private push(
    role: TranscriptRole,
    content: TranscriptEntry["content"],
    startWallTimeMs: number,
    endWallTimeMs: number,
    turnNumber: number | undefined,
  ): TranscriptEntry | undefined {
    const start = this.offsetSeconds(startWallTimeMs);
    const entry: TranscriptEntry = {
      role,
      timestamp: new Date(this.startEpochMs + start * 1000).toISOString(),
      startOffsetSeconds: start,
      endOffsetSeconds: Math.max(start, this.offsetSeconds(endWallTimeMs)),
    };
    if (content !== undefined) entry.content = content;
    if (turnNumber !== undefined) entry.turnNumber = turnNumber;
    const size = ENTRY_OVERHEAD_CHARS + contentChars(content);
    if (this.usedChars + size > this.maxDocumentChars) {
      this.omitted += 1;
      return undefined;
    }
    this.usedChars += size;
    this.list.push(entry);
    return entry;
  }

  private offsetSeconds(wallTimeMs: number): number {
    return round3(Math.max(0, (wallTimeMs - this.startWallTimeMs) / 1000));
  }
}

/** Span-event attributes for one entry (content only when it was captured). */
export function transcriptEventAttributes(entry: TranscriptEntry): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {
    [ATTR_TRANSCRIPT_ROLE]: entry.role,
    [ATTR_TRANSCRIPT_TIMESTAMP]: entry.timestamp,
    [ATTR_TRANSCRIPT_START_OFFSET_SECONDS]: entry.startOffsetSeconds,
    [ATTR_TRANSCRIPT_END_OFFSET_SECONDS]: entry.endOffsetSeconds,
  };
  const content = entry.content;
  if (typeof content === "string") {
    attributes[ATTR_TRANSCRIPT_CONTENT] = content;
  } else if (content) {
    attributes[ATTR_GEN_AI_TOOL_CALL_ID] = content.id;
    attributes[ATTR_GEN_AI_TOOL_NAME] = content.name;
    const value = "arguments" in content ? content.arguments : "result" in content ? content.result : undefined;
    const text = value === undefined ? undefined : typeof value === "string" ? value : jsonText(value);
    if (text !== undefined) attributes[ATTR_TRANSCRIPT_CONTENT] = text;
  }
  if (entry.turnNumber !== undefined) attributes[ATTR_TRANSCRIPT_TURN_NUMBER] = entry.turnNumber;
  if (entry.interrupted) attributes[ATTR_TRANSCRIPT_INTERRUPTED] = true;
  return attributes;
}

function contentChars(content: TranscriptEntry["content"]): number {
  if (content === undefined) return 0;
  if (typeof content === "string") return content.length + 2;
  return (jsonText(content) ?? "").length;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
