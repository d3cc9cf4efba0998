// Big inputs never push out what the instrumentation records, and never carry user text past content
// capture: 500 propagated metadata keys leave every span's own attributes in place (the metadata is
// capped, with one warning naming the count); a tool throwing a 10 MB error quoting the user, with
// content capture off, exports its error type and a fixed text only — and with capture on, a capped text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { runNode } from "./support/processes.mjs";

const CANARY = "user-said-CANARY-7f3a";

async function runChild(args) {
  const receiver = await startOtlpReceiver();
  try {
    const result = await runNode(["test/fixtures/big-inputs-child.mjs", ...args], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    return { result, receiver };
  } finally {
    await receiver.close();
  }
}

test("500 metadata keys: the instrumentation's own attributes all survive; metadata is capped and warned about once", async () => {
  const { result, receiver } = await runChild(["metadata"]);
  const spans = receiver.spans();
  const byName = (name) => spans.filter((span) => span.name === name);
  const [conversation] = byName("conversation");
  assert.equal(conversation.attributes["conversation.end_reason"], "end_frame");
  assert.ok(conversation.attributes["session.id"], "session attributes kept");
  assert.ok(conversation.attributes["conversation.transcript"] ?? conversation.attributes["session.transcript"], JSON.stringify(Object.keys(conversation.attributes)));
  for (const turn of byName("turn")) assert.equal(typeof turn.attributes["turn.duration_seconds"], "number");
  for (const llm of byName("llm")) {
    assert.equal(typeof llm.attributes["gen_ai.usage.input_tokens"], "number");
    assert.equal(typeof llm.attributes["metrics.ttfb"], "number");
  }
  for (const span of spans) {
    assert.equal(span.attributes["respan.customer_params.customer_identifier"], "customer-500", span.name);
    const metadataKeys = Object.keys(span.attributes).filter((key) => key.startsWith("respan.metadata."));
    assert.ok(metadataKeys.length > 0 && metadataKeys.length <= 64, `${span.name}: ${metadataKeys.length} metadata keys`);
  }
  const warnings = result.stderr.split("\n").filter((line) => line.includes("metadata has 500 keys"));
  assert.equal(warnings.length, 1, result.stderr);
});

test("a 10 MB tool error quoting the user, content capture off: only its type and a fixed text leave", async () => {
  const { receiver } = await runChild(["big-error"]);
  const bodyBytes = receiver.requests.reduce((sum, request) => sum + request.body.length, 0);
  assert.ok(bodyBytes < 512 * 1024, `${bodyBytes} bytes exported`);
  assert.ok(receiver.requests.every((request) => !request.body.includes(CANARY)), "no user text in any request");
  const [tool] = receiver.spans().filter((span) => span.name.startsWith("execute_tool"));
  assert.equal(tool.status.code, 2);
  assert.equal(tool.status.message, "ToolError: error details withheld (content capture is off)");
  const exception = tool.events.find((event) => event.name === "exception");
  assert.equal(exception.attributes["exception.type"], "ToolError");
  assert.equal(exception.attributes["exception.stacktrace"], undefined);
});

test("a 10 MB tool error with content capture on: its text is capped", async () => {
  const { receiver } = await runChild(["big-error", "capture"]);
  const bodyBytes = receiver.requests.reduce((sum, request) => sum + request.body.length, 0);
  assert.ok(bodyBytes < 512 * 1024, `${bodyBytes} bytes exported`);
  const [tool] = receiver.spans().filter((span) => span.name.startsWith("execute_tool"));
  assert.ok(tool.status.message.includes(CANARY));
  assert.ok(tool.status.message.length <= 4096 + 20, `status message of ${tool.status.message.length} characters`);
  const exception = tool.events.find((event) => event.name === "exception");
  assert.ok(exception.attributes["exception.message"].length <= 4096 + 20);
});
