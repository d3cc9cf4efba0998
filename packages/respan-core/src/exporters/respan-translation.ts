/**
 * Translation of vendor-neutral spans (Pipecat's trace shape, OpenTelemetry GenAI conventions, Traceloop
 * workflow/task spans) into the keys the Respan backend reads. It runs at export time on copies, so the
 * spans other exporters receive are untouched. A key the span already carries is never overwritten.
 */
import type { AttributeValue, Attributes } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import {
  LOG_METHOD_TS_TRACING,
  LOG_TYPE,
  METADATA_PREFIX,
  PROPAGATED_KEYS,
  RESPAN_ENTITY,
  TRACELOOP,
  TRACELOOP_LLM,
} from "../attributes.js";
import {
  ATTR_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_INPUT,
  ATTR_OUTPUT,
  ATTR_SESSION_ID,
  ATTR_STREAM,
  ATTR_TEXT,
  ATTR_TOOLS,
  ATTR_TRANSCRIPT,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_STT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
  GEN_AI_OPERATION_NAME_VALUE_TTS,
  SESSION_METADATA_PREFIX,
  SPAN_CONVERSATION,
  SPAN_LLM,
  SPAN_STT,
  SPAN_TOOL_PREFIX,
  SPAN_TTS,
  SPAN_TURN,
} from "@respan/semconv-pipecat";

type LogType = (typeof LOG_TYPE)[keyof typeof LOG_TYPE];

/**
 * Most messages written as indexed `gen_ai.prompt.<i>.*` keys (the system prompt included); beyond it the
 * latest messages are kept.
 */
export const MAX_PROMPT_MESSAGES = 64;

const LOG_TYPE_BY_ENTITY_KIND: Record<string, LogType> = {
  workflow: LOG_TYPE.WORKFLOW,
  task: LOG_TYPE.TASK,
  agent: LOG_TYPE.AGENT,
  tool: LOG_TYPE.TOOL,
};

const LOG_TYPE_BY_OPERATION: Record<string, LogType> = {
  [GEN_AI_OPERATION_NAME_VALUE_CHAT]: LOG_TYPE.CHAT,
  [GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION]: LOG_TYPE.CHAT,
  [GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT]: LOG_TYPE.CHAT,
  [GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS]: LOG_TYPE.EMBEDDING,
  [GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL]: LOG_TYPE.TOOL,
  [GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT]: LOG_TYPE.AGENT,
  [GEN_AI_OPERATION_NAME_VALUE_STT]: LOG_TYPE.TRANSCRIPTION,
  [GEN_AI_OPERATION_NAME_VALUE_TTS]: LOG_TYPE.SPEECH,
};

const LOG_TYPE_BY_SPAN_NAME: Record<string, LogType> = {
  [SPAN_CONVERSATION]: LOG_TYPE.WORKFLOW,
  [SPAN_TURN]: LOG_TYPE.WORKFLOW,
  [SPAN_STT]: LOG_TYPE.TRANSCRIPTION,
  [SPAN_LLM]: LOG_TYPE.CHAT,
  [SPAN_TTS]: LOG_TYPE.SPEECH,
};

/** The Respan log type of a span, or undefined for spans Respan has no type for (e.g. HTTP calls). */
export function respanLogType(name: string, attributes: Attributes): LogType | undefined {
  const existing = attributes[RESPAN_ENTITY.LOG_TYPE];
  if (typeof existing === "string") return existing as LogType;
  const entityKind = attributes[TRACELOOP.SPAN_KIND];
  if (typeof entityKind === "string" && LOG_TYPE_BY_ENTITY_KIND[entityKind]) return LOG_TYPE_BY_ENTITY_KIND[entityKind];
  const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
  if (typeof operation === "string" && LOG_TYPE_BY_OPERATION[operation]) return LOG_TYPE_BY_OPERATION[operation];
  if (LOG_TYPE_BY_SPAN_NAME[name]) return LOG_TYPE_BY_SPAN_NAME[name];
  if (name.startsWith(SPAN_TOOL_PREFIX)) return LOG_TYPE.TOOL;
  // Any other span of a traced conversation (a span kind added later, such as vad) is a step of it.
  if (attributes[ATTR_CONVERSATION_ID] !== undefined) return LOG_TYPE.TASK;
  return undefined;
}

