// The HopRouter (which conversation a hop belongs to, and which conversations stay alive), driven with
// fake processors and frames on a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROOT_CONTEXT, diag } from "@opentelemetry/api";
import { ErrorReporter } from "../dist/esm/error-reporter.js";
import { HopRouter } from "../dist/esm/hop-router.js";
import { FakeClock } from "./support/fake-clock.mjs";
import * as P from "./support/fake-pipecat.mjs";
import { byName, endMs, inMemoryTracing } from "../../../test/support/otel.cjs";

const DEFAULT_LIMITS = { idleTimeoutMs: 60_000, maxConversations: 100 };

/** A router whose conversations are real ConversationTracers on a fake clock, exporting to memory. */
/**
 * @param {{ limits?: typeof DEFAULT_LIMITS, sessionCapture?: import("@respan/instrumentation-pipecat").SessionCaptureFactory }} [options]
 */
function createRouter({ limits = DEFAULT_LIMITS, sessionCapture } = {}) {
  const { exporter, tracer } = inMemoryTracing();
  const clock = new FakeClock();
  const errors = new ErrorReporter(diag);
  const created = [];
  const router = new HopRouter(
    {
      tracer,
      settings: () => ({ captureContent: true, maxContentLength: 4096, turnEndTimeoutMs: 2500, attributeHook: undefined, sessionCapture, latestGenAi: false }),
    },
    clock,
    errors,
    limits,
  );
  // Every conversation the router starts, in order (newTracer is where it creates them).
  const routerInternals = /** @type {any} */ (router); // newTracer is private
  const newTracer = routerInternals.newTracer.bind(router);
  routerInternals.newTracer = (origin) => {
    const conversation = newTracer(origin);
    created.push(conversation);
    return conversation;
  };
  const conversations = () => byName(exporter.getFinishedSpans(), "conversation");
  return { router, clock, created, conversations };
}

/** Fake processors linked a -> b -> ... (next/prev fields, as pipecat-ts has). */
function chain(count) {
  const processors = Array.from({ length: count }, (_, i) => new P.Transport(`p${i}#0`));
  for (let i = 0; i < count - 1; i++) {
    processors[i].next = processors[i + 1];
    processors[i + 1].prev = processors[i];
  }
  return processors;
}

function collectWarnings() {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on("warning", onWarning);
  return {
    warnings,
    async stop() {
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      process.off("warning", onWarning);
    },
  };
}

describe("ownership", () => {
  it("a processor outside the task's graph pushing a frame of the task's conversation joins it: no spurious conversation", () => {
    const { router, created } = createRouter();
    const [source, next] = chain(2);
    const stray = new P.Transport("stray#0"); // created and linked after run() claimed the graph
    const conversation = router.beginTask({ pipeline: source }, ROOT_CONTEXT);
    const start = new P.StartFrame();
    router.onPushFrame(source, start, 1);
    router.onPushFrame(stray, start, 1);
    router.onPushFrame(stray, new P.UserStartedSpeakingFrame(), 1);
    assert.equal(created.length, 1, "one conversation");
    assert.equal(router.liveOwner(stray), conversation);
    assert.equal(router.liveOwner(next), conversation);
  });

  it("claims a task's pipeline once: StartFrames of other, task-less pipelines never walk it again", () => {
    const { router, created } = createRouter();
    let pipelineReads = 0;
    const [source] = chain(3);
    router.beginTask({ get pipeline() { pipelineReads += 1; return source; } }, ROOT_CONTEXT);
    for (let i = 0; i < 20; i++) {
      const [first] = chain(2);
      router.onPushFrame(first, new P.StartFrame(), "downstream");
    }
    assert.equal(created.length, 21, "each task-less pipeline got its own conversation");
    assert.equal(pipelineReads, 1);
  });

  it("a processor linked next to a running pipeline after it started joins it through its neighbour", () => {
    const { router, created } = createRouter();
    const [source, last] = chain(2);
    const conversation = router.beginTask({ pipeline: source }, ROOT_CONTEXT);
    const added = new P.Transport("added#0");
    last.next = added;
    added.prev = last;
    router.onPushFrame(added, new P.StartFrame(), 1); // its own StartFrame, e.g. a sub-pipeline's
    assert.equal(created.length, 1);
    assert.equal(router.liveOwner(added), conversation);
  });
});

