import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_TOOL_CANCELLED,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
  SPAN_TOOL_PREFIX,
} from "@respan/semconv-pipecat";
import { FrameKind } from "../class-names.js";
import { RecentMap, RecentSet } from "../recent.js";
import type { ServiceCall } from "../service-calls.js";
import { isObject, readBoolean, readField, readString } from "../utils.js";
import { defineSpanKind, type ConversationScope, type SpanKindTracker } from "./span-kind.js";
import type { TracedSpan } from "./traced-span.js";

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
export class ToolCalls implements SpanKindTracker {
  private readonly open = new Map<string, OpenCall>();
  private readonly finished = new RecentSet<string>(REMEMBERED_FINISHED_CALLS);
  /** Requests are forgotten when their call starts (or, bounded, when too many never did). */
  private readonly requestedBy = new RecentMap<string, TracedSpan>(REMEMBERED_REQUESTS);

  constructor(private readonly scope: ConversationScope) {}

  onFrame(kind: FrameKind, frame: object, source: object, atMs: number): void {
    switch (kind) {
      case FrameKind.FUNCTION_CALLS_STARTED:
        this.callsRequested(source, frame);
        break;
      case FrameKind.FUNCTION_CALL_IN_PROGRESS: {
        const call = readToolCall(frame);
        if (call !== undefined) this.callStarted(source, call, atMs);
        break;
      }
      case FrameKind.FUNCTION_CALL_RESULT: {
        const toolCallId = readString(frame, "toolCallId", "tool_call_id");
        if (toolCallId !== undefined) this.resulted(toolCallId, readField(frame, "result", "result"), atMs);
        break;
      }
      case FrameKind.FUNCTION_CALL_CANCEL: {
        const toolCallId = readString(frame, "toolCallId", "tool_call_id");
        if (toolCallId !== undefined) this.cancelled(toolCallId, "cancelled", atMs);
        break;
      }
      case FrameKind.INTERRUPTION:
        this.interrupted(atMs);
        break;
      default:
        break;
    }
  }

  /** One tool call (executeFunctionCall): its handler runs inside the `execute_tool` span. */
  beginCall(service: object, call: unknown): ServiceCall | undefined {
    const descriptor = readToolCall(call);
    if (descriptor === undefined) return undefined;
    const span = this.callStarted(service, descriptor, this.scope.clock.now());
    if (span === undefined) return undefined;
    const { toolCallId } = descriptor;
    return {
      context: span.context,
      settled: (error, failed) => {
        if (failed) this.failed(toolCallId, error, this.scope.clock.now());
        else this.settled(toolCallId, this.scope.clock.now());
      },
    };
  }

  private callsRequested(llmService: object, frame: object): void {
    const calls = readField(frame, "functionCalls", "function_calls");
    if (!Array.isArray(calls)) return;
    const parent = this.scope.requestingSpan(llmService);
    for (const call of calls) {
      const toolCallId = readString(call, "toolCallId", "tool_call_id");
      if (toolCallId !== undefined) this.requested(toolCallId, parent);
    }
  }

  private callStarted(llmService: object, call: ToolCallDescriptor, atMs: number): TracedSpan | undefined {
    this.requested(call.toolCallId, this.scope.requestingSpan(llmService));
    return this.started(call, atMs, this.scope.parent);
  }

  /**
   * The LLM asked for `toolCallId` while `parent` (its llm span) was the current run. A call that already
   * started (its FunctionCallInProgressFrame trails the executeFunctionCall call) or finished has its span.
   */
  private requested(toolCallId: string, parent: TracedSpan): void {
    if (this.open.has(toolCallId) || this.finished.has(toolCallId) || this.requestedBy.has(toolCallId)) return;
    this.requestedBy.set(toolCallId, parent);
  }

  /** The call started; returns its span (the existing one if it already started). */
  private started(call: ToolCallDescriptor, atMs: number, fallbackParent: TracedSpan): TracedSpan | undefined {
    const existing = this.open.get(call.toolCallId);
    if (existing !== undefined) return existing.span;
    if (this.finished.has(call.toolCallId)) return undefined;
    const parent = this.requestedBy.get(call.toolCallId) ?? fallbackParent;
    this.requestedBy.delete(call.toolCallId);
    const span = this.scope.factory.start("tool", SPAN_TOOL_PREFIX + call.functionName, parent, atMs, {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: call.functionName,
      [ATTR_GEN_AI_TOOL_CALL_ID]: call.toolCallId,
      [ATTR_GEN_AI_TOOL_TYPE]: GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
    });
    span.set(ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, this.scope.factory.content.json(call.arguments));
    this.open.set(call.toolCallId, { span, cancelOnInterruption: call.cancelOnInterruption });
    return span;
  }

  private resulted(toolCallId: string, result: unknown, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.set(ATTR_GEN_AI_TOOL_CALL_RESULT, this.scope.factory.content.json(result));
    const failure = errorResult(result);
    if (failure !== undefined) call.span.fail(failure, "ToolError", atMs);
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  /** The handler threw (or its promise rejected). */
  private failed(toolCallId: string, error: unknown, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.fail(error, "ToolError", atMs);
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  /** The call's handler returned without a result frame (runtimes that push none). */
  private settled(toolCallId: string, atMs: number): void {
    const call = this.take(toolCallId);
    if (call === undefined) return;
    call.span.set(ATTR_TOOL_CANCELLED, false);
    call.span.end(atMs);
  }

  private cancelled(toolCallId: string, reason: string, atMs: number): void {
    this.requestedBy.delete(toolCallId);
    const call = this.take(toolCallId);
    if (call !== undefined) this.markCancelled(call, reason, atMs);
  }

  /** An interruption cancels the calls that allow it (cancelOnInterruption, the default). */
  private interrupted(atMs: number): void {
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

export const toolSpanKind = defineSpanKind<ToolCalls>({
  name: "tool",
  frames: [
    FrameKind.FUNCTION_CALLS_STARTED,
    FrameKind.FUNCTION_CALL_IN_PROGRESS,
    FrameKind.FUNCTION_CALL_RESULT,
    FrameKind.FUNCTION_CALL_CANCEL,
    FrameKind.INTERRUPTION,
  ],
  serviceCalls: [
    { className: "LLMService", method: "executeFunctionCall", begin: (calls, service, args) => calls.beginCall(service, args[0]) },
  ],
  create: (scope) => new ToolCalls(scope),
});
