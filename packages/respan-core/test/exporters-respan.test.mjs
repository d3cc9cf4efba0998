// The Respan exporter against a loopback receiver: the exact wire format and headers, the translation
// of vendor-neutral (Pipecat / GenAI) spans into Respan's keys, and the API key staying out of every
// body, span and log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Respan, RespanSpanExporter, propagateAttributes, withWorkflow } from "@respan/core";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { captureConsole, withEnv } from "./helpers/client-helpers.mjs";

const API_KEY = "rsp-test-0123456789abcdef-SECRET";
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const NANOS = /^[1-9][0-9]{18}$/;

const MESSAGES = [
  { role: "system", content: "You are a weather bot." },
  { role: "user", content: "What's the weather in Paris?" },
];

/** Emits one Pipecat-shaped conversation (vendor-neutral attributes only) and returns nothing. */
function emitConversation() {
  const tracer = trace.getTracer("pipecat-test", "1.0.0");
  const inSpan = (span) => trace.setSpan(context.active(), span);
  const conversation = tracer.startSpan("conversation", {
    attributes: {
      "conversation.id": "call-1",
      "conversation.type": "voice",
      // Written by the Pipecat instrumentation's session capture.
      "session.id": "session-7",
      "session.metadata.campaign": "spring",
      "session.metadata.raw": '{"intValue":5}',
      "session.metadata.counts": [3, -4],
    },
  });
  const turn = tracer.startSpan("turn", { attributes: { "turn.number": 1, "turn.type": "conversation" } }, inSpan(conversation));
  const turnContext = inSpan(turn);
  tracer
    .startSpan(
      "stt",
      { attributes: { "gen_ai.operation.name": "stt", transcript: "What's the weather in Paris?", "metrics.ttfb": 0.125, is_final: true } },
      turnContext,
    )
    .end();
  const llm = tracer.startSpan(
    "llm",
    {
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        input: JSON.stringify(MESSAGES),
        output: "It is sunny in Paris.",
        tools: JSON.stringify([{ type: "function", function: { name: "get_weather" } }]),
        stream: true,
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.output_tokens": 35,
        "gen_ai.usage.cache_read.input_tokens": 64,
        "gen_ai.usage.reasoning.output_tokens": 7,
      },
    },
    turnContext,
  );
  tracer
    .startSpan(
      "execute_tool get_weather",
      {
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": "get_weather",
          "gen_ai.tool.call.id": "call_1",
          "gen_ai.tool.call.arguments": '{"city":"Paris"}',
          "gen_ai.tool.call.result": '{"sky":"sunny"}',
        },
      },
      inSpan(llm),
    )
    .end();
  llm.end();
  tracer.startSpan("tts", { attributes: { "gen_ai.operation.name": "tts", text: "It is sunny in Paris.", voice_id: "alloy" } }, turnContext).end();
  // A span kind the translation has no entry for, inside a conversation (it carries conversation.id).
  tracer.startSpan("vad", { attributes: { "conversation.id": "conv-1", "vad.start_secs": 0.2 } }, turnContext).end();
  // A span that already carries Respan's keys keeps them.
  tracer
    .startSpan("llm", { attributes: { "respan.entity.log_type": "task", "traceloop.entity.input": "kept", input: "[]" } }, turnContext)
    .end();
  turn.end();
  conversation.end();
  // A span of another library, with nothing Respan types: only the log method is added.
  trace.getTracer("other-lib").startSpan("GET /health", { attributes: { "http.response.status_code": 200 } }).end();
}

function attributeMap(keyValues = []) {
  return Object.fromEntries(keyValues.map(({ key, value }) => [key, value]));
}

