/*
 * The service methods that call a model or a tool (LLMService.processContext / executeFunctionCall,
 * STTService.processAudioFrame, TTSService.synthesize): what span each call runs inside, and what is
 * recorded when it settles.
 */
import type { Context } from "@opentelemetry/api";
import type { ConversationTracer } from "./conversation-tracer.js";
import type { PatchedMethod } from "./patch-targets.js";
import { isAbortError, isPromiseLike } from "./utils.js";

export type Settle = (error: unknown, failed: boolean) => void;

/** How a wrapped service call is traced: the context it runs in, and what to record when it settles. */
export interface ServiceCall {
  context: Context;
  settled?: Settle;
}

export type BeginServiceCall = (tracer: ConversationTracer, service: object, args: unknown[]) => ServiceCall | undefined;

/**
 * Calls `invoke`, tells `settle` how it settled (returned, resolved, rejected or threw) and returns its
 * result untouched: the very value or promise it returned, so callers see the same identity, resolution
 * and rejection. A promise gets one `then(onFulfilled, onRejected)`, whose derived promise never rejects
 * (an error thrown by `settle` goes to `onTelemetryError`), so no unhandled rejection is ever created.
 */
export function callAndSettle(invoke: () => unknown, settle: Settle, onTelemetryError: (error: unknown) => void): unknown {
  const report = (error: unknown, failed: boolean): void => {
    try {
      settle(error, failed);
    } catch (telemetryError) {
      onTelemetryError(telemetryError);
    }
  };
  let result: unknown;
  try {
    result = invoke();
  } catch (error) {
    report(error, true);
    throw error;
  }
  if (isPromiseLike(result)) result.then((): void => report(undefined, false), (error: unknown): void => report(error, true));
  else report(undefined, false);
  return result;
}

/** One model run: its `llm` span is current while the model is called (HTTP/OpenAI spans nest in it). */
const beginProcessContext: BeginServiceCall = (tracer, service, [llmContext]) => {
  const run = tracer.llmCallStarted(service, llmContext);
  if (run === undefined) return undefined;
  // An interrupted run is aborted, not failed.
  return { context: run.span.context, settled: (error, failed) => tracer.llmCallSettled(run, error, failed && !isAbortError(error)) };
};

/** One tool call: its handler runs inside the `execute_tool` span. */
const beginExecuteFunctionCall: BeginServiceCall = (tracer, service, [call]) => {
  const started = tracer.toolCallStarted(service, call);
  if (started === undefined) return undefined;
  return { context: started.context, settled: (error, failed) => tracer.toolCallSettled(started.toolCallId, error, failed) };
};

/**
 * Per audio frame: no span of its own, only the open transcript segment's (or the turn's) context; with
 * neither open there is nothing to activate, and the frame is processed without a context switch. The
 * tracer hands out the same ServiceCall for as long as that context stays the same: nothing is allocated
 * per frame.
 */
const beginProcessAudioFrame: BeginServiceCall = (tracer) => tracer.sttCall();

/** One piece of speech: it joins (or opens) the audio context's `tts` span. */
const beginSynthesize: BeginServiceCall = (tracer, service, [text]) => {
  const ttsContext = tracer.ttsCallStarted(service, text);
  if (ttsContext === undefined) return undefined;
  return {
    context: ttsContext,
    settled: (error, failed) => {
      if (failed && !isAbortError(error)) tracer.ttsCallFailed(service, error);
    },
  };
};

/** The tracing of each wrapped service method. */
export const BEGIN_SERVICE_CALL: Record<Exclude<PatchedMethod, "pushFrame" | "run">, BeginServiceCall> = {
  processContext: beginProcessContext,
  executeFunctionCall: beginExecuteFunctionCall,
  processAudioFrame: beginProcessAudioFrame,
  synthesize: beginSynthesize,
};
