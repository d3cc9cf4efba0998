import { InputAudioRawFrame, audioDurationSecs } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { UserStoppedSpeakingFrame } from "../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { andThen } from "../utils/done.js";
import { AIService, type AIServiceOptions } from "./ai-service.js";
import { forEachOutput, type ServiceOutput } from "./service-output.js";

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

  /**
   * Transcribes a piece of audio (PCM16 LE): yields transcription frames (or any frames to push). A
   * service with nothing to wait for can be a synchronous `function*`: no promise per audio frame.
   */
  protected abstract runStt(audio: Uint8Array): ServiceOutput<Frame>;

  // Not `async`: every 20 ms frame of user audio comes through here.
  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof InputAudioRawFrame) {
      const transcribed = this.processAudioFrame(frame);
      return this.audioPassthrough ? andThen(transcribed, () => this.pushFrame(frame, direction)) : transcribed;
    }
    if (frame instanceof UserStoppedSpeakingFrame) return andThen(this.startTtfbMetrics(), () => this.pushFrame(frame, direction));
    return this.pushFrame(frame, direction);
  }

  /** Feeds one frame of user audio to `runStt` and pushes what it yields. */
  processAudioFrame(frame: InputAudioRawFrame): Promise<void> {
    return this.transcribe(frame.audio, audioDurationSecs(frame));
  }

  /** Runs `runStt` on `audio` (`seconds` long, counted in the usage metrics) and pushes what it yields. */
  protected transcribe(audio: Uint8Array, seconds: number): Promise<void> {
    const run = (): ServiceOutput<Frame> => {
      this.#audioSecs += seconds;
      return this.runStt(audio);
    };
    return forEachOutput("runStt", run, (output) => this.#pushOutput(output));
  }

  #pushOutput(output: Frame): Promise<void> {
    if (output instanceof TranscriptionFrame || output instanceof InterimTranscriptionFrame) return this.pushTranscription(output);
    return this.pushFrame(output);
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
