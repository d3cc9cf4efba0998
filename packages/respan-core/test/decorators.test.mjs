// withWorkflow / withTask / withAgent / withTool: span shape, nesting, every kind of function result,
// errors, content capture and serialisation of arbitrary inputs.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SpanStatusCode } from "@opentelemetry/api";
import { agent, task, withAgent, withTask, withTool, withWorkflow } from "@respan/core";
import { setTraceContentEnabled } from "../dist/esm/content-capture.js";
import { durationMs, registerTracing } from "./fixtures/decorators-harness/tracing.mjs";

const { exporter, finished, mark } = registerTracing();

const KIND = "traceloop.span.kind";
const NAME = "traceloop.entity.name";
const PATH = "traceloop.entity.path";
const WORKFLOW = "traceloop.workflow.name";
const VERSION = "traceloop.entity.version";
const INPUT = "traceloop.entity.input";
const OUTPUT = "traceloop.entity.output";
/** How long a consumer pauses after an item; a span open until exhaustion lasts at least that long. */
const PAUSE_MS = 30;
/** Size cap of captured input/output, in characters (MAX_CONTENT_LENGTH in src/content-capture.ts). */
const MAX_CONTENT_LENGTH = 1_000_000;

afterEach(() => {
  exporter.reset();
  setTraceContentEnabled(true);
});

function isFinished(name) {
  return exporter.getFinishedSpans().some((span) => span.name === name);
}

function assertFailed(span, error) {
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  const exception = span.events.find((event) => event.name === "exception");
  assert.ok(exception, "an exception event is recorded");
  assert.equal(exception.attributes["exception.message"], error.message);
}

describe("span shape", () => {
  test("a sync workflow returns its value (not a Promise) and records name, kind, version, input and output", () => {
    const result = withWorkflow({ name: "greet", version: 3 }, (who, punctuation) => `hello ${who}${punctuation}`, "Ada", "!");
    assert.equal(result, "hello Ada!");
    const span = finished("greet.workflow");
    assert.equal(span.attributes[KIND], "workflow");
    assert.equal(span.attributes[NAME], "greet");
    assert.equal(span.attributes[WORKFLOW], "greet");
    assert.equal(span.attributes[VERSION], 3);
    assert.equal(span.attributes[PATH], undefined);
    assert.equal(span.attributes[INPUT], '{"args":["Ada","!"],"kwargs":{}}');
    assert.equal(span.attributes[OUTPUT], '"hello Ada!"');
    assert.equal(span.status.code, SpanStatusCode.UNSET);
  });

  test("a name string is accepted in place of options; undefined results record no output", () => {
    assert.equal(withTask("just-a-name", () => undefined), undefined);
    const span = finished("just-a-name.task");
    assert.equal(span.attributes[KIND], "task");
    assert.equal(span.attributes[INPUT], '{"args":[],"kwargs":{}}');
    assert.equal(span.attributes[OUTPUT], undefined);
  });

  test("nesting: parents, the entity path of enclosing tasks, and the workflow name on every child", () => {
    withWorkflow("call", () =>
      withTask("outer", () =>
        withAgent("planner", () =>
          withTool("lookup", () => {
            mark("foreign-child");
            return "found";
          }),
        ),
      ),
    );
    const call = finished("call.workflow");
    const outer = finished("outer.task");
    const planner = finished("planner.agent");
    const lookup = finished("lookup.tool");
    const foreign = finished("foreign-child");

    assert.equal(outer.parentSpanContext.spanId, call.spanContext().spanId);
    assert.equal(planner.parentSpanContext.spanId, outer.spanContext().spanId);
    assert.equal(lookup.parentSpanContext.spanId, planner.spanContext().spanId);
    assert.equal(foreign.parentSpanContext.spanId, lookup.spanContext().spanId);
    assert.equal(new Set([call, outer, planner, lookup, foreign].map((s) => s.spanContext().traceId)).size, 1);

    assert.deepEqual(
      [outer, planner, lookup, foreign].map((span) => span.attributes[WORKFLOW]),
      ["call", "call", "call", "call"],
    );
    assert.deepEqual(
      [outer, planner, lookup].map((span) => span.attributes[PATH]),
      [undefined, "outer", "outer.planner"],
    );
    assert.equal(planner.attributes[KIND], "agent");
    assert.equal(lookup.attributes[KIND], "tool");
    // A span of another instrumentation inherits the position: workflow name and the full task path.
    assert.equal(foreign.attributes[PATH], "outer.planner.lookup");
    assert.equal(foreign.attributes[KIND], undefined);
  });

  test("a workflow inside a task starts a new entity tree", () => {
    withWorkflow("outer-flow", () => withTask("step", () => withWorkflow("inner-flow", () => withTask("leaf", () => mark("deep")))));
    assert.equal(finished("inner-flow.workflow").attributes[WORKFLOW], "inner-flow");
    assert.equal(finished("inner-flow.workflow").attributes[PATH], undefined);
    assert.equal(finished("leaf.task").attributes[WORKFLOW], "inner-flow");
    assert.equal(finished("leaf.task").attributes[PATH], undefined);
    assert.equal(finished("deep").attributes[PATH], "leaf");
  });
});

