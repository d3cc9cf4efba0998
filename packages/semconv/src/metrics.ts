/*
 * Metric instrument names and their attribute keys. Defined here, beside the span vocabulary, so that a
 * metric and the span it describes share one spelling of each key.
 *
 * GenAI metrics: OpenTelemetry's GenAI client metrics (development status), as named in
 * `@opentelemetry/semantic-conventions/incubating` 1.45 — copied like the keys in ./gen-ai.ts (a test of
 * the instrumentation checks the copies against the installed package). The metrics' other attributes
 * are span keys of ./gen-ai.ts (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`)
 * and the stable `error.type`.
 * Voice metrics: what no convention covers yet, all under the `pipecat.` prefix, with the attributes only
 * they carry.
 */

export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = "gen_ai.client.operation.duration";
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = "gen_ai.client.token.usage";
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";
export const ATTR_GEN_AI_TOKEN_TYPE = "gen_ai.token.type";
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = "input";
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = "output";

/** The prefix of every voice metric and of the attributes only those metrics carry. */
export const VOICE_METRIC_PREFIX = "pipecat.";

export const METRIC_PIPECAT_TURN_VOICE_TO_VOICE_LATENCY = "pipecat.turn.voice_to_voice_latency";
export const METRIC_PIPECAT_TURN_DURATION = "pipecat.turn.duration";
export const METRIC_PIPECAT_TURN_INTERRUPTIONS = "pipecat.turn.interruptions";
export const METRIC_PIPECAT_TURN_TTFB = "pipecat.turn.ttfb";
export const METRIC_PIPECAT_TTS_CHARACTERS = "pipecat.tts.characters";
export const METRIC_PIPECAT_STT_AUDIO_DURATION = "pipecat.stt.audio_duration";
export const METRIC_PIPECAT_CONVERSATIONS = "pipecat.conversations";
export const METRIC_PIPECAT_CONVERSATION_DURATION = "pipecat.conversation.duration";

/** Which service a per-turn TTFB measures: `stt`, `llm` or `tts`. */
export const ATTR_PIPECAT_SERVICE_KIND = "pipecat.service.kind";
/** The user interrupted the bot in this turn (a turn cut short by the conversation's end is not). */
export const ATTR_PIPECAT_TURN_INTERRUPTED = "pipecat.turn.interrupted";
/** Why the conversation ended (the `conversation.end_reason` of its span: `end_frame`, `cancel_frame`...). */
export const ATTR_PIPECAT_CONVERSATION_END_REASON = "pipecat.conversation.end_reason";
