import type { LLMContext } from "../context/llm-context.js";
import type { Frame } from "../frames/frame.js";
import {
  type FunctionArguments,
  FunctionCallCancelFrame,
  type FunctionCallDescriptor,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
} from "../frames/function-calls.js";
import { LLMContextFrame, LLMFullResponseEndFrame, LLMFullResponseStartFrame } from "../frames/llm.js";
import type { LLMTokenUsage } from "../frames/metrics.js";
import { LLMTextFrame } from "../frames/text.js";
import { FrameDirection } from "../processors/frame-direction.js";
import { abortable } from "../utils/abortable.js";
import { errorMessage } from "../utils/base-object.js";
import { optionError, positiveNumber } from "../utils/validate.js";
import { AIService, type AIServiceOptions } from "./ai-service.js";

/** Request settings of an LLM (camelCase; each provider maps them to its own names). */
export interface LLMSettings {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  seed?: number;
  [setting: string]: unknown;
}

/** What a model run streams back to the base class. */
export type LLMStreamEvent =
  | { type: "text"; text: string }
  | { type: "functionCall"; toolCallId: string; functionName: string; arguments: FunctionArguments }
  | { type: "usage"; usage: LLMTokenUsage };

/** One tool call to run, with the context it belongs to. */
export interface FunctionCall extends FunctionCallDescriptor {
  context: LLMContext;
}

/** What a registered function receives. */
export interface FunctionCallParams extends FunctionCall {
  llm: LLMService;
}

/** A registered function: returns (or resolves to) the result handed back to the model. */
export type FunctionCallHandler = (params: FunctionCallParams) => unknown;

export interface RegisterFunctionOptions {
  /** Cancel the call (FunctionCallCancelFrame) if the user interrupts while it runs. Default true. */
  cancelOnInterruption?: boolean;
}

export interface LLMServiceOptions extends AIServiceOptions {
  settings?: LLMSettings;
  /** Real seconds a registered function may run before its result becomes a timeout error. Default 30. */
  functionCallTimeoutSecs?: number;
}

interface RegisteredFunction {
  handler: FunctionCallHandler;
  cancelOnInterruption: boolean;
}

/**
 * Base of LLM services. On an LLMContextFrame it runs the model once (`processContext`): the response is
 * framed by LLMFullResponseStart/EndFrame, streamed as LLMTextFrames; tool calls requested by the model run
 * through the registered functions (`executeFunctionCall`), their calls and results are appended to the
 * context, and the model runs again on it. Subclasses implement `runLlm`.
 */
export abstract class LLMService extends AIService {
  settings: LLMSettings;
  readonly functionCallTimeoutSecs: number;
  readonly #functions = new Map<string, RegisteredFunction>();

  constructor(options: LLMServiceOptions = {}, defaultModel = "") {
    super(options, defaultModel);
    if (options.settings !== undefined && (options.settings === null || typeof options.settings !== "object")) {
      throw optionError(this.name, "settings", "an object such as { temperature, maxTokens, topP }", options.settings);
    }
    this.settings = { ...(options.settings ?? {}) };
    this.functionCallTimeoutSecs = positiveNumber(this.name, "functionCallTimeoutSecs", options.functionCallTimeoutSecs ?? 30);
  }

