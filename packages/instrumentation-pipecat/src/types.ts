import type { Attributes, Span } from "@opentelemetry/api";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";
import type { PipecatSpanKind } from "@respan/semconv-pipecat";
import type { SessionCaptureFactory } from "./listener.js";
import type { RuntimeMapping } from "./runtime-mapping.js";

export type { RuntimeMapping };

export type { PipecatSpanKind };

export interface PipecatAttributeHookInfo {
  kind: PipecatSpanKind;
  /**
   * The attributes about to be set on the span when it ends (content, results, metrics). Mutate this
   * record to redact (`delete` or replace a value) or enrich it; `span.setAttribute` works too.
   */
  attributes: Attributes;
}

/** Called once per span, just before it ends. An exception thrown here is logged and ignored. */
export type PipecatAttributeHook = (span: Span, info: PipecatAttributeHookInfo) => void;

export interface PipecatInstrumentationConfig extends InstrumentationConfig {
  /**
   * Names of the runtime modules to hook (require and import), or paths to them (absolute, or starting with
   * `./` / `../`, resolved from the working directory; a path that does not resolve is reported once).
   * Default `["pipecat-ts"]`. Read once, when the instrumentation is constructed.
   */
  moduleNames?: string[];
  /**
   * For a port that names things differently: its frame, processor and service classes (`classes`) and its
   * field names (`fields`), each mapped onto the Pipecat name it stands for, e.g.
   * `{ classes: { UtteranceFrame: "TranscriptionFrame", Brain: "LLMService" }, fields: { utterance: "text",
   * downstream: "next" } }`. Validated at construction (a TypeError names the bad key). Class and field
   * names are process-wide: the mappings of all instrumentations in a process are merged, and mapping one
   * name two ways is an error. See docs/runtime-contract.md.
   */
  runtimeMapping?: RuntimeMapping;
  /**
   * Record user and assistant content (transcripts, LLM input/output, spoken text, system instructions,
   * tool arguments and results). Default: the environment variable
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (`true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`,
   * any case; any other value means off), else `false`, as in OpenTelemetry's GenAI instrumentations.
   * Registered through `new Respan(...)`, an instrumentation that leaves both unset follows Respan's
   * `traceContent` (default on).
   */
  captureContent?: boolean;
  /** Longest content attribute kept, in characters; longer values are cut and marked. Default 4096. */
  maxContentLength?: number;
  /** How long after the bot stops speaking a turn ends if nothing else happens, in ms. Default 2500. */
  turnEndTimeoutMs?: number;
  /** Redacts or enriches each span's attributes before it ends. */
  attributeHook?: PipecatAttributeHook;
  /** Appends every observed frame hop (time, source -> destination, frame, direction) to this file. */
  debugLogFilename?: string;
  /**
   * A conversation without a task (a runtime with only processors and pipelines) that has seen no frame
   * hop for this long is ended (`conversation.end_reason` = `idle_timeout`), so a pipeline dropped without
   * an EndFrame does not stay in memory. 0 never ends one. Default 600000 (10 minutes).
   */
  conversationIdleTimeoutMs?: number;
  /**
   * Live conversations at most; starting one more ends the oldest (`max_conversations`, with a warning).
   * Default 1000.
   */
  maxConversations?: number;
  /**
   * Creates a listener per conversation (transcript, recordings, logs). Used by session capture; most
   * applications leave it unset.
   */
  sessionCapture?: SessionCaptureFactory;
}
