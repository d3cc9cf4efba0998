// The session handle: id resolution, custom metadata (merged, sealed at the end), reaching the session
// from the task, a processor, the conversation id and the code running for it; session logs attributed
// to the right session when several run at once; concurrent sessions with their own metadata and
// recordings; the one-step helper; RESPAN_TRACING_ENABLED=false.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  attachSession,
  createSessionCapture,
  createTracedSession,
  getCurrentSession,
  getSession,
  SessionOptionError,
} from "@respan/pipecat-session";
import { readWav } from "./fixtures/session-support/audio.mjs";
import { passThroughTask, runBarePipelineWithSession, setupTracing } from "./fixtures/session-support/tracing.mjs";
import { byName } from "../../../test/support/otel.cjs";
import { resolveSessionOptions } from "../dist/esm/options.js";

/** @type {ReturnType<typeof setupTracing>} */
let tracing;
let dir;
before(async () => {
  tracing = setupTracing({ sessionCapture: createSessionCapture() });
  dir = await mkdtemp(path.join(tmpdir(), "session-handle-test-"));
});
after(async () => {
  await tracing.close();
  await rm(dir, { recursive: true, force: true });
});

const conversationOf = (session) =>
  byName(tracing.spans(), "conversation").find((span) => span.attributes["session.id"] === session.sessionId);

