// The per-conversation listener seam that session capture plugs into.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as P from "./support/fake-pipecat.mjs";
import { onlyOne } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

describe("conversation listener", () => {
  it("receives the conversation, its turns, each frame once and each audio frame once", () => {
    const events = [];
    const h = createHarness({
      sessionCapture: (info) => {
        events.push(["factory", info.conversationId, typeof info.span.spanContext]);
        return {
          onConversationStart: (start) => events.push(["start", start.conversationId]),
          onFrame: (hop) => events.push(["frame", hop.frame.constructor.name, hop.source.name, hop.timeMs]),
          onUserAudio: (frame) => events.push(["user-audio", frame.id]),
          onBotAudio: (frame) => events.push(["bot-audio", frame.id]),
          onTurnStart: (turn) => events.push(["turn-start", turn.turnNumber]),
          onTurnEnd: (turn) => events.push(["turn-end", turn.turnNumber, turn.wasInterrupted, turn.endedByConversationEnd]),
          onConversationEnd: (end) => {
            end.span.setAttribute("session.extra", "kept");
            events.push(["end", end.reason]);
          },
        };
      },
    });
    assert.equal(h.conversation.wantsAudio, true);
    const start = h.hop(h.transport, new P.StartFrame());
    h.hop(h.stt, start);
    const audio = new P.InputAudioRawFrame();
    h.hop(h.transport, audio);
    h.hop(h.stt, audio);
    const botAudio = new P.TTSAudioRawFrame("c");
    h.hop(h.tts, botAudio);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.hop(h.transport, new P.CancelFrame());
    const at = h.clock.now();
    assert.deepEqual(events, [
      ["factory", "conv-1", "function"],
      ["start", "conv-1"],
      ["turn-start", 1],
      ["frame", "StartFrame", "transport#0", at],
      ["user-audio", audio.id],
      ["bot-audio", botAudio.id],
      ["frame", "BotStartedSpeakingFrame", "output#0", at],
      ["turn-end", 1, true, true],
      ["end", "cancel_frame"],
    ]);
    assert.equal(onlyOne(h.spans(), "conversation").attributes["session.extra"], "kept");
  });

  it("a listener that throws is reported and never breaks tracing", () => {
    const h = createHarness({
      sessionCapture: () => ({
        onTurnStart: () => {
          throw new Error("listener bug");
        },
        onBotAudio: () => {
          throw new Error("audio bug");
        },
      }),
    });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.tts, new P.TTSAudioRawFrame("c"));
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(onlyOne(h.spans(), "turn").attributes["turn.number"], 1);
    assert.deepEqual(h.reported.map((r) => r.where).sort(), ["sessionCapture audio", "sessionCapture onTurnStart"]);
  });

  it("a factory that throws or returns nothing leaves the conversation traced without a listener", () => {
    for (const sessionCapture of [() => undefined, () => { throw new Error("factory bug"); }]) {
      const h = createHarness({ sessionCapture });
      assert.equal(h.conversation.wantsAudio, false);
      h.hop(h.transport, new P.StartFrame());
      h.hop(h.transport, new P.CancelFrame());
      assert.equal(onlyOne(h.spans(), "conversation").attributes["conversation.end_reason"], "cancel_frame");
    }
  });
});
