import type { LLMContext } from "../context/llm-context.js";
import type { Frame } from "../frames/frame.js";
import { LLMContextFrame, LLMMessagesAppendFrame, LLMRunFrame } from "../frames/llm.js";
import { UserStartedSpeakingFrame, UserStoppedSpeakingFrame } from "../frames/speaking.js";
import { InterimTranscriptionFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";
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

  override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof TranscriptionFrame) {
      if (!frame.finalized || frame.text.trim() === "") return;
      this.#text = appendText(this.#text, frame.text.trim(), false);
      this.#timestamp ??= frame.timestamp;
      if (!this.#userSpeaking) await this.#endTurn();
    } else if (frame instanceof InterimTranscriptionFrame) {
      return;
    } else if (frame instanceof UserStartedSpeakingFrame) {
      this.#userSpeaking = true;
      await this.emit("onUserTurnStarted");
      await this.pushFrame(frame, direction);
    } else if (frame instanceof UserStoppedSpeakingFrame) {
      this.#userSpeaking = false;
      await this.pushFrame(frame, direction);
      if (this.#text !== "") await this.#endTurn();
    } else if (frame instanceof LLMRunFrame) {
      await this.pushFrame(new LLMContextFrame(this.context));
    } else if (frame instanceof LLMMessagesAppendFrame) {
      this.context.addMessages(frame.messages);
      if (frame.runLlm) await this.pushFrame(new LLMContextFrame(this.context));
    } else {
      await this.pushFrame(frame, direction);
    }
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
