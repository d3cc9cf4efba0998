import { SpanKind } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_METRICS_CHARACTER_COUNT,
  ATTR_METRICS_TTFB,
  ATTR_TEXT,
  ATTR_TTS_CONTEXT_ID,
  ATTR_TTS_INTERRUPTED,
  ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
  ATTR_VOICE_ID,
  GEN_AI_OPERATION_NAME_VALUE_TTS,
  GEN_AI_OUTPUT_TYPE_VALUE_SPEECH,
  SPAN_TTS,
} from "@respan/semconv-pipecat";
import { FrameKind, MetricKind, Role, roleOf } from "../class-names.js";
import type { ServiceCall } from "../service-calls.js";
import { isAbortError, readString } from "../utils.js";
import { addServiceIdentity, serviceVoice } from "./service-attributes.js";
import { defineSpanKind, type ConversationScope, type SpanKindTracker } from "./span-kind.js";
import type { TracedSpan } from "./traced-span.js";

/** The words of one audio context from one source, and how many characters they were. */
interface Spoken {
  text: string;
  characters: number;
}

interface AudioContext {
  span: TracedSpan;
  contextId: string | undefined;
  /** What the service said it speaks (synthesize() calls, TTSTextFrames): preferred when there is any. */
  spoken: Spoken;
  /** Text frames that reached the service: what it was given to speak, for runtimes that say no more. */
  received: Spoken;
  /** Text came from synthesize() calls, so TTSTextFrames (the same words again) are not added. */
  textFromCalls: boolean;
  /** Characters reported by TTSUsageMetricsData, preferred to counting the text. */
  reportedCharacters: number | undefined;
}

const nothingSpoken = (): Spoken => ({ text: "", characters: 0 });
/** Text received while no audio context is open, kept for the next one (bounded: it is spoken soon or never). */
const MAX_PENDING_CHARACTERS = 65_536;

/**
 * The `tts` spans of one conversation: one per audio context (TTSStartedFrame..TTSStoppedFrame), opened
 * early by a synthesize() call when the runtime has one, and ended by an interruption with
 * `tts.interrupted`. Spans follow the audio context, never one method call (pipecat#2029).
 */
export class TtsContexts implements SpanKindTracker {
  private readonly open = new Map<object, AudioContext>();
  /** Text that reached a service before its audio context opened (TTS services start speaking after). */
  private readonly pending = new Map<object, Spoken>();

  constructor(private readonly scope: ConversationScope) {}

  onFrame(kind: FrameKind, frame: object, source: object, atMs: number): void {
    switch (kind) {
      case FrameKind.TTS_STARTED:
        this.started(source, readString(frame, "contextId", "context_id"), atMs);
        break;
      case FrameKind.TTS_STOPPED:
        this.stopped(source, readString(frame, "contextId", "context_id"), atMs);
        break;
      case FrameKind.TTS_TEXT:
        this.text(source, readString(frame, "text", "text") ?? "");
        break;
      case FrameKind.INTERRUPTION:
        this.interruptAll(atMs);
        break;
      default:
        break;
    }
  }

  /** One piece of speech (synthesize): it joins (or opens) the service's audio context. */
  beginCall(service: object, text: unknown): ServiceCall | undefined {
    this.scope.rememberService(service);
    const span = this.callStarted(service, text, this.scope.clock.now());
    if (span === undefined) return undefined;
    return {
      context: span.context,
      settled: (error, failed) => {
        if (failed && !isAbortError(error)) this.callFailed(service, error, this.scope.clock.now());
      },
    };
  }

  /**
   * A synthesize(text) call on `service`: joins the open audio context or opens one. Blank text speaks
   * nothing, so it opens nothing.
   */
  private callStarted(service: object, text: unknown, atMs: number): TracedSpan | undefined {
    const spoken = typeof text === "string" && text.trim() !== "";
    const audio = this.open.get(service) ?? (spoken ? this.start(service, undefined, atMs) : undefined);
    if (audio === undefined) return undefined;
    if (spoken) {
      audio.textFromCalls = true;
      this.addText(audio.spoken, text);
    }
    return audio.span;
  }

  private callFailed(service: object, error: unknown, atMs: number): void {
    const audio = this.open.get(service);
    if (audio === undefined) return;
    audio.span.fail(error, "TTSError", atMs);
    this.end(service, audio, atMs, false);
  }

  private started(service: object, contextId: string | undefined, atMs: number): void {
    const audio = this.open.get(service);
    if (audio !== undefined && (audio.contextId === undefined || audio.contextId === contextId)) {
      audio.contextId = contextId;
      return;
    }
    if (audio !== undefined) this.end(service, audio, atMs, false);
    this.start(service, contextId, atMs);
  }

  /** A TTSTextFrame: the service says it spoke `text`. */
  private text(service: object, text: string): void {
    const audio = this.open.get(service);
    if (audio !== undefined && !audio.textFromCalls) this.addText(audio.spoken, text);
  }