/** The attributes Respan should receive for a span named `name` carrying `source`. */
export function translateAttributes(name: string, source: Attributes): Attributes {
  const out: Attributes = { ...source };
  const setIfMissing = (key: string, value: AttributeValue | undefined) => {
    if (value !== undefined && out[key] === undefined) out[key] = value;
  };

  setIfMissing(RESPAN_ENTITY.LOG_METHOD, LOG_METHOD_TS_TRACING);
  const logType = respanLogType(name, source);
  setIfMissing(RESPAN_ENTITY.LOG_TYPE, logType);

  setIfMissing(ATTR_GEN_AI_REQUEST_MODEL, source[ATTR_GEN_AI_RESPONSE_MODEL]);
  setIfMissing(TRACELOOP_LLM.SYSTEM, source[ATTR_GEN_AI_PROVIDER_NAME]);
  translateUsage(source, setIfMissing);
  translateSession(source, setIfMissing);

  switch (logType) {
    case LOG_TYPE.CHAT:
      setIfMissing(TRACELOOP_LLM.REQUEST_TYPE, "chat");
      if (source[ATTR_STREAM] === true) setIfMissing(TRACELOOP_LLM.IS_STREAMING, true);
      setIfMissing(TRACELOOP_LLM.REQUEST_FUNCTIONS, stringValue(source[ATTR_TOOLS]));
      setIfMissing(TRACELOOP.ENTITY_INPUT, stringValue(source[ATTR_INPUT] ?? source[ATTR_GEN_AI_INPUT_MESSAGES]));
      setIfMissing(TRACELOOP.ENTITY_OUTPUT, stringValue(source[ATTR_OUTPUT] ?? source[ATTR_GEN_AI_OUTPUT_MESSAGES]));
      translateChatMessages(source, setIfMissing);
      break;
    case LOG_TYPE.TRANSCRIPTION:
      setIfMissing(TRACELOOP.ENTITY_OUTPUT, stringValue(source[ATTR_TRANSCRIPT]));
      break;
    case LOG_TYPE.SPEECH:
      setIfMissing(TRACELOOP.ENTITY_INPUT, stringValue(source[ATTR_TEXT]));
      break;
    case LOG_TYPE.TOOL:
      setIfMissing(TRACELOOP.ENTITY_INPUT, stringValue(source[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]));
      setIfMissing(TRACELOOP.ENTITY_OUTPUT, stringValue(source[ATTR_GEN_AI_TOOL_CALL_RESULT]));
      setIfMissing(TRACELOOP.ENTITY_NAME, stringValue(source[ATTR_GEN_AI_TOOL_NAME]));
      break;
  }
  if (logType !== undefined) setIfMissing(TRACELOOP.ENTITY_NAME, name);
  return out;
}

type Setter = (key: string, value: AttributeValue | undefined) => void;

/** A captured voice session's id and custom metadata become Respan's session and metadata keys. */
function translateSession(source: Attributes, setIfMissing: Setter): void {
  setIfMissing(PROPAGATED_KEYS.sessionIdentifier, stringValue(source[ATTR_SESSION_ID]));
  // Keys, not entries: this runs for every exported span, and most carry no session metadata.
  for (const key of Object.keys(source)) {
    if (key.startsWith(SESSION_METADATA_PREFIX)) {
      setIfMissing(METADATA_PREFIX + key.slice(SESSION_METADATA_PREFIX.length), source[key]);
    }
  }
}

function translateUsage(source: Attributes, setIfMissing: Setter): void {
  const input = countValue(source[ATTR_GEN_AI_USAGE_INPUT_TOKENS]);
  const output = countValue(source[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]);
  setIfMissing(TRACELOOP_LLM.USAGE_PROMPT_TOKENS, input);
  setIfMissing(TRACELOOP_LLM.USAGE_COMPLETION_TOKENS, output);
  if (input !== undefined || output !== undefined) {
    setIfMissing(TRACELOOP_LLM.USAGE_TOTAL_TOKENS, (input ?? 0) + (output ?? 0));
  }
  setIfMissing(TRACELOOP_LLM.USAGE_CACHE_READ_INPUT_TOKENS, countValue(source[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]));
  setIfMissing(
    TRACELOOP_LLM.USAGE_CACHE_CREATION_INPUT_TOKENS,
    countValue(source[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]),
  );
  setIfMissing(TRACELOOP_LLM.USAGE_REASONING_TOKENS, countValue(source[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]));
}

/**
 * Respan shows chat spans from the indexed Traceloop prompt / completion keys. The prompt is the system
 * prompt (`gen_ai.system_instructions`) followed by the `input` messages (OpenAI-style messages JSON) —
 * which, on Pipecat's llm spans, are only the messages added since the previous model run of the
 * conversation, not the whole history. `output` is the reply text.
 */
function translateChatMessages(source: Attributes, setIfMissing: Setter): void {
  const system = stringValue(source[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]);
  const systemMessages = system === undefined ? [] : [{ role: "system", content: system }];
  const messages = parseMessages(source[ATTR_INPUT]) ?? [];
  const prompt = [...systemMessages, ...messages.slice(-(MAX_PROMPT_MESSAGES - systemMessages.length))];
  prompt.forEach((message, index) => {
    setIfMissing(`gen_ai.prompt.${index}.role`, stringValue(message.role));
    setIfMissing(`gen_ai.prompt.${index}.content`, contentText(message.content));
  });
  const reply = source[ATTR_OUTPUT];
  if (typeof reply === "string") {
    setIfMissing("gen_ai.completion.0.role", "assistant");
    setIfMissing("gen_ai.completion.0.content", reply);
  }
}

function parseMessages(value: AttributeValue | undefined): Array<Record<string, unknown>> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return undefined;
    return parsed.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null);
  } catch {
    return undefined;
  }
}

function contentText(content: unknown): string | undefined {
  if (content === undefined || content === null) return undefined;
  return typeof content === "string" ? content : JSON.stringify(content);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function countValue(value: AttributeValue | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A copy of `span` with the Respan attributes; the original is not modified. */
export function translateSpanForRespan(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: translateAttributes(span.name, span.attributes),
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