describe("repeat hops", () => {
  /** Counts the hops the conversation's tracer is handed, by frame class. */
  function countTracerHops(conversation) {
    const counts = new Map();
    const onHop = conversation.onHop;
    conversation.onHop = function (source, frame, ...rest) {
      counts.set(frame.constructor.name, (counts.get(frame.constructor.name) ?? 0) + 1);
      return onHop.call(this, source, frame, ...rest);
    };
    return counts;
  }

  it("a frame crossing the pipeline reaches the tracer once; a StartFrame and an EndFrame at every hop", () => {
    const { router, conversations } = createRouter();
    const processors = chain(4);
    const conversation = router.beginTask({ pipeline: processors[0] }, ROOT_CONTEXT);
    const counts = countTracerHops(conversation);
    const crossPipeline = (frame) => {
      for (const processor of processors.slice(0, -1)) router.onPushFrame(processor, frame, 1);
    };
    crossPipeline(new P.StartFrame());
    crossPipeline(new P.MetricsFrame([]));
    crossPipeline(new P.BotStartedSpeakingFrame());
    crossPipeline(new P.EndFrame());
    router.onPushFrame(processors.at(-1), new P.EndFrame(), 1);
    assert.equal(counts.get("MetricsFrame"), 1);
    assert.equal(counts.get("BotStartedSpeakingFrame"), 1);
    assert.equal(counts.get("StartFrame"), 3);
    assert.ok(counts.get("EndFrame") >= 3, "every EndFrame hop is seen: the last one ends the conversation");
    assert.equal(conversations().length, 1, "the EndFrame leaving the end of the chain ended the conversation");
  });

  it("a frame already seen, pushed on by a processor outside the conversation, still makes it join", () => {
    const { router, created } = createRouter();
    const [source] = chain(2);
    const conversation = router.beginTask({ pipeline: source }, ROOT_CONTEXT);
    const stray = new P.Transport("stray#0");
    const frame = new P.MetricsFrame([]);
    router.onPushFrame(source, frame, 1);
    router.onPushFrame(stray, frame, 1);
    assert.equal(router.liveOwner(stray), conversation);
    assert.equal(created.length, 1);
  });
});

describe("audio hops", () => {

  /** How many owner lookups `count` audio hops from `processor` cost. */
  function ownerLookupsForAudio(router, processor, count) {
    let lookups = 0;
    const liveOwner = router.liveOwner;
    router.liveOwner = function (...args) {
      lookups += 1;
      return liveOwner.apply(this, args);
    };
    for (let i = 0; i < count; i++) router.onPushFrame(processor, new P.InputAudioRawFrame(), 1);
    delete router.liveOwner;
    return lookups;
  }

  it("skip all work while no conversation's listener takes audio", () => {
    const { router, created } = createRouter({ sessionCapture: () => ({ onTurnStart() {} }) });
    const [source] = chain(2);
    router.onPushFrame(source, new P.StartFrame(), 1);
    assert.equal(created[0].wantsAudio, false, "a listener without audio callbacks takes no audio");
    assert.equal(ownerLookupsForAudio(router, source, 50), 0);
    created[0].end("cancel_frame");
  });

  it("reach a listener that takes audio, and stop the moment it says it takes no more", () => {
    const infos = [];
    const heard = [];
    const { router, created } = createRouter({
      sessionCapture: (info) => {
        infos.push(info);
        return { onUserAudio: (frame) => heard.push(frame) };
      },
    });
    const [source] = chain(2);
    router.onPushFrame(source, new P.StartFrame(), 1);
    const [conversation] = created;
    assert.equal(conversation.wantsAudio, true);
    assert.equal(ownerLookupsForAudio(router, source, 10), 10);
    assert.equal(heard.length, 10, "the listener got every audio frame");
    infos[0].stopAudio();
    assert.equal(conversation.wantsAudio, false);
    assert.equal(ownerLookupsForAudio(router, source, 10), 0, "the router no longer counts it as taking audio");
    conversation.end("cancel_frame");
  });

  it("a listener that stops audio as its conversation starts takes none", () => {
    const { router, created } = createRouter({
      sessionCapture: () => ({ onConversationStart: (info) => info.stopAudio(), onUserAudio() {} }),
    });
    const [source] = chain(2);
    router.onPushFrame(source, new P.StartFrame(), 1);
    const [conversation] = created;
    assert.equal(conversation.wantsAudio, false);
    assert.equal(ownerLookupsForAudio(router, source, 10), 0);
    conversation.end("cancel_frame");
  });
});