  /**
   * Every hop of a text frame: one reaching a TTS service is what it is about to speak (kept for its next
   * audio context if none is open), used when the service says nothing itself.
   */
  onEveryHop(_kind: FrameKind, frame: object, destination: object): void {
    if ((roleOf(destination) & Role.TTS) === 0) return;
    const text = readString(frame, "text", "text");
    if (text !== undefined) this.textReceived(destination, text);
  }

  private textReceived(service: object, text: string): void {
    const audio = this.open.get(service);
    if (audio !== undefined) {
      this.addText(audio.received, text);
      return;
    }
    let pending = this.pending.get(service);
    if (pending === undefined) this.pending.set(service, (pending = nothingSpoken()));
    if (pending.characters < MAX_PENDING_CHARACTERS) this.addText(pending, text);
  }

  private stopped(service: object, contextId: string | undefined, atMs: number): void {
    const audio = this.open.get(service);
    if (audio === undefined) return;
    if (contextId !== undefined && audio.contextId !== undefined && audio.contextId !== contextId) return;
    this.end(service, audio, atMs, false);
  }

  ttfb(service: object, seconds: number): void {
    this.open.get(service)?.span.setIfAbsent(ATTR_METRICS_TTFB, seconds);
  }

  /** TTSUsageMetricsData: characters the service reports it synthesised. */
  usage(service: object, count: unknown): void {
    if (typeof count !== "number") return;
    const audio = this.open.get(service);
    if (audio !== undefined) audio.reportedCharacters = (audio.reportedCharacters ?? 0) + count;
  }

  failOpen(service: object, error: unknown, atMs: number): boolean {
    const audio = this.open.get(service);
    if (audio === undefined) return false;
    audio.span.fail(error, "TTSError", atMs);
    return true;
  }

  /** The conversation's end cuts every open audio context short, as an interruption does. */
  close(atMs: number): void {
    this.interruptAll(atMs);
  }

  private interruptAll(atMs: number): void {
    this.pending.clear();
    for (const [service, audio] of [...this.open]) this.end(service, audio, atMs, true);
  }

  private start(service: object, contextId: string | undefined, atMs: number): AudioContext {
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_TTS,
      [ATTR_GEN_AI_OUTPUT_TYPE]: GEN_AI_OUTPUT_TYPE_VALUE_SPEECH,
    };
    addServiceIdentity(attributes, service, "TTSService");
    const voice = serviceVoice(service);
    if (voice !== undefined) attributes[ATTR_VOICE_ID] = voice;
    const span = this.scope.factory.start("tts", SPAN_TTS, this.scope.parent, atMs, attributes, SpanKind.CLIENT);
    const received = this.pending.get(service) ?? nothingSpoken();
    this.pending.delete(service);
    const audio: AudioContext = {
      span, contextId, spoken: nothingSpoken(), received, textFromCalls: false, reportedCharacters: undefined,
    };
    this.open.set(service, audio);
    return audio;
  }

  private addText(into: Spoken, text: string): void {
    if (text.trim() === "") return;
    into.characters += text.length;
    if (!this.scope.factory.content.capture || into.text.length > this.scope.factory.content.maxLength) return;
    // Pieces are sentences or words: keep them apart. (The last character alone is tested: a regex
    // anchored only at the end would scan the whole, growing text on every piece.)
    const separate = into.text.length > 0 && !/\s/.test(into.text.charAt(into.text.length - 1)) && !/^\s/.test(text);
    into.text += separate ? ` ${text}` : text;
  }

  /** Only what was observed is written: no text, no character count, for a context nothing was seen of. */
  private end(service: object, audio: AudioContext, atMs: number, interrupted: boolean): void {
    this.open.delete(service);
    const { span } = audio;
    const words = audio.spoken.characters > 0 ? audio.spoken : audio.received;
    span.set(ATTR_TTS_CONTEXT_ID, audio.contextId);
    if (words.text !== "") span.set(ATTR_TEXT, this.scope.factory.content.text(words.text));
    else if (interrupted) span.waive("text"); // cut off before any word: nothing was missed
    span.set(ATTR_METRICS_CHARACTER_COUNT, audio.reportedCharacters ?? (words.characters > 0 ? words.characters : undefined));
    span.set(ATTR_TTS_INTERRUPTED, interrupted);
    span.end(atMs);
  }
}

export const ttsSpanKind = defineSpanKind<TtsContexts>({
  name: "tts",
  frames: [FrameKind.TTS_STARTED, FrameKind.TTS_STOPPED, FrameKind.TTS_TEXT, FrameKind.INTERRUPTION],
  everyHopFrames: [FrameKind.TEXT, FrameKind.LLM_TEXT],
  serviceRole: Role.TTS,
  turnTtfbKey: ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
  usageMetric: MetricKind.TTS_USAGE,
  serviceCalls: [
    { className: "TTSService", method: "synthesize", begin: (contexts, service, args) => contexts.beginCall(service, args[0]) },
  ],
  create: (scope) => new TtsContexts(scope),
});
