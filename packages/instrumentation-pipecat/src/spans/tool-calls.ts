import { ATTR_TOOL_CANCELLED, SPAN_TOOL_PREFIX } from "../attribute-keys.js";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from "../semconv.js";
import { RecentMap, RecentSet } from "../recent.js";
import { isObject, readBoolean, readField, readString } from "../utils.js";
import type { SpanFactory, TracedSpan } from "./traced-span.js";

/** What identifies a tool call, read tolerantly from a frame or a call descriptor. */
export interface ToolCallDescriptor {
  toolCallId: string;
  functionName: string;
  arguments: unknown;
  cancelOnInterruption: boolean;
}

export function readToolCall(source: unknown): ToolCallDescriptor | undefined {
  const toolCallId = readString(source, "toolCallId", "tool_call_id");
  if (toolCallId === undefined) return undefined;
  return {
    toolCallId,
    functionName: readString(source, "functionName", "function_name") ?? "unknown",
    arguments: readField(source, "arguments", "arguments"),
    cancelOnInterruption: readBoolean(source, "cancelOnInterruption", "cancel_on_interruption") ?? true,
  };
}

/**
 * A result that only reports an error (`{ error: "..." }`, what Pipecat runtimes hand back to the model
 * when a handler throws or times out): the message, else undefined.
 */
function errorResult(result: unknown): string | undefined {
  if (!isObject(result)) return undefined;
  const keys = Object.keys(result);
  return keys.length === 1 && keys[0] === "error" && typeof result.error === "string" ? result.error : undefined;
}

interface OpenCall {
  span: TracedSpan;
  cancelOnInterruption: boolean;
}

/**
 * Finished call ids remembered, so a late copy of a call's frames cannot start it again: far more than the
 * calls of one turn, while a call's frames are still moving through the pipeline.
 */
const REMEMBERED_FINISHED_CALLS = 128;
/** Calls asked for but not started yet (a run can ask for several; most start at once or never). */
const REMEMBERED_REQUESTS = 128;

/**
 * `execute_tool <name>` spans: from the call starting (FunctionCallInProgressFrame or the
 * executeFunctionCall call, whichever comes first) to its FunctionCallResultFrame, so the span measures
 * the handler's real duration. One span per tool call id, however many hops and broadcast copies carry
 * it; the parent is the `llm` span that asked for the call.
 */
export class ToolCalls {
  private readonly open = new Map<string, OpenCall>();
  private readonly finished = new RecentSet<string>(REMEMBERED_FINISHED_CALLS);
  /** Requests are forgotten when their call starts (or, bounded, when too many never did). */
  private readonly requestedBy = new RecentMap<string, TracedSpan>(REMEMBERED_REQUESTS);

  constructor(private readonly factory: SpanFactory) {}

  /**
   * The LLM asked for `toolCallId` while `parent` (its llm span) was the current run. A call that already
   * started (its FunctionCallInProgressFrame trails the executeFunctionCall call) or finished has its span.
   */
  requested(toolCallId: string, parent: TracedSpan): void {
    if (this.open.has(toolCallId) || this.finished.has(toolCallId) || this.requestedBy.has(toolCallId)) return;
    this.requestedBy.set(toolCallId, parent);
  }

  /** The call started; returns its span (the existing one if it already started). */
  started(call: ToolCallDescriptor, atMs: number, fallbackParent: TracedSpan): TracedSpan | undefined {
    const existing = this.open.get(call.toolCallId);
    if (existing !== undefined) return existing.span;
    if (this.finished.has(call.toolCallId)) return undefined;
    const parent = this.requestedBy.get(call.toolCallId) ?? fallbackParent;
    this.requestedBy.delete(call.toolCallId);
    const span = this.factory.start("tool", SPAN_TOOL_PREFIX + call.functionName, parent, atMs, {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: call.functionName,
      [ATTR_GEN_AI_TOOL_CALL_ID]: call.toolCallId,
      [ATTR_GEN_AI_TOOL_TYPE]: "function",
    });
    span.set(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, this.factory.content.json(call.arguments));
    this.open.set(call.toolCallId, { span, cancelOnInterruption: call.cancelOnInterruption });
    return span;
  }

  resulted(toolCallId: string, result: unknown, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.set(ATTR_GEN_AI_TOOL_CALL_RESULT, this.factory.content.json(result));
    const failure = errorResult(result);
    if (failure !== undefined) call.span.fail(failure, "ToolError", atMs);
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  /** The handler threw (or its promise rejected). */
  failed(toolCallId: string, error: unknown, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.fail(error, "ToolError", atMs);
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  /** The call's handler returned without a result frame (runtimes that push none). */
  settled(toolCallId: string, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  cancelled(toolCallId: string, reason: string, atMs: number): void {
    this.requestedBy.delete(toolCallId);
    const call = this.take(toolCallId);
    if (call !== undefined) this.markCancelled(call, reason, atMs);
  }

  /** An interruption cancels the calls that allow it (cancelOnInterruption, the default). */
  interrupted(atMs: number): void {
    for (const [toolCallId, call] of [...this.open]) {
      if (!call.cancelOnInterruption) continue;
      this.take(toolCallId);
      this.markCancelled(call, "interrupted by the user", atMs);
    }
  }

  close(atMs: number): void {
    for (const [toolCallId, call] of [...this.open]) {
      this.take(toolCallId);
      this.markCancelled(call, "the conversation ended before the tool call finished", atMs);
    }
    this.requestedBy.clear();
    this.finished.clear();
  }

  private take(toolCallId: string): OpenCall | undefined {
    const call = this.open.get(toolCallId);
    if (call === undefined) return undefined;
    this.open.delete(toolCallId);
    this.finished.add(toolCallId);
    return call;
  }

  private markCancelled(call: OpenCall, reason: string, atMs: number): void {
    call.span.fail(reason, "cancelled", atMs);
    call.span.set(ATTR_TOOL_CANCELLED, true);
    call.span.end(atMs);
  }
}
