// End to end: the OpenAI voice agent example against a loopback server speaking the OpenAI streaming
// protocol (OPENAI_BASE_URL), traced to an OTLP collector; and its message when no key is set.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { textReply, startFakeOpenAI, toolCallReply } from "./support/openai-server.mjs";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { repoRoot, runNode } from "./support/processes.mjs";
import { assertVoiceSessionTrace } from "./support/voice-trace.mjs";

const EXAMPLE = path.join(repoRoot, "examples/openai-voice-agent/dist/main.js");
const OPENAI_KEY = "sk-e2e-not-a-real-key";

/** A tiny model: greets, calls the weather tool when asked about weather, then answers from its result. */
function model(request) {
  const messages = request.body.messages;
  const last = messages.at(-1);
  if (last.role === "tool") return textReply("It is sunny and 22 degrees in Paris right now, with a light breeze later on.");
  if (last.role === "user" && /weather/i.test(last.content)) return toolCallReply("call_weather_1", "get_weather", { city: "Paris" });
  if (last.role === "user") return textReply("Happy to help. Goodbye!");
  return textReply("Hello, I'm Ada. How can I help you today?");
}

describe("openai voice agent against an OpenAI-compatible endpoint", () => {
  /** @type {Awaited<ReturnType<typeof startFakeOpenAI>>} */
  let openai;
  /** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
  let collector;
  /** @type {Awaited<ReturnType<typeof runNode>>} */
  let result;
  before(async () => {
    openai = await startFakeOpenAI(model);
    collector = await startOtlpReceiver();
    result = await runNode([EXAMPLE], {
      env: { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.baseURL, OPENAI_MODEL: "gpt-e2e", OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
      timeoutMs: 120_000,
    });
  });
  after(async () => {
    await openai.close();
    await collector.close();
  });

  test("the example streams from the endpoint and finishes", () => {
    assert.equal(result.code, 0, result.stderr);
    assert.ok(openai.requests.length >= 4, `model called per turn and after the tool (${openai.requests.length} requests)`);
    for (const request of openai.requests) {
      assert.equal(request.url, "/v1/chat/completions");
      assert.equal(request.headers.authorization, `Bearer ${OPENAI_KEY}`);
      assert.equal(request.body.model, "gpt-e2e");
      assert.equal(request.body.stream, true);
    }
  });

  test("llm spans carry the provider, model and token usage; the tool span sits under its llm span", () => {
    const trace = assertVoiceSessionTrace(collector.spans(), { customer: "customer_42" });
    const llmSpans = trace.named("llm");
    for (const span of llmSpans) {
      assert.equal(span.attributes["gen_ai.provider.name"], "openai");
      assert.equal(span.attributes["gen_ai.request.model"], "gpt-e2e");
      assert.ok(span.attributes["gen_ai.usage.input_tokens"] > 0, "input tokens");
      assert.ok(span.attributes["gen_ai.usage.output_tokens"] > 0, "output tokens");
    }
    const [tool] = trace.named("execute_tool get_weather");
    assert.equal(tool.attributes["gen_ai.tool.call.id"], "call_weather_1");
    assert.ok(!JSON.stringify(collector.spans()).includes(OPENAI_KEY), "the OpenAI key is on no span");
  });
});

test("without OPENAI_API_KEY the example explains what is missing and exits with code 2", async () => {
  const result = await runNode([EXAMPLE]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /OPENAI_API_KEY is not set/);
});
