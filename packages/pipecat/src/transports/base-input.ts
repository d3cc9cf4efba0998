import type { Frame } from "../frames/frame.js";
import { InterruptionFrame } from "../frames/lifecycle.js";
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from "../frames/speaking.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor } from "../processors/frame-processor.js";

/**
 * The microphone side of a transport: what every input does when the user starts or stops speaking. It
 * learns whether the bot is speaking from the BotStarted/StoppedSpeakingFrames the output side pushes
 * upstream, so that the user speaking over the bot interrupts it (when the task allows interruptions).
 */
export abstract class BaseInputTransport extends FrameProcessor {
  #botSpeaking = false;

  /** Whether the bot is speaking, as the output side last said. */
  protected get botSpeaking(): boolean {
    return this.#botSpeaking;
  }

  /** Called when the output side says the bot started or stopped speaking. */
  protected onBotSpeaking(_speaking: boolean): void {}

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.UPSTREAM && (frame instanceof BotStartedSpeakingFrame || frame instanceof BotStoppedSpeakingFrame)) {
      this.#botSpeaking = frame instanceof BotStartedSpeakingFrame;
      this.onBotSpeaking(this.#botSpeaking);
    }
    return this.pushFrame(frame, direction);
  }

  /** VADUserStartedSpeaking + UserStartedSpeaking, then an InterruptionFrame if the user talks over the bot. */
  protected async pushUserStartedSpeaking(startSecs: number): Promise<void> {
    await this.pushFrame(new VADUserStartedSpeakingFrame(startSecs));
    await this.pushFrame(new UserStartedSpeakingFrame());
    if (this.#botSpeaking && this.interruptionsAllowed) await this.pushFrame(new InterruptionFrame());
  }

  /** VADUserStoppedSpeaking + UserStoppedSpeaking. */
  protected async pushUserStoppedSpeaking(stopSecs: number): Promise<void> {
    await this.pushFrame(new VADUserStoppedSpeakingFrame(stopSecs));
    await this.pushFrame(new UserStoppedSpeakingFrame());
  }
}
