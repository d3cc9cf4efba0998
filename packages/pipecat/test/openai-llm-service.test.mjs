import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EndFrame,
  FunctionCallResultFrame,
  InterruptionFrame,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  LLMUsageMetricsData,
  MetricsFrame,
  OpenAILLMService,
  Pipeline,
  PipelineTask,
  ScaledClock,
} from "pipecat-ts";
import { Recorder, runFrames, within } from "./helpers.mjs";
import { eventually } from "../../../test/support/eventually.cjs";
import { chunk, sse, startFakeOpenAI } from "../../../test/support/openai-server.mjs";

const USAGE = {
  prompt_tokens: 12,
  completion_tokens: 3,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 4 },
  completion_tokens_details: { reasoning_tokens: 1 },
};

function service(baseURL, extra = {}) {
  return new OpenAILLMService({ apiKey: "test-key", baseURL, model: "gpt-test", maxRetries: 0, ...extra });
}

test("streams text and reports usage from a streaming chat completion", async () => {
  const server = await startFakeOpenAI([
    sse([chunk({ role: "assistant", content: "" }), chunk({ content: "Hello" }), chunk({ content: " world" }), { ...chunk({}), choices: [], usage: USAGE }]),
  ]);
  try {
    const llm = service(server.baseURL, { settings: { temperature: 0.3, maxTokens: 50, topP: 0.8 } });
    const context = new LLMContext({ messages: [{ role: "user", content: "Say hello" }] });
    const { tail, errors } = await runFrames([llm], [new LLMContextFrame(context)], {
      clock: new ScaledClock(),
      params: { enableMetrics: true, enableUsageMetrics: true },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(tail.downstream(LLMTextFrame).map((f) => f.text), ["Hello", " world"]);
    const [usage] = tail.downstream(MetricsFrame).flatMap((f) => f.data).filter((d) => d instanceof LLMUsageMetricsData);
    assert.deepEqual(usage.value, { promptTokens: 12, completionTokens: 3, totalTokens: 15, cacheReadInputTokens: 4, reasoningTokens: 1 });
    assert.equal(usage.model, "gpt-test");

    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request.url, "/v1/chat/completions");
    assert.equal(request.headers.authorization, "Bearer test-key");
    assert.equal(request.body.model, "gpt-test");
    assert.equal(request.body.stream, true);
    assert.deepEqual(request.body.stream_options, { include_usage: true });
    assert.deepEqual(request.body.messages, [{ role: "user", content: "Say hello" }]);
    assert.equal(request.body.temperature, 0.3);
    assert.equal(request.body.max_tokens, 50);
    assert.equal(request.body.top_p, 0.8);
    assert.equal(request.body.tools, undefined);
  } finally {
    await server.close();
  }
});

test("accumulates streamed tool-call deltas, runs the tool and sends its result back", async () => {
  const toolDelta = (fn, id) => chunk({ tool_calls: [{ index: 0, ...(id ? { id, type: "function" } : {}), function: fn }] });
  const server = await startFakeOpenAI([
    sse([
      chunk({ role: "assistant", content: null }),
      toolDelta({ name: "get_weather", arguments: "" }, "call_abc"),
      toolDelta({ arguments: '{"ci' }),
      toolDelta({ arguments: 'ty": "Paris"}' }),
      { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
    ]),
    sse([chunk({ content: "It is sunny in Paris." })]),
  ]);
  try {
    const llm = service(server.baseURL);
    llm.registerFunction("get_weather", ({ arguments: args }) => ({ city: args.city, conditions: "sunny" }));
    /** @type {import("pipecat-ts").LLMTool[]} */
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    const context = new LLMContext({ messages: [{ role: "user", content: "Weather in Paris?" }], tools, toolChoice: "auto" });
    const { tail, errors } = await runFrames([llm], [new LLMContextFrame(context)], { clock: new ScaledClock() });
    assert.deepEqual(errors, []);
    const [result] = tail.downstream(FunctionCallResultFrame);
    assert.equal(result.toolCallId, "call_abc");
    assert.deepEqual(result.arguments, { city: "Paris" });
    assert.deepEqual(result.result, { city: "Paris", conditions: "sunny" });
    assert.equal(tail.downstream(LLMTextFrame).map((f) => f.text).join(""), "It is sunny in Paris.");

    assert.equal(server.requests.length, 2);
    assert.deepEqual(server.requests[0].body.tools, tools);
    assert.equal(server.requests[0].body.tool_choice, "auto");
    assert.deepEqual(server.requests[1].body.messages.slice(1), [
      { role: "assistant", content: null, tool_calls: [{ id: "call_abc", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_abc", content: '{"city":"Paris","conditions":"sunny"}' },
    ]);
  } finally {
    await server.close();
  }
});

test("an HTTP error becomes a non-fatal ErrorFrame naming the service and the status", async () => {
  const server = await startFakeOpenAI([
    (_req, res) => res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"the model is overloaded","type":"server_error"}}'),
    sse([chunk({ content: "Recovered." })]),
  ]);
  try {
    const llm = service(server.baseURL);
    const context = new LLMContext({ messages: [{ role: "user", content: "hi" }] });
    const { tail, errors } = await runFrames([llm], [new LLMContextFrame(context), new LLMContextFrame(context)], { clock: new ScaledClock() });
    assert.equal(errors.length, 1);
    assert.equal(errors[0].fatal, false);
    assert.equal(errors[0].processor, llm);
    assert.match(errors[0].error, /^OpenAILLMService#\d+: chat completion request failed with HTTP 500: .*overloaded/);
    assert.ok(!errors[0].error.includes("test-key"), "never leaks the key");
    assert.equal(tail.downstream(LLMFullResponseStartFrame).length, 2);
    assert.equal(tail.downstream(LLMFullResponseEndFrame).length, 2, "the failed response is still closed");
    assert.equal(tail.downstream(LLMTextFrame).map((f) => f.text).join(""), "Recovered.", "the service keeps working");
  } finally {
    await server.close();
  }
});

test("a malformed stream chunk becomes an ErrorFrame, not a crash", async () => {
  const server = await startFakeOpenAI([sse([chunk({ content: "Partial" }), "{this is not json"])]);
  try {
    const llm = service(server.baseURL);
    const { tail, errors } = await runFrames([llm], [new LLMContextFrame(new LLMContext({ messages: [{ role: "user", content: "hi" }] }))], {
      clock: new ScaledClock(),
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0].error, /^OpenAILLMService#\d+: chat completion stream sent a malformed chunk/);
    assert.deepEqual(tail.downstream(LLMTextFrame).map((f) => f.text), ["Partial"]);
    assert.equal(tail.downstream(LLMFullResponseEndFrame).length, 1);
  } finally {
    await server.close();
  }
});

test("an interruption aborts the streaming request", async () => {
  let requestClosed;
  const closed = new Promise((resolve) => (requestClosed = resolve));
  const server = await startFakeOpenAI([
    (req, res) => {
      res.on("close", requestClosed);
      sse(Array.from({ length: 200 }, (_, i) => chunk({ content: ` w${i}` })), { delayMs: 20 })(req, res);
    },
  ]);
  try {
    const llm = service(server.baseURL);
    const tail = new Recorder("Tail");
    const task = new PipelineTask(new Pipeline([llm, tail]), { clock: new ScaledClock(), idleTimeoutSecs: null });
    const errors = [];
    task.on("onPipelineError", (_, frame) => errors.push(frame));
    const running = task.run();
    await task.queueFrame(new LLMContextFrame(new LLMContext({ messages: [{ role: "user", content: "talk" }] })));
    await eventually(() => tail.downstream(LLMTextFrame).length >= 3, 5000, "three streamed tokens");
    await task.queueFrame(new InterruptionFrame());
    await within(3000, closed, "request abort");
    const spoken = tail.downstream(LLMTextFrame).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(tail.downstream(LLMTextFrame).length <= spoken + 1, "no more text after the interruption");
    await task.queueFrame(new EndFrame());
    await within(5000, running);
    assert.deepEqual(errors, [], "an interruption is not an error");
    assert.equal(tail.downstream(LLMFullResponseEndFrame).length, 1);
  } finally {
    await server.close();
  }
});

test("OpenAILLMService fails fast without an API key and on a bad baseURL", () => {
  const saved = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  try {
    assert.throws(() => new OpenAILLMService(), /OpenAILLMService#\d+: "apiKey" is required: pass it as an option or set OPENAI_API_KEY/);
    assert.throws(() => new OpenAILLMService({ apiKey: "k", baseURL: "not a url" }), /"baseURL" must be an absolute http\(s\) URL, got "not a url"/);
    assert.throws(() => new OpenAILLMService({ apiKey: "k", maxRetries: -1 }), /"maxRetries" must be a finite number >= 0/);
    process.env.OPENAI_API_KEY = "from-env";
    const llm = new OpenAILLMService({ baseURL: "http://127.0.0.1:9/v1" });
    assert.equal(llm.model, "gpt-4o-mini");
    assert.equal(llm.baseURL, "http://127.0.0.1:9/v1");
  } finally {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  }
});
