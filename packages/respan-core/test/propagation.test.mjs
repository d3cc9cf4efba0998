// propagateAttributes and PropagationSpanProcessor: merge rules, stamping, async boundaries, bad input.
import assert from "node:assert/strict";
import { AsyncResource } from "node:async_hooks";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import { getPropagatedAttributes, propagateAttributes, PropagationSpanProcessor } from "@respan/core";
import { CUSTOMER, registerTracing } from "./fixtures/decorators-harness/tracing.mjs";

/** Longest identifier or metadata value stamped (MAX_PROPAGATED_VALUE_LENGTH in src/propagation.ts). */
const MAX_PROPAGATED_VALUE_LENGTH = 4096;

const DEFAULTS = {
  customerIdentifier: "default-customer",
  environment: "test",
  metadata: { service: "voice-agent", region: "eu" },
};
const { exporter, tracer, finished, mark } = registerTracing(DEFAULTS);

afterEach(() => exporter.reset());

describe("propagateAttributes", () => {
  test("returns what fn returns: a sync value as is, the very same promise object", async () => {
    assert.equal(propagateAttributes({ customerIdentifier: "c" }, () => 42), 42);
    const promise = Promise.resolve("later");
    assert.equal(propagateAttributes({ customerIdentifier: "c" }, () => promise), promise);
    assert.equal(await promise, "later");
  });

  test("stamps every identifier and the flattened metadata onto spans started in the scope", () => {
    propagateAttributes(
      {
        customerIdentifier: "cust-1",
        customerEmail: "ada@example.com",
        customerName: "Ada",
        threadIdentifier: "thread-1",
        sessionIdentifier: "session-1",
        customIdentifier: "custom-1",
        traceGroupIdentifier: "group-1",
        environment: "staging",
        metadata: { plan: "pro", seats: 3, flags: { beta: true }, big: 12345678901234567890n },
      },
      () => mark("stamped"),
    );
    const { attributes } = finished("stamped");
    assert.equal(attributes[CUSTOMER], "cust-1");
    assert.equal(attributes["respan.customer_params.email"], "ada@example.com");
    assert.equal(attributes["respan.customer_params.name"], "Ada");
    assert.equal(attributes["respan.threads.thread_identifier"], "thread-1");
    assert.equal(attributes["respan.sessions.session_identifier"], "session-1");
    assert.equal(attributes["respan.span_params.custom_identifier"], "custom-1");
    assert.equal(attributes["respan.trace.trace_group_identifier"], "group-1");
    assert.equal(attributes["respan.environment"], "staging");
    assert.equal(attributes["respan.metadata.plan"], "pro");
    assert.equal(attributes["respan.metadata.seats"], "3");
    assert.equal(attributes["respan.metadata.flags"], '{"beta":true}');
    assert.equal(attributes["respan.metadata.big"], '"12345678901234567890"');
  });

  test("the base layer (client defaults) is on every span, under the scope's values", () => {
    mark("outside");
    propagateAttributes({ customerIdentifier: "cust-2", metadata: { region: "us" } }, () => mark("inside"));

    const outside = finished("outside").attributes;
    assert.equal(outside[CUSTOMER], "default-customer");
    assert.equal(outside["respan.environment"], "test");
    assert.equal(outside["respan.metadata.service"], "voice-agent");
    assert.equal(outside["respan.metadata.region"], "eu");

    const inside = finished("inside").attributes;
    assert.equal(inside[CUSTOMER], "cust-2");
    assert.equal(inside["respan.environment"], "test");
    assert.equal(inside["respan.metadata.service"], "voice-agent");
    assert.equal(inside["respan.metadata.region"], "us");
  });

  test("nested scopes: inner copies outer, metadata merges key by key, leaving restores the outer scope", () => {
    propagateAttributes({ customerIdentifier: "outer", threadIdentifier: "t-1", metadata: { a: "1", b: "2" } }, () => {
      propagateAttributes({ customerIdentifier: "inner", metadata: { b: "3", c: "4" } }, () => {
        mark("inner");
        assert.deepEqual(getPropagatedAttributes(), {
          customerIdentifier: "inner",
          threadIdentifier: "t-1",
          metadata: { a: "1", b: "3", c: "4" },
        });
      });
      mark("outer-after");
    });
    const inner = finished("inner").attributes;
    assert.equal(inner[CUSTOMER], "inner");
    assert.equal(inner["respan.threads.thread_identifier"], "t-1");
    assert.deepEqual(
      [inner["respan.metadata.a"], inner["respan.metadata.b"], inner["respan.metadata.c"]],
      ["1", "3", "4"],
    );
    const after = finished("outer-after").attributes;
    assert.equal(after[CUSTOMER], "outer");
    assert.equal(after["respan.metadata.b"], "2");
    assert.equal(after["respan.metadata.c"], undefined);
  });

  test("getPropagatedAttributes: {} outside any scope, reads a given context, returns a copy", () => {
    assert.deepEqual(getPropagatedAttributes(), {});
    const captured = propagateAttributes({ sessionIdentifier: "s-1", metadata: { k: "v" } }, () => context.active());
    assert.deepEqual(getPropagatedAttributes(captured), { sessionIdentifier: "s-1", metadata: { k: "v" } });
    const copy = getPropagatedAttributes(captured);
    copy.sessionIdentifier = "changed";
    copy.metadata.k = "changed";
    assert.deepEqual(getPropagatedAttributes(captured), { sessionIdentifier: "s-1", metadata: { k: "v" } });
  });

  test("an attribute the span already has wins over the scope and the defaults", () => {
    propagateAttributes({ customerIdentifier: "scope", metadata: { service: "scope" } }, () => {
      tracer
        .startSpan("explicit", { attributes: { [CUSTOMER]: "explicit", "respan.metadata.service": "explicit" } })
        .end();
    });
    const { attributes } = finished("explicit");
    assert.equal(attributes[CUSTOMER], "explicit");
    assert.equal(attributes["respan.metadata.service"], "explicit");
    assert.equal(attributes["respan.environment"], "test");
  });

  test("the processor reads the parent context given to the span, not the active one", () => {
    const scopeA = propagateAttributes({ customerIdentifier: "A" }, () => context.active());
    propagateAttributes({ customerIdentifier: "B" }, () => {
      tracer.startSpan("explicit-parent-A", {}, scopeA).end();
      tracer.startSpan("explicit-root", {}, ROOT_CONTEXT).end();
    });
    tracer.startSpan("outside-with-A", {}, scopeA).end();
    assert.equal(finished("explicit-parent-A").attributes[CUSTOMER], "A");
    assert.equal(finished("explicit-root").attributes[CUSTOMER], "default-customer");
    assert.equal(finished("outside-with-A").attributes[CUSTOMER], "A");
  });

  test("holds across await, timers, immediates, nextTick and microtasks; nothing leaks out of the scope", async () => {
    const later = [];
    await propagateAttributes({ customerIdentifier: "async-scope" }, async () => {
      await sleep(2);
      mark("after-await");
      await new Promise((resolve) => setTimeout(() => resolve(mark("in-timeout")), 1));
      await new Promise((resolve) => setImmediate(() => resolve(mark("in-immediate"))));
      await new Promise((resolve) => process.nextTick(() => resolve(mark("in-next-tick"))));
      await new Promise((resolve) => queueMicrotask(() => resolve(mark("in-microtask"))));
      // Scheduled inside, fires after the scope's function has returned: still the scope's work.
      later.push(new Promise((resolve) => setTimeout(() => resolve(mark("timer-outlives-scope")), 5)));
    });
    mark("after-scope");
    await Promise.all(later);
    for (const name of ["after-await", "in-timeout", "in-immediate", "in-next-tick", "in-microtask", "timer-outlives-scope"]) {
      assert.equal(finished(name).attributes[CUSTOMER], "async-scope", name);
    }
    assert.equal(finished("after-scope").attributes[CUSTOMER], "default-customer");
  });

  test("interleaved concurrent scopes never see each other", async () => {
    const run = (customer) =>
      propagateAttributes({ customerIdentifier: customer }, async () => {
        for (let step = 0; step < 5; step++) {
          await sleep(step % 2);
          mark(`step-${customer}`);
        }
      });
    await Promise.all([run("left"), run("right")]);
    for (const customer of ["left", "right"]) {
      for (const span of finished(`step-${customer}`, 5)) assert.equal(span.attributes[CUSTOMER], customer);
    }
  });

  describe("event emitters: a listener runs in the context of the code that calls emit()", () => {
    test("emitted inside the scope: the listener sees the scope", () => {
      const emitter = new EventEmitter();
      propagateAttributes({ customerIdentifier: "same-scope" }, () => {
        emitter.once("turn", () => mark("listener-same-scope"));
        emitter.emit("turn");
      });
      assert.equal(finished("listener-same-scope").attributes[CUSTOMER], "same-scope");
    });

    test("registered in one scope, emitted from another: the listener sees the emitter's scope", () => {
      const emitter = new EventEmitter();
      propagateAttributes({ customerIdentifier: "registering" }, () => emitter.once("turn", () => mark("listener-cross")));
      propagateAttributes({ customerIdentifier: "emitting" }, () => emitter.emit("turn"));
      assert.equal(finished("listener-cross").attributes[CUSTOMER], "emitting");
    });

    test("AsyncResource.bind keeps the registering scope", () => {
      const emitter = new EventEmitter();
      propagateAttributes({ customerIdentifier: "bound-listener" }, () =>
        emitter.once("turn", AsyncResource.bind(() => mark("listener-bound"))),
      );
      propagateAttributes({ customerIdentifier: "emitting" }, () => emitter.emit("turn"));
      assert.equal(finished("listener-bound").attributes[CUSTOMER], "bound-listener");
    });

    test("context.bind(ctx, emitter) runs every listener in ctx", () => {
      const emitter = propagateAttributes({ customerIdentifier: "bound-emitter" }, () =>
        context.bind(context.active(), new EventEmitter()),
      );
      emitter.on("turn", () => mark("listener-of-bound-emitter"));
      propagateAttributes({ customerIdentifier: "emitting" }, () => emitter.emit("turn"));
      assert.equal(finished("listener-of-bound-emitter").attributes[CUSTOMER], "bound-emitter");
    });
  });

  test("streams: transform and write callbacks run in the scope that drives the pipeline", async () => {
    const run = (customer) =>
      propagateAttributes({ customerIdentifier: customer }, () =>
        pipeline(
          Readable.from(["a", "b", "c"]),
          new Transform({
            objectMode: true,
            transform(chunk, _encoding, callback) {
              mark(`transform-${customer}`);
              setImmediate(() => callback(null, chunk.toUpperCase()));
            },
          }),
          new Writable({
            objectMode: true,
            write(_chunk, _encoding, callback) {
              mark(`write-${customer}`);
              setTimeout(callback, 1);
            },
          }),
        ),
      );
    await Promise.all([run("stream-1"), run("stream-2")]);
    for (const customer of ["stream-1", "stream-2"]) {
      for (const stage of ["transform", "write"]) {
        for (const span of finished(`${stage}-${customer}`, 3)) assert.equal(span.attributes[CUSTOMER], customer);
      }
    }
  });

  test("unknown keys: one warning per key, ignored; fn still runs", (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    for (let i = 0; i < 3; i++) {
      // @ts-expect-error "customerID" is not an attribute: it must be dropped with a warning
      propagateAttributes({ customerIdentifier: "known", customerID: "typo", userId: "u" }, () => mark(`unknown-${i}`));
    }
    const messages = warn.mock.calls.map((call) => String(call.arguments[0]));
    assert.equal(messages.filter((m) => m.includes('"customerID"')).length, 1);
    assert.equal(messages.filter((m) => m.includes('"userId"')).length, 1);
    assert.ok(messages.every((m) => m.startsWith("[respan] ")), messages.join("\n"));
    const { attributes } = finished("unknown-2");
    assert.equal(attributes[CUSTOMER], "known");
    assert.ok(!Object.values(attributes).includes("typo"));
  });

  test("bad values are dropped or truncated with a warning, never thrown into the call", (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const cyclic = { name: "loop" };
    cyclic.self = cyclic;
    const huge = "x".repeat(MAX_PROPAGATED_VALUE_LENGTH + 10);

    const result = propagateAttributes(
      {
        // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
        customerIdentifier: 12345,
        // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
        threadIdentifier: { id: "t" },
        sessionIdentifier: huge,
        metadata: { cyclic, tooBig: { blob: huge }, fine: "ok", fn: function helper() {} },
      },
      () => {
        mark("bad-values");
        return "ran";
      },
    );
    assert.equal(result, "ran");
    const { attributes } = finished("bad-values");
    assert.equal(attributes[CUSTOMER], "default-customer", "non-string identifier dropped");
    assert.equal(attributes["respan.threads.thread_identifier"], undefined);
    assert.equal(attributes["respan.sessions.session_identifier"], huge.slice(0, MAX_PROPAGATED_VALUE_LENGTH));
    assert.equal(attributes["respan.metadata.cyclic"], '{"name":"loop","self":"[Circular]"}');
    assert.equal(attributes["respan.metadata.tooBig"], undefined);
    assert.equal(attributes["respan.metadata.fine"], "ok");
    assert.equal(attributes["respan.metadata.fn"], '"[Function helper]"');

    const messages = warn.mock.calls.map((call) => String(call.arguments[0]));
    for (const expected of [
      "customerIdentifier must be a string (got number)",
      "threadIdentifier must be a string (got object)",
      `sessionIdentifier is longer than ${MAX_PROPAGATED_VALUE_LENGTH} characters; truncated`,
      "metadata.tooBig is longer than",
    ]) {
      assert.ok(messages.some((m) => m.includes(expected)), `missing warning "${expected}" in:\n${messages.join("\n")}`);
    }
  });

  test("attrs that are not an object, or that throw when read, still run fn in the current scope", (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys for you");
        },
      },
    );
    propagateAttributes({ customerIdentifier: "enclosing" }, () => {
      for (const attrs of [null, undefined, "cust", ["cust"], hostile]) {
        assert.equal(propagateAttributes(attrs, () => "ran"), "ran");
      }
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      propagateAttributes({ metadata: ["not", "an", "object"] }, () => mark("bad-attrs"));
    });
    assert.equal(finished("bad-attrs").attributes[CUSTOMER], "enclosing");
    const messages = warn.mock.calls.map((call) => String(call.arguments[0]));
    assert.ok(messages.some((m) => m.includes("expects an object of attributes (got null)")));
    assert.ok(messages.some((m) => m.includes("expects an object of attributes (got array)")));
    assert.ok(messages.some((m) => m.includes("could not read its attributes (no keys for you)")));
    assert.ok(messages.some((m) => m.includes("metadata must be an object of key/value pairs (got array)")));
  });

  test("null and undefined values mean 'not set': skipped without a warning", (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    propagateAttributes({ customerIdentifier: "kept" }, () =>
      propagateAttributes({ customerIdentifier: undefined, threadIdentifier: null, metadata: { gone: undefined } }, () =>
        mark("nullish"),
      ),
    );
    const { attributes } = finished("nullish");
    assert.equal(attributes[CUSTOMER], "kept");
    assert.equal(attributes["respan.threads.thread_identifier"], undefined);
    assert.equal(attributes["respan.metadata.gone"], undefined);
    assert.equal(warn.mock.callCount(), 0);
  });

  test("fn must be a function", () => {
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => propagateAttributes({}, "not a function"), {
      name: "TypeError",
      message: /propagateAttributes expects a function as its second argument \(got string\)/,
    });
  });

  test("the ESM and CommonJS builds share one scope", () => {
    const cjs = createRequire(import.meta.url)("@respan/core");
    assert.notEqual(cjs.propagateAttributes, propagateAttributes, "two distinct module copies");
    cjs.propagateAttributes({ customerIdentifier: "from-cjs" }, () => {
      propagateAttributes({ threadIdentifier: "from-esm" }, () => mark("dual-build"));
      assert.deepEqual(cjs.getPropagatedAttributes(), { customerIdentifier: "from-cjs" });
    });
    const { attributes } = finished("dual-build");
    assert.equal(attributes[CUSTOMER], "from-cjs");
    assert.equal(attributes["respan.threads.thread_identifier"], "from-esm");
  });
});

describe("PropagationSpanProcessor", () => {
  test("validates the base layer at construction, naming the bad key", () => {
    // @ts-expect-error "customerId" is not an attribute: the run-time check must reject it
    assert.throws(() => new PropagationSpanProcessor({ customerId: "x" }), {
      name: "TypeError",
      message: /unknown attribute "customerId" \(accepted: customerIdentifier, .*metadata\)/,
    });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => new PropagationSpanProcessor({ customerIdentifier: 7 }), {
      message: /customerIdentifier must be a string \(got number\)/,
    });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => new PropagationSpanProcessor({ metadata: "tier=pro" }), {
      message: /metadata must be an object of key\/value pairs \(got string\)/,
    });
    assert.throws(() => new PropagationSpanProcessor({ environment: "e".repeat(MAX_PROPAGATED_VALUE_LENGTH + 1) }), {
      message: new RegExp(`environment is longer than ${MAX_PROPAGATED_VALUE_LENGTH} characters`),
    });
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => new PropagationSpanProcessor("customer"), {
      message: /default attributes must be an object \(got string\)/,
    });
    assert.doesNotThrow(() => new PropagationSpanProcessor());
  });
});
