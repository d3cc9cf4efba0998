// The ConversationTracer's turn rules and conversation lifecycle, fed fake hops on a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpanStatusCode } from "@opentelemetry/api";
import { LeakyClock } from "./support/fake-clock.mjs";
import * as P from "./support/fake-pipecat.mjs";
import { byName, durationMs, endMs, onlyOne, parentIdOf, startMs } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

const turnsOf = (h) => byName(h.spans(), "turn").sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);

/** The bot speaks for `ms` (BotStarted..BotStopped, broadcast upstream from the output transport). */
function botSpeaks(h, ms) {
  h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
  h.clock.advance(ms);
  h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
}

describe("conversation span", () => {
  it("is the root, carries the id, type and task attributes, and ends when the EndFrame leaves the last processor", () => {
    const h = createHarness({ conversationId: "call-7", additionalAttributes: { "app.tenant": "acme" } });
    h.hop(h.transport, new P.StartFrame());
    h.clock.advance(1000);
    const end = new P.EndFrame();
    h.hop(h.transport, end);
    assert.equal(byName(h.spans(), "conversation").length, 0, "not ended while the EndFrame is mid-pipeline");
    h.hop(h.out, end); // out.next is undefined: the end of the pipeline
    const conversation = onlyOne(h.spans(), "conversation");
    assert.equal(parentIdOf(conversation), undefined);
    assert.equal(conversation.attributes["conversation.id"], "call-7");
    assert.equal(conversation.attributes["conversation.type"], "voice");
    assert.equal(conversation.attributes["app.tenant"], "acme");
    assert.equal(conversation.attributes["conversation.end_reason"], "end_frame");
    assert.equal(h.conversation.isEnded, true);
    assert.equal(h.clock.pendingTimers, 0, "no timer left behind");
  });

  it("ends on a CancelFrame, ending the open turn as ended by the conversation", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.clock.advance(500);
    h.hop(h.transport, new P.CancelFrame());
    const turn = onlyOne(h.spans(), "turn");
    assert.equal(turn.attributes["turn.ended_by_conversation_end"], true);
    assert.equal(turn.attributes["turn.was_interrupted"], true);
    assert.equal(turn.attributes["turn.duration_seconds"], 0.5);
    assert.equal(onlyOne(h.spans(), "conversation").attributes["conversation.end_reason"], "cancel_frame");
  });

  it("ends with ERROR status and the exception on a fatal ErrorFrame", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.llm, new P.ErrorFrame("OpenAILLMService#0: quota exceeded", true, h.llm), UP);
    const conversation = onlyOne(h.spans(), "conversation");
    assert.equal(conversation.status.code, SpanStatusCode.ERROR);
    assert.match(conversation.status.message, /quota exceeded/);
    assert.equal(conversation.attributes["error.type"], "fatal_error");
    const exception = conversation.events.find((event) => event.name === "exception");
    assert.match(String(exception.attributes["exception.message"]), /quota exceeded/);
  });

  it("records a non-fatal ErrorFrame as an exception event without ending anything", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.stt, new P.ErrorFrame("stt hiccup", false, h.stt), UP);
    assert.equal(h.conversation.isEnded, false);
    h.hop(h.transport, new P.CancelFrame());
    const turn = onlyOne(h.spans(), "turn");
    assert.ok(turn.events.some((event) => event.name === "exception" && /stt hiccup/.test(event.attributes["exception.message"])));
    assert.equal(onlyOne(h.spans(), "conversation").status.code, SpanStatusCode.UNSET);
  });

  it("ends after the fallback when the EndFrame reaches a processor with nothing after it", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    const end = new P.EndFrame();
    h.hop(h.tts, end); // destination: out, whose next is undefined
    h.clock.advance(999);
    assert.equal(h.conversation.isEnded, false);
    h.clock.advance(1);
    assert.equal(h.conversation.isEnded, true);
  });

  it("is idempotent: a second end (task settling after the EndFrame) changes nothing", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.conversation.end("cancel_frame");
    h.conversation.end("task_failed", new Error("late"));
    const conversation = onlyOne(h.spans(), "conversation");
    assert.equal(conversation.attributes["conversation.end_reason"], "cancel_frame");
    assert.equal(conversation.status.code, SpanStatusCode.UNSET);
  });
});

