/**
 * One conversation's session capture, fed by the tracer through its `listener`. It turns the frames it is
 * shown into the transcript (with the context aggregators' turn events), the dual-channel recording, the
 * session logs, and the session's attributes on the conversation span — and carries out the session
 * handle's abort / abortRecording / consent requests.
 *
 * Time: everything session-related is measured on one timeline. When the task has a clock (pipecat-ts's
 * `task.clock`: real, scaled or virtual) that clock is the timeline, so a conversation run faster than real
 * time still yields a recording whose channels line up and offsets that match it; otherwise the times the
 * tracer passes (epoch ms) are used.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Span } from "@opentelemetry/api";
import {
  FrameKind,
  frameKindOf,
  readBoolean,
  readField,
  readNumber,
  readString,
  type ConversationEndInfo,
  type ConversationInfo,
  type ConversationListener,
  type FrameHop,
  type TurnInfo,
} from "@respan/instrumentation-pipecat";
import { aggregatorRoleOf, onTurnStopped, processorsOf, type AggregatorRole, type TurnMessage } from "./aggregators.js";
import {
  ATTR_AUDIO_CONSENT_GRANTED,
  ATTR_CONVERSATION_TRANSCRIPT,
  ATTR_LOG_MESSAGE,
  ATTR_LOG_SEVERITY,
  ATTR_LOG_SOURCE,
  ATTR_RECORDING_CHANNELS,
  ATTR_RECORDING_DROPPED_BYTES,
  ATTR_RECORDING_DURATION_SECONDS,
  ATTR_RECORDING_OFFSET_SECONDS,
  ATTR_RECORDING_SAMPLE_RATE,
  ATTR_RECORDING_STATUS,
  ATTR_RECORDING_URI,
  ATTR_SESSION_ID,
  ATTR_SESSION_LOG_COUNT,
  ATTR_SESSION_LOG_DROPPED,
  ATTR_SESSION_MODE,
  ATTR_TRANSCRIPT_ENTRY_COUNT,
  EVENT_LOG,
  EVENT_TRANSCRIPT_ENTRY,
  SESSION_METADATA_PREFIX,
} from "@respan/semconv-pipecat";
import { ConsentGateSink } from "./consent-gate.js";
import { jsonText } from "./json.js";
import { SessionLogCollector, startLogCapture, type SessionLogRecord } from "./logs.js";
import { DualChannelRecorder, type RecordingSummary } from "./recorder.js";
import { registerSessionTarget, type ConversationSession, type RecordingStatus, type SessionControls } from "./session.js";
import { FileRecordingSink, type RecordingSink } from "./sinks.js";
import { holdTrace, releaseTrace } from "./trace-hold-client.js";
import { TranscriptBuilder, transcriptEventAttributes, type TranscriptEntry } from "./transcript.js";
import { warnOnce } from "./warnings.js";


type Timeline = () => number;

/** What the aggregator handlers reach; cleared at the end so a long-lived aggregator does not keep the capture. */
interface AggregatorLink {
  capture: SessionCapture | undefined;
}

export class SessionCapture implements SessionControls {
  /**
   * What the tracer feeds. It has audio callbacks only when this session records audio (production mode),
   * and the tracer is told when it stops (abort, abortRecording), so conversations that take no audio keep
   * audio hops on the fast path.
   */
  readonly listener: ConversationListener;
  private readonly stopAudio: () => void;
  private readonly session: ConversationSession;
  private readonly conversationSpan: Span;
  private readonly traceId: string;
  private readonly timeline: Timeline;
  private readonly transcript: TranscriptBuilder;
  private recorder: DualChannelRecorder | undefined;
  private consentGate: ConsentGateSink | undefined;
  private recordingStatus: RecordingStatus;
  private logs: SessionLogCollector | undefined;
  private stopLogs: (() => void) | undefined;
  private readonly held: boolean;
  private aborted = false;
  /** A discarded recording's deletion (its sink aborted, its local spool removed): completion waits for it. */
  private discarding: Promise<void> = Promise.resolve();
  private ended = false;
  private readonly link: AggregatorLink = { capture: this };
  private readonly knownProcessors = new WeakSet<object>();
  private readonly aggregatorRoles = new Set<AggregatorRole>();
  private readonly turnSpans = new Map<number, Span>();
  private currentTurn: number | undefined;
  /** When the user / the bot started the turn being aggregated, and in which turn. */
  private userStart: { atMs: number; turn: number | undefined } | undefined;
  private botStart: { atMs: number; turn: number | undefined } | undefined;
  private responseStart: { atMs: number; turn: number | undefined } | undefined;

