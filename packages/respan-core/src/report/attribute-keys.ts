/**
 * The span attributes the call report reads that ../semconv.ts does not already name: the turn latency
 * breakdown and the session-capture recording keys written by @respan/instrumentation-pipecat (its
 * README's spans table and session-capture docs list them).
 */
export const ATTR_TURN_LATENCY_STT_TTFB = "turn.latency.stt_ttfb_seconds";
export const ATTR_TURN_LATENCY_LLM_TTFB = "turn.latency.llm_ttfb_seconds";
export const ATTR_TURN_LATENCY_TTS_TTFB = "turn.latency.tts_ttfb_seconds";
export const ATTR_STT_IS_FINAL = "is_final";
export const ATTR_CONVERSATION_ID = "conversation.id";
export const ATTR_RECORDING_URI = "recording.uri";
export const ATTR_RECORDING_STATUS = "recording.status";
export const ATTR_RECORDING_OFFSET_SECONDS = "recording.offset_seconds";
export const ATTR_TOOL_CANCELLED = "tool.cancelled";
