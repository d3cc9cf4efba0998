import type { Frame } from "../frames/frame.js";
import {
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
} from "../frames/function-calls.js";
import { ErrorFrame } from "../frames/lifecycle.js";
import { LLMFullResponseEndFrame, LLMFullResponseStartFrame } from "../frames/llm.js";
import {
  LLMUsageMetricsData,
  type MetricsData,
  MetricsFrame,
  ProcessingMetricsData,
  TTFBMetricsData,
  TTSUsageMetricsData,
} from "../frames/metrics.js";
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from "../frames/speaking.js";
import { InterimTranscriptionFrame, LLMTextFrame, TranscriptionFrame, TTSTextFrame } from "../frames/text.js";
import { TTSStartedFrame, TTSStoppedFrame } from "../frames/tts.js";
import { FrameDirection } from "../processors/frame-direction.js";
import type { FramePushed } from "../processors/frame-processor.js";
import type { FrameObserver } from "../pipeline/task-observer.js";
import { type RTVIMessage, rtviMessage } from "./rtvi-messages.js";
import type { RTVIProcessor } from "./rtvi-processor.js";

/**
 * Tells the client what the bot is doing (Pipecat's RTVIObserver): a task observer that turns frames into
 * RTVI server messages sent through the RTVIProcessor — user/bot speaking events, user transcriptions
 * (interim and final), bot LLM text, bot TTS text and `bot-output`, metrics, function-call events and
 * errors. Each frame is reported once, however many hops it makes (and once for a broadcast pair).
 */
export class RTVIObserver implements FrameObserver {
  readonly #rtvi: RTVIProcessor;
  readonly #reported = new WeakSet<Frame>();

  constructor(rtvi: RTVIProcessor) {
    this.#rtvi = rtvi;
  }

  onPushFrame({ frame, direction }: FramePushed): void {
    if (this.#reported.has(frame)) return;
    if (frame.broadcastSiblingId !== undefined && direction === FrameDirection.UPSTREAM) return;
    const messages = rtviMessagesFor(frame);
    if (messages === undefined) return;
    this.#reported.add(frame);
    // Sent after the hop that revealed it, in order: the observer must not push frames from inside a hop.
    queueMicrotask(() => {
      for (const message of messages) this.#rtvi.pushTransportMessage(message).catch(() => undefined);
    });
  }
}

/** The RTVI messages that report `frame`, or undefined for frames the client is not told about. */
export function rtviMessagesFor(frame: Frame): RTVIMessage[] | undefined {
  if (frame instanceof UserStartedSpeakingFrame) return [rtviMessage("user-started-speaking")];
  if (frame instanceof UserStoppedSpeakingFrame) return [rtviMessage("user-stopped-speaking")];
  if (frame instanceof BotStartedSpeakingFrame) return [rtviMessage("bot-started-speaking")];
  if (frame instanceof BotStoppedSpeakingFrame) return [rtviMessage("bot-stopped-speaking")];
  if (frame instanceof TranscriptionFrame || frame instanceof InterimTranscriptionFrame) {
    const final = frame instanceof TranscriptionFrame;
    return [rtviMessage("user-transcription", { text: frame.text, user_id: frame.userId, timestamp: frame.timestamp, final })];
  }
  if (frame instanceof LLMFullResponseStartFrame) return [rtviMessage("bot-llm-started")];
  if (frame instanceof LLMFullResponseEndFrame) return [rtviMessage("bot-llm-stopped")];
  if (frame instanceof LLMTextFrame) return [rtviMessage("bot-llm-text", { text: frame.text })];
  if (frame instanceof TTSStartedFrame) return [rtviMessage("bot-tts-started")];
  if (frame instanceof TTSStoppedFrame) return [rtviMessage("bot-tts-stopped")];
  if (frame instanceof TTSTextFrame) {
    return [
      rtviMessage("bot-output", { text: frame.text, spoken: true, aggregated_by: "sentence" }),
      rtviMessage("bot-tts-text", { text: frame.text }),
    ];
  }
  if (frame instanceof MetricsFrame) return metricsMessage(frame.data);
  if (frame instanceof FunctionCallsStartedFrame) {
    return frame.functionCalls.map((call) => rtviMessage("llm-function-call-started", { function_name: call.functionName }));
  }
  if (frame instanceof FunctionCallInProgressFrame) {
    return [
      rtviMessage("llm-function-call-in-progress", {
        function_name: frame.functionName,
        tool_call_id: frame.toolCallId,
        arguments: frame.arguments,
      }),
    ];
  }
  if (frame instanceof FunctionCallResultFrame) {
    return [
      rtviMessage("llm-function-call-stopped", {
        function_name: frame.functionName,
        tool_call_id: frame.toolCallId,
        cancelled: false,
        result: frame.result,
      }),
    ];
  }
  if (frame instanceof ErrorFrame) return [rtviMessage("error", { error: frame.error, fatal: frame.fatal })];
  return undefined;
}

function metricsMessage(data: MetricsData[]): RTVIMessage[] | undefined {
  const metrics: Record<string, unknown[]> = {};
  const add = (kind: string, item: MetricsData, value: unknown): void => {
    (metrics[kind] ??= []).push({ processor: item.processor, ...(item.model ? { model: item.model } : {}), value });
  };
  for (const item of data) {
    if (item instanceof TTFBMetricsData) add("ttfb", item, item.value);
    else if (item instanceof ProcessingMetricsData) add("processing", item, item.value);
    else if (item instanceof TTSUsageMetricsData) add("characters", item, item.value);
    else if (item instanceof LLMUsageMetricsData) {
      add("tokens", item, {
        prompt_tokens: item.value.promptTokens,
        completion_tokens: item.value.completionTokens,
        total_tokens: item.value.totalTokens,
      });
    }
  }
  return Object.keys(metrics).length === 0 ? undefined : [rtviMessage("metrics", metrics)];
}
