import { SpanKind } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_INPUT,
  ATTR_INPUT_MESSAGE_COUNT,
  ATTR_METRICS_TTFB,
  ATTR_OUTPUT,
  ATTR_STREAM,
  ATTR_TOOL_COUNT,
  ATTR_TOOLS,
  ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
  SPAN_LLM,
} from "@respan/semconv-pipecat";
import { FrameKind, MetricKind, Role, roleOf } from "../class-names.js";
import type { ServiceCall } from "../service-calls.js";
import { isAbortError, isObject, readField, readNumber, readString } from "../utils.js";
import { addServiceIdentity, serviceContext, serviceInstruction, serviceSettings } from "./service-attributes.js";
import { latestGenAiRequest, latestGenAiResponse } from "./genai-latest.js";
import { defineSpanKind, type ConversationScope, type SpanKindTracker } from "./span-kind.js";
import type { TracedSpan } from "./traced-span.js";

export interface LlmRun {
  readonly service: object;
  readonly span: TracedSpan;
  /** Started by a processContext call (as opposed to an LLMFullResponseStartFrame). */
  viaCall: boolean;
  /** An LLMFullResponseStartFrame of this run has been seen. */
  responseStarted: boolean;
  /** The text the run streamed; undefined until some arrived (nothing is written for a run that said nothing). */
  output: string | undefined;
}