test("Respan wire format: POST {base}/v2/traces, Bearer auth, canonical OTLP JSON grouped by resource and scope", async () => {
  await withEnv({}, async () => {
    const receiver = await startOtlpReceiver();
    const respan = new Respan({
      apiKey: API_KEY,
      baseUrl: `${receiver.url}/`,
      appName: "wire-test",
      headers: { "X-Respan-Team": "voice" },
      batching: { scheduledDelayMillis: 60_000 },
      flushOnExit: false,
    });
    try {
      emitConversation();
      await respan.flush();
    } finally {
      await respan.shutdown();
      await receiver.close();
    }
    assert.equal(receiver.requests.length, 1, "one batch, one request");
    const [request] = receiver.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/api/v2/traces");
    assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["x-respan-team"], "voice");
    assert.equal(request.decodeError, undefined);

    const body = request.decoded;
    assert.equal(body.resourceSpans.length, 1, "all spans share one resource");
    const [resourceSpans] = body.resourceSpans;
    assert.deepEqual(attributeMap(resourceSpans.resource.attributes)["service.name"], { stringValue: "wire-test" });
    const scopes = resourceSpans.scopeSpans.map((scopeSpans) => scopeSpans.scope.name).sort();
    assert.deepEqual(scopes, ["other-lib", "pipecat-test"], "one entry per instrumentation scope");
    const pipecatScope = resourceSpans.scopeSpans.find((scopeSpans) => scopeSpans.scope.name === "pipecat-test");
    assert.equal(pipecatScope.scope.version, "1.0.0");
    assert.equal(pipecatScope.spans.length, 8);

    for (const span of resourceSpans.scopeSpans.flatMap((scopeSpans) => scopeSpans.spans)) {
      assert.match(span.traceId, HEX32);
      assert.match(span.spanId, HEX16);
      assert.match(span.startTimeUnixNano, NANOS);
      assert.match(span.endTimeUnixNano, NANOS);
      assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    }
    const byName = Object.fromEntries(pipecatScope.spans.map((span) => [span.name, span]));
    assert.equal(byName.conversation.parentSpanId, undefined);
    assert.equal(byName.turn.parentSpanId, byName.conversation.spanId);
    assert.equal(byName.turn.traceId, byName.conversation.traceId);
    const turnAttributes = attributeMap(byName.turn.attributes);
    assert.deepEqual(turnAttributes["turn.number"], { intValue: "1" }, "integers are strings in OTLP JSON");
    const sttAttributes = attributeMap(byName.stt.attributes);
    assert.deepEqual(sttAttributes["metrics.ttfb"], { doubleValue: 0.125 });
    assert.deepEqual(sttAttributes.is_final, { boolValue: true });
    assert.deepEqual(sttAttributes["respan.entity.log_method"], { stringValue: "ts_tracing" });
    const conversationAttributes = attributeMap(byName.conversation.attributes);
    assert.deepEqual(conversationAttributes["session.metadata.raw"], { stringValue: '{"intValue":5}' }, "text that looks like an int value is left alone");
    assert.deepEqual(
      conversationAttributes["session.metadata.counts"],
      { arrayValue: { values: [{ intValue: "3" }, { intValue: "-4" }] } },
      "integers inside arrays are strings too",
    );
  });
});

