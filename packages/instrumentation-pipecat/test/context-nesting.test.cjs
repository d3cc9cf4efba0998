// Context: the conversation's parent is the caller's context when the task starts running, and the
// services' model calls run with their own span active, so spans other instrumentations create there
// (an HTTP client, the OpenAI SDK) nest under `llm` / `stt` / `tts` / `execute_tool`.
const assert = require("node:assert/strict");
const { after, before, describe, it } = require("node:test");
const { context, propagation, trace } = require("@opentelemetry/api");
const { instrumentedRuntime } = require("./support/instrumented-runtime.cjs");
const { byName, onlyOne, parentIdOf, spanIdOf } = require("../../../test/support/otel.cjs");

const { exporter, pipecat, tracer } = instrumentedRuntime();

/** Records the span active whenever `object[method]` is called (what any instrumentation would see). */
function recordActiveSpan(object, method, seen) {
  const original = object[method];
  object[method] = function (...args) {
    seen.push(trace.getActiveSpan());
    return original.apply(this, args);
  };
}

describe("context", () => {
  it("the conversation starts in the caller's context: under its span, and carrying its values down to tool calls", async () => {
    exporter.reset();
    const demo = pipecat.createDemoConversation();
    let baggageInTool;
    demo.llm.registerFunction("get_weather", () => {
      baggageInTool = propagation.getBaggage(context.active())?.getEntry("user.id")?.value;
      return { city: "Paris", conditions: "sunny", temperatureC: 22 };
    });
    // What propagateAttributes does: values in the caller's context (here as baggage).
    const callerContext = propagation.setBaggage(context.active(), propagation.createBaggage({ "user.id": { value: "u-9" } }));
    await context.with(callerContext, () =>
      tracer.startActiveSpan("workflow", async (workflow) => {
        await demo.task.run();
        workflow.end();
      }),
    );
    const spans = exporter.getFinishedSpans();
    assert.equal(parentIdOf(onlyOne(spans, "conversation")), spanIdOf(onlyOne(spans, "workflow")));
    assert.equal(baggageInTool, "u-9", "the tool call ran in a context derived from the caller's");
    const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
    assert.equal(traceIds.size, 1, "one trace, rooted at the workflow");
  });

  it("tool handlers, LLM and TTS model calls run with their span active; per-frame STT work runs in the pipeline's context", async () => {
    exporter.reset();
    const demo = pipecat.createDemoConversation();
    const inHandler = [];
    const inStt = [];
    const inLlm = [];
    const inTts = [];
    demo.llm.registerFunction("get_weather", () => {
      inHandler.push(trace.getActiveSpan());
      return { city: "Paris", conditions: "sunny", temperatureC: 22 };
    });
    recordActiveSpan(demo.stt, "runStt", inStt);
    recordActiveSpan(demo.llm, "runLlm", inLlm);
    recordActiveSpan(demo.tts, "runTts", inTts);
    await demo.task.run();
    const spans = exporter.getFinishedSpans();
    const nameOf = (span) => span?.name;
    assert.deepEqual(inHandler.map(nameOf), ["execute_tool get_weather"]);
    assert.equal(inHandler[0].spanContext().spanId, spanIdOf(onlyOne(spans, "execute_tool get_weather")));
    assert.ok(inLlm.length >= 5 && inLlm.every((span) => span?.name === "llm"), "every model run inside its llm span");
    assert.deepEqual(new Set(inLlm.map((span) => span.spanContext().spanId)), new Set(byName(spans, "llm").map(spanIdOf)));
    assert.ok(inTts.length > 0 && inTts.every((span) => span?.name === "tts"));
    // STT hears every 20 ms audio frame: no context switch per frame (a streaming service's per-frame
    // work creates no spans), so it runs in the context the pipeline runs in — here none.
    assert.ok(inStt.length > 100);
    assert.ok(inStt.every((span) => span === undefined), "per-frame STT work is not switched into a span of ours");
  });
});

describe("the real OpenAI SDK against a loopback endpoint", () => {
  let loopback;
  const realFetch = globalThis.fetch;
  const httpSpans = [];

  before(async () => {
    // ESM, so imported (this file is CommonJS). Every request gets the same streamed answer.
    const { startFakeOpenAI, textReply } = await import("../../../test/support/openai-server.mjs");
    loopback = await startFakeOpenAI(() => textReply("Sure. Anything else?", { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 }));
    // What a fetch instrumentation does: a client span in the active context around each request.
    globalThis.fetch = (input, init) =>
      tracer.startActiveSpan("HTTP POST", async (span) => {
        httpSpans.push(span);
        try {
          return await realFetch(input, init);
        } finally {
          span.end();
        }
      });
  });

  after(async () => {
    globalThis.fetch = realFetch;
    await loopback.close();
  });

  it("nests the HTTP spans of each chat completion under its llm span, which records the streamed answer", async () => {
    exporter.reset();
    const llm = new pipecat.OpenAILLMService({ apiKey: "test-key", baseURL: loopback.baseURL, model: "gpt-test", maxRetries: 0 });
    const demo = pipecat.createDemoConversation({ llm });
    await demo.task.run();
    const spans = exporter.getFinishedSpans();
    const llmSpans = byName(spans, "llm");
    assert.equal(loopback.requests.length, llmSpans.length, "one request per model run");
    assert.ok(loopback.requests.every((request) => request.method === "POST" && request.url === "/v1/chat/completions"));
    assert.ok(llmSpans.length >= 4);
    const http = byName(spans, "HTTP POST");
    assert.equal(http.length, loopback.requests.length);
    const llmIds = new Set(llmSpans.map(spanIdOf));
    for (const span of http) assert.ok(llmIds.has(parentIdOf(span)), "each HTTP span is a child of an llm span");
    const answered = llmSpans.find((span) => span.attributes.output === "Sure. Anything else?");
    assert.ok(answered, "the streamed answer is the llm span's output");
    assert.equal(answered.attributes["gen_ai.provider.name"], "openai");
    assert.equal(answered.attributes["gen_ai.request.model"], "gpt-test");
    assert.equal(answered.attributes["gen_ai.usage.input_tokens"], 11);
    assert.equal(answered.attributes["gen_ai.usage.output_tokens"], 3);
  });
});
