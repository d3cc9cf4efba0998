// A synthetic voice call as an OTLP JSON request, shaped like @respan/instrumentation-pipecat's traces
// (workflow → conversation → turns → stt / llm (→ tool) / tts), for call-report tests of any size:
// every turn's latency attributes differ, so a test can check each value it reads back.
import { randomBytes } from "node:crypto";

const hex = (bytes) => randomBytes(bytes).toString("hex");
const BASE_NS = 1_780_000_000_000_000_000n;
const MS = 1_000_000n;

function value(v) {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: v };
}
const attributes = (object) => Object.entries(object).map(([key, v]) => ({ key, value: value(v) }));

/** The latency attributes of turn `n` (seconds); turn 1 is the bot's greeting, with no user speech before it. */
export function turnLatency(n) {
  return {
    stt: n === 1 ? undefined : 0.012 + n * 0.0001,
    llm: 0.03 + (n % 7) * 0.001,
    tts: 0.011 + (n % 5) * 0.0005,
    voiceToVoice: n === 1 ? undefined : 0.15 + (n % 11) * 0.01,
  };
}

/**
 * Options: turns (4), userText(n), botText(n), interrupted(n) (turn 3 by default), toolEvery (a tool call
 * in every turn whose number is a multiple of it; 3), content (true: transcripts and texts on the spans),
 * errorTurn (a turn whose llm span failed), clientService (a second resource with a client span),
 * recordingUri (session-capture attributes, each turn's recording offset).
 */
export function syntheticCallRequest(options = {}) {
  const {
    turns = 4,
    userText = (n) => `User question number ${n}`,
    botText = (n) => `Bot answer number ${n}`,
    interrupted = (n) => n === 3,
    toolEvery = 3,
    content = true,
    errorTurn,
    clientService,
    recordingUri,
    conversationId = "synthetic-call",
  } = options;
  const traceId = options.traceId ?? hex(16);
  const spans = [];
  const span = (name, parent, startMs, endMs, attrs = {}, extra = {}) => {
    const spanId = hex(8);
    spans.push({
      traceId,
      spanId,
      parentSpanId: parent,
      name,
      kind: 1,
      startTimeUnixNano: String(BASE_NS + BigInt(Math.round(startMs * 1000)) * 1000n),
      endTimeUnixNano: String(BASE_NS + BigInt(Math.round(endMs * 1000)) * 1000n),
      attributes: attributes(attrs),
      status: { code: 0 },
      ...extra,
    });
    return spanId;
  };
  const turnMs = 1000;
  const totalMs = turns * turnMs + 50;
  const workflow = span("voice_session.workflow", undefined, 0, totalMs + 5, { "traceloop.span.kind": "workflow" });
  const conversationAttributes = { "conversation.id": conversationId, "conversation.type": "voice" };
  if (recordingUri) Object.assign(conversationAttributes, { "recording.uri": recordingUri, "recording.status": "recorded" });
  const conversation = span("conversation", workflow, 2, totalMs, conversationAttributes);
  for (let n = 1; n <= turns; n += 1) {
    const start = 10 + (n - 1) * turnMs;
    const latency = turnLatency(n);
    const isInterrupted = interrupted(n);
    const turnAttributes = {
      "turn.number": n,
      "turn.type": "conversation",
      "turn.latency.llm_ttfb_seconds": latency.llm,
      "turn.latency.tts_ttfb_seconds": latency.tts,
      "turn.was_interrupted": isInterrupted,
      "turn.ended_by_conversation_end": false,
    };
    if (latency.stt !== undefined) turnAttributes["turn.latency.stt_ttfb_seconds"] = latency.stt;
    if (latency.voiceToVoice !== undefined) turnAttributes["turn.user_bot_latency_seconds"] = latency.voiceToVoice;
    if (recordingUri) turnAttributes["recording.offset_seconds"] = (start - 2) / 1000;
    const turn = span("turn", conversation, start, start + turnMs - 20, turnAttributes);
    let t = start;
    if (n > 1) {
      span("stt", turn, t, t + 300, { "gen_ai.operation.name": "stt", "metrics.ttfb": latency.stt, is_final: true, ...(content ? { transcript: userText(n) } : {}) });
      t += 310;
    }
    const llmFailed = n === errorTurn;
    const llm = span(
      "llm",
      turn,
      t,
      t + 120,
      { "gen_ai.operation.name": "chat", "metrics.ttfb": latency.llm, ...(content ? { output: toolEvery && n % toolEvery === 0 ? "" : botText(n) } : {}) },
      llmFailed ? { status: { code: 2, message: "model timed out" } } : {},
    );
    if (toolEvery && n % toolEvery === 0) {
      span(`execute_tool get_weather`, llm, t + 60, t + 61, {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        ...(content ? { "gen_ai.tool.call.arguments": `{"city":"City ${n}"}`, "gen_ai.tool.call.result": `{"sunny":true}` } : {}),
      });
      span("llm", turn, t + 130, t + 250, { "gen_ai.operation.name": "chat", "metrics.ttfb": latency.llm, ...(content ? { output: botText(n) } : {}) });
      t += 130;
    }
    span("tts", turn, t + 150, t + 400, { "gen_ai.operation.name": "tts", "metrics.ttfb": latency.tts, ...(content ? { text: botText(n) } : {}) });
  }
  const resourceSpans = [
    {
      resource: { attributes: attributes({ "service.name": "synthetic-agent" }) },
      scopeSpans: [{ scope: { name: "synthetic" }, spans }],
    },
  ];
  if (clientService) {
    const clientSpan = {
      traceId,
      spanId: hex(8),
      parentSpanId: conversation,
      name: "webrtc connect",
      kind: 3,
      startTimeUnixNano: String(BASE_NS + 1n * MS),
      endTimeUnixNano: String(BASE_NS + 8n * MS),
      attributes: attributes({ "client.platform": "web" }),
      status: { code: 0 },
    };
    resourceSpans.push({
      resource: { attributes: attributes({ "service.name": clientService }) },
      scopeSpans: [{ scope: { name: "client" }, spans: [clientSpan] }],
    });
  }
  return { traceId, request: { resourceSpans } };
}
