// @workflow / @task / @agent / @tool compiled by TypeScript in both decorator modes — standard (TC39)
// decorators into an ES module, and experimentalDecorators into a CommonJS module — then run against
// the built package.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { SpanStatusCode } from "@opentelemetry/api";
import { durationMs, registerTracing } from "./fixtures/decorators-harness/tracing.mjs";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");

// One source (fixtures/decorators/voice-agent.ts), compiled in each decorator mode.
const MODES = [
  { name: "TC39 standard decorators", id: "tc39", helper: "__esDecorate" },
  { name: "legacy experimentalDecorators", id: "legacy", helper: "__decorate" },
];

const { exporter, finished } = registerTracing();
/** How long a consumer pauses after an item; a span open until exhaustion lasts at least that long. */
const PAUSE_MS = 30;
const loaded = new Map();

/** This run's own output folder (gitignored under dist/), so concurrent runs never share files. */
const outDir = (mode) => path.join(fixtures, "decorators", "dist", `${mode.id}-${process.pid}`);

before(async () => {
  await Promise.all(
    MODES.map(async (mode) => {
      const project = path.join(fixtures, "decorators", `tsconfig.${mode.id}.json`);
      try {
        await promisify(execFile)(process.execPath, [tsc, "-p", project, "--outDir", outDir(mode)], { timeout: 120_000 });
      } catch (error) {
        throw new Error(`tsc failed for ${mode.id}:\n${error.stdout ?? ""}${error.stderr ?? ""}${error.message}`);
      }
      const output = path.join(outDir(mode), "voice-agent.js");
      const module = await import(pathToFileURL(output).href);
      loaded.set(mode.id, { VoiceAgent: module.VoiceAgent, source: readFileSync(output, "utf8") });
    }),
  );
});

after(() => {
  for (const mode of MODES) rmSync(outDir(mode), { recursive: true, force: true });
});

afterEach(() => exporter.reset());

function isFinished(name) {
  return exporter.getFinishedSpans().some((span) => span.name === name);
}

function assertFailed(span, message) {
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  const exception = span.events.find((event) => event.name === "exception");
  assert.equal(exception?.attributes["exception.message"], message);
}

for (const mode of MODES) {
  describe(mode.name, () => {
    const VoiceAgent = () => loaded.get(mode.id).VoiceAgent;

    test(`compiled with ${mode.helper}`, () => {
      const { source } = loaded.get(mode.id);
      assert.ok(source.includes(mode.helper), `${mode.output} uses ${mode.helper}`);
      if (mode.helper === "__decorate") assert.ok(!source.includes("__esDecorate"));
    });

    test("sync workflow and task: values (not Promises), this, names, nesting, content", () => {
      const voiceAgent = new (VoiceAgent())();
      const reply = voiceAgent.handleCall("Ada");
      assert.equal(reply, "hello Ada!");

      const call = finished("voice_call.workflow");
      assert.equal(call.attributes["traceloop.span.kind"], "workflow");
      assert.equal(call.attributes["traceloop.entity.name"], "voice_call");
      assert.equal(call.attributes["traceloop.workflow.name"], "voice_call");
      assert.equal(call.attributes["traceloop.entity.version"], 2);
      assert.equal(call.attributes["traceloop.entity.input"], '{"args":["Ada"],"kwargs":{}}');
      assert.equal(call.attributes["traceloop.entity.output"], '"hello Ada!"');

      const respond = finished("respond.task");
      assert.equal(respond.attributes["traceloop.entity.name"], "respond", "name defaults to the method name");
      assert.equal(respond.attributes["traceloop.workflow.name"], "voice_call");
      assert.equal(respond.attributes["traceloop.entity.output"], '"hello Ada"');
      assert.equal(respond.parentSpanContext.spanId, call.spanContext().spanId);

      const foreign = finished("foreign");
      assert.equal(foreign.parentSpanContext.spanId, respond.spanContext().spanId);
      assert.equal(foreign.attributes["traceloop.workflow.name"], "voice_call");
      assert.equal(foreign.attributes["traceloop.entity.path"], "respond");
      assert.equal(VoiceAgent().prototype.respond.name, "respond");
    });

    test("async agent calling a tool: a Promise, the span ends when it settles", async () => {
      const pending = new (VoiceAgent())().plan("weather");
      assert.ok(pending instanceof Promise);
      assert.equal(isFinished("planner.agent"), false);
      assert.equal(await pending, "result for weather");
      const planner = finished("planner.agent");
      const lookup = finished("lookup.tool");
      assert.equal(planner.attributes["traceloop.span.kind"], "agent");
      assert.equal(lookup.attributes["traceloop.span.kind"], "tool");
      assert.equal(lookup.attributes["traceloop.entity.path"], "planner");
      assert.equal(lookup.parentSpanContext.spanId, planner.spanContext().spanId);
      assert.equal(planner.attributes["traceloop.entity.output"], '"result for weather"');
    });

    test("generator method: the span stays open until exhausted", async () => {
      const countdown = new (VoiceAgent())().countdown(2);
      assert.deepEqual([countdown.next().value, countdown.next().value], [2, 1]);
      await sleep(PAUSE_MS);
      assert.equal(isFinished("countdown.task"), false);
      assert.deepEqual(countdown.next(), { value: "liftoff", done: true });
      const span = finished("countdown.task");
      assert.ok(durationMs(span) >= PAUSE_MS - 5, `open through the pause after the last item (${durationMs(span)} ms)`);
      assert.equal(span.attributes["traceloop.entity.output"], '"liftoff"');
    });

    test("async generator method: this kept, the span stays open until exhausted", async () => {
      const words = [];
      for await (const word of new (VoiceAgent())().speak("hi there")) {
        words.push(word);
        await sleep(PAUSE_MS);
        assert.equal(isFinished("speak.task"), false);
      }
      assert.deepEqual(words, ["hello:hi", "hello:there"]);
      const span = finished("speak.task");
      assert.ok(durationMs(span) >= 2 * PAUSE_MS - 5, `open through the consumer's pauses (${durationMs(span)} ms)`);
    });

    test("errors: recorded with ERROR status, spans ended, the same error rethrown or rejected", async () => {
      const voiceAgent = new (VoiceAgent())();
      assert.throws(() => voiceAgent.explode("sync failure"), { name: "Error", message: "sync failure" });
      assertFailed(finished("fail.task"), "sync failure");
      await assert.rejects(voiceAgent.rejectLater("async failure"), { name: "TypeError", message: "async failure" });
      assertFailed(finished("rejectLater.task"), "async failure");
    });

    test("traceContent: false keeps the arguments and result off the span", () => {
      assert.equal(new (VoiceAgent())().checkPassword("correct horse battery"), true);
      const span = finished("checkPassword.task");
      assert.equal(span.attributes["traceloop.entity.input"], undefined);
      assert.equal(span.attributes["traceloop.entity.output"], undefined);
    });

    test("static method: this is the class", () => {
      assert.equal(VoiceAgent().describe(), "static VoiceAgent");
      assert.equal(finished("describe.workflow").attributes["traceloop.entity.output"], '"static VoiceAgent"');
    });
  });
}
