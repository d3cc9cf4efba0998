/**
 * Records one conversation's metrics from the events that end its spans: each span's final attributes
 * (the ones exported) become measurements, so metrics and traces always agree and no frame is looked at
 * twice. Only low-cardinality attributes are put on measurements: operation, provider, model, token type,
 * service kind, interrupted, end reason, error type — never an id, a customer or any content.
 */
import type { AttributeValue, Attributes } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import {
  ATTR_CONVERSATION_END_REASON,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_METRICS_AUDIO_SECONDS,
  ATTR_METRICS_CHARACTER_COUNT,
  ATTR_METRICS_TTFB,
  ATTR_PIPECAT_CONVERSATION_END_REASON,
  ATTR_PIPECAT_SERVICE_KIND,
  ATTR_PIPECAT_TURN_INTERRUPTED,
  ATTR_TURN_DURATION_SECONDS,
  ATTR_TURN_ENDED_BY_CONVERSATION_END,
  ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
  ATTR_TURN_USER_BOT_LATENCY_SECONDS,
  ATTR_TURN_WAS_INTERRUPTED,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  type PipecatSpanKind,
} from "@respan/semconv-pipecat";
import type { PipecatInstruments } from "./instruments.js";

const TURN_TTFB_KEYS: ReadonlyArray<readonly [kind: string, key: string]> = [
  ["stt", ATTR_TURN_LATENCY_STT_TTFB_SECONDS],
  ["llm", ATTR_TURN_LATENCY_LLM_TTFB_SECONDS],
  ["tts", ATTR_TURN_LATENCY_TTS_TTFB_SECONDS],
];

export class ConversationMetrics {
  /**
   * Provider and model of the conversation's latest llm run: what a turn's measurements are labelled
   * with, so voice-to-voice latency can be compared by model.
   */
  private llmModel: Attributes = {};

  constructor(private readonly instruments: PipecatInstruments) {}

  /** A span of the conversation ended with these attributes (its start and end in epoch ms). */
  spanEnded(kind: PipecatSpanKind, attributes: Attributes, startMs: number, endMs: number): void {
    switch (kind) {
      case "stt":
      case "llm":
      case "tts":
      case "tool":
        this.operationEnded(kind, attributes, (endMs - startMs) / 1000);
        break;
      case "turn":
        this.turnEnded(attributes);
        break;
      case "conversation":
        this.conversationEnded(attributes, (endMs - startMs) / 1000);
        break;
    }
  }

  private operationEnded(kind: PipecatSpanKind, attributes: Attributes, seconds: number): void {
    const operation: Attributes = {};
    copy(operation, attributes, ATTR_GEN_AI_OPERATION_NAME);
    copy(operation, attributes, ATTR_GEN_AI_PROVIDER_NAME);
    copy(operation, attributes, ATTR_GEN_AI_REQUEST_MODEL);
    const ttfb = numberOf(attributes[ATTR_METRICS_TTFB]);
    if (ttfb !== undefined) this.instruments.timeToFirstChunk.record(ttfb, operation);
    const errorType = attributes[ATTR_ERROR_TYPE];
    this.instruments.operationDuration.record(
      seconds,
      errorType === undefined ? operation : { ...operation, [ATTR_ERROR_TYPE]: errorType },
    );
    if (kind === "llm") {
      this.llmModel = {};
      copy(this.llmModel, attributes, ATTR_GEN_AI_PROVIDER_NAME);
      copy(this.llmModel, attributes, ATTR_GEN_AI_REQUEST_MODEL);
      this.tokens(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS], GEN_AI_TOKEN_TYPE_VALUE_INPUT, operation);
      this.tokens(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS], GEN_AI_TOKEN_TYPE_VALUE_OUTPUT, operation);
    } else if (kind === "tts") {
      const characters = numberOf(attributes[ATTR_METRICS_CHARACTER_COUNT]);
      if (characters !== undefined) this.instruments.ttsCharacters.add(characters, operation);
    } else if (kind === "stt") {
      const audioSeconds = numberOf(attributes[ATTR_METRICS_AUDIO_SECONDS]);
      if (audioSeconds !== undefined) this.instruments.sttAudioDuration.add(audioSeconds, operation);
    }
  }

  private tokens(value: AttributeValue | undefined, tokenType: string, operation: Attributes): void {
    const count = numberOf(value);
    if (count !== undefined) this.instruments.tokenUsage.record(count, { ...operation, [ATTR_GEN_AI_TOKEN_TYPE]: tokenType });
  }

  private turnEnded(attributes: Attributes): void {
    // A turn the conversation's end cut short is flagged interrupted on its span; the user did not interrupt it.
    const interrupted =
      attributes[ATTR_TURN_WAS_INTERRUPTED] === true && attributes[ATTR_TURN_ENDED_BY_CONVERSATION_END] !== true;
    const turn: Attributes = { ...this.llmModel, [ATTR_PIPECAT_TURN_INTERRUPTED]: interrupted };
    const latency = numberOf(attributes[ATTR_TURN_USER_BOT_LATENCY_SECONDS]);
    if (latency !== undefined) this.instruments.voiceToVoiceLatency.record(latency, turn);
    const duration = numberOf(attributes[ATTR_TURN_DURATION_SECONDS]);
    if (duration !== undefined) this.instruments.turnDuration.record(duration, turn);
    if (interrupted) this.instruments.turnInterruptions.add(1, this.llmModel);
    for (const [serviceKind, key] of TURN_TTFB_KEYS) {
      const ttfb = numberOf(attributes[key]);
      if (ttfb !== undefined) this.instruments.turnTtfb.record(ttfb, { [ATTR_PIPECAT_SERVICE_KIND]: serviceKind });
    }
  }

  private conversationEnded(attributes: Attributes, seconds: number): void {
    const reason = attributes[ATTR_CONVERSATION_END_REASON];
    const conversation: Attributes = reason === undefined ? {} : { [ATTR_PIPECAT_CONVERSATION_END_REASON]: reason };
    this.instruments.conversations.add(1, conversation);
    this.instruments.conversationDuration.record(seconds, conversation);
  }
}

function copy(target: Attributes, source: Attributes, key: string): void {
  const value = source[key];
  if (value !== undefined) target[key] = value;
}

function numberOf(value: AttributeValue | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