describe("session id", () => {
  it("is the explicit one, else the runner's (when the task carries one), else a generated UUID", () => {
    const { PipelineTask, Pipeline, FrameProcessor } = tracing.pipecat;
    class RunnerTask extends PipelineTask {
      sessionId = "runner-session-42";
    }
    const task = () => new RunnerTask(new Pipeline([new FrameProcessor({})]));
    assert.equal(attachSession(task(), { sessionId: "explicit-1" }).sessionId, "explicit-1");
    assert.equal(attachSession(task()).sessionId, "runner-session-42");
    const generated = attachSession(new PipelineTask(new Pipeline([new FrameProcessor()]))).sessionId;
    assert.match(generated, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("rejects bad options and a second session on one task, naming the option", () => {
    const { PipelineTask, Pipeline, FrameProcessor } = tracing.pipecat;
    const task = new PipelineTask(new Pipeline([new FrameProcessor()]));
    // @ts-expect-error "live" is not a session mode: the option check must name it
    assert.throws(() => attachSession(task, { mode: "live" }), (error) => {
      assert.ok(error instanceof SessionOptionError);
      assert.match(error.message, /session option "mode": expected "testing" or "production", got "live"/);
      return true;
    });
    // @ts-expect-error a string where a boolean is expected: the option check must name it
    assert.throws(() => attachSession(task, { captureLogs: "yes" }), /"captureLogs": expected true or false/);
    // @ts-expect-error a misspelled option: the option check must name it
    assert.throws(() => attachSession(task, { recordngSink: {} }), /"recordngSink": expected one of the session options/);
    // @ts-expect-error an array where a plain object is expected: the option check must name it
    assert.throws(() => attachSession(task, { customMetadata: [] }), /"customMetadata": expected a plain object, got an array/);
    attachSession(task);
    assert.throws(() => attachSession(task), /already has session/);
    assert.throws(() => createSessionCapture({ recordingSampleRate: 5 }), /"recordingSampleRate": expected a sample rate/);
  });
});

describe("default recordings directory", () => {
  it("is <RESPAN_TRACES_DIR>/recordings, and none at all when RESPAN_TRACES_DIR is false or none", () => {
    assert.equal(resolveSessionOptions({}, {}, { RESPAN_TRACES_DIR: "/srv/spans" }).recordingsDir, path.resolve("/srv/spans/recordings"));
    for (const word of ["false", "none", "OFF"]) {
      assert.equal(resolveSessionOptions({}, {}, { RESPAN_TRACES_DIR: word }).recordingsDir, undefined, word);
    }
    assert.equal(resolveSessionOptions({ recordingsDir: "./rec" }, {}, { RESPAN_TRACES_DIR: "false" }).recordingsDir, path.resolve("./rec"));
  });
});

describe("one session", () => {
  /** @type {ReturnType<typeof import("pipecat-ts").createDemoConversation>} */
  let demo;
  /** @type {import("@respan/pipecat-session").ConversationSession} */
  let session;
  /** @type {import("@respan/pipecat-session").SessionSummary} */
  let summary;
  const seenDuringCall = {};

  before(async () => {
    tracing.exporter.reset();
    demo = tracing.pipecat.createDemoConversation();
    session = attachSession(demo.task, { sessionId: "handle-1", customMetadata: { tenant: "acme", plan: "pro" } });
    demo.userAggregator.on("onUserTurnStopped", () => {
      seenDuringCall.current ??= getCurrentSession();
      seenDuringCall.byConversation ??= getSession(demo.task.conversationId ?? session.conversationId);
      session.setCustomMetadata({ plan: "enterprise", turns: Number(session.getCustomMetadata().turns ?? 0) + 1 });
    });
    demo.llm.registerFunction("get_weather", () => {
      seenDuringCall.inTool = getCurrentSession();
      return { city: "Paris", conditions: "sunny", temperatureC: 22 };
    });
    await demo.task.run();
    summary = await session.whenComplete();
  });

  it("is reachable from the task, any processor, the conversation id, and the code running for it", () => {
    assert.equal(getSession(demo.task), session);
    assert.equal(getSession(demo.stt), session);
    assert.equal(getSession(demo.assistantAggregator), session);
    assert.equal(getSession(demo.transport.output()), session);
    assert.equal(seenDuringCall.current, session, "getCurrentSession() in an aggregator event handler");
    assert.equal(seenDuringCall.inTool, session, "getCurrentSession() in a tool handler");
    assert.equal(seenDuringCall.byConversation, session, "getSession(conversationId) during the call");
    assert.equal(getSession(session.conversationId), undefined, "the id is forgotten once the conversation ended");
    assert.equal(getSession({}), undefined);
  });

  it("merges custom metadata and records it on the conversation span", () => {
    assert.deepEqual(session.getCustomMetadata(), { tenant: "acme", plan: "enterprise", turns: 3 });
    const conversation = conversationOf(session);
    assert.equal(conversation.attributes["session.metadata.tenant"], "acme");
    assert.equal(conversation.attributes["session.metadata.plan"], "enterprise");
    assert.equal(conversation.attributes["session.metadata.turns"], 3);
    assert.deepEqual(summary.customMetadata, session.getCustomMetadata());
    assert.equal(summary.outcome, "completed");
    assert.equal(summary.traceId, conversation.spanContext().traceId);
  });

  it("is sealed once finalised: setCustomMetadata throws a clear error", () => {
    assert.equal(session.isFinalised, true);
    assert.throws(() => session.setCustomMetadata({ late: true }), /session handle-1 is finalised.*before the pipeline finishes/);
    assert.throws(() => attachSession(demo.task), /already has session/);
    const copy = session.getCustomMetadata();
    copy.tenant = "mutated";
    assert.equal(session.getCustomMetadata().tenant, "acme", "getCustomMetadata returns a copy");
  });

  it("refuses metadata that is not a plain object", () => {
    const { PipelineTask, Pipeline, FrameProcessor } = tracing.pipecat;
    const fresh = attachSession(new PipelineTask(new Pipeline([new FrameProcessor()])));
    // @ts-expect-error a string where a plain object is expected: the method must name it
    assert.throws(() => fresh.setCustomMetadata("x"), /expects a plain object of metadata \(got string\)/);
    assert.throws(() => fresh.setCustomMetadata(null), /got null/);
  });
});

describe("concurrent sessions", () => {
  let runs;
  let silentInfo;
  let realInfo;

  before(async () => {
    tracing.exporter.reset();
    realInfo = console.info;
    silentInfo = () => {};
    console.info = silentInfo; // session logs still see the calls; the test output stays clean
    try {
      runs = await Promise.all(
        ["alpha", "beta", "gamma"].map(async (name, index) => {
          const demo = tracing.pipecat.createDemoConversation({ conversationId: `call-${name}` });
          const session = attachSession(demo.task, {
            sessionId: `session-${name}`,
            mode: "production",
            recordingsDir: dir,
            captureLogs: true,
            customMetadata: { caller: name, index },
          });
          demo.userAggregator.on("onUserTurnStopped", (_aggregator, message) => {
            console.info(`[${name}] heard: ${message.content}`);
          });
          demo.assistantAggregator.on("onAssistantTurnStopped", (_aggregator, message) => {
            // pipecat-ts reports a failing handler as a (non-fatal) ErrorFrame: part of the session's logs.
            if (message.content.startsWith("You're welcome")) throw new Error(`[${name}] goodbye handler failed`);
          });
          demo.llm.registerFunction("get_weather", () => {
            console.warn(`[${name}] weather lookup with Authorization: Bearer sk-${name}-0123456789abcdef`);
            return { city: "Paris", conditions: "sunny", temperatureC: 22 };
          });
          await demo.task.run();
          return { name, index, demo, session, summary: await session.whenComplete() };
        }),
      );
    } finally {
      console.info = realInfo;
    }
  });

  it("keeps each session's metadata, trace and id apart", () => {
    const traceIds = new Set();
    for (const { name, index, session } of runs) {
      const conversation = conversationOf(session);
      assert.equal(conversation.attributes["session.metadata.caller"], name);
      assert.equal(conversation.attributes["session.metadata.index"], index);
      assert.equal(conversation.attributes["conversation.id"], `call-${name}`);
      traceIds.add(conversation.spanContext().traceId);
      const turns = byName(tracing.spans(), "turn").filter((turn) => turn.spanContext().traceId === conversation.spanContext().traceId);
      assert.equal(turns.length, 4);
    }
    assert.equal(traceIds.size, 3);
  });

  it("gives each session its own recording, with both channels", async () => {
    const uris = new Set();
    for (const { name, session, summary } of runs) {
      const conversation = conversationOf(session);
      assert.equal(summary.recording.status, "recorded");
      assert.equal(conversation.attributes["recording.uri"], summary.recording.uri);
      assert.equal(summary.recording.uri, new URL(`file://${path.join(dir, `call-${name}.wav`)}`).href);
      uris.add(summary.recording.uri);
      const { fmt, left, right } = readWav(await readFile(fileURLToPath(summary.recording.uri)));
      assert.equal(fmt.numChannels, 2);
      assert.equal(fmt.sampleRate, 24_000);
      const energy = (samples, from = 0, to = samples.length / 24_000) => {
        let sum = 0;
        for (let i = Math.round(from * 24_000); i < Math.round(to * 24_000); i++) sum += Math.abs(samples[i]);
        return sum;
      };
      assert.ok(energy(left) > 0 && energy(right) > 0, "user and bot both recorded");
      // The turns' recording offsets point into the file: turn 1 (the greeting) at 0.
      const turns = byName(tracing.spans(), "turn")
        .filter((turn) => turn.spanContext().traceId === conversation.spanContext().traceId)
        .sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);
      const offsets = turns.map((turn) => turn.attributes["recording.offset_seconds"]);
      assert.equal(offsets[0], 0);
      assert.deepEqual([...offsets].sort((a, b) => a - b), offsets);
      // Turn 2 begins when the user starts speaking: silence on their channel before, speech right after.
      assert.equal(energy(left, 0, offsets[1] - 0.05), 0, "the user is silent before their first turn");
      assert.ok(energy(left, offsets[1], offsets[1] + 0.5) > 0, "and speaks as their turn begins");
      assert.ok(energy(right, 0, offsets[1]) > 0, "the greeting is in the recording");
      assert.ok(conversation.attributes["recording.duration_seconds"] > offsets[3]);
      assert.ok(Math.abs(conversation.attributes["recording.duration_seconds"] - left.length / 24_000) < 0.1);
    }
    assert.equal(uris.size, 3);
  });

  it("attributes each console call to the session whose code made it, masks credentials, and restores console", () => {
    for (const { name, summary, session } of runs) {
      const messages = summary.logs.map((record) => record.message);
      assert.ok(messages.length >= 4, JSON.stringify(messages));
      const consoleMessages = summary.logs.filter((record) => record.source === "console").map((record) => record.message);
      for (const message of consoleMessages) assert.match(message, new RegExp(`^\\[${name}\\]`), `only ${name}'s logs: ${message}`);
      assert.ok(messages.includes(`[${name}] heard: Hi Ada. What can you help me with?`));
      const pipelineErrors = summary.logs.filter((record) => record.source === "pipeline.ErrorFrame");
      assert.equal(pipelineErrors.length, 1, JSON.stringify(pipelineErrors));
      assert.equal(pipelineErrors[0].level, "WARN");
      assert.match(pipelineErrors[0].message, new RegExp(`"onAssistantTurnStopped" handler threw: \\[${name}\\] goodbye handler failed`));
      const warning = summary.logs.find((record) => record.level === "WARN" && record.source === "console");
      assert.equal(warning.message, `[${name}] weather lookup with Authorization: Bearer [REDACTED]`);
      const conversation = conversationOf(session);
      for (const record of summary.logs) {
        assert.equal(record.traceId, conversation.spanContext().traceId);
        assert.equal(record.sessionId, session.sessionId);
      }
      const events = conversation.events.filter((event) => event.name === "log");
      assert.deepEqual(events.map((event) => event.attributes["log.message"]), messages);
      assert.equal(events[0].attributes["log.severity"], "INFO");
      assert.equal(conversation.attributes["session.logs.count"], messages.length);
    }
    assert.equal(console.info, realInfo, "console restored after the last session");
  });
});

describe("createSessionCapture with defaults", () => {
  it("gives every conversation a session of its own; an attached session still wins", async () => {
    tracing.instrumentation.setConfig({
      sessionCapture: createSessionCapture({ customMetadata: { deployment: "canary" }, mode: "testing" }),
    });
    try {
      tracing.exporter.reset();
      const plain = tracing.pipecat.createDemoConversation();
      const attached = tracing.pipecat.createDemoConversation();
      const attachedSession = attachSession(attached.task, { sessionId: "attached", customMetadata: { own: true } });
      await Promise.all([plain.task.run(), attached.task.run()]);
      const plainSession = getSession(plain.task);
      assert.ok(plainSession, "a session was created for the task");
      assert.notEqual(plainSession, attachedSession);
      const summary = await plainSession.whenComplete();
      assert.equal(summary.transcript.entries.length, 9);
      assert.equal(conversationOf(plainSession).attributes["session.metadata.deployment"], "canary");
      const attachedSpan = conversationOf(attachedSession);
      assert.equal(attachedSpan.attributes["session.metadata.own"], true);
      assert.equal(attachedSpan.attributes["session.metadata.deployment"], undefined, "the task's own options, not the defaults");
    } finally {
      tracing.instrumentation.setConfig({ sessionCapture: createSessionCapture() });
    }
  });
});

describe("abort() without a trace hold (no @respan/core client in this process)", () => {
  it("stops capture, records nothing more, and warns once that spans could not be withheld", async () => {
    assert.equal(globalThis[Symbol.for("@respan/core.traceHold")], undefined);
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      tracing.exporter.reset();
      const demo = tracing.pipecat.createDemoConversation();
      const session = attachSession(demo.task, {
        mode: "production",
        recordingsDir: path.join(dir, "unheld"),
        customMetadata: { secret: "do-not-record" },
      });
      let turns = 0;
      demo.userAggregator.on("onUserTurnStopped", () => {
        if (++turns === 1) session.abort();
      });
      await demo.task.run();
      const summary = await session.whenComplete();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(summary.outcome, "aborted");
      assert.equal(summary.transcript, undefined);
      const ours = warnings.filter((warning) => warning.code === "RESPAN_SESSION_ABORT_UNHELD");
      assert.equal(ours.length, 1);
      assert.match(ours[0].message, /no trace hold is installed.*may have been exported/);
      const conversation = byName(tracing.spans(), "conversation")[0];
      assert.equal(conversation.attributes["session.metadata.secret"], undefined);
      assert.equal(conversation.attributes["conversation.transcript"], undefined);
      await assert.rejects(readFile(path.join(dir, "unheld", `${session.conversationId}.wav`)), { code: "ENOENT" });
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("an attached session with no sessionCapture factory configured", () => {
  it("is captured all the same", async () => {
    tracing.instrumentation.setConfig({});
    try {
      const { task, finishedBy } = passThroughTask(tracing.pipecat);
      const session = attachSession(task, { customMetadata: { plan: "pro" } });
      void task.queueFrame(new tracing.pipecat.EndFrame());
      await task.run();
      const summary = await session.whenComplete();
      assert.equal(summary.outcome, "completed");
      assert.ok(await finishedBy instanceof tracing.pipecat.EndFrame, "the EndFrame ended the task, not a cancellation");
      const conversation = byName(tracing.spans(), "conversation").find(
        (span) => span.attributes["session.id"] === session.sessionId,
      );
      assert.ok(conversation, "the session's conversation span");
      assert.equal(conversation.attributes["session.metadata.plan"], "pro");
    } finally {
      tracing.instrumentation.setConfig({ sessionCapture: createSessionCapture() });
    }
  });
});

describe("an attached session the instrumentation never captured", () => {
  it("says why once, and completes as not captured", async () => {
    tracing.instrumentation.disable();
    try {
      const { session, summary, finishedBy, warnings } = await runBarePipelineWithSession(tracing.pipecat, "RESPAN_SESSION_NOT_STARTED");
      assert.ok(finishedBy instanceof tracing.pipecat.EndFrame, "the EndFrame ended the task, not a cancellation");
      assert.equal(summary.outcome, "not_captured");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /never captured\. Make sure PipecatInstrumentation is enabled/);
      assert.throws(() => session.setCustomMetadata({ late: 1 }), /finalised/);
    } finally {
      tracing.instrumentation.enable();
    }
  });
});

describe("createTracedSession", () => {
  it("creates the task with tracing on and a session attached, conversation id = session id", async () => {
    tracing.exporter.reset();
    const { PipelineTask, LLMRunFrame } = tracing.pipecat;
    const demo = tracing.pipecat.createDemoConversation();
    const { task, session } = createTracedSession({
      PipelineTask,
      pipeline: demo.pipeline,
      taskOptions: { clock: demo.clock },
      sessionId: "one-step",
      customMetadata: { source: "helper" },
    });
    assert.ok(task instanceof PipelineTask);
    assert.equal(task.conversationId, "one-step");
    assert.equal(task.enableTracing, true);
    assert.equal(task.enableTurnTracking, true);
    assert.equal(getSession(task), session);
    void task.queueFrame(new LLMRunFrame());
    await task.run();
    const summary = await session.whenComplete();
    assert.equal(summary.outcome, "completed");
    assert.equal(summary.transcript.entries.length, 9);
    const conversation = conversationOf(session);
    assert.equal(conversation.attributes["conversation.id"], "one-step");
    assert.equal(conversation.attributes["session.metadata.source"], "helper");
  });

  it("names what is wrong with its options", () => {
    // @ts-expect-error the task class is missing: the option check must name it
    assert.throws(() => createTracedSession({ pipeline: {} }), /createTracedSession option "PipelineTask": expected the task class/);
    assert.throws(
      // @ts-expect-error a number where the task options are expected: the option check must name it
      () => createTracedSession({ PipelineTask: tracing.pipecat.PipelineTask, pipeline: {}, taskOptions: 3 }),
      /createTracedSession option "taskOptions": expected a plain object, got 3/,
    );
  });
});

describe("RESPAN_TRACING_ENABLED=false", () => {
  it("captures nothing, and the handle still works as a no-op", async () => {
    const previous = process.env.RESPAN_TRACING_ENABLED;
    process.env.RESPAN_TRACING_ENABLED = "false";
    try {
      tracing.exporter.reset();
      const { PipelineTask, LLMRunFrame } = tracing.pipecat;
      const demo = tracing.pipecat.createDemoConversation();
      const recordingsDir = path.join(dir, "disabled");
      const { task, session } = createTracedSession({
        PipelineTask,
        pipeline: demo.pipeline,
        taskOptions: { clock: demo.clock },
        mode: "production",
        recordingsDir,
        captureLogs: true,
      });
      assert.equal(session.enabled, false);
      assert.equal(task.enableTracing, false);
      session.setCustomMetadata({ a: 1 });
      assert.deepEqual(session.getCustomMetadata(), { a: 1 });
      assert.equal(session.startAudioUpload(), false);
      session.abortRecording();
      void task.queueFrame(new LLMRunFrame());
      await task.run();
      const summary = await session.whenComplete();
      assert.equal(summary.outcome, "disabled");
      assert.equal(summary.transcript, undefined);
      assert.equal(summary.recording, undefined);
      for (const span of byName(tracing.spans(), "conversation")) assert.equal(span.attributes["session.id"], undefined);
      await assert.rejects(readFile(path.join(recordingsDir, `${task.conversationId}.wav`)), { code: "ENOENT" });
      session.abort(); // still a harmless no-op
    } finally {
      if (previous === undefined) delete process.env.RESPAN_TRACING_ENABLED;
      else process.env.RESPAN_TRACING_ENABLED = previous;
    }
  });
});
