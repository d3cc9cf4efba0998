export { PipecatInstrumentation } from "./instrumentation.js";
export type {
  PipecatAttributeHook,
  PipecatAttributeHookInfo,
  PipecatInstrumentationConfig,
  PipecatSpanKind,
  RuntimeMapping,
} from "./types.js";
export type {
  ConversationEndInfo,
  ConversationEndReason,
  ConversationInfo,
  ConversationListener,
  FrameHop,
  SessionCaptureFactory,
  TurnInfo,
} from "./listener.js";
export { addConversationListener } from "./listener-registry.js";
export * from "./listener-kit.js";