describe("function kinds", () => {
  test("async: the span ends when the promise resolves, with the resolved value as output", async () => {
    /** @type {(value?: unknown) => void} */
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    const pending = withTask("slow", async (n) => {
      await gate;
      mark("inside-async");
      return { doubled: n * 2 };
    }, 21);
    assert.ok(pending instanceof Promise);
    await sleep(5);
    assert.equal(isFinished("slow.task"), false, "still open while the promise is pending");
    release();
    assert.deepEqual(await pending, { doubled: 42 });
    const span = finished("slow.task");
    assert.equal(span.attributes[OUTPUT], '{"doubled":42}');
    assert.equal(finished("inside-async").parentSpanContext.spanId, span.spanContext().spanId);
  });

  test("async rejection: exception recorded, ERROR status, span ended, the same error rejected", async () => {
    const error = new RangeError("model overloaded");
    const pending = withTask("flaky", async () => {
      await sleep(1);
      throw error;
    });
    await assert.rejects(pending, (thrown) => thrown === error);
    const span = finished("flaky.task");
    assertFailed(span, error);
    assert.equal(span.attributes[OUTPUT], undefined);
  });

  test("sync throw: exception recorded, ERROR status, span ended, the same error rethrown", () => {
    const error = new Error("bad input");
    assert.throws(() => withWorkflow("boom", () => { throw error; }), (thrown) => thrown === error);
    assertFailed(finished("boom.workflow"), error);
  });

  test("thrown non-Error values are rethrown unchanged and still recorded", () => {
    const thrown = { code: 42 };
    assert.throws(() => withTask("throws-object", () => { throw thrown; }), (value) => value === thrown);
    assert.throws(() => withTask("throws-string", () => { throw "plain string"; }), (value) => value === "plain string");
    assert.equal(finished("throws-object.task").status.code, SpanStatusCode.ERROR);
    assert.equal(finished("throws-object.task").events[0].attributes["exception.message"], '{"code":42}');
    assert.equal(finished("throws-string.task").events[0].attributes["exception.message"], "plain string");
  });

  test("a returned thenable that is not a Promise is adopted into a Promise through its own then()", async () => {
    const thenable = { then: (resolve) => setTimeout(() => resolve("from thenable"), 2) };
    const followed = withTask("thenable", () => thenable);
    assert.ok(followed instanceof Promise);
    assert.equal(await /** @type {Promise<string>} */ (followed), "from thenable");
    assert.equal(finished("thenable.task").attributes[OUTPUT], '"from thenable"');

    const error = new Error("then exploded");
    const explosive = { then() { throw error; } };
    await assert.rejects(/** @type {Promise<never>} */ (/** @type {unknown} */ (withTask("explosive-thenable", () => explosive))), (thrown) => thrown === error);
    assertFailed(finished("explosive-thenable.task"), error);
  });

  test("generator: the span stays open until the generator is exhausted; steps run inside the span", async () => {
    const counting = withTask("countdown", function* (from) {
      for (let i = from; i > 0; i--) {
        mark(`tick-${i}`);
        yield i;
      }
      return "liftoff";
    }, 3);
    assert.equal(Object.prototype.toString.call(counting), "[object Generator]");
    assert.equal(counting[Symbol.iterator](), counting);
    assert.deepEqual(counting.next(), { value: 3, done: false });
    assert.deepEqual(counting.next(), { value: 2, done: false });
    assert.deepEqual(counting.next(), { value: 1, done: false });
    await sleep(PAUSE_MS);
    assert.equal(isFinished("countdown.task"), false, "open after the last item, before exhaustion");
    assert.deepEqual(counting.next(), { value: "liftoff", done: true });

    const span = finished("countdown.task");
    assert.ok(durationMs(span) >= PAUSE_MS - 5, `open through the pause after the last item (${durationMs(span)} ms)`);
    assert.equal(span.attributes[OUTPUT], '"liftoff"');
    assert.equal(finished("tick-1").parentSpanContext.spanId, span.spanContext().spanId);
    assert.deepEqual(counting.next(), { value: undefined, done: true });
    assert.equal(exporter.getFinishedSpans().filter((s) => s.name === "countdown.task").length, 1, "ended once");
  });

  test("generator: break in for...of (return()) ends the span; a throw inside records the error", () => {
    const numbers = withTask("naturals", function* () {
      for (let i = 1; ; i++) yield i;
    });
    for (const n of numbers) if (n === 2) break;
    assert.equal(finished("naturals.task").status.code, SpanStatusCode.UNSET);

    const error = new Error("generator failed");
    const failing = withTask("failing-gen", function* () {
      yield 1;
      throw error;
    });
    assert.equal(failing.next().value, 1);
    assert.throws(() => failing.next(), (thrown) => thrown === error);
    assertFailed(finished("failing-gen.task"), error);
  });

  test("async generator: open until exhausted, awaits inside keep the span as parent", async () => {
    const words = withAgent("speaker", async function* (text) {
      for (const word of text.split(" ")) {
        await sleep(1);
        mark(`word-${word}`);
        yield word;
      }
    }, "hi there");
    assert.equal(Object.prototype.toString.call(words), "[object AsyncGenerator]");
    const seen = [];
    for await (const word of words) {
      seen.push(word);
      await sleep(PAUSE_MS);
      assert.equal(isFinished("speaker.agent"), false, "open while items are consumed");
    }
    assert.deepEqual(seen, ["hi", "there"]);
    const span = finished("speaker.agent");
    assert.ok(durationMs(span) >= 2 * PAUSE_MS - 5, `open through the consumer's pauses (${durationMs(span)} ms)`);
    assert.equal(finished("word-there").parentSpanContext.spanId, span.spanContext().spanId);
  });

  test("async generator: early return ends the span; a rejection inside records the error", async () => {
    const stream = withTask("endless", async function* () {
      for (let i = 0; ; i++) yield i;
    });
    for await (const i of stream) if (i === 1) break;
    assert.equal(finished("endless.task").status.code, SpanStatusCode.UNSET);

    const error = new Error("stream broke");
    const broken = withTask("broken-stream", async function* () {
      yield "first";
      await sleep(1);
      throw error;
    });
    await assert.rejects(
      (async () => {
        for await (const _ of broken) void _;
      })(),
      (thrown) => thrown === error,
    );
    assertFailed(finished("broken-stream.task"), error);
  });
});

