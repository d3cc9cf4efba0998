// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: `llm` spans also carry OpenTelemetry's newest
// GenAI keys (structured messages, tool definitions, finish reasons, stream); without it the output is the
// default, Pipecat-compatible one.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");

const { exporter, pipecat, instrumentation } = instrumentedRuntime();
const LATEST_KEYS = ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.tool.definitions", "gen_ai.response.finish_reasons", "gen_ai.request.stream"];

async function llmSpans(optIn) {
  if (optIn === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
  else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = optIn;
  exporter.reset();
  await runDemo(pipecat);
  return exporter.getFinishedSpans().filter((span) => span.name === "llm");
}

describe("GenAI latest conventions on opt-in", () => {
  it("default: none of the newest keys; the Pipecat-compatible ones are there", async () => {
    const spans = await llmSpans(undefined);
    assert.ok(spans.length >= 4);
    for (const span of spans) {
      for (const key of LATEST_KEYS) assert.equal(span.attributes[key], undefined, `${key} without opt-in`);
    }
    assert.ok(spans.some((span) => typeof span.attributes.output === "string"));
  });

  it("gen_ai_latest_experimental (in a comma list): structured input/output messages, tool definitions, finish reasons, stream", async () => {
    const spans = await llmSpans("http, gen_ai_latest_experimental");
    const answered = spans.filter((span) => span.attributes["gen_ai.output.messages"] !== undefined);
    assert.ok(answered.length >= 3, "answers carry gen_ai.output.messages");
    for (const span of spans) assert.equal(span.attributes["gen_ai.request.stream"], true);
    const [first] = answered;
    const output = JSON.parse(String(first.attributes["gen_ai.output.messages"]));
    assert.equal(output[0].role, "assistant");
    assert.equal(output[0].parts[0].type, "text");
    assert.equal(output[0].parts[0].content, first.attributes.output, "the same text as the default output attribute");
    assert.deepEqual(first.attributes["gen_ai.response.finish_reasons"], ["stop"]);
    const inputs = spans.map((span) => JSON.parse(String(span.attributes["gen_ai.input.messages"] ?? "[]"))).flat();
    const user = inputs.find((message) => message.role === "user");
    assert.ok(user !== undefined && user.parts[0].type === "text" && user.parts[0].content.length > 0, "a user message with text");
    assert.ok(inputs.some((message) => message.parts.some((part) => part.type === "tool_call" && part.name === "get_weather")), "the tool call");
    assert.ok(inputs.some((message) => message.role === "tool" && message.parts[0].type === "tool_call_response"), "the tool result");
    const definitions = JSON.parse(String(spans[0].attributes["gen_ai.tool.definitions"]));
    assert.equal(definitions[0].function.name, "get_weather");
    assert.ok(spans.every((span) => span.attributes["input"] !== undefined || span.attributes["gen_ai.input.messages"] !== undefined));
  });

  it("content capture off: structured messages are left out too (tool definitions stay: developer content)", async () => {
    instrumentation.setConfig({ captureContent: false });
    try {
      const spans = await llmSpans("gen_ai_latest_experimental");
      for (const span of spans) {
        assert.equal(span.attributes["gen_ai.input.messages"], undefined);
        assert.equal(span.attributes["gen_ai.output.messages"], undefined);
      }
      assert.ok(spans[0].attributes["gen_ai.tool.definitions"] !== undefined);
    } finally {
      instrumentation.setConfig({ captureContent: true });
    }
  });
});
