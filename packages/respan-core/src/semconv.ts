/**
 * Vendor-neutral span attributes this package reads: the OpenTelemetry GenAI conventions (still
 * incubating, so copied here rather than imported from the unstable entry point) and the names
 * Pipecat's own tracing uses. The Respan exporter translates them; the tree printer displays them.
 */

export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens";
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
export const ATTR_GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";
export const ATTR_GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";
export const ATTR_GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages";
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions";

/** Values of gen_ai.operation.name (Pipecat adds "stt" and "tts" to the GenAI ones). */
export const GEN_AI_OPERATION = {
  CHAT: "chat",
  TEXT_COMPLETION: "text_completion",
  GENERATE_CONTENT: "generate_content",
  EMBEDDINGS: "embeddings",
  EXECUTE_TOOL: "execute_tool",
  INVOKE_AGENT: "invoke_agent",
  STT: "stt",
  TTS: "tts",
} as const;

/** Span names of Pipecat's trace shape (a tool span is named "execute_tool <tool name>"). */
export const PIPECAT_SPAN = {
  CONVERSATION: "conversation",
  TURN: "turn",
  STT: "stt",
  LLM: "llm",
  TTS: "tts",
  TOOL_PREFIX: "execute_tool",
} as const;

/** Pipecat span attributes (see reference/pipecat-tracing.md §2). */
export const ATTR_PIPECAT_INPUT = "input";
export const ATTR_PIPECAT_OUTPUT = "output";
export const ATTR_PIPECAT_TRANSCRIPT = "transcript";
/** Session capture (instrumentation-pipecat): the session id and custom metadata on the conversation span. */
export const ATTR_SESSION_ID = "session.id";
export const SESSION_METADATA_PREFIX = "session.metadata.";
export const ATTR_PIPECAT_TEXT = "text";
export const ATTR_PIPECAT_TOOLS = "tools";
export const ATTR_PIPECAT_STREAM = "stream";
export const ATTR_PIPECAT_TTFB = "metrics.ttfb";
export const ATTR_PIPECAT_TURN_NUMBER = "turn.number";
export const ATTR_PIPECAT_TURN_WAS_INTERRUPTED = "turn.was_interrupted";
export const ATTR_PIPECAT_TURN_ENDED_BY_CONVERSATION_END = "turn.ended_by_conversation_end";
export const ATTR_PIPECAT_TURN_USER_BOT_LATENCY = "turn.user_bot_latency_seconds";
export const ATTR_PIPECAT_TTS_INTERRUPTED = "tts.interrupted";
export const ATTR_PIPECAT_STT_INCOMPLETE = "stt.incomplete";

/** Resource attribute of the deployment environment (incubating in the semantic conventions). */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name";
