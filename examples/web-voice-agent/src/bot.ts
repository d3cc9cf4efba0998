// One call's pipeline: the browser's audio and RTVI messages in, speech services and an LLM, the bot's
// audio and RTVI events out. Offline (scripted STT and LLM, tone TTS) unless OpenAI settings are given,
// then OpenAI's transcription, chat and speech models.
import {
  LLMContext,
  LLMContextAggregatorPair,
  type LLMService,
  LLMRunFrame,
  OpenAILLMService,
  OpenAISTTService,
  OpenAITTSService,
  Pipeline,
  PipelineTask,
  RTVIObserver,
  RTVIProcessor,
  ScriptedLLMService,
  ScriptedSTTService,
  ToneTTSService,
  type FrameProcessor,
  type WebSocketTransport,
} from "pipecat-ts";

export interface OpenAISettings {
  apiKey: string;
  baseURL?: string;
  model?: string;
}

export interface WebBot {
  task: PipelineTask;
  rtvi: RTVIProcessor;
  context: LLMContext;
}

const SYSTEM_PROMPT =
  "You are Ada, a friendly voice assistant talking to someone in a web browser. Keep answers to one or two short sentences.";

const GREETING = "Hello, I'm Ada. Say something and I will answer.";

/** What the offline STT "hears", utterance after utterance (it cannot know what was really said). */
export const OFFLINE_USER_SCRIPT = [
  "Hi Ada. What can you help me with?",
  "What's the weather like in Paris right now?",
  "Thanks, that's all I needed.",
];

const OFFLINE_REPLIES = [
  "I can answer questions and look up the weather.",
  { toolCall: { name: "get_weather", arguments: { city: "Paris" } }, then: "It is {result.conditions} and {result.temperatureC} degrees in {result.city}." },
  "You're welcome. Talk to you soon!",
];

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

/** The offline LLM's reply: the greeting first, then the replies in turn, by how many times the user spoke. */
function offlineReply(context: LLMContext): string | (typeof OFFLINE_REPLIES)[number] {
  const userTurns = context.messages.filter((message) => message.role === "user").length;
  return userTurns === 0 ? GREETING : OFFLINE_REPLIES[(userTurns - 1) % OFFLINE_REPLIES.length]!;
}

export function createWebBot(transport: WebSocketTransport, options: { callId: string; openai?: OpenAISettings }): WebBot {
  // bot-ready's about tells a traced client the server's clock (for the clock offset) and how long the VAD
  // waits in silence before it says the user stopped (so both sides measure latency from the same moment).
  const rtvi = new RTVIProcessor({
    botAbout: () => ({
      library: "pipecat-ts",
      server_time_ms: Date.now(),
      ...(transport.vadParams ? { vad: { stop_secs: transport.vadParams.stopSecs } } : {}),
    }),
  });
  const context = new LLMContext({ messages: [{ role: "system", content: SYSTEM_PROMPT }], tools: [WEATHER_TOOL] });
  const aggregators = new LLMContextAggregatorPair(context);
  const { stt, llm, tts } = options.openai ? openaiServices(options.openai) : offlineServices();
  llm.registerFunction("get_weather", ({ arguments: args }) => ({
    city: typeof args.city === "string" ? args.city : "Paris",
    conditions: "sunny",
    temperatureC: 22,
  }));
  const pipeline = new Pipeline([transport.input(), rtvi, stt, aggregators.user(), llm, tts, transport.output(), aggregators.assistant()]);
  const task = new PipelineTask(pipeline, {
    conversationId: options.callId,
    observers: [new RTVIObserver(rtvi)],
    params: { enableMetrics: true, enableUsageMetrics: true, allowInterruptions: true },
    // What the client's URL carried, for whoever reads the StartFrame; its W3C trace context (when the
    // client sent one) at the top, where a tracer reads a call's remote parent.
    startMetadata: {
      connection: { path: transport.connection.path, query: transport.connection.query },
      ...traceContextOf(transport.connection.query),
    },
  });
  // The bot greets once the client is ready to play audio.
  rtvi.on("onClientReady", () => task.queueFrame(new LLMRunFrame()));
  return { task, rtvi, context };
}

/** The W3C trace context fields of the connection's query string, when present. */
function traceContextOf(query: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  if (query.traceparent) fields.traceparent = query.traceparent;
  if (query.tracestate) fields.tracestate = query.tracestate;
  return fields;
}

function offlineServices(): { stt: FrameProcessor; llm: LLMService; tts: FrameProcessor } {
  return {
    stt: new ScriptedSTTService({ script: OFFLINE_USER_SCRIPT, repeat: true }),
    llm: new ScriptedLLMService({ replies: [offlineReply], settings: { temperature: 0.7 } }),
    tts: new ToneTTSService({ chunkMs: 40 }),
  };
}

function openaiServices(settings: OpenAISettings): { stt: FrameProcessor; llm: LLMService; tts: FrameProcessor } {
  const connection = { apiKey: settings.apiKey, baseURL: settings.baseURL };
  return {
    stt: new OpenAISTTService({ ...connection, language: "en-US" }),
    llm: new OpenAILLMService({ ...connection, model: settings.model, settings: { maxTokens: 200 } }),
    tts: new OpenAITTSService({ ...connection, voiceId: "alloy" }),
  };
}
