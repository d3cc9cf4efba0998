import { LLMContextAggregatorPair } from "../aggregators/llm-context-aggregator-pair.js";
import type { LLMAssistantAggregator } from "../aggregators/llm-assistant-aggregator.js";
import type { LLMUserAggregator } from "../aggregators/llm-user-aggregator.js";
import { type Clock, VirtualClock } from "../clock.js";
import { LLMContext, type LLMTool } from "../context/llm-context.js";
import { LLMRunFrame } from "../frames/llm.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { PipelineTask, type PipelineTaskOptions } from "../pipeline/task.js";
import type { FrameObserver } from "../pipeline/task-observer.js";
import type { LLMService } from "../services/llm-service.js";
import { ScriptedLLMService, type ScriptedReply } from "../services/offline/scripted-llm.js";
import { ScriptedSTTService } from "../services/offline/scripted-stt.js";
import { ToneTTSService, type ToneTTSServiceOptions } from "../services/offline/tone-tts.js";
import type { SimulatedUtterance } from "../script/user-script.js";
import { SimulatedTransport } from "../transports/simulated-transport.js";
import { optionError, optionsObject, positiveInteger } from "../utils/validate.js";

export interface DemoConversationOptions {
  /** Default: a new VirtualClock (the conversation runs as fast as the event loop allows). */
  clock?: Clock;
  /** How many times the three user turns repeat after the greeting (turns = 1 + 3 x repeats). Default 1. */
  repeats?: number;
  /** Default 16000. */
  audioInSampleRate?: number;
  /** Default 24000. */
  audioOutSampleRate?: number;
  /** Default true. */
  enableMetrics?: boolean;
  /** Default true. */
  enableUsageMetrics?: boolean;
  observers?: FrameObserver[];
  conversationId?: string;
  /** Any other PipelineTask options. */
  taskOptions?: Omit<PipelineTaskOptions, "clock" | "observers" | "conversationId" | "params">;
  /** Use another LLM (e.g. an OpenAILLMService) instead of the scripted one; `get_weather` is registered on it. */
  llm?: LLMService;
  /** Options of the demo's ToneTTSService, e.g. `{ chunkMs: 20 }` for 20 ms audio frames (default 100). */
  ttsOptions?: Omit<ToneTTSServiceOptions, "clock">;
}

export interface DemoConversation {
  task: PipelineTask;
  pipeline: Pipeline;
  context: LLMContext;
  transport: SimulatedTransport;
  stt: ScriptedSTTService;
  llm: LLMService;
  tts: ToneTTSService;
  userAggregator: LLMUserAggregator;
  assistantAggregator: LLMAssistantAggregator;
  clock: Clock;
  /** What the simulated user says, in order. */
  userScript: SimulatedUtterance[];
  /** Conversation turns as Pipecat's turn tracking counts them (the greeting is turn 1). */
  expectedTurns: number;
}

const SYSTEM_PROMPT = "You are Ada, a friendly voice assistant. Keep answers short. Greet the user when the call starts.";

const GREETING = "Hello, I'm Ada. How can I help you today?";

const WEATHER_TOOL: LLMTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city.",
    parameters: {
      type: "object",
      properties: { city: { type: "string", description: "City name, e.g. Paris" } },
      required: ["city"],
    },
  },
};

/** The demo's tool: deterministic weather. */
function getWeather(args: Record<string, unknown>): { city: string; conditions: string; temperatureC: number } {
  const city = typeof args.city === "string" && args.city !== "" ? args.city : "Paris";
  return { city, conditions: "sunny", temperatureC: 22 };
}

// One round of the conversation after the greeting: a question, a question answered with the weather
// tool, and the user cutting the long weather answer short.
const ROUND_USER: SimulatedUtterance[] = [
  { text: "Hi Ada. What can you help me with?" },
  { text: "What's the weather like in Paris right now?" },
  { text: "Thanks, that's all I needed. Goodbye!", interruptAfterMs: 4000 },
];

const ROUND_REPLIES: ScriptedReply[] = [
  "I can answer questions, look up the weather, and keep you company.",
  {
    toolCall: { name: "get_weather", arguments: { city: "Paris" } },
    then:
      "It is {result.conditions} and {result.temperatureC} degrees in {result.city} right now. " +
      "Tomorrow looks much the same, with a light breeze in the afternoon, a few clouds towards the evening, " +
      "and a mild night that is perfect for a walk along the river.",
  },
  "You're welcome. Goodbye!",
];

function ttsOptionsOf(value: unknown): Omit<ToneTTSServiceOptions, "clock"> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw optionError("createDemoConversation", "ttsOptions", "an object of ToneTTSService options such as { chunkMs: 20 }", value);
  }
  return value;
}

/**
 * The reference scripted voice conversation, fully offline: transport input -> STT -> user aggregator ->
 * LLM -> TTS -> transport output -> assistant aggregator. Turn 1 is the bot's greeting, then per round:
 * a question, a weather question answered through the `get_weather` tool, and the user interrupting the
 * weather answer to say goodbye. The task ends by itself after the last reply; `await task.run()`.
 */
export function createDemoConversation(options?: DemoConversationOptions): DemoConversation {
  const opts = optionsObject("createDemoConversation", options);
  const repeats = positiveInteger("createDemoConversation", "repeats", opts.repeats ?? 1);
  const clock = opts.clock ?? new VirtualClock();
  const userScript = Array.from({ length: repeats }, () => ROUND_USER).flat();
  const replies = [GREETING, ...Array.from({ length: repeats }, () => ROUND_REPLIES).flat()];

  const context = new LLMContext({ messages: [{ role: "system", content: SYSTEM_PROMPT }], tools: [WEATHER_TOOL] });
  const transport = new SimulatedTransport({ script: userScript, clock });
  const stt = new ScriptedSTTService({ script: userScript, clock });
  const llm = opts.llm ?? new ScriptedLLMService({ replies, clock, settings: { temperature: 0.7, maxTokens: 256 } });
  llm.registerFunction("get_weather", ({ arguments: args }) => getWeather(args));
  const tts = new ToneTTSService({ ...ttsOptionsOf(opts.ttsOptions), clock });
  const aggregators = new LLMContextAggregatorPair(context);
  const pipeline = new Pipeline([
    transport.input(),
    stt,
    aggregators.user(),
    llm,
    tts,
    transport.output(),
    aggregators.assistant(),
  ]);
  const task = new PipelineTask(pipeline, {
    ...opts.taskOptions,
    clock,
    observers: opts.observers,
    conversationId: opts.conversationId,
    params: {
      audioInSampleRate: opts.audioInSampleRate ?? 16000,
      audioOutSampleRate: opts.audioOutSampleRate ?? 24000,
      enableMetrics: opts.enableMetrics ?? true,
      enableUsageMetrics: opts.enableUsageMetrics ?? true,
      allowInterruptions: true,
    },
  });
  void task.queueFrame(new LLMRunFrame());
  return {
    task,
    pipeline,
    context,
    transport,
    stt,
    llm,
    tts,
    userAggregator: aggregators.user(),
    assistantAggregator: aggregators.assistant(),
    clock,
    userScript,
    expectedTurns: 1 + ROUND_USER.length * repeats,
  };
}
