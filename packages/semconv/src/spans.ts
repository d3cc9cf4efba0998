/*
 * Span names of a traced Pipecat call. The first five are Pipecat's own (so backends that already render
 * Pipecat traces render these); tool spans follow the OpenTelemetry GenAI convention.
 */

export const SPAN_CONVERSATION = "conversation";
export const SPAN_TURN = "turn";
export const SPAN_STT = "stt";
export const SPAN_LLM = "llm";
export const SPAN_TTS = "tts";
/** The user's speech as the voice activity detector saw it (added). */
export const SPAN_VAD = "vad";
/** Tool spans are named `execute_tool <tool name>`. */
export const SPAN_TOOL_PREFIX = "execute_tool ";

/** The kinds of span a conversation is made of (`tool` names the `execute_tool <name>` spans). */
export const PIPECAT_SPAN_KINDS = [SPAN_CONVERSATION, SPAN_TURN, SPAN_STT, SPAN_LLM, SPAN_TTS, "tool", SPAN_VAD] as const;
export type PipecatSpanKind = (typeof PIPECAT_SPAN_KINDS)[number];
