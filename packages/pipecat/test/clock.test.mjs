import assert from "node:assert/strict";
import { test } from "node:test";
import { ScaledClock, VirtualClock } from "pipecat-ts";
import { within } from "./helpers.mjs";

test("VirtualClock completes sleeps in due-time order, ties in request order, with no real waiting", async () => {
  const clock = new VirtualClock();
  const order = [];
  const started = performance.now();
  await within(5000, Promise.all([
    clock.sleep(3000).then(() => order.push(["c", clock.now()])),
    clock.sleep(1000).then(() => order.push(["a", clock.now()])),
    clock.sleep(2000).then(() => order.push(["b1", clock.now()])),
    clock.sleep(2000).then(() => order.push(["b2", clock.now()])),
    clock.sleep(60_000).then(() => order.push(["d", clock.now()])),
  ]));
  assert.deepEqual(order, [["a", 1000], ["b1", 2000], ["b2", 2000], ["c", 3000], ["d", 60000]]);
  assert.ok(performance.now() - started < 2000, "a virtual minute must not take real time");
  assert.equal(clock.pendingTimers, 0);
});

test("VirtualClock lets runnable work finish before advancing time", async () => {
  const clock = new VirtualClock();
  const log = [];
  const worker = async (name, steps) => {
    for (let i = 0; i < steps; i++) {
      await clock.sleep(10);
      // a chain of promise callbacks that must all run at this virtual instant
      await Promise.resolve();
      await Promise.resolve();
      log.push(`${name}${i}@${clock.now()}`);
    }
  };
  await within(5000, Promise.all([worker("x", 3), worker("y", 3)]));
  assert.deepEqual(log, ["x0@10", "y0@10", "x1@20", "y1@20", "x2@30", "y2@30"]);
});

test("VirtualClock sleeps reject with the abort reason and leave the timer queue", async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const aborted = clock.sleep(500, controller.signal);
  const other = clock.sleep(1000);
  assert.equal(clock.pendingTimers, 2);
  controller.abort(new Error("stop"));
  await assert.rejects(aborted, /stop/);
  assert.equal(clock.pendingTimers, 1);
  await within(5000, other);
  assert.equal(clock.now(), 1000);
  await assert.rejects(clock.sleep(1, controller.signal), /stop/);
});

test("VirtualClock reports no real time for virtual durations", () => {
  assert.equal(new VirtualClock().toRealSeconds(0.8), 0);
});

test("ScaledClock divides waits by its speed", async () => {
  const clock = new ScaledClock({ speed: 20 });
  const started = performance.now();
  await within(10000, clock.sleep(4000));
  const realMs = performance.now() - started;
  assert.ok(realMs >= 150, `4 s at speed 20 should take about 200 ms, took ${realMs}`);
  assert.ok(realMs < 3000, `4 s at speed 20 must be much faster than real time, took ${realMs}`);
  assert.ok(clock.now() >= 3000, "clock time runs at speed x real time");
  assert.equal(clock.toRealSeconds(0.8), 0.04);
  assert.equal(new ScaledClock().speed, 1);
});

test("ScaledClock sleeps can be aborted", async () => {
  const clock = new ScaledClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(60_000, controller.signal);
  controller.abort(new Error("enough"));
  await assert.rejects(within(1000, sleeping), /enough/);
});

test("clocks reject bad options and bad delays with a clear message", () => {
  assert.throws(() => new ScaledClock({ speed: -1 }), /ScaledClock: "speed" must be a positive finite number, got -1/);
  assert.throws(() => new ScaledClock({ speed: Infinity }), /"speed" must be a positive finite number/);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new ScaledClock("fast"), /ScaledClock: options must be an object/);
  assert.throws(() => new VirtualClock().sleep(Number.NaN), /VirtualClock.sleep: "ms" must be a number/);
});
