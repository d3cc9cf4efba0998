/*
 * The client half of a call (@respan/instrumentation-pipecat-client): what the Pipecat web client sees of
 * it, joined to the server's trace.
 */
export const SPAN_CLIENT_SESSION = "client_session";
export const SPAN_CLIENT_TURN = "client_turn";
export const SPAN_USER_SPEECH = "user_speech";
export const SPAN_RESPONSE = "response";
export const SPAN_BOT_SPEECH = "bot_speech";

export const ATTR_CLIENT_TRANSPORT = "pipecat.client.transport";
export const ATTR_CLIENT_CONNECT_SECONDS = "pipecat.client.connect_seconds";
export const ATTR_CLIENT_BOT_READY_SECONDS = "pipecat.client.bot_ready_seconds";
export const ATTR_CLIENT_END_REASON = "pipecat.client.end_reason";
export const ATTR_CLIENT_CLOCK_OFFSET_MS = "pipecat.client.clock_offset_ms";
export const ATTR_CLIENT_CLOCK_RTT_MS = "pipecat.client.clock_rtt_ms";
export const ATTR_CLIENT_TURN_COUNT = "pipecat.client.turn_count";
export const ATTR_CLIENT_TURN_NUMBER = "pipecat.client.turn.number";
export const ATTR_CLIENT_TURN_WAS_INTERRUPTED = "pipecat.client.turn.was_interrupted";
export const ATTR_CLIENT_TURN_ENDED_BY_SESSION_END = "pipecat.client.turn.ended_by_session_end";
export const ATTR_CLIENT_RESPONSE_LATENCY_SECONDS = "pipecat.client.response_latency_seconds";
export const ATTR_CLIENT_RESPONSE_ABANDONED = "pipecat.client.response.abandoned";
export const ATTR_CLIENT_USER_TRANSCRIPT = "pipecat.client.user_transcript";
export const ATTR_CLIENT_BOT_TEXT = "pipecat.client.bot_text";
export const ATTR_CLIENT_BOT_SPEECH_INTERRUPTED = "pipecat.client.bot_speech.interrupted";
/** Server time-to-first-byte per service kind, from the server's RTVI `metrics` messages: `.stt`, `.llm`, `.tts`. */
export const ATTR_CLIENT_SERVER_TTFB_PREFIX = "pipecat.client.server_ttfb_seconds";
export const ATTR_CLIENT_SERVER_PROCESSING_PREFIX = "pipecat.client.server_processing_seconds";
export const EVENT_CLIENT_FUNCTION_CALL = "function_call";
export const EVENT_CLIENT_ERROR = "error";
export const ATTR_CLIENT_FUNCTION_CALL_PHASE = "pipecat.client.function_call.phase";
export const ATTR_CLIENT_FUNCTION_CALL_CANCELLED = "pipecat.client.function_call.cancelled";
/** On the client's `error` events: the server's error text (content capture only) and whether it was fatal. */
export const ATTR_CLIENT_ERROR_MESSAGE = "error.message";
export const ATTR_CLIENT_ERROR_FATAL = "pipecat.client.error.fatal";
