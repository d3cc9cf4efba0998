// Memory stays flat however long the call: a 30-minute dual-channel recording (simulated, accelerated)
// is fed to the recorder and its file sink while heap and buffer memory are sampled after GC in a child
// process.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { runNode } from "../../../test/support/processes.mjs";

const script = fileURLToPath(new URL("./fixtures/session-memory/record-30-minutes.mjs", import.meta.url));
const MB = 1024 * 1024;

it("records a 30-minute call with flat memory and every frame on disk", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "session-memory-test-"));
  try {
    const child = await runNode(["--expose-gc", script, dir], { timeoutMs: 150_000 });
    assert.equal(child.code, 0, child.stderr);
    const { samples, summary, size } = JSON.parse(child.stdout.trim().split("\n").pop());
    assert.equal(samples.length, 10);
    // 30 minutes of 24 kHz stereo PCM16 is ~165 MB: none of it may stay in memory, and the file has
    // every frame of the timeline (fed ~200x faster than real time, audio the disk could not take in
    // time became counted silence rather than memory).
    const total = 30 * 60 * 24_000 * 4;
    assert.equal(size, 44 + total);
    assert.equal(summary.failed, false);
    assert.equal(summary.durationSeconds, 1800);
    // ~2% measured on an idle machine; a generous bound for a loaded one, still far from "dropped it all".
    assert.ok(summary.droppedBytes < total * 0.25, `at least 75% of the audio reached the file (dropped ${summary.droppedBytes} of ${total} bytes)`);
    const first = samples[0];
    for (const sample of samples) {
      assert.ok(sample.heapUsed - first.heapUsed < 8 * MB, `heap grew by ${(sample.heapUsed - first.heapUsed) / MB} MB`);
      // Buffers: the sink queue's budget (4 MB) plus buffers freed but not yet swept.
      assert.ok(sample.arrayBuffers < 48 * MB, `array buffers at ${sample.arrayBuffers / MB} MB`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
