import { SpanKind } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_IS_FINAL,
  ATTR_LANGUAGE,
  ATTR_METRICS_AUDIO_SECONDS,
  ATTR_METRICS_TTFB,
  ATTR_STT_INCOMPLETE,
  ATTR_TRANSCRIPT,
  ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  ATTR_USER_ID,
  GEN_AI_OPERATION_NAME_VALUE_STT,
  SPAN_STT,
} from "@respan/semconv-pipecat";
import { FrameKind, MetricKind, Role, roleOf } from "../class-names.js";
import { readNumber, readString } from "../utils.js";
import { addServiceIdentity } from "./service-attributes.js";
import { defineSpanKind, type ConversationScope, type SpanKindTracker } from "./span-kind.js";
import type { TracedSpan } from "./traced-span.js";

/** How long after the user stops speaking a transcript segment may still be finalised. */
export const STT_FINAL_GRACE_MS = 1500;

interface Segment {
  span: TracedSpan;
  finalText: string;
  lastInterim: string | undefined;
  lastTranscriptMs: number;
}

/**
 * One `stt` span per transcript segment (Pipecat >= 1.2): opened lazily by the first transcription and
 * back-dated to when the user started speaking, closed by a final transcript, or — when none comes —
 * STT_FINAL_GRACE_MS after the user stopped speaking, marked `stt.incomplete`. The span's lifetime follows
 * the speech, never one method call (pipecat#2782: sub-millisecond STT spans).
 */
export class SttSegments implements SpanKindTracker {
  private lastSegmentEndMs = Number.NEGATIVE_INFINITY;
  private open: Segment | undefined;
  private graceTimer: unknown = undefined;
  // Metrics that arrive before their segment opens (a service reports TTFB and audio seconds just
  // before pushing the final transcript); the next segment takes them (pipecat#4070: missing STT TTFB).
  private pendingTtfb: number | undefined;
  private pendingAudioSeconds: number | undefined;

  constructor(private readonly scope: ConversationScope) {}

  onFrame(kind: FrameKind, frame: object, source: object, atMs: number): void {
    switch (kind) {
      case FrameKind.TRANSCRIPTION:
        this.transcription(frame, source, true, atMs);
        break;
      case FrameKind.INTERIM_TRANSCRIPTION:
        this.transcription(frame, source, false, atMs);
        break;
      case FrameKind.USER_STOPPED_SPEAKING:
        this.userStoppedSpeaking();
        break;
      case FrameKind.VAD_USER_STARTED_SPEAKING:
      case FrameKind.USER_STARTED_SPEAKING:
        // The user (again) started speaking: the segment in progress is not over.
        this.cancelGrace();
        break;
      default:
        break;
    }
  }

  private userStoppedSpeaking(): void {
    if (this.open === undefined) return;
    this.cancelGrace();
    this.graceTimer = this.scope.clock.setTimer(() => {
      try {
        this.graceTimer = undefined;
        this.endOpen(true);
      } catch (error) {
        this.scope.timerError(error);
      }
    }, STT_FINAL_GRACE_MS);
  }

  private transcription(frame: object, source: object, isFinal: boolean, atMs: number): void {
    const segment = this.open ?? this.openSegment(source, atMs);
    segment.lastTranscriptMs = atMs;
    const text = readString(frame, "text", "text") ?? "";
    segment.span.set(ATTR_LANGUAGE, readString(frame, "language", "language"));
    segment.span.set(ATTR_USER_ID, readString(frame, "userId", "user_id"));
    if (!isFinal) {
      segment.lastInterim = text;
      return;
    }
    segment.finalText = text;
    this.endOpen(false);
  }

  ttfb(_service: object, seconds: number): void {
    if (this.open !== undefined) this.open.span.set(ATTR_METRICS_TTFB, seconds);
    else this.pendingTtfb = seconds;
  }

  usage(_service: object, value: unknown): void {
    const seconds = readNumber(value, "audioSeconds", "audio_seconds");
    if (seconds === undefined) return;
    if (this.open !== undefined) this.open.span.set(ATTR_METRICS_AUDIO_SECONDS, seconds);
    else this.pendingAudioSeconds = seconds;
  }

  /** The conversation ended: an open segment ends incomplete. */
  close(): void {
    this.cancelGrace();
    this.endOpen(true);
  }

  private openSegment(source: object, atMs: number): Segment {
    // Back-date to the start of the speech, but never before the previous segment of the same speech.
    const startMs = Math.min(atMs, Math.max(this.scope.lastSpeechStartMs ?? atMs, this.lastSegmentEndMs));
    const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_STT };
    if ((roleOf(source) & Role.STT) !== 0) addServiceIdentity(attributes, source, "STTService");
    const span = this.scope.factory.start("stt", SPAN_STT, this.scope.parent, startMs, attributes, SpanKind.CLIENT);
    span.set(ATTR_METRICS_TTFB, this.pendingTtfb);
    span.set(ATTR_METRICS_AUDIO_SECONDS, this.pendingAudioSeconds);
    this.pendingTtfb = undefined;
    this.pendingAudioSeconds = undefined;
    this.open = { span, finalText: "", lastInterim: undefined, lastTranscriptMs: atMs };
    return this.open;
  }

  private endOpen(incomplete: boolean): void {
    const segment = this.open;
    if (segment === undefined) return;
    this.open = undefined;
    this.cancelGrace();
    const { span } = segment;
    const transcript = incomplete ? segment.lastInterim : segment.finalText;
    if (transcript !== undefined && transcript !== "") span.set(ATTR_TRANSCRIPT, this.scope.factory.content.text(transcript));
    else if (incomplete) span.waive("transcript"); // the speech ended before any words came back
    span.set(ATTR_IS_FINAL, !incomplete);
    if (incomplete) span.set(ATTR_STT_INCOMPLETE, true);
    this.lastSegmentEndMs = segment.lastTranscriptMs;
    span.end(segment.lastTranscriptMs);
  }

  private cancelGrace(): void {
    if (this.graceTimer === undefined) return;
    this.scope.clock.clearTimer(this.graceTimer);
    this.graceTimer = undefined;
  }
}

export const sttSpanKind = defineSpanKind<SttSegments>({
  name: "stt",
  frames: [
    FrameKind.TRANSCRIPTION,
    FrameKind.INTERIM_TRANSCRIPTION,
    FrameKind.VAD_USER_STARTED_SPEAKING,
    FrameKind.USER_STARTED_SPEAKING,
    FrameKind.USER_STOPPED_SPEAKING,
  ],
  serviceRole: Role.STT,
  turnTtfbKey: ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  usageMetric: MetricKind.STT_USAGE,
  // No service call: STTService.processAudioFrame runs for every 20 ms frame of user audio (it was 96% of a
  // call's context switches), and the per-frame work of a streaming STT service creates no spans. It runs
  // in the pipeline's own context, not under `stt` or `turn`.
  create: (scope) => new SttSegments(scope),
});