test("Respan translation: log types, usage, model and entity input/output keys", async () => {
  await withEnv({}, async () => {
    const receiver = await startOtlpReceiver();
    const respan = new Respan({ apiKey: API_KEY, baseUrl: receiver.url, batching: false, flushOnExit: false });
    try {
      emitConversation();
      await withWorkflow({ name: "handle_call" }, async () => "done");
      await respan.flush();
    } finally {
      await respan.shutdown();
      await receiver.close();
    }
    const spans = receiver.spans();
    const find = (name, predicate = (/** @type {import("@opentelemetry/sdk-trace-base").ReadableSpan} */ _span) => true) => spans.find((span) => span.name === name && predicate(span))?.attributes;
    const logType = (attributes) => attributes["respan.entity.log_type"];

    assert.ok(spans.every((span) => span.attributes["respan.entity.log_method"] === "ts_tracing"));
    assert.equal(logType(find("conversation")), "workflow");
    assert.equal(find("conversation")["traceloop.entity.name"], "conversation");
    assert.equal(find("conversation")["respan.sessions.session_identifier"], "session-7", "session id → Respan session");
    assert.equal(find("conversation")["respan.metadata.campaign"], "spring", "session metadata → Respan metadata");
    assert.equal(logType(find("turn")), "workflow");

    const stt = find("stt");
    assert.equal(logType(stt), "transcription");
    assert.equal(stt["traceloop.entity.output"], "What's the weather in Paris?");

    const llm = find("llm", (span) => span.attributes["gen_ai.operation.name"] === "chat");
    assert.equal(logType(llm), "chat");
    assert.equal(llm["llm.request.type"], "chat");
    assert.equal(llm["gen_ai.request.model"], "gpt-4o-mini");
    assert.equal(llm["gen_ai.system"], "openai");
    assert.equal(llm["gen_ai.usage.prompt_tokens"], 120);
    assert.equal(llm["gen_ai.usage.completion_tokens"], 35);
    assert.equal(llm["llm.usage.total_tokens"], 155);
    assert.equal(llm["gen_ai.usage.cache_read_input_tokens"], 64);
    assert.equal(llm["llm.usage.reasoning_tokens"], 7);
    assert.equal(llm["gen_ai.usage.input_tokens"], 120, "the GenAI keys stay");
    assert.equal(llm["llm.is_streaming"], true);
    assert.equal(llm["llm.request.functions"], JSON.stringify([{ type: "function", function: { name: "get_weather" } }]));
    assert.equal(llm["traceloop.entity.input"], JSON.stringify(MESSAGES));
    assert.equal(llm["traceloop.entity.output"], "It is sunny in Paris.");
    assert.equal(llm["gen_ai.prompt.0.role"], "system");
    assert.equal(llm["gen_ai.prompt.1.content"], "What's the weather in Paris?");
    assert.equal(llm["gen_ai.completion.0.role"], "assistant");
    assert.equal(llm["gen_ai.completion.0.content"], "It is sunny in Paris.");

    const tool = find("execute_tool get_weather");
    assert.equal(logType(tool), "tool");
    assert.equal(tool["traceloop.entity.name"], "get_weather");
    assert.equal(tool["traceloop.entity.input"], '{"city":"Paris"}');
    assert.equal(tool["traceloop.entity.output"], '{"sky":"sunny"}');

    const tts = find("tts");
    assert.equal(logType(tts), "speech");
    assert.equal(tts["traceloop.entity.input"], "It is sunny in Paris.");

    assert.equal(logType(find("vad")), "task", "any other span of a conversation is a step of it");

    const preset = find("llm", (span) => span.attributes["respan.entity.log_type"] === "task");
    assert.ok(preset, "a span's own log type wins");
    assert.equal(preset["traceloop.entity.input"], "kept", "a span's own entity input wins");

    const other = find("GET /health");
    assert.equal(logType(other), undefined);
    assert.equal(other["traceloop.entity.name"], undefined);

    const workflow = find("handle_call.workflow");
    assert.equal(logType(workflow), "workflow");
    assert.equal(workflow["traceloop.entity.name"], "handle_call");
  });
});

