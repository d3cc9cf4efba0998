import type { Clock } from "../clock.js";
import { audioDurationSecs, OutputAudioRawFrame } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { EndFrame, InterruptionFrame } from "../frames/lifecycle.js";
import { BotStartedSpeakingFrame, BotStoppedSpeakingFrame } from "../frames/speaking.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor } from "../processors/frame-processor.js";
import { childAbortController } from "../utils/abortable.js";
import { andThen, DONE } from "../utils/done.js";

/**
 * The speaker side of the simulated transport: plays bot audio in real time on the clock, in order with
 * the frames around it. The first audio pushes BotStartedSpeakingFrame (both ways); after
 * `botStopSilenceMs` without audio it pushes BotStoppedSpeakingFrame (both ways). An InterruptionFrame
 * drops the queued audio (the processor's queue does) and stops speaking at once.
 */
export class SimulatedOutputTransport extends FrameProcessor {
  #speaking = false;
  #playing = false;
  #lastAudioEnd = 0;
  #silenceWatch?: AbortController & { dispose(): void };

  constructor(
    private readonly botStopSilenceMs: number,
    name?: string,
    clock?: Clock,
  ) {
    super({ name, clock });
  }

  /** Whether the bot is speaking now. */
  get botSpeaking(): boolean {
    return this.#speaking;
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.DOWNSTREAM) {
      if (frame instanceof OutputAudioRawFrame) return this.#play(frame);
      if (frame instanceof InterruptionFrame || frame instanceof EndFrame) {
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
      await this.clock.sleep(audioDurationSecs(frame) * 1000, this.interruptionSignal);
    } finally {
      this.#playing = false;
    }
    this.#lastAudioEnd = this.clock.now();
    const pushed = this.pushFrame(frame);
    if (pushed !== DONE) await pushed;
  }

  #watchSilence(): void {
    this.runInBackground(async (lifetime) => {
      const watch = childAbortController(lifetime);
      this.#silenceWatch = watch;
      try {
        while (!watch.signal.aborted) {
          const quietFor = this.clock.now() - this.#lastAudioEnd;
          if (!this.#playing && quietFor >= this.botStopSilenceMs) {
            await this.#stopSpeaking();
            return;
          }
          await this.clock.sleep(this.#playing ? this.botStopSilenceMs : this.botStopSilenceMs - quietFor, watch.signal);
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
