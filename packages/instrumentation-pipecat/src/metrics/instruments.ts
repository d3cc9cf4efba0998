/**
 * Every metric instrument of this package in one place: name, unit, description and the histogram
 * bucket boundaries, passed as advice (a View of the application still overrides them). Created from
 * the meter InstrumentationBase provides; none at all while that is the API's no-op meter (no
 * MeterProvider registered or given), so that conversations then do no metric work.
 */
import { createNoopMeter, type Counter, type Histogram, type Meter } from "@opentelemetry/api";
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  METRIC_PIPECAT_CONVERSATION_DURATION,
  METRIC_PIPECAT_CONVERSATIONS,
  METRIC_PIPECAT_STT_AUDIO_DURATION,
  METRIC_PIPECAT_TTS_CHARACTERS,
  METRIC_PIPECAT_TURN_DURATION,
  METRIC_PIPECAT_TURN_INTERRUPTIONS,
  METRIC_PIPECAT_TURN_TTFB,
  METRIC_PIPECAT_TURN_VOICE_TO_VOICE_LATENCY,
} from "@respan/semconv-pipecat";

/** The GenAI conventions' advice for operation durations and time to first chunk, in seconds. */
export const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** The GenAI conventions' advice for token counts. */
export const GEN_AI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/**
 * Voice-to-voice latency, in seconds: fine steps around what people feel in a conversation (a reply
 * within ~0.3 s feels natural, over ~1 s feels slow), coarse beyond.
 */
export const VOICE_LATENCY_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10];
/** A service's time to first byte within a turn, in seconds. */
export const TTFB_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5];
/** A turn, in seconds. */
export const TURN_DURATION_BUCKETS = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 120];
/** A conversation, in seconds (10 s to 2 h). */
export const CONVERSATION_DURATION_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200];

export interface PipecatInstruments {
  operationDuration: Histogram;
  tokenUsage: Histogram;
  timeToFirstChunk: Histogram;
  voiceToVoiceLatency: Histogram;
  turnDuration: Histogram;
  turnInterruptions: Counter;
  turnTtfb: Histogram;
  ttsCharacters: Counter;
  sttAudioDuration: Counter;
  conversations: Counter;
  conversationDuration: Histogram;
}

const NoopMeter = createNoopMeter().constructor;

/** The instruments of `meter`; undefined when it is the API's no-op meter. */
export function createInstruments(meter: Meter): PipecatInstruments | undefined {
  if (meter instanceof NoopMeter) return undefined;
  const histogram = (name: string, unit: string, description: string, buckets: number[]) =>
    meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: buckets } });
  // In this order in exports and in the offline summary: what the user feels first.
  return {
    voiceToVoiceLatency: histogram(METRIC_PIPECAT_TURN_VOICE_TO_VOICE_LATENCY, "s",
      "Per turn: from the user really stopping to speak to the bot starting to speak.", VOICE_LATENCY_BUCKETS),
    turnTtfb: histogram(METRIC_PIPECAT_TURN_TTFB, "s",
      "Per turn: the first time to first byte of each service kind (stt, llm, tts).", TTFB_BUCKETS),
    turnInterruptions: meter.createCounter(METRIC_PIPECAT_TURN_INTERRUPTIONS, {
      unit: "{interruption}",
      description: "Turns in which the user interrupted the bot.",
    }),
    turnDuration: histogram(METRIC_PIPECAT_TURN_DURATION, "s", "Duration of a conversation turn.", TURN_DURATION_BUCKETS),
    operationDuration: histogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, "s",
      "Duration of a GenAI operation: an stt segment, an llm run, a tts context or a tool execution.", GEN_AI_DURATION_BUCKETS),
    timeToFirstChunk: histogram(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, "s",
      "Time from the request to the first chunk of the response (the service's TTFB).", GEN_AI_DURATION_BUCKETS),
    tokenUsage: histogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, "{token}",
      "Tokens used by an llm run, by token type (input, output).", GEN_AI_TOKEN_BUCKETS),
    ttsCharacters: meter.createCounter(METRIC_PIPECAT_TTS_CHARACTERS, {
      unit: "{character}",
      description: "Characters sent to text-to-speech.",
    }),
    sttAudioDuration: meter.createCounter(METRIC_PIPECAT_STT_AUDIO_DURATION, {
      unit: "s",
      description: "Seconds of user audio sent to speech-to-text.",
    }),
    conversations: meter.createCounter(METRIC_PIPECAT_CONVERSATIONS, {
      unit: "{conversation}",
      description: "Conversations ended, by end reason.",
    }),
    conversationDuration: histogram(METRIC_PIPECAT_CONVERSATION_DURATION, "s",
      "Duration of a conversation, by end reason.", CONVERSATION_DURATION_BUCKETS),
  };
}
