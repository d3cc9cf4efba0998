import { randomUUID } from "node:crypto";
import { TTSAudioRawFrame } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { InterruptionFrame } from "../frames/lifecycle.js";
import { LLMFullResponseEndFrame, LLMFullResponseStartFrame } from "../frames/llm.js";
import { InterimTranscriptionFrame, TextFrame, TranscriptionFrame, TTSTextFrame } from "../frames/text.js";
import { TTSStartedFrame, TTSStoppedFrame } from "../frames/tts.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { andThen } from "../utils/done.js";
import { positiveNumber } from "../utils/validate.js";
import { AIService, type AIServiceOptions } from "./ai-service.js";
import { forEachOutput, type ServiceOutput } from "./service-output.js";

export interface TTSServiceOptions extends AIServiceOptions {
  voiceId?: string;
  /** Output sample rate; default the task's audioOutSampleRate. */
  sampleRate?: number;
}

// A sentence ends at . ! or ? followed by whitespace or the end of the text so far.
const SENTENCE_END = /[.!?](?=\s|$)/;

/**
 * Base of text-to-speech services. LLM text between LLMFullResponseStart/End is gathered into sentences,
 * each spoken by `synthesize` inside one audio context per response: TTSStartedFrame(contextId), then
 * TTSAudioRawFrames and a TTSTextFrame per sentence, then TTSStoppedFrame(contextId) at the response's end.
 * An InterruptionFrame resets the active context: it is abandoned without a TTSStoppedFrame (the
 * interruption is what closes it) and the unspoken text is dropped.
 */
export abstract class TTSService extends AIService {
  voiceId: string;
  readonly #sampleRate?: number;
  #contextId?: string;
  #inResponse = false;
  #pendingText = "";

  constructor(options: TTSServiceOptions = {}, defaults: { model?: string; voiceId?: string } = {}) {
    super(options, defaults.model ?? "");
    this.voiceId = options.voiceId ?? defaults.voiceId ?? "";
    this.#sampleRate = options.sampleRate === undefined ? undefined : positiveNumber(this.name, "sampleRate", options.sampleRate);
  }

  /** The rate of the audio this service produces. */
  get sampleRate(): number {
    return this.#sampleRate ?? this.startParams?.audioOutSampleRate ?? 24000;
  }

  /** The open audio context, if any. */
  get activeContextId(): string | undefined {
    return this.#contextId;
  }

  /**
   * Synthesizes `text`: yields PCM16 LE mono chunks at `sampleRate` (one TTSAudioRawFrame each). A service
   * that has all its audio after one wait can resolve to an iterable of chunks: no promise per chunk.
   */
  protected abstract runTts(text: string, contextId: string): ServiceOutput<Uint8Array>;

  // Not `async`: every frame of user audio passes through here on its way down.
  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.UPSTREAM) return this.pushFrame(frame, direction);
    if (frame instanceof LLMFullResponseStartFrame) {
      this.#inResponse = true;
    } else if (frame instanceof LLMFullResponseEndFrame) {
      return this.#endResponse(frame, direction);
    } else if (frame instanceof InterruptionFrame) {
      this.#contextId = undefined;
      this.#inResponse = false;
      this.#pendingText = "";
    } else if (isSpeakableText(frame)) {
      return this.#speakText(frame);
    }
    return this.pushFrame(frame, direction);
  }

  /** Speaks one piece of text in the active audio context (opening one if needed). */
  async synthesize(text: string): Promise<void> {
    if (text.trim() === "") return;
    const signal = this.interruptionSignal;
    if (this.#contextId === undefined) {
      this.#contextId = randomUUID();
      await this.pushFrame(new TTSStartedFrame(this.#contextId));
    }
    const contextId = this.#contextId;
    await this.startTtsUsageMetrics(text);
    await this.startTtfbMetrics();
    let first = true;
    await forEachOutput(
      "runTts",
      () => this.runTts(text, contextId),
      (audio) => {
        signal.throwIfAborted();
        const frame = new TTSAudioRawFrame({ audio, sampleRate: this.sampleRate, numChannels: 1, contextId });
        if (!first) return this.pushFrame(frame);
        first = false;
        return andThen(this.stopTtfbMetrics(), () => this.pushFrame(frame));
      },
    );
    signal.throwIfAborted();
    await this.pushFrame(new TTSTextFrame(text, contextId));
  }

  async #endResponse(frame: LLMFullResponseEndFrame, direction: FrameDirection): Promise<void> {
    await this.#speakPending(true);
    await this.#closeContext();
    this.#inResponse = false;
    await this.pushFrame(frame, direction);
  }

  async #speakText(frame: TextFrame): Promise<void> {
    this.#pendingText += frame.text;
    await this.#speakPending(!this.#inResponse);
    if (!this.#inResponse) await this.#closeContext();
  }

  async #speakPending(flush: boolean): Promise<void> {
    for (;;) {
      const match = SENTENCE_END.exec(this.#pendingText);
      if (!match) break;
      const end = match.index + 1;
      const sentence = this.#pendingText.slice(0, end).trim();
      this.#pendingText = this.#pendingText.slice(end);
      await this.synthesize(sentence);
    }
    if (flush) {
      const rest = this.#pendingText.trim();
      this.#pendingText = "";
      await this.synthesize(rest);
    }
  }

  async #closeContext(): Promise<void> {
    const contextId = this.#contextId;
    if (contextId === undefined) return;
    this.#contextId = undefined;
    await this.pushFrame(new TTSStoppedFrame(contextId));
  }
}

function isSpeakableText(frame: Frame): frame is TextFrame {
  return (
    frame instanceof TextFrame &&
    !(frame instanceof TTSTextFrame) &&
    !(frame instanceof TranscriptionFrame) &&
    !(frame instanceof InterimTranscriptionFrame)
  );
}
