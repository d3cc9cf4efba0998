// Session log capture, unit by unit: attribution by scope across interleaved async work and by the active
// span's trace, INFO+ only, credential masking, bounded records, console patched only while capturing.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { SessionLogCollector, startLogCapture } from "../dist/esm/logs.js";
import { runInSessionScope } from "../dist/esm/scope.js";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** Silences the console methods for the duration of `fn` (capture still sees every call). */
async function quietConsole(fn) {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  for (const method of Object.keys(saved)) console[method] = () => {};
  try {
    return await fn(saved);
  } finally {
    Object.assign(console, saved);
  }
}

function collector(sessionId, options = {}) {
  return new SessionLogCollector({ sessionId, traceId: `${sessionId}`.padEnd(32, "0").slice(0, 32), ...options });
}

describe("session logs", () => {
  it("attributes interleaved async console calls to the session whose code made them", async () => {
    await quietConsole(async () => {
      const a = collector("a");
      const b = collector("b");
      const stopA = startLogCapture(a);
      const stopB = startLogCapture(b);
      const talk = async (name) => {
        for (let i = 0; i < 3; i++) {
          console.info(`${name} info ${i}`);
          await sleep(1);
          console.log(`${name} log ${i}`);
          await new Promise((resolve) => setImmediate(resolve));
          console.debug(`${name} debug ${i}`); // below INFO: not captured
        }
        console.error(`${name} error`);
        console.warn(`${name} warn`);
      };
      await Promise.all([
        runInSessionScope({ session: {}, logs: a }, () => talk("a")),
        runInSessionScope({ session: {}, logs: b }, () => talk("b")),
      ]);
      console.info("outside every session");
      stopA();
      stopB();
      for (const [name, logs] of /** @type {const} */ ([["a", a], ["b", b]])) {
        assert.deepEqual(
          logs.records.map((record) => `${record.level} ${record.message}`),
          [
            `INFO ${name} info 0`, `INFO ${name} log 0`,
            `INFO ${name} info 1`, `INFO ${name} log 1`,
            `INFO ${name} info 2`, `INFO ${name} log 2`,
            `ERROR ${name} error`, `WARN ${name} warn`,
          ],
        );
        assert.ok(logs.records.every((record) => record.sessionId === name && record.source === "console"));
        assert.ok(logs.records.every((record) => /^\d{4}-\d{2}-\d{2}T.*Z$/.test(record.timestamp)));
      }
    });
  });

  it("attributes a call outside any scope to the session whose trace the active span belongs to", async () => {
    await quietConsole(async () => {
      const provider = new BasicTracerProvider();
      const span = provider.getTracer("t").startSpan("tool");
      const { traceId, spanId } = span.spanContext();
      const logs = new SessionLogCollector({ sessionId: "by-trace", traceId, spanId: "conversationspan" });
      const stop = startLogCapture(logs);
      context.with(trace.setSpan(context.active(), span), () => console.info("inside the tool span"));
      console.info("no span, no scope");
      stop();
      span.end();
      assert.deepEqual(logs.records.map((record) => record.message), ["inside the tool span"]);
      assert.equal(logs.records[0].traceId, traceId);
      assert.equal(logs.records[0].spanId, spanId, "correlated with the span that was running");
    });
  });

  it("records process warnings raised by the session's code", async () => {
    const logs = collector("warnings");
    const stop = startLogCapture(logs);
    const printed = [];
    const onWarning = (warning) => printed.push(warning);
    process.on("warning", onWarning);
    try {
      runInSessionScope({ session: {}, logs }, () => process.emitWarning("observer failed", { code: "TEST_WARNING" }));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
      stop();
    }
    assert.equal(printed.length, 1);
    assert.deepEqual(logs.records.map((record) => [record.level, record.source, record.message]), [
      ["WARN", "process.warning", "Warning: observer failed"],
    ]);
  });

  it("masks credentials, truncates long messages and keeps a bounded number of records", async () => {
    await quietConsole(async () => {
      const logs = collector("bounded", { maxRecords: 3, maxMessageChars: 40 });
      const stop = startLogCapture(logs);
      runInSessionScope({ session: {}, logs }, () => {
        console.info("calling with Authorization: Bearer abc.def-1234567890");
        console.info("key sk-proj-abcdefghijklmnop and api_key=hunter22 token: 'zzzz9999'");
        console.info("x".repeat(100));
        console.info("dropped 1");
        console.info("dropped 2");
      });
      stop();
      const messages = logs.records.map((record) => record.message);
      assert.equal(messages[0], "calling with Authorization: Bearer [REDA…[truncated]");
      assert.equal(messages[1], "key sk-[REDACTED] and api_key=[REDACTED]…[truncated]");
      assert.equal(messages[2], `${"x".repeat(40)}…[truncated]`);
      for (const secret of ["abc.def", "abcdefghijklmnop", "hunter22"]) {
        assert.ok(messages.every((message) => !message.includes(secret)), secret);
      }
      assert.equal(logs.droppedRecords, 2);
    });
  });

  it("patches console only while a session captures, and never clobbers a wrapper installed after it", async () => {
    const original = console.info;
    const originalWarn = console.warn;
    const first = startLogCapture(collector("one"));
    const second = startLogCapture(collector("two"));
    assert.notEqual(console.info, original);
    first();
    assert.notEqual(console.info, original, "still patched while another session captures");
    second();
    assert.equal(console.info, original, "restored after the last one");

    const stop = startLogCapture(collector("three"));
    const theirs = (...args) => args;
    console.warn = ((wrapped) => Object.assign((...args) => wrapped(...args), { theirs }))(console.warn);
    const installedAfterUs = console.warn;
    stop();
    assert.equal(console.warn, installedAfterUs, "a later wrapper stays in place");
    assert.equal(console.info, original);
    console.warn = originalWarn;
  });
});
