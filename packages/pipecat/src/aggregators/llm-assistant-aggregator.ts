import type { LLMContext } from "../context/llm-context.js";
import type { Frame } from "../frames/frame.js";
import { FunctionCallInProgressFrame } from "../frames/function-calls.js";
import { InterruptionFrame } from "../frames/lifecycle.js";
import { LLMFullResponseEndFrame, LLMFullResponseStartFrame } from "../frames/llm.js";
import { InterimTranscriptionFrame, TextFrame, TranscriptionFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";
import { andThen, DONE } from "../utils/done.js";
import { appendText, type TurnMessage } from "./turn-message.js";

/**
 * Turns what the bot said into assistant messages. Text between LLMFullResponseStart/End (spoken text
 * when a TTS sits before it, LLM tokens otherwise) becomes one assistant message. A response that called
 * tools is already recorded in the context by the LLM service (assistant tool_calls + tool results), so
 * its text is only carried into the turn; the turn ends with the response that follows the tool results.
 * An interruption keeps what was said so far and ends the turn as interrupted.
 * Events: onAssistantTurnStarted(aggregator), onAssistantTurnStopped(aggregator, message).
 */
export class LLMAssistantAggregator extends FrameProcessor {
  readonly context: LLMContext;
  #turnOpen = false;
  #responseOpen = false;
  #responseCalledTools = false;
  #responseText = "";
  #turnText = "";
  #turnTimestamp = "";

  constructor(context: LLMContext, options?: FrameProcessorOptions) {
    super(options);
    this.context = context;
    this.registerEvent("onAssistantTurnStarted");
    this.registerEvent("onAssistantTurnStopped");
  }

  // Not `async`: every frame of bot audio passes through here, and most frames only move on.
  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    const handled = direction === FrameDirection.DOWNSTREAM ? this.#handleDownstream(frame) : DONE;
    return andThen(handled, () => this.pushFrame(frame, direction));
  }

  #handleDownstream(frame: Frame): Promise<void> {
    if (frame instanceof LLMFullResponseStartFrame) return this.#startResponse();
    if (frame instanceof LLMFullResponseEndFrame) return this.#endResponse();
    if (frame instanceof FunctionCallInProgressFrame) this.#responseCalledTools ||= this.#responseOpen;
    else if (frame instanceof InterruptionFrame) return this.#interrupt();
    else if (this.#responseOpen && isBotText(frame)) {
      this.#responseText = appendText(this.#responseText, frame.text, frame.includesInterFrameSpaces);
    }
    return DONE;
  }

  async #startResponse(): Promise<void> {
    if (!this.#turnOpen) {
      this.#turnOpen = true;
      this.#turnTimestamp = new Date().toISOString();
      this.#turnText = "";
      await this.emit("onAssistantTurnStarted");
    }
    this.#responseOpen = true;
    this.#responseCalledTools = false;
    this.#responseText = "";
  }

  async #endResponse(): Promise<void> {
    if (!this.#responseOpen) return;
    this.#responseOpen = false;
    const text = this.#responseText.trim();
    this.#turnText = appendText(this.#turnText, text, false);
    if (this.#responseCalledTools) return;
    if (text !== "") this.context.addMessage({ role: "assistant", content: text });
    await this.#endTurn(false);
  }

  async #interrupt(): Promise<void> {
    if (!this.#turnOpen) return;
    const text = this.#responseText.trim();
    if (this.#responseOpen && !this.#responseCalledTools) {
      this.#turnText = appendText(this.#turnText, text, false);
      if (text !== "") this.context.addMessage({ role: "assistant", content: text });
    }
    this.#responseOpen = false;
    await this.#endTurn(true);
  }

  async #endTurn(interrupted: boolean): Promise<void> {
    const message: TurnMessage = { content: this.#turnText.trim(), timestamp: this.#turnTimestamp, interrupted };
    this.#turnOpen = false;
    this.#turnText = "";
    await this.emit("onAssistantTurnStopped", message);
  }
}

function isBotText(frame: Frame): frame is TextFrame {
  return frame instanceof TextFrame && !(frame instanceof TranscriptionFrame) && !(frame instanceof InterimTranscriptionFrame);
}