  constructor(session: ConversationSession, info: ConversationInfo) {
    this.session = session;
    this.conversationSpan = info.span;
    this.traceId = info.span.spanContext().traceId;
    this.stopAudio = () => info.stopAudio();
    this.timeline = timelineOf(info.task);
    const startMs = this.timeline();
    this.held = holdTrace(this.traceId);
    session.activate(this, info.conversationId, this.traceId);
    this.transcript = new TranscriptBuilder({
      startWallTimeMs: startMs,
      startEpochMs: info.startTimeMs,
      captureContent: session.options.captureContent ?? info.captureContent,
      maxDocumentChars: session.options.maxTranscriptChars,
    });
    this.recordingStatus = "none";
    if (session.mode === "production") this.recorder = this.createRecorder(info, startMs);
    if (session.options.captureLogs) this.startLogs(info.span);
    this.conversationSpan.setAttribute(ATTR_SESSION_ID, session.sessionId);
    this.conversationSpan.setAttribute(ATTR_SESSION_MODE, session.mode);
    if (info.task) this.discoverPipeline(info.task);

    const pending = session.pendingRequests;
    if (pending.abort) this.abort();
    else if (pending.abortRecording) this.abortRecording();
    else if (pending.consent) this.grantAudioConsent();
    this.listener = this.createListener();
  }

  private createListener(): ConversationListener {
    const listener: ConversationListener = {
      onFrame: (hop) => this.frame(hop),
      onTurnStart: (turn) => this.turnStart(turn),
      onTurnEnd: (turn) => this.turnEnd(turn),
      onConversationEnd: (info) => this.conversationEnd(info),
    };
    if (this.recorder !== undefined) {
      listener.onUserAudio = (frame, wallTimeMs) => this.userAudio(frame, wallTimeMs);
      listener.onBotAudio = (frame, wallTimeMs) => this.botAudio(frame, wallTimeMs);
    }
    return listener;
  }

  // ---- what the listener is told ----

  private frame(hop: FrameHop): void {
    if (this.ended) return;
    this.registerProcessor(hop.source);
    if (hop.destination) this.registerProcessor(hop.destination);
    if (this.aborted) return;
    const atMs = this.now(hop.timeMs);
    switch (frameKindOf(hop.frame)) {
      case FrameKind.START:
        this.recorder?.useSampleRate(readNumber(hop.frame, "audioOutSampleRate", "audio_out_sample_rate"));
        break;
      case FrameKind.USER_STARTED_SPEAKING:
        this.userStart ??= { atMs, turn: this.currentTurn };
        break;
      case FrameKind.TRANSCRIPTION:
        // A transcript without a speaking frame before it (text input, no VAD): the user turn starts here.
        this.userStart ??= { atMs, turn: this.currentTurn };
        break;
      case FrameKind.BOT_STARTED_SPEAKING:
        this.botStart ??= { atMs, turn: this.currentTurn };
        break;
      case FrameKind.LLM_RESPONSE_START:
        // Where an assistant turn starts when nothing is spoken (a text-only pipeline).
        this.responseStart ??= { atMs, turn: this.currentTurn };
        break;
      case FrameKind.INTERRUPTION:
        this.recorder?.interruptBot(atMs);
        break;
      case FrameKind.ERROR:
        // The runtime's own error reports (pipecat-ts has no logger): part of the session's logs.
        this.logs?.record(
          readBoolean(hop.frame, "fatal", "fatal") ? "ERROR" : "WARN",
          String(readField(hop.frame, "error", "error") ?? "pipeline error"),
          "pipeline.ErrorFrame",
        );
        break;
      case FrameKind.FUNCTION_CALL_IN_PROGRESS:
        this.toolEntry("call", hop.frame, atMs);
        break;
      case FrameKind.FUNCTION_CALL_RESULT:
        this.toolEntry("result", hop.frame, atMs);
        break;
      default:
        break;
    }
  }

