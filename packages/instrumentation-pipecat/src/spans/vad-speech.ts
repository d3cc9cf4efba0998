import {
  ATTR_VAD_SPEECH_DURATION_SECONDS,
  ATTR_VAD_START_SECS,
  ATTR_VAD_STOP_SECS,
  SPAN_VAD,
} from "@respan/semconv-pipecat";
import { FrameKind } from "../class-names.js";
import { readNumber, secondsBetween } from "../utils.js";
import { defineSpanKind, type ConversationScope, type SpanKindTracker } from "./span-kind.js";

/** A VADUserStartedSpeakingFrame not yet followed by its stop. */
interface Speech {
  /** When the detector reported the start (the frame's hop). */
  detectedMs: number;
  /** How much speech the detector needed to confirm it (`start_secs`): the speech began that much earlier. */
  startSecs: number;
}

/**
 * One `vad` span per stretch of user speech the voice activity detector reported (VADUserStartedSpeaking
 * -> VADUserStoppedSpeaking): from when the user really started (the start frame back-dated by its
 * `start_secs`, as the turn and stt spans are) to when the detector declared the stop, with `start_secs`,
 * `stop_secs` and the speech's own duration (back-dated start to back-dated stop). The span is emitted at
 * the stop, under the turn open then: that turn only starts after the detector's start frame. A speech
 * still going when the conversation ends is emitted up to that end, without the stop's attributes.
 */
export class VadSpeech implements SpanKindTracker {
  private speech: Speech | undefined;

  constructor(private readonly scope: ConversationScope) {}

  onFrame(kind: FrameKind, frame: object, _source: object, atMs: number): void {
    if (kind === FrameKind.VAD_USER_STARTED_SPEAKING) {
      this.speech ??= { detectedMs: atMs, startSecs: readNumber(frame, "startSecs", "start_secs") ?? 0 };
    } else if (kind === FrameKind.VAD_USER_STOPPED_SPEAKING) {
      this.emit(atMs, readNumber(frame, "stopSecs", "stop_secs") ?? 0);
    }
  }

  close(atMs: number): void {
    this.emit(atMs, undefined);
  }

  private emit(endMs: number, stopSecs: number | undefined): void {
    const speech = this.speech;
    if (speech === undefined) return;
    this.speech = undefined;
    const startMs = speech.detectedMs - 1000 * speech.startSecs;
    const span = this.scope.factory.start("vad", SPAN_VAD, this.scope.parent, startMs, {
      [ATTR_VAD_START_SECS]: speech.startSecs,
    });
    if (stopSecs !== undefined) {
      span.set(ATTR_VAD_STOP_SECS, stopSecs);
      span.set(ATTR_VAD_SPEECH_DURATION_SECONDS, secondsBetween(span.startMs, endMs - 1000 * stopSecs));
    }
    span.end(endMs);
  }
}

export const vadSpanKind = defineSpanKind<VadSpeech>({
  name: "vad",
  frames: [FrameKind.VAD_USER_STARTED_SPEAKING, FrameKind.VAD_USER_STOPPED_SPEAKING],
  create: (scope) => new VadSpeech(scope),
});
