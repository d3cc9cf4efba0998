// The hot path creates (almost) no promises: on Node 20, OpenTelemetry's context manager runs a hook for
// every promise the process creates, so the runtime's promises per frame hop set the floor of what any
// tracing costs. Promise counts are deterministic, unlike timings.
import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { test } from "node:test";
import { createDemoConversation, FrameProcessor, InputAudioRawFrame, Pipeline, PipelineTask, VirtualClock } from "pipecat-ts";
import { within } from "./helpers.mjs";

function promiseCounter() {
  const counter = { promises: 0 };
  counter.hook = createHook({
    init(_id, type) {
      if (type === "PROMISE") counter.promises += 1;
    },
  });
  return counter;
}

test("the demo conversation with 20 ms audio both ways creates fewer than 2 promises per frame hop", async () => {
  let hops = 0;
  const demo = createDemoConversation({ repeats: 3, ttsOptions: { chunkMs: 20 }, observers: [{ onPushFrame: () => void (hops += 1) }] });
  const counter = promiseCounter();
  counter.hook.enable();
  try {
    await within(30000, demo.task.run(), "demo conversation");
  } finally {
    counter.hook.disable();
  }
  const { promises } = counter;
  assert.ok(hops > 10000, `a real conversation: ${hops} hops`);
  // About 1 today (9.7 when every hop awaited); the clock's sleeps and the queues' wake-ups remain.
  assert.ok(promises / hops < 2, `${promises} promises for ${hops} hops (${(promises / hops).toFixed(2)} per hop)`);
});

test("system frames crossing processors that only pass them on create no promise at all", async () => {
  // Not async: it returns the hop's own result.
  class Passthrough extends FrameProcessor {
    received = [];
    processFrame(frame, direction) {
      this.received.push(frame);
      return this.pushFrame(frame, direction);
    }
  }
  const first = new Passthrough();
  const last = new Passthrough();
  const clock = new VirtualClock();
  const task = new PipelineTask(new Pipeline([first, new Passthrough(), last]), { clock, idleTimeoutSecs: null });
  const running = task.run();
  const audio = new Uint8Array(640);
  await task.queueFrame(new InputAudioRawFrame({ audio, sampleRate: 16000 }));
  await clock.sleep(1); // the start has settled everywhere (onPipelineStarted)
  const counter = promiseCounter();
  counter.hook.enable();
  for (let i = 0; i < 100; i++) void first.pushFrame(new InputAudioRawFrame({ audio, sampleRate: 16000 }));
  counter.hook.disable();
  assert.equal(counter.promises, 0);
  assert.equal(last.received.filter((f) => f instanceof InputAudioRawFrame).length, 101, "every frame arrived, synchronously");
  await task.cancel();
  await within(5000, running);
});