  private userAudio(frame: object, wallTimeMs: number): void {
    const recorder = this.recorder;
    if (!recorder || this.ended) return;
    const audio = readField(frame, "audio", "audio");
    if (!(audio instanceof Uint8Array)) return;
    const sampleRate = sampleRateOf(frame);
    const channels = channelsOf(frame);
    // Input audio is handed over once captured: it was spoken during the chunk's duration before that.
    const durationMs = sampleRate > 0 ? (audio.byteLength / (2 * channels * sampleRate)) * 1000 : 0;
    recorder.addUserAudio(audio, sampleRate, channels, this.now(wallTimeMs) - durationMs);
  }

  private botAudio(frame: object, wallTimeMs: number): void {
    const recorder = this.recorder;
    if (!recorder || this.ended) return;
    const audio = readField(frame, "audio", "audio");
    if (!(audio instanceof Uint8Array)) return;
    recorder.addBotAudio(audio, sampleRateOf(frame), channelsOf(frame), this.now(wallTimeMs));
  }

  private turnStart(turn: TurnInfo): void {
    if (this.ended || this.aborted) return;
    this.currentTurn = turn.turnNumber;
    this.turnSpans.set(turn.turnNumber, turn.span);
    const offset = this.recorder?.offsetSeconds(this.now(turn.startTimeMs));
    if (offset !== undefined) turn.span.setAttribute(ATTR_RECORDING_OFFSET_SECONDS, round3(offset));
  }

  private turnEnd(turn: TurnInfo): void {
    this.turnSpans.delete(turn.turnNumber);
    if (this.ended || this.aborted) return;
    this.transcript.completeTurn(turn.turnNumber, {
      latencySeconds: turn.userBotLatencySeconds,
      // A turn the conversation's end cut off was not interrupted by the user.
      interrupted: turn.wasInterrupted === true && turn.endedByConversationEnd !== true,
    });
  }

  private conversationEnd(info: ConversationEndInfo): void {
    if (this.ended) return;
    const endMs = this.now(info.endTimeMs);
    this.ended = true;
    this.link.capture = undefined;
    this.stopLogs?.();
    if (this.aborted) {
      this.session.finalise();
      const summary = this.summaryBase("aborted");
      void this.discarding.then(() => this.session.complete(summary));
      return;
    }
    if (this.aggregatorRoles.size === 0) this.warnNoAggregators();
    const recorder = this.recorder;
    if (recorder && this.recordingStatus === "none") {
      this.recordingStatus = this.consentGate && !this.consentGate.consentGranted ? "not_consented" : "recorded";
    }
    const span = this.conversationSpan;
    this.writeMetadata(span);
    this.writeTranscript(span);
    this.writeRecording(span, recorder, endMs);
    if (this.logs) {
      span.setAttribute(ATTR_SESSION_LOG_COUNT, this.logs.records.length);
      if (this.logs.droppedRecords > 0) span.setAttribute(ATTR_SESSION_LOG_DROPPED, this.logs.droppedRecords);
    }
    this.session.finalise();
    // The conversation span ends right after this: everything it carries is set, the hold can go.
    if (this.held) releaseTrace(this.traceId, false);
    void this.completeAfterRecording(recorder, endMs);
  }

