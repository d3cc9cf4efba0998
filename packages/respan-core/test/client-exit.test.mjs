// Spans are flushed when the process ends: naturally (beforeExit), on SIGTERM / SIGINT (then the
// process exits with 128 + signal), and without overriding an application's own signal listener.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { runNode } from "../../../test/support/processes.mjs";

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/client-exit-child.mjs");

/**
 * Runs the child in `mode` against `receiver`; `onReady(child)` runs once it prints "ready".
 * Resolves with { code, signal, stdout, stderr }; kills the child and rejects after `timeoutMs`.
 */
function runChild(mode, receiver, onReady, timeoutMs = 60_000) {
  let readySeen = false;
  return runNode([childScript, mode], {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    timeoutMs,
    onStdout: (stdout, child) => {
      if (!readySeen && stdout.includes("ready\n")) {
        readySeen = true;
        onReady?.(child);
      }
    },
  });
}

test("a process that simply ends flushes its spans (beforeExit)", async () => {
  const receiver = await startOtlpReceiver();
  try {
    const result = await runChild("natural", receiver);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(receiver.spans().map((span) => span.name), ["natural-work.workflow"]);
    assert.equal(receiver.spans()[0].resource["service.name"], "exit-child-natural");
  } finally {
    await receiver.close();
  }
});

for (const [signal, number] of /** @type {const} */ ([
  ["SIGTERM", 15],
  ["SIGINT", 2],
])) {
  test(`${signal}: spans are flushed, then the process exits with code ${128 + number}`, async () => {
    const receiver = await startOtlpReceiver();
    try {
      const result = await runChild("signal", receiver, (child) => child.kill(signal));
      assert.equal(result.signal, null, "the exit is ours, not the default signal death");
      assert.equal(result.code, 128 + number, result.stderr);
      assert.deepEqual(receiver.spans().map((span) => span.name), ["signal-work.workflow"]);
    } finally {
      await receiver.close();
    }
  });
}

test("an application SIGTERM listener keeps control of the exit; spans are still flushed", async () => {
  const receiver = await startOtlpReceiver();
  try {
    const result = await runChild("user-handler", receiver, (child) => child.kill("SIGTERM"));
    assert.equal(result.code, 7, `the application's own exit code (stderr: ${result.stderr})`);
    assert.match(result.stdout, /user handler ran/);
    assert.deepEqual(receiver.spans().map((span) => span.name), ["user-handler-work.workflow"]);
  } finally {
    await receiver.close();
  }
});