describe("turn rules", () => {
  it("starts turn 1 with the StartFrame (the greeting) and ends it after the end-of-turn timeout", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.clock.advance(200);
    botSpeaks(h, 1800);
    const botStoppedAt = h.clock.now();
    h.clock.advance(2499);
    assert.equal(turnsOf(h).length, 0, "still open just before the timeout");
    h.clock.advance(1);
    const [turn] = turnsOf(h);
    assert.equal(turn.attributes["turn.number"], 1);
    assert.equal(turn.attributes["turn.type"], "conversation");
    assert.equal(turn.attributes["conversation.id"], "conv-1");
    assert.equal(turn.attributes["turn.was_interrupted"], false);
    assert.equal(turn.attributes["turn.ended_by_conversation_end"], false);
    // Like Pipecat, a timed-out turn ends when the bot stopped speaking.
    assert.equal(endMs(turn), botStoppedAt);
    assert.equal(turn.attributes["turn.duration_seconds"], 2);
  });

  it("parents every turn on the conversation span", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.CancelFrame());
    const conversationId = onlyOne(h.spans(), "conversation").spanContext().spanId;
    const turns = turnsOf(h);
    assert.equal(turns.length, 2);
    for (const turn of turns) assert.equal(parentIdOf(turn), conversationId);
  });

  it("the bot speaking again before the timeout keeps the turn open", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 500);
    h.clock.advance(2000);
    botSpeaks(h, 500); // e.g. speech resumed after a tool call
    h.clock.advance(2000);
    assert.equal(turnsOf(h).length, 0);
    h.clock.advance(500);
    assert.equal(turnsOf(h).length, 1);
  });

  it("the user speaking after the bot finished ends the turn (not interrupted) and starts the next", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 1000);
    h.clock.advance(800);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    const [first] = turnsOf(h);
    assert.equal(first.attributes["turn.was_interrupted"], false);
    assert.equal(endMs(first), h.clock.now());
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h)[1].attributes["turn.number"], 2);
    assert.equal(startMs(turnsOf(h)[1]), endMs(first));
  });

  it("the user speaking while the bot speaks is an interruption: the turn ends interrupted, the next starts at once", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(700);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.InterruptionFrame());
    // The bot's BotStoppedSpeaking trails the interruption: it must not arm a timer for the new turn.
    h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
    h.clock.advance(10_000);
    const turns = turnsOf(h);
    assert.equal(turns.length, 1, "the new turn stays open: the user has not been answered");
    assert.equal(turns[0].attributes["turn.was_interrupted"], true);
    assert.equal(turns[0].attributes["turn.duration_seconds"], 0.7);
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h)[1].attributes["turn.number"], 2);
  });

  it("the user speaking twice before the bot answers stays in the same turn", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.CancelFrame());
    assert.deepEqual(turnsOf(h).map((t) => t.attributes["turn.number"]), [1, 2]);
  });

  it("uses the configured end-of-turn timeout", () => {
    const h = createHarness({ turnEndTimeoutMs: 300 });
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.clock.advance(300);
    assert.equal(turnsOf(h).length, 1);
  });
});