describe("content capture", () => {
  test("switched off process-wide: no input or output attributes", () => {
    setTraceContentEnabled(false);
    assert.equal(withTask("private", (secret) => secret.toUpperCase(), "s3cret"), "S3CRET");
    const span = finished("private.task");
    assert.equal(span.attributes[INPUT], undefined);
    assert.equal(span.attributes[OUTPUT], undefined);
    assert.equal(span.attributes[KIND], "task");
  });

  test("traceContent: false on one entity drops its content only", () => {
    withWorkflow("open", (_shown) => withTask({ name: "closed", traceContent: false }, (secret) => secret, "s3cret"), "visible");
    assert.equal(finished("closed.task").attributes[INPUT], undefined);
    assert.equal(finished("closed.task").attributes[OUTPUT], undefined);
    assert.equal(finished("open.workflow").attributes[INPUT], '{"args":["visible"],"kwargs":{}}');
  });

  test("traceContent: true does not override the process-wide switch", () => {
    setTraceContentEnabled(false);
    withTask({ name: "asks-for-content", traceContent: true }, (value) => value, "x");
    assert.equal(finished("asks-for-content.task").attributes[INPUT], undefined);
  });

  test(`content longer than MAX_CONTENT_LENGTH (${MAX_CONTENT_LENGTH}) is dropped, shorter content kept whole`, () => {
    const tooBig = "a".repeat(MAX_CONTENT_LENGTH);
    const fits = "b".repeat(MAX_CONTENT_LENGTH - 100);
    withTask("too-big", (text) => text, tooBig);
    withTask("fits", (text) => text.length, fits);
    assert.equal(finished("too-big.task").attributes[INPUT], undefined);
    assert.equal(finished("too-big.task").attributes[OUTPUT], undefined);
    assert.equal(finished("fits.task").attributes[INPUT], `{"args":["${fits}"],"kwargs":{}}`);
    assert.equal(finished("fits.task").attributes[OUTPUT], String(fits.length));
  });

  test("arguments JSON cannot hold are serialised safely and never break the call", () => {
    const cyclic = { name: "node" };
    cyclic.next = { back: cyclic };
    const shared = { id: 1 };
    class Point {
      constructor() {
        this.x = 1;
        this.y = 2;
      }
      norm() {
        return 0;
      }
    }
    const withThrowingGetter = Object.defineProperty({ ok: true }, "broken", {
      enumerable: true,
      get() {
        throw new Error("getter exploded");
      },
    });
    const withThrowingToJSON = { toJSON() { throw new Error("toJSON exploded"); } };
    const hostile = new Proxy({}, { ownKeys() { throw new Error("trap exploded"); } });
    let deep = { level: 0 };
    for (let level = 1; level <= 15; level++) deep = { level, child: deep };

    const args = [
      cyclic,
      [shared, shared],
      10n ** 20n,
      function namedHelper() {},
      () => {},
      Symbol("tag"),
      new Map(/** @type {[unknown, unknown][]} */ ([["a", 1], [{ k: 2 }, [3]]])),
      new Set(["x", "y"]),
      Buffer.alloc(1234),
      new Float32Array(4),
      new ArrayBuffer(8),
      new Date("2024-05-06T07:08:09.000Z"),
      new Date(Number.NaN),
      new TypeError("bad type"),
      withThrowingGetter,
      withThrowingToJSON,
      hostile,
      new Point(),
      Number.NaN,
      undefined,
      Promise.resolve(1),
      deep,
    ];
    assert.equal(withTask("weird-inputs", (...all) => all.length, ...args), args.length);

    const input = JSON.parse(String(finished("weird-inputs.task").attributes[INPUT]));
    assert.deepEqual(input.kwargs, {});
    const [c, sharedTwice, big, fn, arrow, sym, map, set, buffer, floats, arrayBuffer, date, badDate, error, getter, toJson, proxy, point, nan, undef, promise, tooDeep] = input.args;
    assert.deepEqual(c, { name: "node", next: { back: "[Circular]" } });
    assert.deepEqual(sharedTwice, [{ id: 1 }, { id: 1 }], "a repeated (non-cyclic) object is written twice");
    assert.equal(big, "100000000000000000000");
    assert.equal(fn, "[Function namedHelper]");
    assert.equal(arrow, "[Function (anonymous)]");
    assert.equal(sym, "Symbol(tag)");
    assert.deepEqual(map, [["a", 1], [{ k: 2 }, [3]]]);
    assert.deepEqual(set, ["x", "y"]);
    assert.equal(buffer, "[Buffer 1234 bytes]");
    assert.equal(floats, "[Float32Array 16 bytes]");
    assert.equal(arrayBuffer, "[ArrayBuffer 8 bytes]");
    assert.equal(date, "2024-05-06T07:08:09.000Z");
    assert.equal(badDate, "Invalid Date");
    assert.deepEqual(error, { name: "TypeError", message: "bad type" });
    assert.deepEqual(getter, { ok: true, broken: "[Unreadable: getter exploded]" });
    assert.equal(toJson, "[Unreadable: toJSON exploded]");
    assert.equal(proxy, "[Unreadable: trap exploded]");
    assert.deepEqual(point, { x: 1, y: 2 });
    assert.equal(nan, null);
    assert.equal(undef, null);
    assert.equal(promise, "[Promise]");
    // Depth is capped at 10 levels below the serialised {args, kwargs} object: the argument sits at
    // level 2, so its 8th nested child is summarised.
    let node = tooDeep;
    for (let hop = 0; hop < 7; hop++) node = node.child;
    assert.equal(node.level, 8);
    assert.equal(node.child, "[Object]");
  });

  test("outputs that cannot be serialised whole still leave the result untouched", () => {
    const cyclic = {};
    cyclic.self = cyclic;
    assert.equal(withTask("cyclic-output", () => cyclic), cyclic);
    assert.equal(finished("cyclic-output.task").attributes[OUTPUT], '{"self":"[Circular]"}');
  });
});

