import type { Frame } from "../../frames/frame.js";
import { UserStartedSpeakingFrame, UserStoppedSpeakingFrame } from "../../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../../frames/text.js";
import type { FrameDirection } from "../../processors/frame-direction.js";
import { normalizeUserScript, type UserScript } from "../../script/user-script.js";
import { booleanOption, nonNegativeNumber, positiveNumber } from "../../utils/validate.js";
import { STTService, type STTServiceOptions } from "../stt-service.js";

export interface ScriptedSTTServiceOptions extends STTServiceOptions {
  /** The same script the SimulatedTransport plays: utterance n is what the user says in speaking turn n. */
  script: UserScript;
  /** Clock ms of user audio between interim transcripts. Default 300. */
  interimIntervalMs?: number;
  /** Clock ms from the user stopping to the final transcript. Default 150. */
  finalDelayMs?: number;
  /** Start the script over after its last utterance (a live caller may talk for longer). Default false. */
  repeat?: boolean;
}

/**
 * Offline STT that "recognises" the scripted user: each time the user starts speaking (by the transport's
 * voice-activity detection, whatever is actually said) it takes the script's next utterance; while the
 * user speaks it yields interim transcripts growing with the audio heard, and `finalDelayMs` after the
 * user stops it pushes that utterance as the final transcript.
 */
export class ScriptedSTTService extends STTService {
  readonly interimIntervalMs: number;
  readonly finalDelayMs: number;
  readonly repeat: boolean;
  readonly #utterances: Array<{ text: string; durationMs: number }>;
  #index = -1;
  #heardMs = 0;
  #lastInterimMs = 0;
  #interimWords = 0;

  constructor(options: ScriptedSTTServiceOptions) {
    if (options === null || typeof options !== "object") {
      throw new Error('ScriptedSTTService: options must be an object with a "script"');
    }
    super({ language: "en-US", ...options }, "scripted-stt");
    this.#utterances = normalizeUserScript(this.name, options.script);
    this.interimIntervalMs = positiveNumber(this.name, "interimIntervalMs", options.interimIntervalMs ?? 300);
    this.finalDelayMs = nonNegativeNumber(this.name, "finalDelayMs", options.finalDelayMs ?? 150);
    this.repeat = booleanOption(this.name, "repeat", options.repeat ?? false);
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof UserStartedSpeakingFrame) {
      this.#index += 1;
      this.#heardMs = 0;
      this.#lastInterimMs = 0;
      this.#interimWords = 0;
    } else if (frame instanceof UserStoppedSpeakingFrame) {
      const utterance = this.#currentUtterance();
      if (utterance) this.runInBackground((signal) => this.#finalize(utterance.text, signal));
    }
    return super.processFrame(frame, direction);
  }

  // Synchronous: hearing the scripted words waits for nothing (only the final transcript waits, in the background).
  protected *runStt(audio: Uint8Array): Iterable<Frame> {
    const utterance = this.#currentUtterance();
    if (!utterance) return;
    const sampleRate = this.startParams?.audioInSampleRate ?? 16000;
    this.#heardMs += (audio.byteLength / 2 / sampleRate) * 1000;
    if (this.#heardMs - this.#lastInterimMs < this.interimIntervalMs) return;
    this.#lastInterimMs = this.#heardMs;
    const words = utterance.text.split(/\s+/);
    const heard = Math.max(1, Math.min(words.length, Math.floor((words.length * this.#heardMs) / utterance.durationMs)));
    if (heard === this.#interimWords) return;
    this.#interimWords = heard;
    yield new InterimTranscriptionFrame({ text: words.slice(0, heard).join(" "), userId: this.userId, language: this.language });
  }

  #currentUtterance(): { text: string; durationMs: number } | undefined {
    if (this.#index < 0) return undefined;
    return this.#utterances[this.repeat ? this.#index % this.#utterances.length : this.#index];
  }

  async #finalize(text: string, signal: AbortSignal): Promise<void> {
    await this.clock.sleep(this.finalDelayMs, signal);
    await this.pushTranscription(new TranscriptionFrame({ text, userId: this.userId, language: this.language, finalized: true }));
  }
}
