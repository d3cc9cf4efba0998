/**
 * The session handle: one per conversation, reachable from the task, from any processor of its pipeline,
 * from the conversation id, and from code running for it (`getCurrentSession()`).
 *
 * It carries the session id and custom metadata, and the compliance controls: `abort()` (nothing of the
 * session leaves the process), `abortRecording()` (the audio is discarded, the rest is sent) and, with
 * `deferUpload`, `startAudioUpload()` (consent: audio held locally until then, discarded without it). The
 * capture machinery (capture.ts) attaches to it when the conversation starts; before that the handle
 * records what was asked and the capture applies it.
 */
import { randomUUID } from "node:crypto";
import { trace } from "@opentelemetry/api";
import type { SessionLogRecord } from "./logs.js";
import type { ResolvedSessionOptions, SessionMode } from "./options.js";
import type { RecordingSummary } from "./recorder.js";
import { currentSessionScope, runInSessionScope, type SessionScope } from "./scope.js";
import type { TranscriptDocument } from "./transcript.js";
import { isPlainObject } from "./validate.js";

export type RecordingStatus = "recorded" | "discarded" | "not_consented" | "failed" | "none";

export interface SessionSummary {
  sessionId: string;
  conversationId: string | undefined;
  traceId: string | undefined;
  /**
   * `completed`: sent; `aborted`: nothing sent; `disabled`: tracing was off (RESPAN_TRACING_ENABLED=false);
   * `not_captured`: the task ran without its conversation reaching session capture (instrumentation not enabled).
   */
  outcome: "completed" | "aborted" | "disabled" | "not_captured";
  customMetadata: Record<string, unknown>;
  transcript: TranscriptDocument | undefined;
  recording: (RecordingSummary & { status: RecordingStatus }) | undefined;
  /** With deferUpload: whether consent was granted before the session ended. */
  audioConsentGranted: boolean | undefined;
  logs: readonly SessionLogRecord[];
  droppedLogRecords: number;
}

/** What the capture machinery does when the handle is used during the conversation. */
export interface SessionControls {
  abort(): void;
  abortRecording(): void;
  /** True when the audio will now be uploaded. */
  grantAudioConsent(): boolean;
}

type SessionState = "pending" | "active" | "finalised";

export class ConversationSession {
  readonly sessionId: string;
  readonly mode: SessionMode;
  /** False when tracing is disabled (RESPAN_TRACING_ENABLED=false): every method works and records nothing. */
  readonly enabled: boolean;
  /** @internal The resolved options the capture runs with. */
  readonly options: ResolvedSessionOptions;
  /** @internal Scope entered around the session's code (log attribution, getCurrentSession). */
  readonly scope: SessionScope;
  private metadata: Record<string, unknown>;
  private state: SessionState = "pending";
  private abortRequested = false;
  private recordingAbortRequested = false;
  private consentRequested = false;
  private controls: SessionControls | undefined;
  private conversation: string | undefined;
  private trace: string | undefined;
  private readonly completion: Promise<SessionSummary>;
  private resolveCompletion!: (summary: SessionSummary) => void;

  /** @internal Sessions are created by createTracedSession / attachSession / the capture factory. */
  constructor(options: ResolvedSessionOptions, enabled: boolean, runtimeSessionId?: string) {
    this.options = options;
    this.enabled = enabled;
    this.mode = options.mode;
    this.sessionId = options.sessionId ?? runtimeSessionId ?? randomUUID();
    this.metadata = { ...options.customMetadata };
    this.scope = { session: this, logs: undefined };
    this.completion = new Promise((resolve) => {
      this.resolveCompletion = resolve;
    });
  }

  get conversationId(): string | undefined {
    return this.conversation;
  }

  /** The trace the session's spans belong to, once the conversation started. */
  get traceId(): string | undefined {
    return this.trace;
  }

  get isFinalised(): boolean {
    return this.state === "finalised";
  }

  get isAborted(): boolean {
    return this.abortRequested;
  }

  /**
   * Merges `metadata` into the session's custom metadata (recorded on the conversation span when the session
   * ends). Allowed until the session is finalised; afterwards it throws, since the record is sealed.
   */
  setCustomMetadata(metadata: Record<string, unknown>): void {
    if (!isPlainObject(metadata)) {
      throw new TypeError(
        `[respan] setCustomMetadata expects a plain object of metadata (got ${metadata === null ? "null" : Array.isArray(metadata) ? "an array" : typeof metadata})`,
      );
    }
    if (this.state === "finalised") {
      throw new Error(
        `[respan] session ${this.sessionId} is finalised: its conversation ended and its record was sealed, ` +
          "so setCustomMetadata must be called before the pipeline finishes",
      );
    }
    this.metadata = { ...this.metadata, ...metadata };
  }