describe("the stale end-of-turn timer (pipecat PR #5286)", () => {
  it("a timer armed in turn 1 never ends turn 2", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 1000); // arms the turn-1 timer, due in 2.5 s
    h.clock.advance(1000);
    h.hop(h.transport, new P.UserStartedSpeakingFrame()); // turn 2 starts 1 s later
    h.clock.advance(5000); // well past the old timer's due time
    const turns = turnsOf(h);
    assert.equal(turns.length, 1, "only turn 1 has ended");
    assert.equal(turns[0].attributes["turn.number"], 1);
    assert.equal(h.clock.pendingTimers, 0, "the old timer was cancelled");
  });

  it("holds even when a timer fires after it was cancelled (clock that cannot cancel)", () => {
    const h = createHarness({ clock: new LeakyClock() });
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 1000);
    h.clock.advance(1000);
    h.hop(h.transport, new P.UserStartedSpeakingFrame()); // turn 2
    h.clock.advance(1000);
    botSpeaks(h, 400); // bot answers turn 2 and stops: a fresh timer
    h.clock.advance(1200);
    // The turn-1 timer has fired by now (2.5 s after its arming): turn 2 must still be open.
    assert.equal(turnsOf(h).length, 1);
    h.clock.advance(1300); // the turn-2 timer (2.5 s after its bot stop)
    const turns = turnsOf(h);
    assert.equal(turns.length, 2);
    assert.equal(turns[1].attributes["turn.duration_seconds"], 1.4);
  });

  it("a timer from before the bot spoke again does not end the turn", () => {
    const h = createHarness({ clock: new LeakyClock() });
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.clock.advance(2000);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(3000); // the first timer fires while the bot is speaking
    assert.equal(turnsOf(h).length, 0);
  });
});

describe("latency", () => {
  it("measures user-to-bot latency from when the user really stopped (VAD stop minus stopSecs)", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.2));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(1500);
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0.3));
    h.clock.advance(100);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.clock.advance(900);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(100);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP); // a second start does not re-measure
    h.hop(h.transport, new P.CancelFrame());
    const turn2 = turnsOf(h)[1];
    assert.ok(Math.abs(turn2.attributes["turn.user_bot_latency_seconds"] - 1.3) < 1e-9);
    assert.equal(turnsOf(h)[0].attributes["turn.user_bot_latency_seconds"], undefined, "the greeting has no user");
  });

  it("falls back to UserStoppedSpeaking without a VAD, and records each service's first TTFB in the turn", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(1000);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.hop(h.stt, new P.MetricsFrame([new P.TTFBMetricsData("DeepgramSTTService#0", 0.25)]));
    h.hop(h.llm, new P.MetricsFrame([new P.TTFBMetricsData("OpenAILLMService#0", 0.4)]));
    h.hop(h.llm, new P.MetricsFrame([new P.TTFBMetricsData("OpenAILLMService#0", 0.9)]));
    h.hop(h.tts, new P.MetricsFrame([new P.TTFBMetricsData("CartesiaTTSService#0", 0.15)]));
    h.clock.advance(1200);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.hop(h.transport, new P.CancelFrame());
    const turn = turnsOf(h)[1];
    assert.equal(turn.attributes["turn.user_bot_latency_seconds"], 1.2);
    assert.equal(turn.attributes["turn.latency.stt_ttfb_seconds"], 0.25);
    assert.equal(turn.attributes["turn.latency.llm_ttfb_seconds"], 0.4);
    assert.equal(turn.attributes["turn.latency.tts_ttfb_seconds"], 0.15);
  });
});

describe("de-duplication", () => {
  it("counts a frame seen at several hops once", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    const userStarted = new P.UserStartedSpeakingFrame();
    h.hop(h.transport, userStarted);
    h.hop(h.stt, userStarted);
    h.hop(h.llm, userStarted);
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h).length, 2, "one new turn, not three");
  });

  it("counts the two copies of a broadcast frame once", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 100);
    const down = new P.UserStartedSpeakingFrame();
    const up = new P.UserStartedSpeakingFrame();
    down.broadcastSiblingId = up.id;
    up.broadcastSiblingId = down.id;
    h.hop(h.stt, down);
    h.hop(h.stt, up, UP);
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h).length, 2);
  });

  it("ignores hops after the conversation ended", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new P.CancelFrame());
    const count = h.spans().length;
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    assert.equal(h.spans().length, count);
    assert.equal(durationMs(onlyOne(h.spans(), "conversation")), 0);
  });
});

