// The golden trace of pipecat-ts's scripted 4-turn conversation: greeting, a question, a question answered
// with the weather tool, and an interrupted answer. Names, parents and key attributes; never timestamps.
const assert = require("node:assert/strict");
const { before, describe, it } = require("node:test");
const { SpanStatusCode } = require("@opentelemetry/api");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");
const { byName, endMs, normalisedTree, onlyOne, parentIdOf, spanIdOf, startMs } = require("../../../test/support/otel.cjs");

const { exporter, pipecat } = instrumentedRuntime();

const GREETING = "Hello, I'm Ada. How can I help you today?";
const WEATHER_ANSWER_START = "It is sunny and 22 degrees in Paris right now.";

/** The attributes compared, per span kind: identity and content, not measurements. */
function goldenAttributes(span) {
  const a = span.attributes;
  switch (span.name) {
    case "conversation":
      return { id: a["conversation.id"], type: a["conversation.type"], endReason: a["conversation.end_reason"] };
    case "turn":
      return {
        number: a["turn.number"],
        interrupted: a["turn.was_interrupted"],
        endedByConversationEnd: a["turn.ended_by_conversation_end"],
      };
    case "stt":
      return { transcript: a.transcript, final: a.is_final };
    case "llm":
      return { provider: a["gen_ai.provider.name"], model: a["gen_ai.request.model"], output: a.output };
    case "tts":
      return { voice: a.voice_id, text: a.text.startsWith(WEATHER_ANSWER_START) ? `${WEATHER_ANSWER_START} …` : a.text };
    case "vad":
      return { startSecs: a["vad.start_secs"], stopSecs: a["vad.stop_secs"], spoke: a["vad.speech_duration_seconds"] > 0 };
    default:
      return {
        tool: a["gen_ai.tool.name"],
        args: a["gen_ai.tool.call.arguments"],
        result: a["gen_ai.tool.call.result"],
      };
  }
}

const llm = (output) => ({ name: "llm", provider: "scripted", model: "scripted-llm", output });
const tts = (text) => ({ name: "tts", voice: "tone-a4", text });
const stt = (transcript) => ({ name: "stt", transcript, final: true });
const vad = () => ({ name: "vad", startSecs: 0, stopSecs: 0, spoke: true });

const GOLDEN = [
  {
    name: "conversation",
    id: "golden-1",
    type: "voice",
    endReason: "end_frame",
    children: [
      {
        name: "turn",
        number: 1,
        interrupted: false,
        endedByConversationEnd: false,
        children: [llm(GREETING), tts(GREETING)],
      },
      {
        name: "turn",
        number: 2,
        interrupted: false,
        endedByConversationEnd: false,
        children: [
          stt("Hi Ada. What can you help me with?"),
          vad(),
          llm("I can answer questions, look up the weather, and keep you company."),
          tts("I can answer questions, look up the weather, and keep you company."),
        ],
      },
      {
        name: "turn",
        number: 3,
        interrupted: true,
        endedByConversationEnd: false,
        children: [
          stt("What's the weather like in Paris right now?"),
          vad(),
          {
            ...llm(undefined), // the run that only asked for a tool said nothing: no output written
            children: [
              {
                name: "execute_tool get_weather",
                tool: "get_weather",
                args: '{"city":"Paris"}',
                result: '{"city":"Paris","conditions":"sunny","temperatureC":22}',
              },
            ],
          },
          {
            ...llm(
              "It is sunny and 22 degrees in Paris right now. Tomorrow looks much the same, with a light breeze in " +
                "the afternoon, a few clouds towards the evening, and a mild night that is perfect for a walk along the river.",
            ),
          },
          tts(`${WEATHER_ANSWER_START} …`),
        ],
      },
      {
        name: "turn",
        number: 4,
        interrupted: true,
        endedByConversationEnd: true,
        children: [
          stt("Thanks, that's all I needed. Goodbye!"),
          vad(),
          llm("You're welcome. Goodbye!"),
          tts("You're welcome. Goodbye!"),
        ],
      },
    ],
  },
];

