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
  InputTransportMessageFrame,
  OutputTransportMessageFrame,
  OutputTransportMessageUrgentFrame,
} from "./frames/transport-messages.js";
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
export type { OpenAIClientOptions } from "./services/openai-client.js";
export { OpenAILLMService, type OpenAILLMServiceOptions } from "./services/openai-llm-service.js";
export { OpenAISTTService, type OpenAISTTServiceOptions } from "./services/openai-stt-service.js";
export { OpenAITTSService, type OpenAITTSServiceOptions } from "./services/openai-tts-service.js";
export { SegmentedSTTService, type SegmentedSTTServiceOptions } from "./services/segmented-stt-service.js";
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
export { BaseInputTransport } from "./transports/base-input.js";
export { type AudioPlaybackSettings, BaseOutputTransport } from "./transports/base-output.js";

export { pcm16ToWav } from "./utils/wav.js";
export { EnergyVADAnalyzer, loudnessLevel, type VADParams, type VADState } from "./audio/vad-analyzer.js";
export {
  decodeWireFrame,
  encodeWireFrame,
  FrameDecodeError,
  ProtobufFrameSerializer,
  type WireFrame,
} from "./serializers/protobuf-frame-serializer.js";
export { PIPECAT_FRAMES_PROTO } from "./serializers/pipecat-frames-schema.js";
export {
  connectionInfo,
  type WebSocketConnectionInfo,
  WebSocketTransport,
  type WebSocketTransportParams,
} from "./transports/websocket/websocket-transport.js";
export { type ReceivedMessage, WebSocketInputTransport } from "./transports/websocket/websocket-input.js";
export { WebSocketOutputTransport, type WebSocketSink } from "./transports/websocket/websocket-output.js";
export {
  PipecatWebSocketServer,
  type PipecatWebSocketServerOptions,
  type WebSocketCallHandler,
} from "./transports/websocket/websocket-server.js";
export {
  majorVersion,
  parseRTVIMessage,
  RTVI_MESSAGE_LABEL,
  RTVI_PROTOCOL_VERSION,
  type RTVIMessage,
  RTVIMessageError,
  rtviMessage,
} from "./rtvi/rtvi-messages.js";
export { type RTVIClientMessage, type RTVIClientReady, RTVIProcessor, type RTVIProcessorOptions } from "./rtvi/rtvi-processor.js";
export { RTVIObserver, rtviMessagesFor } from "./rtvi/rtvi-observer.js";

export { createDemoConversation, type DemoConversation, type DemoConversationOptions } from "./demo/demo-conversation.js";
