/**
 * Span attribute keys the Respan backend reads, and the user-facing names that map onto them.
 * One table, used by propagateAttributes (stamping), the decorators and the Respan exporter (translation).
 */

/** Attributes a caller can propagate onto every span of a scope (see propagateAttributes). */
export interface RespanAttributes {
  customerIdentifier?: string;
  customerEmail?: string;
  customerName?: string;
  threadIdentifier?: string;
  sessionIdentifier?: string;
  customIdentifier?: string;
  traceGroupIdentifier?: string;
  environment?: string;
  /** Flattened onto `respan.metadata.<key>`; non-string values are stringified. */
  metadata?: Record<string, unknown>;
}

/** Scalar (non-metadata) propagated attributes and the span key each one is written to. */
export const PROPAGATED_KEYS = {
  customerIdentifier: "respan.customer_params.customer_identifier",
  customerEmail: "respan.customer_params.email",
  customerName: "respan.customer_params.name",
  threadIdentifier: "respan.threads.thread_identifier",
  sessionIdentifier: "respan.sessions.session_identifier",
  customIdentifier: "respan.span_params.custom_identifier",
  traceGroupIdentifier: "respan.trace.trace_group_identifier",
  environment: "respan.environment",
} as const satisfies Record<Exclude<keyof RespanAttributes, "metadata">, string>;

export const METADATA_PREFIX = "respan.metadata.";

export const RESPAN_ENTITY = {
  LOG_METHOD: "respan.entity.log_method",
  LOG_TYPE: "respan.entity.log_type",
} as const;

/** Value of `respan.entity.log_method` for spans sent by this SDK. */
export const LOG_METHOD_TS_TRACING = "ts_tracing";

/** Traceloop entity keys (what Respan reads for workflow / task spans). */
export const TRACELOOP = {
  SPAN_KIND: "traceloop.span.kind",
  ENTITY_NAME: "traceloop.entity.name",
  ENTITY_PATH: "traceloop.entity.path",
  ENTITY_VERSION: "traceloop.entity.version",
  ENTITY_INPUT: "traceloop.entity.input",
  ENTITY_OUTPUT: "traceloop.entity.output",
  WORKFLOW_NAME: "traceloop.workflow.name",
} as const;

export type EntityKind = "workflow" | "task" | "agent" | "tool";

/** Values of `respan.entity.log_type` written by the Respan exporter. */
export const LOG_TYPE = {
  CHAT: "chat",
  TRANSCRIPTION: "transcription",
  SPEECH: "speech",
  TOOL: "tool",
  WORKFLOW: "workflow",
  TASK: "task",
  AGENT: "agent",
  EMBEDDING: "embedding",
} as const;

/** Traceloop / OpenLLMetry model-call keys the Respan backend reads (set by the Respan exporter). */
export const TRACELOOP_LLM = {
  REQUEST_TYPE: "llm.request.type",
  IS_STREAMING: "llm.is_streaming",
  REQUEST_FUNCTIONS: "llm.request.functions",
  SYSTEM: "gen_ai.system",
  USAGE_PROMPT_TOKENS: "gen_ai.usage.prompt_tokens",
  USAGE_COMPLETION_TOKENS: "gen_ai.usage.completion_tokens",
  USAGE_TOTAL_TOKENS: "llm.usage.total_tokens",
  USAGE_CACHE_READ_INPUT_TOKENS: "gen_ai.usage.cache_read_input_tokens",
  USAGE_CACHE_CREATION_INPUT_TOKENS: "gen_ai.usage.cache_creation_input_tokens",
  USAGE_REASONING_TOKENS: "llm.usage.reasoning_tokens",
} as const;