test("chat prompt for Respan: the system prompt first, then the messages new since the previous model run", async () => {
  const newMessages = [
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "What's the weather in Paris?" },
  ];
  const longInput = Array.from({ length: 70 }, (_, index) => ({ role: "user", content: `message ${index}` }));
  await withEnv({}, async () => {
    const receiver = await startOtlpReceiver();
    const respan = new Respan({ apiKey: API_KEY, baseUrl: receiver.url, batching: false, flushOnExit: false });
    try {
      const tracer = trace.getTracer("pipecat-test");
      const chat = (name, attributes) => tracer.startSpan("llm", { attributes: { "gen_ai.operation.name": "chat", "test.case": name, ...attributes } }).end();
      chat("second-run", { "gen_ai.system_instructions": "You are a weather bot.", input: JSON.stringify(newMessages), output: "Sunny." });
      chat("long", { "gen_ai.system_instructions": "Be brief.", input: JSON.stringify(longInput) });
      chat("no-new-messages", { "gen_ai.system_instructions": "Be brief.", input: "[]" });
      await respan.flush();
    } finally {
      await respan.shutdown();
      await receiver.close();
    }
    const byCase = Object.fromEntries(receiver.spans().map((span) => [span.attributes["test.case"], span.attributes]));
    const prompt = (attributes) => {
      const messages = [];
      for (let i = 0; attributes[`gen_ai.prompt.${i}.role`] !== undefined; i++) {
        messages.push([attributes[`gen_ai.prompt.${i}.role`], attributes[`gen_ai.prompt.${i}.content`]]);
      }
      return messages;
    };
    assert.deepEqual(prompt(byCase["second-run"]), [
      ["system", "You are a weather bot."],
      ["assistant", "Hello! How can I help?"],
      ["user", "What's the weather in Paris?"],
    ]);
    assert.equal(byCase["second-run"]["gen_ai.completion.0.content"], "Sunny.");
    const long = prompt(byCase.long);
    assert.equal(long.length, 64, "at most 64 prompt messages, the system prompt included");
    assert.deepEqual(long[0], ["system", "Be brief."]);
    assert.deepEqual(long[1], ["user", "message 7"], "then the latest input messages");
    assert.deepEqual(long[63], ["user", "message 69"]);
    assert.deepEqual(prompt(byCase["no-new-messages"]), [["system", "Be brief."]]);
  });
});

test("translation works on copies: other exporters receive the original, untranslated spans", async () => {
  await withEnv({}, async () => {
    const receiver = await startOtlpReceiver();
    const memory = new InMemorySpanExporter();
    const respan = new Respan({ apiKey: API_KEY, baseUrl: receiver.url, exporters: [memory], batching: false, flushOnExit: false });
    try {
      emitConversation();
      await respan.flush();
      assert.equal(receiver.spans().find((span) => span.name === "stt").attributes["respan.entity.log_type"], "transcription");
      const originals = memory.getFinishedSpans();
      assert.equal(originals.length, 9);
      for (const span of originals) {
        assert.equal(span.attributes["respan.entity.log_method"], undefined, span.name);
        assert.equal(span.attributes["traceloop.entity.output"], undefined, span.name);
      }
      assert.equal(originals.find((span) => span.name === "stt").attributes.transcript, "What's the weather in Paris?");
    } finally {
      await respan.shutdown();
      await receiver.close();
    }
  });
});

