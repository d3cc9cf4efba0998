// The benchmark's stages between an untraced and a fully instrumented call (bench/lib/tracing.cjs, used by
// `bench/tools/compare-builds.mjs --modes`) switch off what they say they do, and the timed workload
// refuses a run that traced more or less than its stage should: a stage figure always measures that stage.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, test } from "node:test";
import { repoRoot, runNode } from "./support/processes.mjs";

const require = createRequire(import.meta.url);
const { SpanCounter } = require("../bench/lib/span-counter.cjs");
const TIMED_CALL = path.join(repoRoot, "bench/workloads/timed-call.cjs");
const RESULT_MARK = "@@bench-result ";

async function timedCall(mode) {
  const result = await runNode(["--expose-gc", TIMED_CALL, "--mode", mode, "--turns", "4"], { cwd: path.dirname(TIMED_CALL) });
  assert.equal(result.code, 0, `timed-call --mode ${mode} failed:\n${result.stderr}`);
  const line = result.stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
  assert.ok(line, `timed-call --mode ${mode} printed no result line:\n${result.stdout}`);
  return JSON.parse(line.slice(RESULT_MARK.length));
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
