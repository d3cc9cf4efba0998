import type { LLMContext, LLMMessage } from "../../context/llm-context.js";
import type { FunctionArguments } from "../../frames/function-calls.js";
import type { LLMTokenUsage } from "../../frames/metrics.js";
import { optionError, nonNegativeNumber } from "../../utils/validate.js";
import { LLMService, type LLMServiceOptions, type LLMStreamEvent } from "../llm-service.js";

/** A scripted reply that asks for a tool first, then says `then` with the tool's result filled in. */
export interface ScriptedToolReply {
  toolCall: { name: string; arguments?: FunctionArguments };
  /** Said after the result comes back; `{result}` is the whole result, `{result.key}` one of its fields. */
  then?: string;
}

/** A reply: text, a tool call, or a function of the context that returns one of those. */
export type ScriptedReply = string | ScriptedToolReply | ((context: LLMContext) => string | ScriptedToolReply);

export interface ScriptedLLMServiceOptions extends LLMServiceOptions {
  /** One reply per model run (a tool call's follow-up run uses its `then`); starts over when exhausted. */
  replies: ScriptedReply[];
  /** Clock ms before the first token. Default 350. */
  firstTokenDelayMs?: number;
  /** Clock ms between tokens. Default 25. */
  tokenIntervalMs?: number;
}

/** Roughly four characters per token, as OpenAI's guidance has it. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function messageText(message: LLMMessage): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return JSON.stringify(message.content);
  return message.tool_calls ? JSON.stringify(message.tool_calls) : "";
}

function fillResult(template: string, resultContent: string): string {
  let result: unknown = resultContent;
  try {
    result = JSON.parse(resultContent);
  } catch {
    // a plain-text result is used as it is
  }
  return template.replace(/\{result(?:\.([A-Za-z0-9_]+))?\}/g, (_, key: string | undefined) => {
    const value = key === undefined ? result : (result as Record<string, unknown> | null)?.[key];
    return typeof value === "string" ? value : JSON.stringify(value ?? null);
  });
}

/**
 * Offline LLM with deterministic replies streamed token by token on the clock: a realistic first-token
 * delay, then one word per `tokenIntervalMs`. A tool reply makes the model request the tool; the run that
 * follows the tool result says the reply's `then`. Token usage is estimated from the text.
 */
export class ScriptedLLMService extends LLMService {
  readonly firstTokenDelayMs: number;
  readonly tokenIntervalMs: number;
  readonly #replies: ScriptedReply[];
  #nextReply = 0;
  #toolCalls = 0;
  readonly #pendingThen = new Map<string, string>();

  constructor(options: ScriptedLLMServiceOptions) {
    if (options === null || typeof options !== "object") {
      throw new Error('ScriptedLLMService: options must be an object with "replies"');
    }
    super(options, "scripted-llm");
    if (!Array.isArray(options.replies) || options.replies.length === 0) {
      throw optionError(this.name, "replies", "a non-empty array of replies (strings, { toolCall, then } or functions)", options.replies);
    }
    options.replies.forEach((reply, index) => checkReply(this.name, `replies[${index}]`, reply));
    this.#replies = [...options.replies];
    this.firstTokenDelayMs = nonNegativeNumber(this.name, "firstTokenDelayMs", options.firstTokenDelayMs ?? 350);
    this.tokenIntervalMs = nonNegativeNumber(this.name, "tokenIntervalMs", options.tokenIntervalMs ?? 25);
  }

  protected async *runLlm(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMStreamEvent> {
    const promptTokens = context.messages.reduce((sum, message) => sum + estimateTokens(messageText(message)), 0);
    await this.clock.sleep(this.firstTokenDelayMs, signal);
    const last = context.messages[context.messages.length - 1];
    const then = last?.role === "tool" && last.tool_call_id ? this.#pendingThen.get(last.tool_call_id) : undefined;
    let text: string;
    if (then !== undefined) {
      this.#pendingThen.delete(last!.tool_call_id!);
      text = fillResult(then, messageText(last!));
    } else {
      const reply = this.#takeReply(context);
      if (typeof reply !== "string") {
        this.#toolCalls += 1;
        const toolCallId = `call_${this.#toolCalls}`;
        if (reply.then !== undefined) this.#pendingThen.set(toolCallId, reply.then);
        const args = reply.toolCall.arguments ?? {};
        yield { type: "functionCall", toolCallId, functionName: reply.toolCall.name, arguments: args };
        yield { type: "usage", usage: usage(promptTokens, estimateTokens(JSON.stringify(args)) + 5) };
        return;
      }
      text = reply;
    }
    const tokens = text.match(/\s*\S+/g) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0) await this.clock.sleep(this.tokenIntervalMs, signal);
      yield { type: "text", text: tokens[i]! };
    }
    yield { type: "usage", usage: usage(promptTokens, estimateTokens(text)) };
  }

  #takeReply(context: LLMContext): string | ScriptedToolReply {
    const scripted = this.#replies[this.#nextReply % this.#replies.length]!;
    this.#nextReply += 1;
    const reply = typeof scripted === "function" ? scripted(context) : scripted;
    checkReply(this.name, "a reply function's result", reply);
    return reply as string | ScriptedToolReply;
  }
}

function usage(promptTokens: number, completionTokens: number): LLMTokenUsage {
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function checkReply(owner: string, option: string, reply: unknown): void {
  if (typeof reply === "string" || typeof reply === "function") return;
  const toolCall = (reply as ScriptedToolReply | null)?.toolCall;
  if (toolCall && typeof toolCall.name === "string" && toolCall.name !== "") return;
  throw optionError(owner, option, 'a string, { toolCall: { name, arguments? }, then? } or a function of the context', reply);
}
