// Nothing of a session-captured call is lost: a call of over an hour (694 turns, 3,238 spans, run on a
// virtual clock) delivers every span through the default 2,048-span export queue; SIGTERM in the middle of calls exports
// the finished spans of the session that was not aborted and nothing of the one that was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startOtlpReceiver } from "./support/otlp-receiver.mjs";
import { runNode } from "./support/processes.mjs";

const collectorEnv = (receiver) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
});

test("a session-captured call of over an hour (694 turns) delivers every span", async () => {
  const receiver = await startOtlpReceiver();
  try {
    // 1 + 3 x 231 = 694 turns: the length of call that lost 678 of its 3,238 spans.
    const result = await runNode(["test/fixtures/session-call-child.mjs", "long", "231"], {
      env: collectorEnv(receiver),
      timeoutMs: 150_000,
    });
    assert.equal(result.code, 0, result.stderr);
    const { stats, traceId, minutes } = JSON.parse(result.stdout.trim().split("\n").pop());
    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    assert.ok(spans.length > 3000, `a long call has thousands of spans (${spans.length})`);
    assert.deepEqual(
      { dropped: stats.dropped, failed: stats.failed, pending: stats.pending, held: stats.held },
      { dropped: 0, failed: 0, pending: 0, held: 0 },
    );
    assert.equal(spans.length, stats.exported, "every span the client exported reached the collector");
    const turns = spans.filter((span) => span.name === "turn");
    assert.equal(turns.length, 694);
    const conversation = spans.find((span) => span.name === "conversation");
    assert.ok(conversation, "the conversation span arrived");
    const distinct = new Set(spans.map((span) => span.spanId));
    assert.equal(distinct.size, spans.length, "no span sent twice");
    assert.ok(minutes >= 60, `the call lasted ${minutes} minutes on its clock`);
  } finally {
    await receiver.close();
  }
});

test("SIGTERM mid-session exports the finished spans of the sessions not aborted, nothing of the aborted one", async () => {
  const receiver = await startOtlpReceiver();
  try {
    /** @type {{ kept: string, aborted: string } | undefined} */
    let ids;
    const result = await runNode(["test/fixtures/session-call-child.mjs", "sigterm"], {
      env: { ...collectorEnv(receiver), RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS: "3000" },
      timeoutMs: 60_000,
      onStdout: (stdout, child) => {
        if (ids === undefined && stdout.includes("ready\n")) {
          ids = JSON.parse(stdout.split("\n").find((line) => line.startsWith("{")));
          child.kill("SIGTERM");
        }
      },
    });
    assert.equal(result.code, 143, result.stderr);
    assert.ok(ids?.kept && ids.aborted, `both trace ids were printed: ${JSON.stringify(ids)}`);
    const kept = receiver.spans().filter((span) => span.traceId === ids.kept);
    assert.ok(kept.filter((span) => span.name === "turn").length >= 6, `finished turns of the kept call arrived (${kept.length} spans)`);
    assert.equal(receiver.spans().filter((span) => span.traceId === ids.aborted).length, 0, "nothing of the aborted call");
  } finally {
    await receiver.close();
  }
});
