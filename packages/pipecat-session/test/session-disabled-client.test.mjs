// A @respan/core client constructed with `enabled: false` switches session capture off too: no
// recording, no capture, the session handle still works and reports "disabled". (Its own process: one
// Respan client per process.)
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { Respan } from "@respan/core";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";
import { createTracedSession } from "@respan/pipecat-session";
import * as pipecat from "pipecat-ts";

const recordingsDir = await mkdtemp(path.join(tmpdir(), "session-disabled-"));
const instrumentation = new PipecatInstrumentation();
const respan = new Respan({ enabled: false, instrumentations: [instrumentation] });
after(async () => {
  await respan.shutdown();
  await rm(recordingsDir, { recursive: true, force: true });
});

test("a disabled client leaves sessions as no-ops: nothing recorded, outcome disabled", async () => {
  assert.equal(instrumentation.isEnabled(), false, "the client disabled the instrumentation");
  instrumentation.manuallyInstrument(pipecat); // a no-op while disabled
  const demo = pipecat.createDemoConversation();
  const { task, session } = createTracedSession({
    PipelineTask: pipecat.PipelineTask,
    pipeline: demo.pipeline,
    taskOptions: { clock: demo.clock },
    mode: "production",
    recordingsDir,
  });
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on("warning", onWarning);
  try {
    session.setCustomMetadata({ still: "works" });
    assert.deepEqual(session.getCustomMetadata(), { still: "works" });
    void task.queueFrame(new pipecat.EndFrame());
    await task.run();
    const summary = await session.whenComplete();
    assert.equal(summary.outcome, "disabled");
    assert.equal(summary.recording, undefined);
    assert.deepEqual(await readdir(recordingsDir), [], "no recording written");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((w) => String(w.code).startsWith("RESPAN_SESSION")), [], "no 'never captured' warning");
  } finally {
    process.off("warning", onWarning);
  }
});