describe("bad usage", () => {
  test("options are validated with errors naming the option", () => {
    // @ts-expect-error the name is missing on purpose: the run-time check must reject it
    assert.throws(() => withTask({}, () => 1), { name: "TypeError", message: /withTask option "name" must be a non-empty string \(got undefined\)/ });
    assert.throws(() => withWorkflow("  ", () => 1), { message: /withWorkflow option "name" must be a non-empty string/ });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => withTask({ name: "t", version: {} }, () => 1), { message: /option "version" must be a string or a finite number \(got object\)/ });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => withTool({ name: "t", traceContent: "no" }, () => 1), { message: /withTool option "traceContent" must be a boolean \(got "no"\)/ });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => withAgent({ name: "a" }, "not a function"), { message: /withAgent expects a function as its second argument \(got string\)/ });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => task(42), { message: /@task\(\) options must be an object or a name string \(got number\)/ });
  });

  test("decorators apply to methods only, and must be called", () => {
    // @ts-expect-error a getter is not a method: the decorator must refuse it
    assert.throws(() => task()(function getter() {}, { kind: "getter", name: "value" }), {
      message: /@task\(\) decorates methods only \(applied to a getter\)/,
    });
    assert.throws(() => agent()({}, "value", { get() { return 1; }, enumerable: false, configurable: true }), {
      message: /@agent\(\) decorates methods only \(applied to value, which is not a method\)/,
    });
    // @ts-expect-error the decorator factory used as a decorator, on purpose: it must say how to write it
    assert.throws(() => task(function bareDecoratorUse() {}), { message: /write @task\(\) or @task\(\{ name \}\), not @task/ });
  });
});
