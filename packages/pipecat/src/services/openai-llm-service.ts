import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { LLMContext } from "../context/llm-context.js";
import type { FunctionArguments } from "../frames/function-calls.js";
import type { LLMTokenUsage } from "../frames/metrics.js";
import { errorMessage } from "../utils/base-object.js";
import { optionError, nonNegativeNumber, positiveNumber } from "../utils/validate.js";
import { LLMService, type LLMServiceOptions, type LLMStreamEvent } from "./llm-service.js";

export interface OpenAILLMServiceOptions extends LLMServiceOptions {
  /** Default: the OPENAI_API_KEY environment variable. */
  apiKey?: string;
  /** Any OpenAI-compatible endpoint or gateway. Default: the SDK's (OPENAI_BASE_URL or api.openai.com). */
  baseURL?: string;
  /** Retries of failed requests, as in the SDK. Default 2. */
  maxRetries?: number;
  /** Request timeout in real seconds. Default 60. */
  timeoutSecs?: number;
}

interface ToolCallDraft {
  id: string;
  name: string;
  arguments: string;
}

const DEFAULT_MODEL = "gpt-4o-mini";
const DEFAULT_BASE_URL = "https://api.openai.com/v1";

/**
 * `openai` is an optional peer dependency (offline users never download it): it is loaded when the first
 * request is made, with an error saying how to install it when it is missing.
 */
async function loadOpenAI(serviceName: string): Promise<typeof OpenAI> {
  try {
    return (await import("openai")).default;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new Error(`${serviceName}: the "openai" package is not installed; add it to your app (npm install openai)`);
    }
    throw error;
  }
}

/** LLM service on the official `openai` SDK: streaming chat completions with tools and usage. */
export class OpenAILLMService extends LLMService {
  readonly baseURL: string;
  readonly #clientOptions: ConstructorParameters<typeof OpenAI>[0];
  #client: Promise<OpenAI> | undefined;
  /** The SDK's class once loaded (its error classes describe failures). */
  #Client: typeof OpenAI | undefined;

  constructor(options: OpenAILLMServiceOptions = {}) {
    super(options, DEFAULT_MODEL);
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
    if (typeof apiKey !== "string" || apiKey === "") {
      throw new Error(`${this.name}: "apiKey" is required: pass it as an option or set OPENAI_API_KEY`);
    }
    if (options.baseURL !== undefined) {
      try {
        new URL(options.baseURL);
      } catch {
        throw optionError(this.name, "baseURL", "an absolute http(s) URL", options.baseURL);
      }
    }
    this.baseURL = options.baseURL ?? process.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
    this.#clientOptions = {
      apiKey,
      baseURL: this.baseURL,
      maxRetries: nonNegativeNumber(this.name, "maxRetries", options.maxRetries ?? 2),
      timeout: positiveNumber(this.name, "timeoutSecs", options.timeoutSecs ?? 60) * 1000,
      // Failures become ErrorFrames; the SDK must not also print stream contents to the console.
      logLevel: "off",
    };
  }

  protected async *runLlm(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMStreamEvent> {
    const toolCalls = new Map<number, ToolCallDraft>();
    let stream: AsyncIterable<ChatCompletionChunk>;
    try {
      this.#client ??= loadOpenAI(this.name).then((Client) => {
        this.#Client = Client;
        return new Client(this.#clientOptions);
      });
      const client = await this.#client;
      stream = await client.chat.completions.create(this.#request(context), { signal });
    } catch (error) {
      throw describeFailure(error, this.#Client);
    }
    try {
      for await (const chunk of stream) {
        if (chunk.usage) yield { type: "usage", usage: toUsage(chunk.usage) };
        const delta = chunk.choices?.[0]?.delta;
        if (!delta) continue;
        if (delta.content) yield { type: "text", text: delta.content };
        for (const call of delta.tool_calls ?? []) {
          const draft = toolCalls.get(call.index) ?? { id: "", name: "", arguments: "" };
          draft.id ||= call.id ?? "";
          draft.name += call.function?.name ?? "";
          draft.arguments += call.function?.arguments ?? "";
          toolCalls.set(call.index, draft);
        }
      }
    } catch (error) {
      throw describeFailure(error, this.#Client);
    }
    for (const [index, draft] of [...toolCalls.entries()].sort(([a], [b]) => a - b)) {
      yield {
        type: "functionCall",
        toolCallId: draft.id || `call_${index}`,
        functionName: draft.name,
        arguments: parseArguments(draft),
      };
    }
  }

  #request(context: LLMContext): ChatCompletionCreateParamsStreaming {
    const { temperature, maxTokens, topP, frequencyPenalty, presencePenalty, seed } = this.settings;
    const request: ChatCompletionCreateParamsStreaming = {
      model: this.model,
      stream: true,
      stream_options: { include_usage: true },
      messages: context.messages as ChatCompletionCreateParamsStreaming["messages"],
    };
    if (context.tools.length > 0) {
      request.tools = context.tools as ChatCompletionCreateParamsStreaming["tools"];
      if (context.toolChoice !== undefined) request.tool_choice = context.toolChoice;
    }
    if (temperature !== undefined) request.temperature = temperature;
    if (maxTokens !== undefined) request.max_tokens = maxTokens;
    if (topP !== undefined) request.top_p = topP;
    if (frequencyPenalty !== undefined) request.frequency_penalty = frequencyPenalty;
    if (presencePenalty !== undefined) request.presence_penalty = presencePenalty;
    if (seed !== undefined) request.seed = seed;
    return request;
  }
}

function toUsage(usage: NonNullable<ChatCompletionChunk["usage"]>): LLMTokenUsage {
  const result: LLMTokenUsage = {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (cached !== undefined && cached !== null) result.cacheReadInputTokens = cached;
  if (reasoning !== undefined && reasoning !== null) result.reasoningTokens = reasoning;
  return result;
}

function parseArguments(draft: ToolCallDraft): FunctionArguments {
  if (draft.arguments.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(draft.arguments);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as FunctionArguments;
  } catch {
    // reported below
  }
  throw new Error(`the model sent malformed arguments for tool call "${draft.name}": ${draft.arguments.slice(0, 200)}`);
}

/** A readable error naming what failed (the HTTP status when there is one). */
function describeFailure(error: unknown, Client: typeof OpenAI | undefined): unknown {
  if (Client === undefined) return error;
  if (error instanceof Client.APIUserAbortError) return error;
  if (error instanceof Client.APIError && error.status !== undefined) {
    return new Error(`chat completion request failed with HTTP ${error.status}: ${error.message}`, { cause: error });
  }
  if (error instanceof Client.APIConnectionError) {
    return new Error(`chat completion request failed: ${error.message}`, { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new Error(`chat completion stream sent a malformed chunk: ${error.message}`, { cause: error });
  }
  return new Error(`chat completion failed: ${errorMessage(error)}`, { cause: error });
}
