import { LLMContext } from "../context/llm-context.js";
import type { FrameProcessorOptions } from "../processors/frame-processor.js";
import { LLMAssistantAggregator } from "./llm-assistant-aggregator.js";
import { LLMUserAggregator } from "./llm-user-aggregator.js";

export interface LLMContextAggregatorPairOptions {
  user?: FrameProcessorOptions;
  assistant?: FrameProcessorOptions;
}

/** The user and assistant aggregators around one shared LLMContext (user before the LLM, assistant last). */
export class LLMContextAggregatorPair {
  readonly context: LLMContext;
  readonly #user: LLMUserAggregator;
  readonly #assistant: LLMAssistantAggregator;

  constructor(context: LLMContext, options: LLMContextAggregatorPairOptions = {}) {
    if (!(context instanceof LLMContext)) {
      throw new Error(`LLMContextAggregatorPair: "context" must be an LLMContext, got ${String(context)}`);
    }
    this.context = context;
    this.#user = new LLMUserAggregator(context, options.user);
    this.#assistant = new LLMAssistantAggregator(context, options.assistant);
  }

  user(): LLMUserAggregator {
    return this.#user;
  }

  assistant(): LLMAssistantAggregator {
    return this.#assistant;
  }
}
