import type { Attributes } from "@opentelemetry/api";
import { concreteClassName } from "../class-names.js";
import { ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL } from "@respan/semconv-pipecat";
import { isObject, readField, readString } from "../utils.js";

// Pipecat's special cases, mapped to OpenTelemetry's well-known gen_ai.provider.name values.
const PROVIDER_ALIASES: ReadonlyMap<string, string> = new Map([
  ["azure", "azure.ai.openai"],
  ["azureopenai", "azure.ai.openai"],
  ["google", "gcp.gemini"],
  ["gemini", "gcp.gemini"],
  ["googlevertex", "gcp.vertex_ai"],
  ["vertex", "gcp.vertex_ai"],
  ["aws", "aws.bedrock"],
  ["awsbedrock", "aws.bedrock"],
  ["bedrock", "aws.bedrock"],
  ["mistral", "mistral_ai"],
  ["grok", "x_ai"],
  ["xai", "x_ai"],
]);

/** "OpenAILLMService" -> "openai": the class name minus the service suffix, lower-cased. */
export function providerName(service: object, suffix: "LLMService" | "STTService" | "TTSService"): string | undefined {
  const className = concreteClassName(service);
  if (className === undefined) return undefined;
  const base = className.endsWith(suffix) ? className.slice(0, -suffix.length) : className;
  if (base.length === 0) return undefined;
  const lower = base.toLowerCase();
  return PROVIDER_ALIASES.get(lower) ?? lower;
}

/*
 * Where ports keep a service's configuration: the spellings below are tried in order, the exact Pipecat
 * name first; a runtime mapping's field names are tried by readField itself. Empty strings are not values.
 */
const MODEL_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["model", "_model"],
  ["modelName", "model_name"],
  ["modelId", "model_id"],
  ["_modelName", "_model_name"],
  ["_modelId", "_model_id"],
];
const VOICE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["voiceId", "voice_id"],
  ["voice", "_voice"],
  ["_voiceId", "_voice_id"],
];
const SETTINGS_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["settings", "_settings"],
  ["params", "_params"],
  ["inputParams", "input_params"],
];
const INSTRUCTION_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["systemInstruction", "system_instruction"],
  ["_systemInstruction", "_system_instruction"],
];
const CONTEXT_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["context", "_context"],
  ["llmContext", "llm_context"],
];

function firstString(target: unknown, fields: ReadonlyArray<readonly [string, string]>): string | undefined {
  for (const [camel, snake] of fields) {
    const value = readString(target, camel, snake);
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

function firstObject(target: unknown, fields: ReadonlyArray<readonly [string, string]>): Record<string, unknown> | undefined {
  for (const [camel, snake] of fields) {
    const value = readField(target, camel, snake);
    if (isObject(value) && !Array.isArray(value)) return value;
  }
  return undefined;
}

/** A service's request settings (`settings`, `params`, `inputParams`...). */
export function serviceSettings(service: object): Record<string, unknown> | undefined {
  return firstObject(service, SETTINGS_FIELDS);
}

/** The model a service is configured with: its own field under the usual spellings, else its settings'. */
export function serviceModel(service: object): string | undefined {
  return firstString(service, MODEL_FIELDS) ?? firstString(serviceSettings(service), MODEL_FIELDS);
}

export function serviceVoice(service: object): string | undefined {
  return firstString(service, VOICE_FIELDS) ?? firstString(serviceSettings(service), VOICE_FIELDS);
}

/** A system instruction set on the service (its settings first): Pipecat prefers it to the context's. */
export function serviceInstruction(service: object): string | undefined {
  return firstString(serviceSettings(service), INSTRUCTION_FIELDS) ?? firstString(service, INSTRUCTION_FIELDS);
}

/**
 * The conversation an LLM service keeps itself, for runtimes that send it no context frame: a context
 * object of its own (`context`, `llmContext`), else its own `messages` and `tools`.
 */
export function serviceContext(service: object): object | undefined {
  const own = firstObject(service, CONTEXT_FIELDS);
  if (own !== undefined && Array.isArray(readField(own, "messages", "messages"))) return own;
  const messages = readField(service, "messages", "_messages");
  if (!Array.isArray(messages)) return undefined;
  return { messages, tools: readField(service, "tools", "_tools") };
}

/**
 * Adds gen_ai.provider.name and gen_ai.request.model for a service span to `attributes` (built in place:
 * merging attribute records with object spread is far slower, and this runs for every service span).
 */
export function addServiceIdentity(attributes: Attributes, service: object, suffix: "LLMService" | "STTService" | "TTSService"): void {
  const provider = providerName(service, suffix);
  if (provider !== undefined) attributes[ATTR_GEN_AI_PROVIDER_NAME] = provider;
  const model = serviceModel(service);
  if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
}

/** A processor's display name ("OpenAILLMService#0"), used to match metrics to their service. */
export function processorName(processor: unknown): string | undefined {
  return readString(processor, "name", "name");
}
