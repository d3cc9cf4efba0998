import type { LLMContext, LLMMessage } from "../context/llm-context.js";
import { ControlFrame, DataFrame } from "./frame.js";

/** Asks the LLM to run on this context. */
export class LLMContextFrame extends DataFrame {
  constructor(public context: LLMContext) {
    super();
  }
}

/** Appends messages to the context held by the user aggregator (and runs the LLM if `runLlm`). */
export class LLMMessagesAppendFrame extends DataFrame {
  constructor(
    public messages: LLMMessage[],
    public runLlm?: boolean,
  ) {
    super();
  }
}

/** Asks the user aggregator to run the LLM on the current context (e.g. for a greeting). */
export class LLMRunFrame extends DataFrame {}

/** Opens one LLM response. */
export class LLMFullResponseStartFrame extends ControlFrame {}

/** Closes one LLM response. */
export class LLMFullResponseEndFrame extends ControlFrame {}
