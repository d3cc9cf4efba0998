// End to end: the decorators example — @workflow / @task on class methods and withTask around plain
// functions — exporting to an OTLP collector.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { repoRoot, runNode } from "./support/processes.mjs";
import { indexTrace } from "./support/trace-tree.mjs";
import { CUSTOMER_KEY } from "./support/voice-trace.mjs";

/** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
let collector;
/** @type {Awaited<ReturnType<typeof runNode>>} */
let result;

before(async () => {
  collector = await startOtlpReceiver();
  result = await runNode([path.join(repoRoot, "examples/decorators/dist/main.js")], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
  });
});
after(() => collector.close());

test("the example runs and returns its review", () => {
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /category: 'weather_inquiry'/);
});

test("the workflow span holds one task span per step, with the customer on each", () => {
  const trace = indexTrace(collector.spans());
  const [review] = trace.named("call_review.workflow");
  assert.ok(review, "the workflow span");
  assert.deepEqual(
    trace.childrenOf(review).map((span) => span.name).sort(),
    ["classify.task", "redact.task", "sentences.task", "word_count.task"],
  );
  for (const span of [review, ...trace.childrenOf(review)]) {
    assert.equal(span.attributes[CUSTOMER_KEY], "customer_42", span.name);
    assert.equal(span.attributes["respan.metadata.plan"], "pro", span.name);
    assert.equal(span.attributes["traceloop.workflow.name"], "call_review", span.name);
  }
  const [redact] = trace.named("redact.task");
  assert.ok(!redact.attributes["traceloop.entity.output"].includes("12345678"), "the redacted output is what was recorded");
  const [nightly] = trace.named("nightly_report.workflow");
  assert.deepEqual(trace.childrenOf(nightly).map((span) => span.name), ["count_calls.task"]);
});