  getCustomMetadata(): Record<string, unknown> {
    return { ...this.metadata };
  }

  /**
   * Stops all capture and guarantees nothing of this session leaves the process: its spans are dropped
   * (through the trace hold of @respan/core), its recording and uploads cancelled, its logs discarded.
   */
  abort(): void {
    if (this.abortRequested || this.state === "finalised") return;
    this.abortRequested = true;
    this.controls?.abort();
  }

  /** Stops the recording and discards the audio; the transcript, logs and traces are still sent. */
  abortRecording(): void {
    if (this.recordingAbortRequested || this.state === "finalised") return;
    this.recordingAbortRequested = true;
    this.controls?.abortRecording();
  }

  /**
   * Grants consent to upload the audio (with `deferUpload`): what was held locally is uploaded and the
   * recording streams from then on. Returns false when it is too late (the session ended) or there is no
   * audio to upload (testing mode, recording aborted, tracing disabled).
   */
  startAudioUpload(): boolean {
    if (this.state === "finalised" || !this.enabled || this.mode !== "production" || this.recordingAbortRequested) {
      return false;
    }
    this.consentRequested = true;
    return this.controls ? this.controls.grantAudioConsent() : true;
  }

  /** Runs `fn` as this session's code: its console output is attributed to this session. */
  run<T>(fn: () => T): T {
    return runInSessionScope(this.scope, fn);
  }

  /**
   * Resolves once the session is finalised and its recording stored or uploaded, or (discarded) its local
   * copy deleted. Never rejects.
   */
  whenComplete(): Promise<SessionSummary> {
    return this.completion;
  }

  /** @internal Called by the capture when the conversation starts. */
  activate(controls: SessionControls, conversationId: string, traceId: string): void {
    this.controls = controls;
    this.conversation = conversationId;
    this.trace = traceId;
    this.state = "active";
    registry().byConversation.set(conversationId, this);
    registry().byTrace.set(traceId, this);
  }

  /** @internal What was asked before the conversation started. */
  get pendingRequests(): { abort: boolean; abortRecording: boolean; consent: boolean } {
    return { abort: this.abortRequested, abortRecording: this.recordingAbortRequested, consent: this.consentRequested };
  }

  /** @internal Whether the session has been taken by a conversation. */
  get isPending(): boolean {
    return this.state === "pending";
  }

  /** @internal Seals the session (setCustomMetadata throws from now on). */
  finalise(): void {
    this.state = "finalised";
    this.controls = undefined;
    const current = registry();
    if (this.conversation && current.byConversation.get(this.conversation) === this) {
      current.byConversation.delete(this.conversation);
    }
    if (this.trace && current.byTrace.get(this.trace) === this) current.byTrace.delete(this.trace);
  }

  /** @internal Resolves whenComplete(). */
  complete(summary: Omit<SessionSummary, "sessionId" | "conversationId" | "traceId" | "customMetadata">): void {
    this.resolveCompletion({
      sessionId: this.sessionId,
      conversationId: this.conversation,
      traceId: this.trace,
      customMetadata: this.getCustomMetadata(),
      ...summary,
    });
  }
}

interface SessionRegistry {
  byTarget: WeakMap<object, ConversationSession>;
  byConversation: Map<string, ConversationSession>;
  byTrace: Map<string, ConversationSession>;
}

const REGISTRY_KEY = Symbol.for("@respan/instrumentation-pipecat.sessions");

function registry(): SessionRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: SessionRegistry };
  holder[REGISTRY_KEY] ??= { byTarget: new WeakMap(), byConversation: new Map(), byTrace: new Map() };
  return holder[REGISTRY_KEY];
}

/** @internal Makes `session` reachable from `target` (a task, pipeline or processor). */
export function registerSessionTarget(target: object, session: ConversationSession): void {
  registry().byTarget.set(target, session);
}

/**
 * The session of a task, pipeline, processor (any processor of a traced pipeline) or conversation id.
 * Undefined when it has none (session capture not enabled for it, or the conversation id already ended).
 */
export function getSession(target: object | string): ConversationSession | undefined {
  if (typeof target === "string") return registry().byConversation.get(target);
  if (target === null || typeof target !== "object") return undefined;
  return registry().byTarget.get(target);
}

/**
 * The session the calling code runs for: the one whose scope it runs in (the task's run, `session.run`),
 * else the one whose trace the active span belongs to (service and tool code).
 */
export function getCurrentSession(): ConversationSession | undefined {
  // Duck-typed: the scope may come from the other build (ESM / CommonJS) of this package.
  const scoped = currentSessionScope()?.session as ConversationSession | undefined;
  if (scoped) return scoped;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return traceId ? registry().byTrace.get(traceId) : undefined;
}