describe("conversations without a task", () => {
  it("end after the idle timeout without a hop, at their last hop; a hop keeps one alive (D4)", () => {
    const { router, clock, conversations } = createRouter({ limits: { idleTimeoutMs: 60_000, maxConversations: 100 } });
    const [source] = chain(2);
    router.onPushFrame(source, new P.StartFrame(), 1);
    clock.advance(30_000);
    router.onPushFrame(source, new P.UserStartedSpeakingFrame(), 1);
    const lastHopAt = clock.now();
    clock.advance(59_000);
    assert.equal(conversations().length, 0, "30 s + 59 s: seen 59 s ago, still alive");
    clock.advance(20_000);
    const [conversation] = conversations();
    assert.equal(conversation.attributes["conversation.end_reason"], "idle_timeout");
    assert.equal(endMs(conversation), lastHopAt);
    assert.equal(clock.pendingTimers, 0, "no check runs once no conversation without a task is left");
  });

  it("a conversation run by a task is never ended by idleness (its run() ends it)", () => {
    const { router, clock, created, conversations } = createRouter({ limits: { idleTimeoutMs: 1000, maxConversations: 100 } });
    const [source] = chain(2);
    router.beginTask({ pipeline: source }, ROOT_CONTEXT);
    router.onPushFrame(source, new P.StartFrame(), 1);
    clock.advance(60_000);
    assert.equal(conversations().length, 0);
    assert.equal(clock.pendingTimers, 0, "no idle check armed for it");
    created[0].end("task_finished");
  });

  it("an idle timeout of 0 never ends one", () => {
    const { router, clock, created, conversations } = createRouter({ limits: { idleTimeoutMs: 0, maxConversations: 100 } });
    router.onPushFrame(chain(2)[0], new P.StartFrame(), 1);
    clock.advance(24 * 3600_000);
    assert.equal(conversations().length, 0);
    created[0].end("cancel_frame");
  });
});

describe("the cap on live conversations", () => {
  it("starting one more than maxConversations ends the oldest, with one warning (D4)", async () => {
    const { router, created, conversations } = createRouter({ limits: { idleTimeoutMs: 60_000, maxConversations: 2 } });
    const collected = collectWarnings();
    for (let i = 0; i < 4; i++) router.onPushFrame(chain(2)[0], new P.StartFrame(), 1);
    await collected.stop();
    assert.equal(created.length, 4);
    assert.deepEqual(created.map((conversation) => conversation.isEnded), [true, true, false, false]);
    assert.deepEqual(conversations().map((span) => span.attributes["conversation.end_reason"]), ["max_conversations", "max_conversations"]);
    const ours = collected.warnings.filter((warning) => warning.code === "PIPECAT_INSTRUMENTATION_WARNING");
    assert.equal(ours.length, 1);
    assert.match(ours[0].message, /maxConversations/);
    for (const conversation of created) conversation.end("cancel_frame");
  });
});
