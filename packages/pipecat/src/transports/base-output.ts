import { audioDurationSecs, OutputAudioRawFrame } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { EndFrame, InterruptionFrame } from "../frames/lifecycle.js";
import { BotStartedSpeakingFrame, BotStoppedSpeakingFrame } from "../frames/speaking.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";
import { childAbortController } from "../utils/abortable.js";
import { andThen, DONE } from "../utils/done.js";

export interface AudioPlaybackSettings {
  /** Clock ms of silence after which the bot has stopped speaking. */
  botStopSilenceMs: number;
  /** Longest piece of audio written at once (longer frames are split); Infinity writes whole frames. */
  chunkMs: number;
  /** How far ahead of real-time playback audio may be written (what an interruption cannot take back). */
  leadMs: number;
}

/**
 * The speaker side of a transport: plays bot audio in real time on the clock, in order with the frames
 * around it, writing it (`writeAudio`) in pieces of at most `chunkMs`, at most `leadMs` ahead of playback.
 * The first audio pushes BotStartedSpeakingFrame (both ways); after `botStopSilenceMs` without audio it
 * pushes BotStoppedSpeakingFrame (both ways). An InterruptionFrame drops the queued audio (the processor's
 * queue does), cuts the piece being played and stops speaking at once.
 */
export abstract class BaseOutputTransport extends FrameProcessor {
  readonly #playback: AudioPlaybackSettings;
  #speaking = false;
  #playing = false;
  /** Clock ms at which the audio written so far has finished playing. */
  #playhead = 0;
  #silenceWatch?: AbortController & { dispose(): void };

  constructor(playback: AudioPlaybackSettings, options?: FrameProcessorOptions) {
    super(options);
    this.#playback = playback;
  }

  /** Whether the bot is speaking now. */
  get botSpeaking(): boolean {
    return this.#speaking;
  }

  /** Sends one piece of bot audio to the listener (the base class plays into the void). */
  protected writeAudio(_audio: Uint8Array, _frame: OutputAudioRawFrame): void {}

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.DOWNSTREAM) {
      if (frame instanceof OutputAudioRawFrame) return this.#play(frame);
      if (frame instanceof InterruptionFrame || frame instanceof EndFrame) {
        this.#playhead = this.clock.now();
        return andThen(this.#stopSpeaking(), () => this.pushFrame(frame, direction));
      }
    }
    return this.pushFrame(frame, direction);
  }

  async #play(frame: OutputAudioRawFrame): Promise<void> {
    this.#playing = true;
    try {
      if (!this.#speaking) {
        this.#speaking = true;
        await this.broadcastFrame(BotStartedSpeakingFrame);
        this.#watchSilence();
      }
      for (const chunk of this.#chunks(frame)) {
        this.writeAudio(chunk, frame);
        const now = this.clock.now();
        this.#playhead = Math.max(now, this.#playhead) + (chunk.byteLength / frame.audio.byteLength) * audioDurationSecs(frame) * 1000;
        const wait = this.#playhead - this.#playback.leadMs - now;
        if (wait > 0) await this.clock.sleep(wait, this.interruptionSignal);
      }
    } finally {
      this.#playing = false;
    }
    const pushed = this.pushFrame(frame);
    if (pushed !== DONE) await pushed;
  }

  #chunks(frame: OutputAudioRawFrame): Uint8Array[] {
    const { audio } = frame;
    const bytesPerMs = (2 * frame.numChannels * frame.sampleRate) / 1000;
    const chunkBytes = 2 * frame.numChannels * Math.max(1, Math.round((bytesPerMs * this.#playback.chunkMs) / (2 * frame.numChannels)));
    if (!Number.isFinite(chunkBytes) || chunkBytes >= audio.byteLength) return [audio];
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < audio.byteLength; offset += chunkBytes) chunks.push(audio.subarray(offset, offset + chunkBytes));
    return chunks;
  }

  #watchSilence(): void {
    const silenceMs = this.#playback.botStopSilenceMs;
    this.runInBackground(async (lifetime) => {
      const watch = childAbortController(lifetime);
      this.#silenceWatch = watch;
      try {
        while (!watch.signal.aborted) {
          const quietFor = this.clock.now() - this.#playhead;
          if (!this.#playing && quietFor >= silenceMs) {
            await this.#stopSpeaking();
            return;
          }
          await this.clock.sleep(this.#playing ? silenceMs : silenceMs - quietFor, watch.signal);
        }
      } catch (error) {
        if (!watch.signal.aborted) throw error;
      } finally {
        watch.dispose();
      }
    });
  }

  #stopSpeaking(): Promise<void> {
    if (!this.#speaking) return DONE;
    this.#speaking = false;
    this.#silenceWatch?.abort();
    this.#silenceWatch = undefined;
    return this.broadcastFrame(BotStoppedSpeakingFrame);
  }
}
