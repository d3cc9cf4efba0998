import type { LLMContext } from "../context/llm-context.js";
import type { Frame } from "../frames/frame.js";
import { LLMContextFrame, LLMMessagesAppendFrame, LLMRunFrame } from "../frames/llm.js";
import { UserStartedSpeakingFrame, UserStoppedSpeakingFrame } from "../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";
import { andThen, DONE } from "../utils/done.js";
import { appendText, type TurnMessage } from "./turn-message.js";

/**
 * Turns what the user said into user messages. Final transcripts are gathered while the user speaks; when
 * the user has stopped and the transcript is in, the message is added to the context, `onUserTurnStopped`
 * fires and an LLMContextFrame goes downstream. Interim transcripts are consumed. LLMRunFrame runs the LLM
 * on the context as it is; LLMMessagesAppendFrame adds messages (and runs it if asked).
 * Events: onUserTurnStarted(aggregator), onUserTurnStopped(aggregator, message).
 */
export class LLMUserAggregator extends FrameProcessor {
  readonly context: LLMContext;
  #userSpeaking = false;
  #text = "";
  #timestamp?: string;

  constructor(context: LLMContext, options?: FrameProcessorOptions) {
    super(options);
    this.context = context;
    this.registerEvent("onUserTurnStarted");
    this.registerEvent("onUserTurnStopped");
  }

  // Not `async`: every frame of user audio passes through here, and most frames only move on.
  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof TranscriptionFrame) {
      if (!frame.finalized || frame.text.trim() === "") return DONE;
      this.#text = appendText(this.#text, frame.text.trim(), false);
      this.#timestamp ??= frame.timestamp;
      return this.#userSpeaking ? DONE : this.#endTurn();
    }
    if (frame instanceof InterimTranscriptionFrame) return DONE;
    if (frame instanceof UserStartedSpeakingFrame) {
      this.#userSpeaking = true;
      return andThen(this.emit("onUserTurnStarted"), () => this.pushFrame(frame, direction));
    }
    if (frame instanceof UserStoppedSpeakingFrame) {
      this.#userSpeaking = false;
      return andThen(this.pushFrame(frame, direction), () => (this.#text !== "" ? this.#endTurn() : DONE));
    }
    if (frame instanceof LLMRunFrame) return this.pushFrame(new LLMContextFrame(this.context));
    if (frame instanceof LLMMessagesAppendFrame) {
      this.context.addMessages(frame.messages);
      return frame.runLlm ? this.pushFrame(new LLMContextFrame(this.context)) : DONE;
    }
    return this.pushFrame(frame, direction);
  }

  async #endTurn(): Promise<void> {
    const message: TurnMessage = { content: this.#text, timestamp: this.#timestamp ?? new Date().toISOString() };
    this.#text = "";
    this.#timestamp = undefined;
    this.context.addMessage({ role: "user", content: message.content });
    await this.emit("onUserTurnStopped", message);
    await this.pushFrame(new LLMContextFrame(this.context), FrameDirection.DOWNSTREAM);
  }
}