// Service settings (camelCase or snake_case) -> request attributes.
const REQUEST_SETTINGS: ReadonlyArray<readonly [string, string, string]> = [
  ["temperature", "temperature", ATTR_GEN_AI_REQUEST_TEMPERATURE],
  ["maxTokens", "max_tokens", ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ["maxCompletionTokens", "max_completion_tokens", ATTR_GEN_AI_REQUEST_MAX_TOKENS],
  ["topP", "top_p", ATTR_GEN_AI_REQUEST_TOP_P],
  ["topK", "top_k", ATTR_GEN_AI_REQUEST_TOP_K],
  ["frequencyPenalty", "frequency_penalty", ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY],
  ["presencePenalty", "presence_penalty", ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY],
  ["seed", "seed", ATTR_GEN_AI_REQUEST_SEED],
];

const USAGE_FIELDS: ReadonlyArray<readonly [string, string, string]> = [
  ["promptTokens", "prompt_tokens", ATTR_GEN_AI_USAGE_INPUT_TOKENS],
  ["completionTokens", "completion_tokens", ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
  ["cacheReadInputTokens", "cache_read_input_tokens", ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  ["cacheCreationInputTokens", "cache_creation_input_tokens", ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS],
  ["reasoningTokens", "reasoning_tokens", ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
];

/** Adds the request parameters of the service's settings to `attributes`. */
function addRequestAttributes(attributes: Attributes, service: object): void {
  const settings = serviceSettings(service);
  if (settings === undefined) return;
  for (const [camel, snake, key] of REQUEST_SETTINGS) {
    const value = readNumber(settings, camel, snake);
    if (value !== undefined && attributes[key] === undefined) attributes[key] = value;
  }
  const stop = readField(settings, "stop", "stop");
  if (typeof stop === "string") attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) {
    attributes[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop as string[];
  }
}

function isInstruction(message: unknown): boolean {
  const role = readField(message, "role", "role");
  return role === "system" || role === "developer";
}

/** A message's text; multipart content is joined with a space, as Pipecat joins it. */
function messageText(message: unknown): string | undefined {
  const content = readField(message, "content", "content");
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    const text = readField(part, "text", "text");
    if (typeof text === "string") parts.push(text);
  }
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/**
 * The `llm` spans of one conversation: one per model run, from the run's start (processContext, or the
 * LLMFullResponseStartFrame for runtimes without that method) to its LLMFullResponseEndFrame. Both
 * starts share one span. `input` records only the messages added to the context since the previous run
 * (plus the system instructions separately), so the bytes captured per turn stay flat however long the
 * conversation grows.
 */
export class LlmRuns implements SpanKindTracker {
  private readonly open = new Map<object, LlmRun>();
  private readonly lastSpan = new Map<object, TracedSpan>();
  private readonly contextHeadingTo = new Map<object, object>();
  private lastContext: object | undefined;
  private lastMessages: unknown[] | undefined;
  private lastMessageCount = 0;
  private instructions: string | undefined;
  /**
   * The `tools` attribute of the last tools array recorded: every run of a conversation usually shares one
   * array (LLMContext.setTools replaces it), so its JSON is made once, not per run. A different array or
   * length is serialised again.
   */
  private lastTools: { tools: unknown[]; length: number; json: string } | undefined;

  constructor(private readonly scope: ConversationScope) {}

  onFrame(kind: FrameKind, frame: object, source: object, atMs: number): void {
    switch (kind) {
      case FrameKind.LLM_RESPONSE_START:
        this.responseStarted(source, atMs);
        break;
      case FrameKind.LLM_RESPONSE_END:
        this.responseEnded(source, atMs);
        break;
      case FrameKind.LLM_TEXT:
        this.text(source, readString(frame, "text", "text") ?? "");
        break;
      case FrameKind.TEXT:
        // Text leaving an LLM service during a run is its output, whatever the frame is called.
        if ((roleOf(source) & Role.LLM) !== 0) this.text(source, readString(frame, "text", "text") ?? "");
        break;
      default:
        break;
    }
  }

  /** An LLM context frame on its way to an LLM service: the input of that service's next run. */
  onEveryHop(_kind: FrameKind, frame: object, destination: object): void {
    if ((roleOf(destination) & Role.LLM) === 0) return;
    const llmContext = readField(frame, "context", "context");
    if (llmContext !== null && typeof llmContext === "object") this.contextHeadingTo.set(destination, llmContext);
  }

  /** One model run (processContext): its `llm` span is current while the model is called. */
  beginCall(service: object, llmContext: unknown): ServiceCall {
    this.scope.rememberService(service);
    const run = this.callStarted(service, llmContext, this.scope.clock.now());
    // An interrupted run is aborted, not failed.
    return {
      context: run.span.context,
      settled: (error, failed) => this.callSettled(run, error, failed && !isAbortError(error), this.scope.clock.now()),
    };
  }

  private callStarted(service: object, llmContext: unknown, atMs: number): LlmRun {
    const current = this.open.get(service);
    if (current !== undefined && !current.viaCall) {
      current.viaCall = true;
      return current;
    }
    // A call still open means it was superseded (an interruption restarted the model).
    if (current !== undefined) this.endRun(current, atMs, true);
    const run = this.startRun(service, atMs, llmContext);
    run.viaCall = true;
    return run;
  }

  private callSettled(run: LlmRun, error: unknown, failed: boolean, atMs: number): void {
    if (failed) run.span.fail(error, "LLMError", atMs);
    if (this.open.get(run.service) === run) this.endRun(run, atMs, failed);
  }

  private responseStarted(service: object, atMs: number): void {
    const current = this.open.get(service);
    if (current !== undefined && !current.responseStarted) {
      current.responseStarted = true;
      return;
    }
    if (current !== undefined) this.endRun(current, atMs, true);
    this.startRun(service, atMs, undefined).responseStarted = true;
  }

  private responseEnded(service: object, atMs: number): void {
    const run = this.open.get(service);
    if (run !== undefined) this.endRun(run, atMs);
  }

  private text(service: object, text: string): void {
    const run = this.open.get(service);
    if (run === undefined || !this.scope.factory.content.capture || text === "") return;
    // Stop accumulating past the cap: the attribute would be cut there anyway.
    if (run.output === undefined) run.output = text;
    else if (run.output.length <= this.scope.factory.content.maxLength) run.output += text;
  }

  ttfb(service: object, seconds: number): void {
    this.open.get(service)?.span.setIfAbsent(ATTR_METRICS_TTFB, seconds);
  }

  usage(service: object, usage: unknown): void {
    const run = this.open.get(service);
    if (run === undefined) return;
    for (const [camel, snake, key] of USAGE_FIELDS) run.span.set(key, readNumber(usage, camel, snake));
  }

  /** The running span of `service`, else its last one: the parent of the tool calls it asks for. */
  requestingSpan(service: object): TracedSpan | undefined {
    return this.open.get(service)?.span ?? this.lastSpan.get(service);
  }

  failOpen(service: object, error: unknown, atMs: number): boolean {
    const run = this.open.get(service);
    if (run === undefined) return false;
    run.span.fail(error, "LLMError", atMs);
    return true;
  }

  close(atMs: number): void {
    for (const run of [...this.open.values()]) this.endRun(run, atMs, true);
    this.lastSpan.clear();
    this.contextHeadingTo.clear();
    this.lastTools = undefined;
  }

  private startRun(service: object, atMs: number, llmContext: unknown): LlmRun {
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
      [ATTR_GEN_AI_OUTPUT_TYPE]: GEN_AI_OUTPUT_TYPE_VALUE_TEXT,
      [ATTR_STREAM]: true,
    };
    addServiceIdentity(attributes, service, "LLMService");
    addRequestAttributes(attributes, service);
    const span = this.scope.factory.start("llm", SPAN_LLM, this.scope.parent, atMs, attributes, SpanKind.CLIENT);
    const run: LlmRun = { service, span, viaCall: false, responseStarted: false, output: undefined };
    this.open.set(service, run);
    this.lastSpan.set(service, span);
    const input = llmContext ?? this.contextHeadingTo.get(service) ?? serviceContext(service);
    this.contextHeadingTo.delete(service);
    if (isObject(input)) this.captureInput(span, service, input);
    const instruction = serviceInstruction(service);
    if (instruction !== undefined) span.set(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, this.scope.factory.content.text(instruction));
    return run;
  }

  private captureInput(span: TracedSpan, service: object, llmContext: object): void {
    const tools = readField(llmContext, "tools", "tools") ?? readField(service, "tools", "_tools");
    if (Array.isArray(tools) && tools.length > 0) {
      span.set(ATTR_TOOL_COUNT, tools.length);
      span.set(ATTR_TOOLS, this.toolsJson(tools));
    }
    const messages = readField(llmContext, "messages", "messages");
    if (!Array.isArray(messages)) return;
    span.set(ATTR_INPUT_MESSAGE_COUNT, messages.length);
    // The same context (or, for a service keeping its own, the same message list) grown since the last run.
    const sameContext = llmContext === this.lastContext || messages === this.lastMessages;
    const continues = sameContext && messages.length >= this.lastMessageCount;
    const added = continues ? messages.slice(this.lastMessageCount) : messages;
    this.lastContext = llmContext;
    this.lastMessages = messages;
    this.lastMessageCount = messages.length;
    const instructions = added.filter(isInstruction).map(messageText).filter((text) => text !== undefined);
    if (instructions.length > 0) this.instructions = instructions.join("\n");
    else if (!continues) this.instructions = undefined;
    const content = this.scope.factory.content;
    span.set(ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, content.text(this.instructions));
    const conversational = added.filter((message) => !isInstruction(message));
    if (conversational.length > 0) span.set(ATTR_INPUT, content.jsonList(conversational));
    if (this.scope.latestGenAi) {
      const latest = latestGenAiRequest(conversational, tools, (value) => content.json(value), (value) => content.definition(value));
      for (const [key, value] of Object.entries(latest)) span.set(key, value);
    }
  }

  private toolsJson(tools: unknown[]): string {
    const last = this.lastTools;
    if (last !== undefined && last.tools === tools && last.length === tools.length) return last.json;
    const json = this.scope.factory.content.definition(tools);
    this.lastTools = { tools, length: tools.length, json };
    return json;
  }

  /** `cut`: the run was superseded, failed or cut off by the conversation's end (its silence is no gap). */
  private endRun(run: LlmRun, atMs: number, cut = false): void {
    if (this.open.get(run.service) === run) this.open.delete(run.service);
    const content = this.scope.factory.content;
    run.span.set(ATTR_OUTPUT, content.text(run.output));
    if (run.output === undefined && cut) run.span.waive("output");
    // A failed run has no finish reason to report; its error is on the span.
    if (this.scope.latestGenAi && run.span.get(ATTR_ERROR_TYPE) === undefined) {
      for (const [key, value] of Object.entries(latestGenAiResponse(run.output, (v) => content.json(v)))) run.span.set(key, value);
    }
    run.span.end(atMs);
  }
}

export const llmSpanKind = defineSpanKind<LlmRuns>({
  name: "llm",
  frames: [FrameKind.LLM_RESPONSE_START, FrameKind.LLM_RESPONSE_END, FrameKind.LLM_TEXT, FrameKind.TEXT],
  everyHopFrames: [FrameKind.LLM_CONTEXT],
  serviceRole: Role.LLM,
  turnTtfbKey: ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  usageMetric: MetricKind.LLM_USAGE,
  serviceCalls: [
    { className: "LLMService", method: "processContext", begin: (runs, service, args) => runs.beginCall(service, args[0]) },
  ],
  create: (scope) => new LlmRuns(scope),
});