test("the API key appears only in the Authorization header: never in a body, a span or a log line", async () => {
  const respanReceiver = await startOtlpReceiver({ respond: ({ index }) => (index === 0 ? { status: 401 } : undefined) });
  const collector = await startOtlpReceiver();
  const memory = new InMemorySpanExporter();
  /** @type {string[]} */
  let exported = [];
  const { lines } = await captureConsole(() =>
    withEnv(
      {
        RESPAN_API_KEY: API_KEY,
        RESPAN_BASE_URL: `${respanReceiver.url}/api`,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        RESPAN_LOG_LEVEL: "debug",
      },
      async () => {
        const respan = new Respan({ exporters: [memory], batching: false, flushOnExit: false, metadata: { note: "no secrets here" } });
        try {
          await propagateAttributes({ customerIdentifier: "customer-1" }, async () => {
            emitConversation();
            await withWorkflow({ name: "wf" }, async (input) => ({ echoed: input }), { question: "hi" });
          });
          await respan.flush();
          exported = memory.getFinishedSpans().map((span) => JSON.stringify({ name: span.name, attributes: span.attributes, resource: span.resource.attributes }));
        } finally {
          await respan.shutdown();
        }
      },
    ),
  );
  await respanReceiver.close();
  await collector.close();

  assert.ok(respanReceiver.requests.length >= 2, "Respan received requests (the first answered 401)");
  assert.ok(collector.requests.length >= 1, "the collector received requests");
  for (const request of [...respanReceiver.requests, ...collector.requests]) {
    assert.ok(!request.body.toString("utf8").includes(API_KEY), `body of ${request.path}`);
  }
  for (const request of respanReceiver.requests) assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
  for (const request of collector.requests) {
    assert.ok(!JSON.stringify(request.headers).includes(API_KEY), "the collector never sees the key, not even in a header");
  }
  assert.ok(exported.length > 0);
  for (const span of exported) assert.ok(!span.includes(API_KEY), span);
  assert.ok(lines.length > 0, "debug logging produced lines");
  for (const line of lines) assert.ok(!line.text.includes(API_KEY), line.text);
  assert.ok(lines.some((line) => /sending spans to respan failed \(HTTP 401/.test(line.text)), "the 401 was reported");
});

test("a secret inside a log message is masked", async () => {
  const { Logger } = await import("../dist/esm/logger.js");
  const { lines } = await captureConsole(() => {
    const logger = new Logger("debug", [API_KEY]);
    logger.warn(`request failed: Authorization: Bearer ${API_KEY} rejected`);
    logger.debug(API_KEY);
  });
  assert.deepEqual(
    lines.map((line) => line.text),
    ["[respan] request failed: Authorization: Bearer [redacted] rejected", "[respan] [redacted]"],
  );
});

test("OTEL_EXPORTER_OTLP_* settings meant for a collector never apply to requests to Respan", async () => {
  const respanReceiver = await startOtlpReceiver();
  await withEnv({ OTEL_EXPORTER_OTLP_HEADERS: "x-collector-token=collector-secret", OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }, async () => {
    const respan = new Respan({ apiKey: API_KEY, baseUrl: respanReceiver.url, batching: false, flushOnExit: false });
    try {
      trace.getTracer("t").startSpan("s").end();
      await respan.flush();
    } finally {
      await respan.shutdown();
    }
  });
  await respanReceiver.close();
  assert.equal(respanReceiver.requests.length, 1);
  const [request] = respanReceiver.requests;
  assert.equal(request.headers["x-collector-token"], undefined);
  assert.equal(request.headers["content-encoding"], undefined);
  assert.equal(request.decoded.resourceSpans[0].scopeSpans[0].spans[0].name, "s");
});

test("base URL precedence: option over RESPAN_BASE_URL; without an API key nothing goes to Respan", async () => {
  const fromOption = await startOtlpReceiver();
  const fromEnv = await startOtlpReceiver();
  try {
    await withEnv({ RESPAN_BASE_URL: fromEnv.url }, async () => {
      const respan = new Respan({ apiKey: API_KEY, baseUrl: `${fromOption.url}/api`, batching: false, flushOnExit: false });
      trace.getTracer("t").startSpan("to-option-url").end();
      await respan.shutdown();
    });
    assert.equal(fromOption.requests.length, 1);
    assert.equal(fromEnv.requests.length, 0);

    await withEnv({ RESPAN_BASE_URL: fromEnv.url }, async () => {
      const respan = new Respan({ batching: false, flushOnExit: false, tracesDir: false, printTree: false });
      trace.getTracer("t").startSpan("no-key").end();
      await respan.shutdown();
      assert.deepEqual(respan.getStats().exporters, []);
    });
    assert.equal(fromEnv.requests.length, 0, "no API key: the Respan exporter is not added");
  } finally {
    await fromOption.close();
    await fromEnv.close();
  }
});

test("RespanSpanExporter can be used on its own and validates its options", () => {
  // @ts-expect-error the API key is missing on purpose: the run-time check must reject it
  assert.throws(() => new RespanSpanExporter({}), /option "apiKey" must be a non-empty string/);
  assert.throws(() => new RespanSpanExporter({ apiKey: "k", baseUrl: "nope" }), /RespanSpanExporter option "baseUrl" must be an http\(s\) URL/);
  assert.equal(new RespanSpanExporter({ apiKey: "k" }).url, "https://api.respan.ai/api/v2/traces");
  assert.equal(new RespanSpanExporter({ apiKey: "k", baseUrl: "http://127.0.0.1:1/x/" }).url, "http://127.0.0.1:1/x/api/v2/traces");
});
