import type { Attributes } from "@opentelemetry/api";
import { concreteClassName } from "../class-names.js";
import { ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL } from "@respan/semconv-pipecat";
import { readField, readString } from "../utils.js";

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

/** The model a service is configured with (`model`, `modelName` or `settings.model`). */
export function serviceModel(service: object): string | undefined {
  return (
    readString(service, "model", "model") ??
    readString(service, "modelName", "model_name") ??
    readString(readField(service, "settings", "_settings"), "model", "model")
  );
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
