import { type InputAudioRawFrame, audioDurationSecs } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { UserStartedSpeakingFrame, UserStoppedSpeakingFrame } from "../frames/speaking.js";
import type { FrameDirection } from "../processors/frame-direction.js";
import { DONE } from "../utils/done.js";
import { nonNegativeNumber } from "../utils/validate.js";
import { pcm16ToWav } from "../utils/wav.js";
import { STTService, type STTServiceOptions } from "./stt-service.js";

export interface SegmentedSTTServiceOptions extends STTServiceOptions {
  /** Real seconds of audio from before the user started speaking kept in the segment. Default 0.5. */
  prerollSecs?: number;
}

/**
 * Base of speech-to-text services that transcribe whole utterances (Pipecat's SegmentedSTTService): user
 * audio is gathered from UserStartedSpeaking (plus a short pre-roll, since detection lags the voice) to
 * UserStoppedSpeaking, and the utterance is handed to `runStt` as one WAV file, in the background.
 */
export abstract class SegmentedSTTService extends STTService {
  readonly prerollSecs: number;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #recording = false;
  #format?: { sampleRate: number; numChannels: number };

  constructor(options: SegmentedSTTServiceOptions = {}, defaultModel = "") {
    super(options, defaultModel);
    this.prerollSecs = nonNegativeNumber(this.name, "prerollSecs", options.prerollSecs ?? 0.5);
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof UserStartedSpeakingFrame) this.#recording = true;
    const pushed = super.processFrame(frame, direction);
    if (frame instanceof UserStoppedSpeakingFrame) this.#transcribeSegment();
    return pushed;
  }

  override processAudioFrame(frame: InputAudioRawFrame): Promise<void> {
    this.#format = { sampleRate: frame.sampleRate, numChannels: frame.numChannels };
    this.#chunks.push(frame.audio);
    this.#bytes += frame.audio.byteLength;
    if (!this.#recording) {
      const keepBytes = Math.round(this.prerollSecs * frame.sampleRate) * 2 * frame.numChannels;
      while (this.#chunks.length > 1 && this.#bytes - this.#chunks[0]!.byteLength >= keepBytes) this.#bytes -= this.#chunks.shift()!.byteLength;
    }
    return DONE;
  }

  #transcribeSegment(): void {
    this.#recording = false;
    const format = this.#format;
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#bytes = 0;
    if (!format || chunks.length === 0) return;
    const pcm = Buffer.concat(chunks);
    const seconds = audioDurationSecs({ audio: pcm, sampleRate: format.sampleRate, numChannels: format.numChannels });
    const wav = pcm16ToWav(pcm, format.sampleRate, format.numChannels);
    this.runInBackground(() => this.transcribe(wav, seconds));
  }
}
