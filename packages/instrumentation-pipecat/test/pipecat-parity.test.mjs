// Where replaying Pipecat's own turn-tracking and turn-tracing scenarios found our spans different from
// Pipecat's: the per-turn accumulators after an interruption, which user-to-bot latency a turn keeps, where
// the system instruction comes from, and how multipart system text is joined.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as P from "./support/fake-pipecat.mjs";
import { byName, onlyOne, startMs } from "../../../test/support/otel.cjs";
import { UP, createHarness } from "./support/tracer-harness.mjs";

const turnsOf = (h) => byName(h.spans(), "turn").sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);

/** Greeting turn, then the user speaks for a second: turn 2 is open, the user has stopped. */
function userHasSpoken() {
  const h = createHarness();
  h.hop(h.transport, new P.StartFrame());
  h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
  h.clock.advance(100);
  h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
  h.hop(h.transport, new P.UserStartedSpeakingFrame());
  h.clock.advance(1000);
  h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0));
  h.hop(h.transport, new P.UserStoppedSpeakingFrame());
  return h;
}

const ttfb = (h, service, seconds) => h.hop(service, new P.MetricsFrame([new P.TTFBMetricsData(service.name, seconds)]));

describe("per-turn accumulators reset like Pipecat's (a)", () => {
  it("an interruption drops the cancelled run's TTFBs: the turn keeps the run that answered", () => {
    const h = userHasSpoken();
    ttfb(h, h.llm, 0.9);
    ttfb(h, h.tts, 0.7);
    h.hop(h.transport, new P.InterruptionFrame());
    ttfb(h, h.llm, 0.3);
    ttfb(h, h.llm, 0.8); // a later run of the same turn: the first after the reset stays
    ttfb(h, h.tts, 0.2);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.hop(h.transport, new P.CancelFrame());
    const turn = turnsOf(h)[1].attributes;
    assert.equal(turn["turn.latency.llm_ttfb_seconds"], 0.3);
    assert.equal(turn["turn.latency.tts_ttfb_seconds"], 0.2);
  });

  it("the VAD hearing the user again resets them too", () => {
    const h = userHasSpoken();
    ttfb(h, h.llm, 0.9);
    h.hop(h.transport, new P.VADUserStartedSpeakingFrame(0));
    ttfb(h, h.llm, 0.4);
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h)[1].attributes["turn.latency.llm_ttfb_seconds"], 0.4);
  });

  it("without a reset the first TTFB of the turn stays", () => {
    const h = userHasSpoken();
    ttfb(h, h.llm, 0.5);
    ttfb(h, h.llm, 0.6);
    h.hop(h.transport, new P.CancelFrame());
    assert.equal(turnsOf(h)[1].attributes["turn.latency.llm_ttfb_seconds"], 0.5);
  });
});

describe("user-to-bot latency keeps the turn's last measurement (b)", () => {
  it("a second user stop and bot start in the same turn replaces the first figure", () => {
    const listenerTurns = [];
    const h = createHarness({ sessionCapture: () => ({ onTurnEnd: (turn) => listenerTurns.push(turn) }) });
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP);
    h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.clock.advance(500);
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0));
    h.clock.advance(1000);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP); // first measurement: 1.0 s
    h.clock.advance(300);
    h.hop(h.out, new P.BotStoppedSpeakingFrame(), UP);
    h.clock.advance(200);
    h.hop(h.transport, new P.VADUserStoppedSpeakingFrame(0)); // the VAD heard the user again, no new turn
    h.clock.advance(400);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP); // second measurement: 0.4 s
    h.clock.advance(100);
    h.hop(h.out, new P.BotStartedSpeakingFrame(), UP); // no new user stop: nothing measured
    h.hop(h.transport, new P.CancelFrame());
    const turns = turnsOf(h);
    assert.equal(turns.length, 2);
    assert.ok(Math.abs(turns[1].attributes["turn.user_bot_latency_seconds"] - 0.4) < 1e-9);
    assert.ok(Math.abs(listenerTurns[1].userBotLatencySeconds - 0.4) < 1e-9, "listeners get the same figure");
  });
});

describe("system instructions as Pipecat records them", () => {
  const context = (system) => ({
    messages: [{ role: "system", content: system }, { role: "user", content: "Hi" }],
    tools: [],
  });

  function llmSpanFor(h, llmContext) {
    h.hop(h.transport, new P.StartFrame());
    h.hop(h.stt, new P.LLMContextFrame(llmContext));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    return onlyOne(h.spans(), "llm").attributes;
  }

  for (const [where, set] of /** @type {[string, (llm: any) => void][]} */ ([
    ["settings.systemInstruction", (llm) => (llm.settings.systemInstruction = "From the settings.")],
    ["settings.system_instruction", (llm) => (llm.settings.system_instruction = "From the settings.")],
    ["the service's own systemInstruction", (llm) => (llm.systemInstruction = "From the settings.")],
  ])) {
    it(`a service's ${where} wins over the context's system message (c)`, () => {
      const h = createHarness();
      set(h.llm);
      assert.equal(llmSpanFor(h, context("From the context."))["gen_ai.system_instructions"], "From the settings.");
    });
  }

  it("the context's system message is used when the service sets none", () => {
    const h = createHarness();
    assert.equal(llmSpanFor(h, context("From the context."))["gen_ai.system_instructions"], "From the context.");
  });

  it("multipart system text is joined with a space (d)", () => {
    const h = createHarness();
    const parts = [{ type: "text", text: "You are Ada." }, { type: "text", text: "Be brief." }];
    assert.equal(llmSpanFor(h, context(parts))["gen_ai.system_instructions"], "You are Ada. Be brief.");
  });

  it("later runs keep the instruction from the settings", () => {
    const h = createHarness();
    h.llm.settings.systemInstruction = "From the settings.";
    llmSpanFor(h, context("From the context."));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const runs = byName(h.spans(), "llm").sort((a, b) => startMs(a) - startMs(b));
    assert.equal(runs[1].attributes["gen_ai.system_instructions"], "From the settings.");
  });
});
