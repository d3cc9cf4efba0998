import { SpanKind } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_IS_FINAL,
  ATTR_LANGUAGE,
  ATTR_METRICS_AUDIO_SECONDS,
  ATTR_METRICS_TTFB,
  ATTR_STT_INCOMPLETE,
  ATTR_TRANSCRIPT,
  ATTR_USER_ID,
  OPERATION_STT,
  SPAN_STT,
} from "../attribute-keys.js";
import { Role, roleOf } from "../class-names.js";
import type { Clock } from "../internal-types.js";
import { ATTR_GEN_AI_OPERATION_NAME } from "../semconv.js";
import { readString } from "../utils.js";
import { addServiceIdentity } from "./service-attributes.js";
import type { SpanFactory, TracedSpan } from "./traced-span.js";

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
export class SttSegments {
  private speaking = false;
  private utteranceStartMs: number | undefined;
  private lastSegmentEndMs = Number.NEGATIVE_INFINITY;
  private open: Segment | undefined;
  private graceTimer: unknown = undefined;
  // Metrics that arrive before their segment opens (a service reports TTFB and audio seconds just
  // before pushing the final transcript); the next segment takes them (pipecat#4070: missing STT TTFB).
  private pendingTtfb: number | undefined;
  private pendingAudioSeconds: number | undefined;

  constructor(
    private readonly factory: SpanFactory,
    private readonly clock: Clock,
    private readonly onTimerError: (error: unknown) => void,
  ) {}

  /** The open segment's span, so STT calls run inside it. */
  get openSpan(): TracedSpan | undefined {
    return this.open?.span;
  }

  /** When the user started the speech in progress (back-dated by the VAD), or undefined when not speaking. */
  get speechStartMs(): number | undefined {
    return this.speaking ? this.utteranceStartMs : undefined;
  }

  /** `atMs` is when the user really started (VAD frames are back-dated by their `startSecs`). */
  userStartedSpeaking(atMs: number): void {
    this.cancelGrace();
    if (this.speaking) return;
    this.speaking = true;
    this.utteranceStartMs = atMs;
  }

  userStoppedSpeaking(): void {
    this.speaking = false;
    if (this.open === undefined) return;
    this.cancelGrace();
    this.graceTimer = this.clock.setTimer(() => {
      try {
        this.graceTimer = undefined;
        this.endOpen(true);
      } catch (error) {
        this.onTimerError(error);
      }
    }, STT_FINAL_GRACE_MS);
  }

  transcription(frame: object, source: object, isFinal: boolean, atMs: number, parent: TracedSpan): void {
    const segment = this.open ?? this.openSegment(source, atMs, parent);
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

  ttfb(seconds: number): void {
    if (this.open !== undefined) this.open.span.set(ATTR_METRICS_TTFB, seconds);
    else this.pendingTtfb = seconds;
  }

  audioSeconds(seconds: number): void {
    if (this.open !== undefined) this.open.span.set(ATTR_METRICS_AUDIO_SECONDS, seconds);
    else this.pendingAudioSeconds = seconds;
  }

  /** The conversation ended: an open segment ends incomplete. */
  close(): void {
    this.cancelGrace();
    this.endOpen(true);
  }

  private openSegment(source: object, atMs: number, parent: TracedSpan): Segment {
    // Back-date to the start of the speech, but never before the previous segment of the same speech.
    const startMs = Math.min(atMs, Math.max(this.utteranceStartMs ?? atMs, this.lastSegmentEndMs));
    const attributes: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_STT };
    if ((roleOf(source) & Role.STT) !== 0) addServiceIdentity(attributes, source, "STTService");
    const span = this.factory.start("stt", SPAN_STT, parent, startMs, attributes, SpanKind.CLIENT);
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
    span.set(ATTR_TRANSCRIPT, this.factory.content.text(transcript));
    span.set(ATTR_IS_FINAL, !incomplete);
    if (incomplete) span.set(ATTR_STT_INCOMPLETE, true);
    this.lastSegmentEndMs = segment.lastTranscriptMs;
    span.end(segment.lastTranscriptMs);
  }

  private cancelGrace(): void {
    if (this.graceTimer === undefined) return;
    this.clock.clearTimer(this.graceTimer);
    this.graceTimer = undefined;
  }
}