describe("turn start and the spans inside a turn", () => {
  it("a turn starts when the user really started speaking (the VAD's start, back-dated), as its stt span does (D5)", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 1000);
    h.clock.advance(3000); // the greeting's turn has timed out
    const vadAt = h.clock.now();
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.2));
    h.clock.advance(50); // a turn-start strategy can confirm the user a little later
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(800);
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.hop(h.stt, new P.TranscriptionFrame("Hello?"));
    h.hop(h.transport, new P.CancelFrame());
    const stt = onlyOne(h.spans(), "stt");
    const turn2 = turnsOf(h)[1];
    assert.equal(startMs(turn2), vadAt - 200);
    assert.equal(startMs(stt), startMs(turn2), "the stt span starts with its turn, not before it");
    assert.equal(parentIdOf(stt), turn2.spanContext().spanId);
  });

  it("an interruption's boundary is the user's real speech start: the interrupted turn ends where the next starts", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(1000);
    const vadAt = h.clock.now();
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.3));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.InterruptionFrame());
    h.hop(h.transport, new P.CancelFrame());
    const [turn1, turn2] = turnsOf(h);
    assert.equal(turn1.attributes["turn.was_interrupted"], true);
    assert.equal(endMs(turn1), vadAt - 300);
    assert.equal(startMs(turn2), vadAt - 300);
    assert.equal(turn1.attributes["turn.duration_seconds"], 0.7);
  });

  it("a back-dated start never goes before the previous turn's boundary", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    const startedAt = h.clock.now();
    h.clock.advance(100);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.5)); // "started" before the call did
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(100);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(5));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.transport, new P.CancelFrame());
    const [turn1, turn2] = turnsOf(h);
    assert.equal(startMs(turn1), startedAt);
    assert.equal(startMs(turn2), endMs(turn1));
    assert.ok(startMs(turn2) >= startMs(turn1));
  });

  it("a turn that ends while work it started still runs ends when that work does; turn.duration_seconds keeps the rule", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMTextFrame("Let me look that up."));
    const call = { functionName: "slow_lookup", toolCallId: "t1", arguments: {} };
    h.hop(h.llm, new P.FunctionCallInProgressFrame(call));
    botSpeaks(h, 1000);
    const botStoppedAt = h.clock.now();
    h.clock.advance(2500); // the end-of-turn timeout fires while the tool still runs
    assert.equal(byName(h.spans(), "turn").length, 0, "the turn waits for the work inside it");
    h.clock.advance(1500);
    h.hop(h.llm, new P.FunctionCallResultFrame({ ...call, result: { ok: true } }));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const doneAt = h.clock.now();
    const turn = onlyOne(h.spans(), "turn");
    assert.equal(endMs(turn), doneAt);
    assert.equal(turn.attributes["turn.duration_seconds"], (botStoppedAt - startMs(turn)) / 1000);
    for (const name of ["llm", "execute_tool slow_lookup"]) assert.ok(endMs(onlyOne(h.spans(), name)) <= endMs(turn));
    h.hop(h.transport, new P.CancelFrame());
    assert.ok(endMs(onlyOne(h.spans(), "conversation")) >= endMs(turn));
  });

  it("LLM and TTS work after an end-of-turn timeout is parented on the conversation: no orphan span (pipecat PR #3649)", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    botSpeaks(h, 500);
    h.clock.advance(2500);
    assert.equal(turnsOf(h).length, 1, "turn 1 timed out");
    // Between turns (e.g. a flow transition): a model run and its speech.
    h.clock.advance(300);
    const run = h.serviceCall("processContext", h.llm, { messages: [{ role: "user", content: "next step" }] });
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMTextFrame("Moving on."));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    run.settled(undefined, false);
    h.serviceCall("synthesize", h.tts, "Moving on.");
    h.hop(h.tts, new P.TTSStartedFrame("c2"));
    h.hop(h.tts, new P.TTSStoppedFrame("c2"));
    h.hop(h.transport, new P.CancelFrame());
    const spans = h.spans();
    const conversation = onlyOne(spans, "conversation");
    for (const name of ["llm", "tts"]) {
      const span = onlyOne(spans, name);
      assert.equal(parentIdOf(span), conversation.spanContext().spanId, `${name} under the conversation`);
      assert.equal(span.spanContext().traceId, conversation.spanContext().traceId);
    }
    assert.equal(new Set(spans.map((span) => span.spanContext().traceId)).size, 1, "one trace");
  });
});
