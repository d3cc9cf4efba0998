export { type Clock, ScaledClock, type ScaledClockOptions, VirtualClock } from "./clock.js";

export { ControlFrame, DataFrame, Frame, SystemFrame } from "./frames/frame.js";
export {
  CancelFrame,
  CancelTaskFrame,
  EndFrame,
  EndTaskFrame,
  ErrorFrame,
  type ErrorFrameOptions,
  InterruptionFrame,
  StartFrame,
  type StartFrameParams,
} from "./frames/lifecycle.js";
export {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from "./frames/speaking.js";
export { type AudioFrameInit, InputAudioRawFrame, OutputAudioRawFrame, TTSAudioRawFrame } from "./frames/audio.js";
export {
  InterimTranscriptionFrame,
  LLMTextFrame,
  TextFrame,
  TranscriptionFrame,
  type TranscriptionInit,
  TTSTextFrame,
} from "./frames/text.js";
export {
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMMessagesAppendFrame,
  LLMRunFrame,
} from "./frames/llm.js";
export { TTSStartedFrame, TTSStoppedFrame } from "./frames/tts.js";
export {
  type FunctionArguments,
  FunctionCallCancelFrame,
  type FunctionCallDescriptor,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionCallsStartedFrame,
} from "./frames/function-calls.js";
export {
  LLMUsageMetricsData,
  type LLMTokenUsage,
  MetricsData,
  MetricsFrame,
  ProcessingMetricsData,
  STTUsageMetricsData,
  TTFBMetricsData,
  TTSUsageMetricsData,
} from "./frames/metrics.js";

export {
  LLMContext,
  type LLMContextOptions,
  type LLMMessage,
  type LLMTool,
  type LLMToolCall,
  type LLMToolChoice,
} from "./context/llm-context.js";

export { FrameDirection } from "./processors/frame-direction.js";
export {
  FrameProcessor,
  type FrameProcessorOptions,
  type FrameProcessorSetup,
  type FramePushed,
  type HopListener,
} from "./processors/frame-processor.js";
export { Pipeline } from "./pipeline/pipeline.js";
export { type PipelineParams, PipelineTask, type PipelineTaskOptions } from "./pipeline/task.js";
export type { FrameClass, FrameObserver } from "./pipeline/task-observer.js";
export { PipelineRunner, type PipelineRunnerOptions } from "./pipeline/runner.js";

export { AIService, type AIServiceOptions } from "./services/ai-service.js";
export {
  type FunctionCall,
  type FunctionCallHandler,
  type FunctionCallParams,
  LLMService,
  type LLMServiceOptions,
  type LLMSettings,
  type LLMStreamEvent,
  type RegisterFunctionOptions,
} from "./services/llm-service.js";
export type { ServiceOutput } from "./services/service-output.js";
export { STTService, type STTServiceOptions } from "./services/stt-service.js";
export { TTSService, type TTSServiceOptions } from "./services/tts-service.js";

export type { EventHandler } from "./utils/base-object.js";
export { OpenAILLMService, type OpenAILLMServiceOptions } from "./services/openai-llm-service.js";
export {
  ScriptedLLMService,
  type ScriptedLLMServiceOptions,
  type ScriptedReply,
  type ScriptedToolReply,
} from "./services/offline/scripted-llm.js";
export { ScriptedSTTService, type ScriptedSTTServiceOptions } from "./services/offline/scripted-stt.js";
export { ToneTTSService, type ToneTTSServiceOptions } from "./services/offline/tone-tts.js";

export { LLMContextAggregatorPair, type LLMContextAggregatorPairOptions } from "./aggregators/llm-context-aggregator-pair.js";
export { LLMUserAggregator } from "./aggregators/llm-user-aggregator.js";
export { LLMAssistantAggregator } from "./aggregators/llm-assistant-aggregator.js";
export type { TurnMessage } from "./aggregators/turn-message.js";

export type { SimulatedUtterance, UserScript } from "./script/user-script.js";
export { SimulatedTransport, type SimulatedTransportOptions } from "./transports/simulated-transport.js";
export { SimulatedInputTransport } from "./transports/simulated-input.js";
export { SimulatedOutputTransport } from "./transports/simulated-output.js";

export { createDemoConversation, type DemoConversation, type DemoConversationOptions } from "./demo/demo-conversation.js";
