// The benchmark's stages between an untraced and a fully instrumented call (bench/lib/tracing.cjs, used by
// `bench/tools/compare-builds.mjs --modes`) switch off what they say they do, and the timed workload
// refuses a run that traced more or less than its stage should: a stage figure always measures that stage.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { runWorkload } from "../bench/lib/workload-process.mjs";

const require = createRequire(import.meta.url);
const { SpanCounter } = require("../bench/lib/span-counter.cjs");

/** The benchmark's own way of running a workload: rejects (with its stderr) unless it exits 0 with a result. */
function timedCall(mode) {
  return runWorkload("timed-call.cjs", ["--mode", mode, "--turns", "4"], { execPath: process.execPath, timeoutMs: 60_000 });
}

describe("benchmark stages", () => {
  test("hops: the pushFrame wrapper alone traces nothing", async () => {
    const result = await timedCall("hops");
    assert.deepEqual(result.spans, {});
    assert.ok(result.threadCpuMs > 0);
  });

  test("calls: the service-call wrappers begin llm spans; no frame is routed, so there is no turn", async () => {
    const { spans } = await timedCall("calls");
    assert.equal(spans.conversation, 1);
    assert.ok(spans.llm > 0, JSON.stringify(spans));
    assert.equal(spans.turn, undefined);
  });

  test("noop: the whole instrumentation, every span kind", async () => {
    const { spans } = await timedCall("noop");
    for (const kind of ["conversation", "turn", "llm", "tts", "stt", "vad"]) assert.ok(spans[kind] > 0, `${kind}: ${JSON.stringify(spans)}`);
  });

  test("a run that traced a kind its stage forbids, or missed one it requires, is refused", () => {
    const stage = new SpanCounter({ required: ["llm"], forbidden: ["turn"] });
    stage.onEnd({ name: "llm" });
    stage.assertTraced("fine");
    stage.onEnd({ name: "turn" });
    assert.throws(() => stage.assertTraced("stage"), /should produce no turn spans/);
    assert.throws(() => new SpanCounter().assertTraced("full"), /produced no conversation\/turn\/llm spans/);
  });
});