  /** Streams one model response for `context`. */
  protected abstract runLlm(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMStreamEvent>;

  registerFunction(functionName: string, handler: FunctionCallHandler, options: RegisterFunctionOptions = {}): void {
    if (typeof functionName !== "string" || functionName === "") {
      throw optionError(`${this.name}.registerFunction`, "functionName", "a non-empty string", functionName);
    }
    if (typeof handler !== "function") {
      throw optionError(`${this.name}.registerFunction`, "handler", "a function", handler);
    }
    this.#functions.set(functionName, { handler, cancelOnInterruption: options.cancelOnInterruption ?? true });
  }

  unregisterFunction(functionName: string): void {
    this.#functions.delete(functionName);
  }

  hasFunction(functionName: string): boolean {
    return this.#functions.has(functionName);
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    return frame instanceof LLMContextFrame ? this.processContext(frame.context) : this.pushFrame(frame, direction);
  }

  /** One model run on `context` (and, after tool calls, the run that uses their results). */
  async processContext(context: LLMContext): Promise<void> {
    const signal = this.interruptionSignal;
    const calls: FunctionCallDescriptor[] = [];
    let text = "";
    let rerun = false;
    await this.pushFrame(new LLMFullResponseStartFrame());
    await this.startProcessingMetrics();
    await this.startTtfbMetrics();
    try {
      let firstOutput = true;
      for await (const event of this.runLlm(context, signal)) {
        signal.throwIfAborted();
        if (event.type === "usage") {
          await this.startLlmUsageMetrics(event.usage);
          continue;
        }
        if (firstOutput) {
          firstOutput = false;
          await this.stopTtfbMetrics();
        }
        if (event.type === "text") {
          if (event.text === "") continue;
          text += event.text;
          await this.pushFrame(new LLMTextFrame(event.text));
        } else {
          calls.push({ functionName: event.functionName, toolCallId: event.toolCallId, arguments: event.arguments });
        }
      }
      if (calls.length > 0) rerun = await this.#runFunctionCalls(context, calls, text, signal);
    } finally {
      await this.stopTtfbMetrics();
      await this.stopProcessingMetrics();
      await this.pushFrame(new LLMFullResponseEndFrame());
    }
    if (rerun && !signal.aborted) await this.processContext(context);
  }

  /** Runs one tool call: FunctionCallInProgressFrame, the registered handler, FunctionCallResultFrame. */
  async executeFunctionCall(call: FunctionCall): Promise<void> {
    const signal = this.interruptionSignal;
    const { functionName, toolCallId, context } = call;
    const registered = this.#functions.get(functionName);
    const cancelOnInterruption = registered?.cancelOnInterruption ?? true;
    await this.broadcastFrame(FunctionCallInProgressFrame, {
      functionName,
      toolCallId,
      arguments: call.arguments,
      cancelOnInterruption,
    });
    let result: unknown;
    if (!registered) {
      result = { error: `function "${functionName}" is not registered with ${this.name}` };
    } else {
      try {
        result = await this.#callHandler(registered, { ...call, llm: this }, cancelOnInterruption ? signal : undefined);
      } catch (error) {
        if (cancelOnInterruption && signal.aborted) {
          context.addMessage({ role: "tool", tool_call_id: toolCallId, content: "CANCELLED" });
          await this.pushFrame(new FunctionCallCancelFrame(functionName, toolCallId));
          return;
        }
        result = { error: `function "${functionName}" failed: ${errorMessage(error)}` };
      }
    }
    context.addMessage({
      role: "tool",
      tool_call_id: toolCallId,
      content: typeof result === "string" ? result : JSON.stringify(result ?? null),
    });
    await this.broadcastFrame(FunctionCallResultFrame, {
      functionName,
      toolCallId,
      arguments: call.arguments,
      result,
      runLlm: true,
    });
  }

  /** Announces the calls, records them in the context, runs them in order. True if the model should rerun. */
  async #runFunctionCalls(context: LLMContext, calls: FunctionCallDescriptor[], text: string, signal: AbortSignal): Promise<boolean> {
    await this.broadcastFrame(FunctionCallsStartedFrame, calls);
    context.addMessage({
      role: "assistant",
      content: text === "" ? null : text,
      tool_calls: calls.map((call) => ({
        id: call.toolCallId,
        type: "function",
        function: { name: call.functionName, arguments: JSON.stringify(call.arguments) },
      })),
    });
    for (const call of calls) {
      if (signal.aborted) return false;
      await this.executeFunctionCall({ ...call, context });
    }
    return !signal.aborted;
  }

  async #callHandler(registered: RegisteredFunction, params: FunctionCallParams, signal?: AbortSignal): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${this.functionCallTimeoutSecs} s`)),
        this.functionCallTimeoutSecs * 1000,
      );
    });
    try {
      const call = Promise.race([Promise.resolve().then(() => registered.handler(params)), timeout]);
      return await (signal ? abortable(call, signal) : call);
    } finally {
      clearTimeout(timer);
    }
  }
}
