/*
 * Span attribute keys and values that are not OpenTelemetry semantic conventions: Pipecat's own and the
 * ones this project adds (marked "added"). The instrumentation's README ("Emitted spans") documents each.
 */

// conversation (Pipecat)
export const ATTR_CONVERSATION_ID = "conversation.id";
export const ATTR_CONVERSATION_TYPE = "conversation.type";
export const CONVERSATION_TYPE_VOICE = "voice";
// conversation (added): why the conversation span ended
export const ATTR_CONVERSATION_END_REASON = "conversation.end_reason";

// turn (Pipecat)
export const ATTR_TURN_NUMBER = "turn.number";
export const ATTR_TURN_TYPE = "turn.type";
export const TURN_TYPE_CONVERSATION = "conversation";
export const ATTR_TURN_DURATION_SECONDS = "turn.duration_seconds";
export const ATTR_TURN_WAS_INTERRUPTED = "turn.was_interrupted";
export const ATTR_TURN_ENDED_BY_CONVERSATION_END = "turn.ended_by_conversation_end";
export const ATTR_TURN_USER_BOT_LATENCY_SECONDS = "turn.user_bot_latency_seconds";
// turn (added): the latency breakdown, the first time-to-first-byte of each service kind in the turn
export const ATTR_TURN_LATENCY_STT_TTFB_SECONDS = "turn.latency.stt_ttfb_seconds";
export const ATTR_TURN_LATENCY_LLM_TTFB_SECONDS = "turn.latency.llm_ttfb_seconds";
export const ATTR_TURN_LATENCY_TTS_TTFB_SECONDS = "turn.latency.tts_ttfb_seconds";

// service spans (Pipecat)
export const ATTR_METRICS_TTFB = "metrics.ttfb";
export const ATTR_METRICS_CHARACTER_COUNT = "metrics.character_count";
export const ATTR_METRICS_AUDIO_SECONDS = "metrics.audio_seconds";

// stt (Pipecat)
export const ATTR_TRANSCRIPT = "transcript";
export const ATTR_IS_FINAL = "is_final";
export const ATTR_LANGUAGE = "language";
export const ATTR_USER_ID = "user_id";
export const ATTR_STT_INCOMPLETE = "stt.incomplete";

// llm (Pipecat)
export const ATTR_INPUT = "input";
export const ATTR_OUTPUT = "output";
export const ATTR_TOOLS = "tools";
export const ATTR_TOOL_COUNT = "tool_count";
export const ATTR_STREAM = "stream";
// llm (added): how many messages the context held when the model ran (`input` holds only the new ones)
export const ATTR_INPUT_MESSAGE_COUNT = "input.message_count";

// tts (Pipecat)
export const ATTR_VOICE_ID = "voice_id";
export const ATTR_TEXT = "text";
export const ATTR_TTS_INTERRUPTED = "tts.interrupted";
// tts (added): the audio context the span covers
export const ATTR_TTS_CONTEXT_ID = "tts.context_id";

// tool (added)
export const ATTR_TOOL_CANCELLED = "tool.cancelled";

// vad (added): the detector's confirmation delays (Pipecat's VAD `start_secs` / `stop_secs`) and how
// long the user really spoke (from the back-dated start to the back-dated stop)
export const ATTR_VAD_START_SECS = "vad.start_secs";
export const ATTR_VAD_STOP_SECS = "vad.stop_secs";
export const ATTR_VAD_SPEECH_DURATION_SECONDS = "vad.speech_duration_seconds";
