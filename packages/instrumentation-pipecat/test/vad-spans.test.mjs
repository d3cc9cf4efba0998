// The vad span kind: one span per stretch of user speech the VAD reported, fed fake hops on a fake clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as P from "./support/fake-pipecat.mjs";
import { byName, endMs, onlyOne, parentIdOf, startMs } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

const idOf = (span) => span.spanContext().spanId;

/** A snake_case port's VAD frames (Pipecat's own field names). */
class VADUserStartedSpeakingFrame extends P.SystemFrame {
  constructor(startSecs) {
    super();
    this.start_secs = startSecs;
  }
}
class VADUserStoppedSpeakingFrame extends P.SystemFrame {
  constructor(stopSecs) {
    super();
    this.stop_secs = stopSecs;
  }
}

describe("vad spans", () => {
  it("span the user's speech from its back-dated start to the VAD's stop, under the turn, with start_secs, stop_secs and the speech's duration", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    // The bot's greeting is turn 1; the user's answer starts turn 2.
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.clock.advance(1000);
    h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
    h.clock.advance(1000);
    const detectedStartMs = h.clock.now();
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0.2));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(2000);
    const detectedStopMs = h.clock.now();
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0.8));
    h.hop(h.transport, new P.UserStoppedSpeakingFrame());
    h.hop(h.transport, new P.CancelFrame());

    const vad = onlyOne(h.spans(), "vad");
    const turn = byName(h.spans(), "turn").find((t) => t.attributes["turn.number"] === 2);
    assert.equal(parentIdOf(vad), idOf(turn), "under the turn the speech started");
    assert.equal(startMs(vad), detectedStartMs - 200, "back-dated by start_secs");
    assert.equal(startMs(vad), startMs(turn), "starts with its turn");
    assert.equal(endMs(vad), detectedStopMs, "ends when the VAD declared the stop");
    assert.equal(vad.attributes["vad.start_secs"], 0.2);
    assert.equal(vad.attributes["vad.stop_secs"], 0.8);
    // Really spoke from 0.2 s before the start frame to 0.8 s before the stop frame: 2.0 + 0.2 - 0.8.
    assert.ok(Math.abs(vad.attributes["vad.speech_duration_seconds"] - 1.4) < 1e-9, String(vad.attributes["vad.speech_duration_seconds"]));
    assert.equal(vad.attributes["conversation.id"], "conv-1");
  });

  it("one span per speech: a repeated start keeps the first, a stop without a start emits nothing", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0.5));
    h.clock.advance(100);
    const firstStartMs = h.clock.now();
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0));
    h.clock.advance(300);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0));
    h.clock.advance(300);
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0));
    h.clock.advance(500);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0));
    h.clock.advance(400);
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0));
    h.hop(h.transport, new P.CancelFrame());
    const spans = byName(h.spans(), "vad").sort((a, b) => startMs(a) - startMs(b));
    assert.deepEqual(spans.map((span) => span.attributes["vad.speech_duration_seconds"]), [0.6, 0.4]);
    assert.equal(startMs(spans[0]), firstStartMs);
  });

  it("a speech still going when the conversation ends is emitted up to the end, without the stop's attributes", () => {
    const h = createHarness();
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new VADUserStartedSpeakingFrame(0.3)); // snake_case fields
    h.clock.advance(700);
    const endedMs = h.clock.now();
    h.hop(h.transport, new P.CancelFrame());
    const vad = onlyOne(h.spans(), "vad");
    assert.equal(vad.attributes["vad.start_secs"], 0.3);
    assert.equal(endMs(vad), endedMs);
    assert.equal(vad.attributes["vad.stop_secs"], undefined);
    assert.equal(vad.attributes["vad.speech_duration_seconds"], undefined);
    assert.equal(h.reported.length, 0, "nothing went wrong");
  });

  it("reads snake_case stop_secs, and the attribute hook sees the span as kind vad", () => {
    const kinds = [];
    const h = createHarness({ attributeHook: (_span, info) => kinds.push(info.kind) });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.transport, new VADUserStartedSpeakingFrame(0));
    h.clock.advance(1000);
    h.hop(h.transport, new VADUserStoppedSpeakingFrame(0.25));
    const vad = onlyOne(h.spans(), "vad");
    assert.equal(vad.attributes["vad.stop_secs"], 0.25);
    assert.equal(vad.attributes["vad.speech_duration_seconds"], 0.75);
    assert.deepEqual(kinds, ["vad"]);
  });
});
