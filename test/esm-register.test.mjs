// End to end: an ES-module app with no tracing code, traced by
// `node --import @respan/instrumentation-pipecat/register` and environment variables alone.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { repoRoot, runNode } from "./support/processes.mjs";
import { indexTrace } from "./support/trace-tree.mjs";

const APP_DIR = path.join(repoRoot, "examples/esm-register");
/** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
let collector;
/** @type {Awaited<ReturnType<typeof runNode>>} */
let result;

before(async () => {
  collector = await startOtlpReceiver();
  result = await runNode(["--import", "@respan/instrumentation-pipecat/register", "app.mjs"], {
    cwd: APP_DIR,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: "esm-register-e2e", CALL_ID: "esm-call-1" },
  });
});
after(() => collector.close());

test("the app runs unchanged", () => {
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Call finished: 4 turns/);
});

test("its conversation is traced through the ESM loader hook and flushed at exit", () => {
  const trace = indexTrace(collector.spans());
  const [conversation] = trace.named("conversation");
  assert.ok(conversation, "a conversation span reached the collector");
  assert.equal(conversation.attributes["conversation.id"], "esm-call-1");
  assert.equal(conversation.resource["service.name"], "esm-register-e2e");
  assert.equal(trace.named("turn").length, 4);
  for (const name of ["stt", "llm", "tts"]) assert.ok(trace.named(name).length > 0, `${name} spans`);
});
