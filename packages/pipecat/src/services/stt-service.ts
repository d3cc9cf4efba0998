import { InputAudioRawFrame, audioDurationSecs } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { UserStoppedSpeakingFrame } from "../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { AIService, type AIServiceOptions } from "./ai-service.js";

export interface STTServiceOptions extends AIServiceOptions {
  /** Pass user audio on downstream after transcribing it. Default true, as in Pipecat. */
  audioPassthrough?: boolean;
  /** The id put on transcripts. Default "user". */
  userId?: string;
  /** BCP-47 language of the transcripts, if known. */
  language?: string;
}

/**
 * Base of speech-to-text services: user audio is fed to the subclass's `runStt`, whose transcripts are
 * pushed downstream. TTFB runs from the user stopping speaking to the final transcript; usage is the
 * audio seconds behind each final transcript.
 */
export abstract class STTService extends AIService {
  readonly audioPassthrough: boolean;
  readonly userId: string;
  readonly language?: string;
  #audioSecs = 0;

  constructor(options: STTServiceOptions = {}, defaultModel = "") {
    super(options, defaultModel);
    this.audioPassthrough = options.audioPassthrough ?? true;
    this.userId = options.userId ?? "user";
    this.language = options.language;
  }

  /** Transcribes a piece of audio (PCM16 LE): yields transcription frames (or any frames to push). */
  protected abstract runStt(audio: Uint8Array): AsyncIterable<Frame>;

  override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof InputAudioRawFrame) {
      await this.processAudioFrame(frame);
      if (this.audioPassthrough) await this.pushFrame(frame, direction);
      return;
    }
    if (frame instanceof UserStoppedSpeakingFrame) await this.startTtfbMetrics();
    await this.pushFrame(frame, direction);
  }

  /** Feeds one frame of user audio to `runStt` and pushes what it yields. */
  async processAudioFrame(frame: InputAudioRawFrame): Promise<void> {
    this.#audioSecs += audioDurationSecs(frame);
    for await (const output of this.runStt(frame.audio)) {
      if (output instanceof TranscriptionFrame || output instanceof InterimTranscriptionFrame) {
        await this.pushTranscription(output);
      } else {
        await this.pushFrame(output);
      }
    }
  }

  /** Pushes a transcript; a final one closes the TTFB measurement and reports the audio behind it. */
  protected async pushTranscription(frame: TranscriptionFrame | InterimTranscriptionFrame): Promise<void> {
    if (frame instanceof TranscriptionFrame) {
      await this.stopTtfbMetrics();
      if (this.#audioSecs > 0) await this.startSttUsageMetrics(this.#audioSecs);
      this.#audioSecs = 0;
    }
    await this.pushFrame(frame, FrameDirection.DOWNSTREAM);
  }
}
