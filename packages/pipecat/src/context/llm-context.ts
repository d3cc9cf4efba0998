import { optionError, optionsObject } from "../utils/validate.js";

/** An OpenAI-format tool call recorded in an assistant message. */
export interface LLMToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One chat message in OpenAI's format. */
export interface LLMMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | null | Array<Record<string, unknown>>;
  tool_calls?: LLMToolCall[];
  tool_call_id?: string;
  name?: string;
}

/** An OpenAI function-tool schema. */
export interface LLMTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export type LLMToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export interface LLMContextOptions {
  messages?: LLMMessage[];
  tools?: LLMTool[];
  toolChoice?: LLMToolChoice;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

function checkMessage(owner: string, message: LLMMessage): LLMMessage {
  if (message === null || typeof message !== "object" || !ROLES.has((message as { role?: string }).role ?? "")) {
    throw optionError(owner, "messages", 'objects with a role of "system", "developer", "user", "assistant" or "tool"', message);
  }
  return message;
}

/** The conversation an LLM runs on: messages plus the tools it may call. Shared by the aggregators. */
export class LLMContext {
  messages: LLMMessage[];
  tools: LLMTool[];
  toolChoice?: LLMToolChoice;

  constructor(options?: LLMContextOptions) {
    const opts = optionsObject("LLMContext", options);
    if (opts.messages !== undefined && !Array.isArray(opts.messages)) {
      throw optionError("LLMContext", "messages", "an array of chat messages", opts.messages);
    }
    if (opts.tools !== undefined && !Array.isArray(opts.tools)) {
      throw optionError("LLMContext", "tools", "an array of function-tool schemas", opts.tools);
    }
    this.messages = (opts.messages ?? []).map((m) => checkMessage("LLMContext", m));
    this.tools = [...(opts.tools ?? [])];
    this.toolChoice = opts.toolChoice;
  }

  addMessage(message: LLMMessage): void {
    this.messages.push(checkMessage("LLMContext.addMessage", message));
  }

  addMessages(messages: LLMMessage[]): void {
    for (const message of messages) this.addMessage(message);
  }

  setTools(tools: LLMTool[]): void {
    this.tools = [...tools];
  }
}