describe("golden trace of the scripted conversation", () => {
  let spans;
  before(async () => {
    exporter.reset();
    await runDemo(pipecat, { conversationId: "golden-1" });
    spans = exporter.getFinishedSpans();
  });

  it("has the expected tree of spans", () => {
    assert.deepEqual(normalisedTree(spans, goldenAttributes), GOLDEN);
  });

  it("every span belongs to the one trace, with nothing in error", () => {
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    assert.equal(traceIds.size, 1);
    for (const span of spans) assert.equal(span.status.code, SpanStatusCode.UNSET, `${span.name} not in error`);
    for (const span of spans) assert.equal(span.attributes["conversation.id"], "golden-1", `${span.name} carries the id`);
  });

  it("every child starts and ends within its parent (all spans; no orphan)", () => {
    const byId = new Map(spans.map((span) => [spanIdOf(span), span]));
    const label = (span) => `${span.name}${span.attributes["turn.number"] ? ` ${span.attributes["turn.number"]}` : ""}`;
    for (const span of spans) {
      if (span.name === "conversation") continue;
      const parent = byId.get(parentIdOf(span));
      assert.ok(parent !== undefined, `${label(span)} has its parent in the trace`);
      const early = startMs(parent) - startMs(span);
      const late = endMs(span) - endMs(parent);
      assert.ok(early <= 0, `${label(span)} starts ${early.toFixed(3)} ms before its parent ${label(parent)}`);
      assert.ok(late <= 0, `${label(span)} ends ${late.toFixed(3)} ms after its parent ${label(parent)}`);
    }
  });

  it("records the latency breakdown of every answered user turn", () => {
    const turns = byName(spans, "turn").sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);
    const greeting = turns[0].attributes;
    assert.equal(greeting["turn.user_bot_latency_seconds"], undefined);
    assert.equal(greeting["turn.latency.stt_ttfb_seconds"], undefined);
    assert.ok(greeting["turn.latency.llm_ttfb_seconds"] >= 0);
    assert.ok(greeting["turn.latency.tts_ttfb_seconds"] >= 0);
    for (const turn of turns.slice(1)) {
      for (const key of [
        "turn.user_bot_latency_seconds",
        "turn.latency.stt_ttfb_seconds",
        "turn.latency.llm_ttfb_seconds",
        "turn.latency.tts_ttfb_seconds",
        "turn.duration_seconds",
      ]) {
        const value = turn.attributes[key];
        assert.ok(typeof value === "number" && value >= 0, `turn ${turn.attributes["turn.number"]}: ${key} = ${value}`);
      }
    }
  });

  it("service spans carry their measurements", () => {
    for (const span of byName(spans, "llm")) {
      assert.ok(span.attributes["metrics.ttfb"] >= 0);
      assert.ok(span.attributes["gen_ai.usage.input_tokens"] > 0);
      assert.ok(span.attributes["gen_ai.usage.output_tokens"] > 0);
      assert.equal(span.attributes["gen_ai.request.temperature"], 0.7);
      assert.equal(span.attributes["gen_ai.request.max_tokens"], 256);
      assert.equal(span.attributes.tool_count, 1);
      assert.match(span.attributes["gen_ai.system_instructions"], /^You are Ada/);
    }
    for (const span of byName(spans, "stt")) {
      assert.ok(span.attributes["metrics.ttfb"] >= 0, "STT TTFB recorded");
      assert.ok(span.attributes["metrics.audio_seconds"] > 0);
      assert.equal(span.attributes.language, "en-US");
    }
    for (const span of byName(spans, "tts")) {
      assert.ok(span.attributes["metrics.ttfb"] >= 0, "TTS TTFB recorded");
      assert.ok(span.attributes["metrics.character_count"] > 0);
    }
  });

  it("the tool span is a child of the llm span that asked for it, and the first llm span's input is the user's question", () => {
    const tool = onlyOne(spans, "execute_tool get_weather");
    const requester = spans.find((span) => spanIdOf(span) === parentIdOf(tool));
    assert.equal(requester.name, "llm");
    const input = JSON.parse(requester.attributes.input);
    assert.deepEqual(input.at(-1), { role: "user", content: "What's the weather like in Paris right now?" });
  });
});
