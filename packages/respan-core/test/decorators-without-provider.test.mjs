// With no tracer provider registered (tracing disabled, or the client never created), the wrappers,
// decorators and propagateAttributes are transparent: user functions run and return exactly as before.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { trace } from "@opentelemetry/api";
import { propagateAttributes, task, withTask, withWorkflow } from "@respan/core";

test("no provider: the global tracer is the no-op one", () => {
  assert.equal(trace.getTracer("probe").startSpan("probe").isRecording(), false);
});

test("no provider: sync, async, generator and throwing functions behave exactly as undecorated", async () => {
  assert.equal(withWorkflow("sync", (a, b) => a + b, 2, 3), 5);
  assert.equal(await withTask("async", async () => {
    await sleep(1);
    return "done";
  }), "done");
  assert.deepEqual([...withTask("gen", function* () {
    yield 1;
    yield 2;
  })], [1, 2]);
  const error = new Error("still thrown");
  assert.throws(() => withTask("throws", () => { throw error; }), (thrown) => thrown === error);
});

test("no provider: a decorated method keeps this and its result", () => {
  const method = task()(function double() {
    return this.value * 2;
  }, /** @type {any} */ ({ kind: "method", name: "double", static: false, private: false })); // only the fields the decorator reads
  assert.equal(method.call({ value: 21 }), 42);
});

test("no provider: propagateAttributes runs fn and returns its result", async () => {
  assert.equal(propagateAttributes({ customerIdentifier: "c" }, () => "sync"), "sync");
  assert.equal(await propagateAttributes({ customerIdentifier: "c" }, async () => "async"), "async");
});