  // ---- the session handle's requests ----

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.userStart = undefined;
    this.botStart = undefined;
    this.responseStart = undefined;
    this.stopLogs?.();
    this.logs = undefined;
    this.discardRecording("discarded");
    if (this.held) {
      releaseTrace(this.traceId, true);
    } else {
      warnOnce(
        "RESPAN_SESSION_ABORT_UNHELD",
        `[respan] session ${this.session.sessionId} was aborted, but no trace hold is installed (create the ` +
          "Respan client of @respan/core, or put its TraceHoldSpanProcessor in front of your exporters): spans of " +
          "an aborted session that already ended may have been exported.",
      );
    }
  }

  abortRecording(): void {
    this.discardRecording("discarded");
  }

  grantAudioConsent(): boolean {
    if (this.ended || this.aborted || !this.recorder) return false;
    return this.consentGate ? this.consentGate.grant() : true;
  }

  // ---- internals ----

  private now(eventTimeMs: number | undefined): number {
    return this.timeline === epochTimeline && eventTimeMs !== undefined ? eventTimeMs : this.timeline();
  }

  private createRecorder(info: ConversationInfo, startMs: number): DualChannelRecorder | undefined {
    const options = this.session.options;
    let sink: RecordingSink;
    // No sink and no directory (RESPAN_TRACES_DIR=false): there is nowhere to record to.
    if (options.recordingSink === undefined && options.recordingsDir === undefined) return undefined;
    try {
      sink =
        typeof options.recordingSink === "function"
          ? options.recordingSink({ sessionId: this.session.sessionId, conversationId: info.conversationId })
          : (options.recordingSink ?? defaultSink(options.recordingsDir as string, info.conversationId));
    } catch (error) {
      warnOnce("RESPAN_SESSION_SINK", `[respan] session ${this.session.sessionId}: the recordingSink factory threw, no recording: ${describe(error)}`);
      return undefined;
    }
    if (options.deferUpload) {
      this.consentGate = new ConsentGateSink(sink);
      sink = this.consentGate;
    }
    const recorder = new DualChannelRecorder({
      sink,
      sampleRate: options.recordingSampleRate,
      now: this.timeline,
      onError: (error) =>
        warnOnce(
          "RESPAN_SESSION_RECORDING_FAILED",
          `[respan] session ${this.session.sessionId}: the recording sink failed, the recording stops (the call goes on): ${describe(error)}`,
        ),
    });
    recorder.start(startMs, readNumber(readField(info.task, "params", "params"), "audioOutSampleRate", "audio_out_sample_rate"));
    return recorder;
  }

  private discardRecording(status: RecordingStatus): void {
    const recorder = this.recorder;
    if (!recorder) return;
    this.recorder = undefined;
    this.recordingStatus = status;
    this.stopAudio();
    // discard() never rejects (a sink failure is reported by the recorder).
    this.discarding = recorder.discard();
  }

  private startLogs(span: Span): void {
    const collector = new SessionLogCollector({
      sessionId: this.session.sessionId,
      traceId: this.traceId,
      spanId: span.spanContext().spanId,
      maxRecords: this.session.options.maxLogRecords,
      onRecord: (record) => this.logRecorded(record),
    });
    this.logs = collector;
    this.session.scope.logs = collector;
    this.stopLogs = startLogCapture(collector);
  }

  private logRecorded(record: SessionLogRecord): void {
    if (this.ended || this.aborted) return;
    this.conversationSpan.addEvent(EVENT_LOG, {
      [ATTR_LOG_SEVERITY]: record.level,
      [ATTR_LOG_MESSAGE]: record.message,
      [ATTR_LOG_SOURCE]: record.source,
    });
    const onLog = this.session.options.onLog;
    if (onLog) {
      try {
        onLog(record);
      } catch {
        // The application's log sink failing is not the session's problem.
      }
    }
  }

  private discoverPipeline(task: object): void {
    registerSessionTarget(task, this.session);
    const pipeline = readField(task, "pipeline", "pipeline");
    for (const processor of processorsOf(pipeline)) this.registerProcessor(processor);
    if (pipeline !== undefined && this.aggregatorRoles.size === 0) this.warnNoAggregators();
  }

  private registerProcessor(processor: object): void {
    if (this.knownProcessors.has(processor)) return;
    this.knownProcessors.add(processor);
    registerSessionTarget(processor, this.session);
    const role = aggregatorRoleOf(processor);
    if (!role) return;
    const link = this.link;
    const subscribed = onTurnStopped(processor, role, (message) => link.capture?.turnStopped(role, message));
    if (subscribed) this.aggregatorRoles.add(role);
  }

  private warnNoAggregators(): void {
    warnOnce(
      "RESPAN_SESSION_NO_AGGREGATORS",
      "[respan] session capture: the pipeline has no LLMUserAggregator / LLMAssistantAggregator (context " +
        "aggregators), so there is no transcript of what was said. Add an LLMContextAggregatorPair around the LLM " +
        "(user() before it, assistant() after the output) to get one.",
    );
  }

  /** An aggregator's turn ended: one transcript entry. */
  private turnStopped(role: AggregatorRole, message: TurnMessage): void {
    if (this.ended || this.aborted) return;
    const atMs = this.timeline();
    const start = role === "user" ? this.userStart : (this.botStart ?? this.responseStart);
    if (role === "user") {
      this.userStart = undefined;
    } else {
      this.botStart = undefined;
      this.responseStart = undefined;
    }
    const input = {
      content: message.content,
      startWallTimeMs: start?.atMs ?? atMs,
      endWallTimeMs: atMs,
      turnNumber: start?.turn ?? this.currentTurn,
      interrupted: typeof message.interrupted === "boolean" && role === "assistant" ? message.interrupted : undefined,
    };
    const entry = role === "user" ? this.transcript.addUser(input) : this.transcript.addAssistant(input);
    if (entry) this.addEntryEvent(entry);
  }

  private toolEntry(kind: "call" | "result", frame: object, atMs: number): void {
    const id = readString(frame, "toolCallId", "tool_call_id");
    if (id === undefined) return;
    const input = {
      id,
      name: readString(frame, "functionName", "function_name") ?? "unknown",
      value: kind === "call" ? readField(frame, "arguments", "arguments") : readField(frame, "result", "result"),
      wallTimeMs: atMs,
      turnNumber: this.currentTurn,
    };
    const entry = kind === "call" ? this.transcript.addToolCall(input) : this.transcript.addToolCallResult(input);
    if (entry) this.addEntryEvent(entry);
  }

  /** The entry as an event on its turn's span (or the open turn's, or the conversation's). */
  private addEntryEvent(entry: TranscriptEntry): void {
    const own = entry.turnNumber === undefined ? undefined : this.turnSpans.get(entry.turnNumber);
    const current = this.currentTurn === undefined ? undefined : this.turnSpans.get(this.currentTurn);
    const span = [own, current].find((candidate) => candidate?.isRecording()) ?? this.conversationSpan;
    span.addEvent(EVENT_TRANSCRIPT_ENTRY, transcriptEventAttributes(entry));
  }

  private writeMetadata(span: Span): void {
    for (const [key, value] of Object.entries(this.session.getCustomMetadata())) {
      const attribute =
        typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
          ? value
          : jsonText(value);
      if (attribute !== undefined) span.setAttribute(SESSION_METADATA_PREFIX + key, attribute);
    }
  }

  private writeTranscript(span: Span): void {
    if (this.aggregatorRoles.size === 0 && this.transcript.entries().length === 0) return;
    span.setAttribute(ATTR_CONVERSATION_TRANSCRIPT, this.transcript.toJSON());
    span.setAttribute(ATTR_TRANSCRIPT_ENTRY_COUNT, this.transcript.entries().length);
  }

  private writeRecording(span: Span, recorder: DualChannelRecorder | undefined, endMs: number): void {
    if (this.session.mode !== "production") return;
    span.setAttribute(ATTR_RECORDING_STATUS, recorder && !recorder.hasAudio ? "none" : this.recordingStatus);
    if (this.session.options.deferUpload) span.setAttribute(ATTR_AUDIO_CONSENT_GRANTED, this.consentGate?.consentGranted === true);
    if (!recorder || !recorder.hasAudio || this.recordingStatus !== "recorded") return;
    const uri = recorder.uri;
    if (uri !== undefined) span.setAttribute(ATTR_RECORDING_URI, uri);
    if (recorder.sampleRate !== undefined) span.setAttribute(ATTR_RECORDING_SAMPLE_RATE, recorder.sampleRate);
    span.setAttribute(ATTR_RECORDING_CHANNELS, 2);
    span.setAttribute(ATTR_RECORDING_DURATION_SECONDS, round3(recorder.offsetSeconds(endMs) ?? 0));
    const dropped = recorder.summary().droppedBytes;
    if (dropped > 0) span.setAttribute(ATTR_RECORDING_DROPPED_BYTES, dropped);
  }

  private async completeAfterRecording(recorder: DualChannelRecorder | undefined, endMs: number): Promise<void> {
    await this.discarding;
    let recording: RecordingSummary | undefined;
    try {
      if (recorder && this.recorder === recorder) recording = await recorder.close(endMs);
    } catch {
      // close() does not reject; this only guards the completion promise.
    }
    const summary = recording ?? emptyRecording();
    let status = this.recordingStatus;
    if (summary.failed) status = "failed";
    else if (summary.uri === undefined && status === "recorded") status = "none";
    this.session.complete({
      ...this.summaryBase("completed"),
      transcript: this.transcript.document(),
      recording:
        this.session.mode === "production"
          ? { ...summary, uri: status === "recorded" ? summary.uri : undefined, status }
          : undefined,
    });
  }

  private summaryBase(outcome: "completed" | "aborted"): Parameters<ConversationSession["complete"]>[0] {
    return {
      outcome,
      transcript: undefined,
      recording: undefined,
      audioConsentGranted:
        this.session.options.deferUpload && this.session.mode === "production"
          ? this.consentGate?.consentGranted === true && outcome === "completed"
          : undefined,
      logs: this.logs?.records ?? [],
      droppedLogRecords: this.logs?.droppedRecords ?? 0,
    };
  }
}

function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Marker timeline: the tracer's own (epoch) times are used as they come. */
const epochTimeline: Timeline = epochNow;

function timelineOf(task: object | undefined): Timeline {
  const clock = readField(task, "clock", "clock") as { now?: unknown } | undefined;
  if (clock && typeof clock.now === "function") {
    const now = clock.now as () => unknown;
    return () => {
      const value = now.call(clock);
      return typeof value === "number" && Number.isFinite(value) ? value : epochNow();
    };
  }
  return epochTimeline;
}

function defaultSink(directory: string, conversationId: string): RecordingSink {
  // The id names a file: keep it to a safe alphabet (no separators, no "..").
  const safeName = conversationId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 128) || "conversation";
  return new FileRecordingSink(path.join(directory, `${safeName}.wav`));
}

function sampleRateOf(frame: object): number {
  return readNumber(frame, "sampleRate", "sample_rate") ?? 0;
}

function channelsOf(frame: object): number {
  return readNumber(frame, "numChannels", "num_channels") ?? 1;
}

function emptyRecording(): RecordingSummary {
  return { uri: undefined, sampleRate: undefined, durationSeconds: 0, droppedBytes: 0, failed: false };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
