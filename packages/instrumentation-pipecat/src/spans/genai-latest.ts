/*
 * OpenTelemetry's newest GenAI attributes, emitted in addition to the default (Pipecat-compatible) ones
 * when the process opts in the way OpenTelemetry defines: OTEL_SEMCONV_STABILITY_OPT_IN holding
 * `gen_ai_latest_experimental`. Then GenAI-aware backends render the prompts and transcripts of an `llm`
 * span from structured messages. Keys come from @respan/semconv-pipecat (copies of the incubating ones).
 */
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
} from "@respan/semconv-pipecat";
import { readField } from "../utils.js";

const OPT_IN_VARIABLE = "OTEL_SEMCONV_STABILITY_OPT_IN";
const OPT_IN_VALUE = "gen_ai_latest_experimental";

/**
 * True when OTEL_SEMCONV_STABILITY_OPT_IN (a comma list) holds gen_ai_latest_experimental. Read once per
 * conversation, with its other settings (config.ts).
 */
export function latestGenAiOptedIn(env: NodeJS.ProcessEnv): boolean {
  return (env[OPT_IN_VARIABLE] ?? "").split(",").some((value) => value.trim() === OPT_IN_VALUE);
}

interface MessagePart {
  type: "text" | "tool_call" | "tool_call_response";
  [field: string]: unknown;
}

function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const text = content.map((part) => readField(part, "text", "text")).filter((t) => typeof t === "string").join("");
  return text === "" ? undefined : text;
}

function parseArguments(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** One chat message (OpenAI / Pipecat shape, camelCase or snake_case) as a GenAI structured message. */
function toStructuredMessage(message: unknown): { role: string; parts: MessagePart[] } {
  const role = String(readField(message, "role", "role") ?? "user");
  const parts: MessagePart[] = [];
  const text = textOf(readField(message, "content", "content"));
  if (role === "tool") {
    parts.push({ type: "tool_call_response", id: readField(message, "toolCallId", "tool_call_id"), response: text });
    return { role, parts };
  }
  if (text !== undefined) parts.push({ type: "text", content: text });
  const toolCalls = readField(message, "toolCalls", "tool_calls");
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls) {
      const fn = readField(call, "function", "function");
      parts.push({
        type: "tool_call",
        id: readField(call, "id", "id"),
        name: readField(fn, "name", "name"),
        arguments: parseArguments(readField(fn, "arguments", "arguments")),
      });
    }
  }
  return { role, parts };
}

/** The request attributes of an `llm` span under the opt-in; `json` serialises content under the content policy. */
export function latestGenAiRequest(
  messages: readonly unknown[],
  tools: unknown,
  json: (value: unknown) => string | undefined,
  definition: (value: unknown) => string,
): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_REQUEST_STREAM]: true };
  const input = json(messages.map(toStructuredMessage));
  if (input !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = input;
  // Tool definitions are the developer's, not user content: recorded like the `tools` attribute.
  if (Array.isArray(tools) && tools.length > 0) attributes[ATTR_GEN_AI_TOOL_DEFINITIONS] = definition(tools);
  return attributes;
}

/** The response attributes of an `llm` span that ended normally, under the opt-in. */
export function latestGenAiResponse(output: string | undefined, json: (value: unknown) => string | undefined): Attributes {
  const attributes: Attributes = { [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ["stop"] };
  if (output !== undefined && output !== "") {
    const messages = json([{ role: "assistant", parts: [{ type: "text", content: output }], finish_reason: "stop" }]);
    if (messages !== undefined) attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = messages;
  }
  return attributes;
}
