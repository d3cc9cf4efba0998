import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { LLMContext } from "../context/llm-context.js";
import type { FunctionArguments } from "../frames/function-calls.js";
import type { LLMTokenUsage } from "../frames/metrics.js";
import { createOpenAIClient, describeOpenAIFailure, type OpenAIClientOptions, type OpenAIConnection } from "./openai-client.js";
import { LLMService, type LLMServiceOptions, type LLMStreamEvent } from "./llm-service.js";

export interface OpenAILLMServiceOptions extends LLMServiceOptions, OpenAIClientOptions {}

interface ToolCallDraft {
  id: string;
  name: string;
  arguments: string;
}

const DEFAULT_MODEL = "gpt-4o-mini";

/** LLM service on the official `openai` SDK: streaming chat completions with tools and usage. */
export class OpenAILLMService extends LLMService {
  readonly baseURL: string;
  readonly #connection: OpenAIConnection;

  constructor(options: OpenAILLMServiceOptions = {}) {
    super(options, DEFAULT_MODEL);
    this.#connection = createOpenAIClient(this.name, options);
    this.baseURL = this.#connection.baseURL;
  }

  protected async *runLlm(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMStreamEvent> {
    const toolCalls = new Map<number, ToolCallDraft>();
    let stream: AsyncIterable<ChatCompletionChunk>;
    try {
      const client = await this.#connection.client();
      stream = await client.chat.completions.create(this.#request(context), { signal });
    } catch (error) {
      throw describeFailure(error);
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
      throw describeFailure(error);
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
function describeFailure(error: unknown): unknown {
  if (error instanceof SyntaxError) {
    return new Error(`chat completion stream sent a malformed chunk: ${error.message}`, { cause: error });
  }
  return describeOpenAIFailure("chat completion", error);
}
