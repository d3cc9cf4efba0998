// The transcript of pipecat-ts's 4-turn demo conversation (greeting, a question, a weather question
// answered with a tool, the user cutting the answer short), captured through the instrumentation's
// session-capture seam from the context aggregators' turn events and the function-call frames.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { attachSession, createSessionCapture } from "@respan/pipecat-session";
import { runBarePipelineWithSession, setupTracing } from "./fixtures/session-support/tracing.mjs";
import { byName } from "../../../test/support/otel.cjs";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** @type {ReturnType<typeof setupTracing>} */
let tracing;
before(() => {
  tracing = setupTracing({ sessionCapture: createSessionCapture() });
});
after(async () => {
  await tracing.close();
});

/** Runs one demo conversation with a session attached; returns the session's summary and its spans. */
async function runDemo(sessionOptions) {
  tracing.exporter.reset();
  const demo = tracing.pipecat.createDemoConversation();
  const session = attachSession(demo.task, sessionOptions);
  await demo.task.run();
  const summary = await session.whenComplete();
  const spans = tracing.spans();
  const conversation = byName(spans, "conversation").find((span) => span.attributes["session.id"] === session.sessionId);
  const turns = byName(spans, "turn")
    .filter((span) => span.spanContext().traceId === conversation.spanContext().traceId)
    .sort((a, b) => a.attributes["turn.number"] - b.attributes["turn.number"]);
  return { demo, session, summary, conversation, turns };
}

describe("transcript of the 4-turn demo", () => {
  /** @type {Awaited<ReturnType<typeof runDemo>>} */
  let run;
  before(async () => {
    run = await runDemo({ sessionId: "transcript-demo" });
  });

  it("has every utterance and tool call, in time order, with roles, turn numbers and content", () => {
    const { entries } = run.summary.transcript;
    assert.deepEqual(
      entries.map((entry) => [entry.role, entry.turnNumber]),
      [
        ["assistant", 1],
        ["user", 2],
        ["assistant", 2],
        ["user", 3],
        ["tool_call", 3],
        ["tool_call_result", 3],
        ["assistant", 3],
        ["user", 4],
        ["assistant", 4],
      ],
    );
    const script = run.demo.userScript.map((utterance) => utterance.text);
    assert.deepEqual(entries.filter((e) => e.role === "user").map((e) => e.content), script);
    assert.equal(entries[0].content, "Hello, I'm Ada. How can I help you today?");
    assert.equal(entries[2].content, "I can answer questions, look up the weather, and keep you company.");
    const toolCall = /** @type {import("@respan/pipecat-session").ToolCallContent} */ (entries[4].content);
    assert.deepEqual(toolCall, { id: toolCall.id, name: "get_weather", arguments: { city: "Paris" } });
    assert.deepEqual(entries[5].content, {
      id: toolCall.id,
      name: "get_weather",
      result: { city: "Paris", conditions: "sunny", temperatureC: 22 },
    });
    assert.match(String(entries[6].content), /^It is sunny and 22 degrees in Paris/);
    assert.equal(entries[8].content, "You're welcome. Goodbye!");
  });

  it("stamps UTC timestamps and start/end offsets from the call's start, consistent with each other", () => {
    const { entries, startedAt } = run.summary.transcript;
    assert.match(startedAt, ISO_UTC);
    const start = Date.parse(startedAt);
    let previousStart = -1;
    for (const entry of entries) {
      assert.match(entry.timestamp, ISO_UTC);
      assert.ok(entry.startOffsetSeconds >= previousStart, "ordered by start");
      assert.ok(entry.endOffsetSeconds >= entry.startOffsetSeconds);
      assert.ok(Math.abs(Date.parse(entry.timestamp) - start - entry.startOffsetSeconds * 1000) <= 1);
      previousStart = entry.startOffsetSeconds;
    }
    // The demo runs on a virtual clock: offsets follow that clock (seconds of conversation), not the few
    // milliseconds of real time the run took. The greeting plays for a couple of seconds.
    const greeting = entries[0];
    assert.ok(greeting.endOffsetSeconds - greeting.startOffsetSeconds > 1, JSON.stringify(greeting));
    const lastEnd = Math.max(...entries.map((entry) => entry.endOffsetSeconds));
    assert.ok(lastEnd > 15, `the conversation lasts ${lastEnd} s`);
  });

  it("marks the interrupted turn and carries each turn's latency", () => {
    const { entries } = run.summary.transcript;
    const weatherAnswer = entries[6];
    assert.equal(weatherAnswer.interrupted, true, "the user cut the weather answer short");
    for (const entry of entries.filter((e) => e.turnNumber === 3)) assert.equal(entry.interrupted, true);
    for (const entry of entries.filter((e) => e.turnNumber !== 3)) assert.equal(entry.interrupted, undefined, JSON.stringify(entry));
    for (const turn of [2, 3, 4]) {
      const span = run.turns.find((t) => t.attributes["turn.number"] === turn);
      const latency = span.attributes["turn.user_bot_latency_seconds"];
      assert.equal(typeof latency, "number");
      for (const entry of entries.filter((e) => e.turnNumber === turn)) {
        assert.equal(entry.latencySeconds, Math.round(latency * 1000) / 1000);
      }
    }
  });

  it("records each entry as an event on its turn span, and the document on the conversation span", () => {
    const eventsOf = (turn) =>
      run.turns[turn - 1].events
        .filter((event) => event.name === "transcript.entry")
        .map((event) => event.attributes["transcript.role"]);
    assert.deepEqual(eventsOf(1), ["assistant"]);
    assert.deepEqual(eventsOf(2), ["user", "assistant"]);
    assert.deepEqual(eventsOf(3), ["user", "tool_call", "tool_call_result"]);
    // The interrupted answer of turn 3 is only known once the user's barge-in opened turn 4: its event
    // lands there (turn 3's span has ended), still naming its own turn.
    assert.deepEqual(eventsOf(4), ["assistant", "user", "assistant"]);
    const lateAnswer = run.turns[3].events.find((event) => event.name === "transcript.entry");
    assert.equal(lateAnswer.attributes["transcript.turn_number"], 3);
    assert.equal(lateAnswer.attributes["transcript.interrupted"], true);
    const userEvent = run.turns[1].events.find((event) => event.attributes["transcript.role"] === "user");
    assert.equal(userEvent.attributes["transcript.content"], "Hi Ada. What can you help me with?");
    assert.equal(typeof userEvent.attributes["transcript.start_offset_seconds"], "number");
    const toolEvent = run.turns[2].events.find((event) => event.attributes["transcript.role"] === "tool_call");
    assert.equal(toolEvent.attributes["gen_ai.tool.name"], "get_weather");
    assert.equal(toolEvent.attributes["transcript.content"], JSON.stringify({ city: "Paris" }));

    const document = JSON.parse(run.conversation.attributes["conversation.transcript"]);
    assert.deepEqual(document, JSON.parse(JSON.stringify(run.summary.transcript)));
    assert.equal(run.conversation.attributes["conversation.transcript.entry_count"], 9);
    assert.equal(run.conversation.attributes["session.id"], "transcript-demo");
    assert.equal(run.conversation.attributes["session.mode"], "testing");
    assert.equal(run.conversation.attributes["recording.uri"], undefined, "testing mode records no audio");
  });
});

describe("transcript options", () => {
  it("keeps roles and timings but no text, arguments or results when content capture is off", async () => {
    const { summary, conversation, turns } = await runDemo({ captureContent: false });
    const { entries, contentCaptured } = summary.transcript;
    assert.equal(contentCaptured, false);
    assert.equal(entries.length, 9);
    for (const entry of entries) {
      if (entry.role === "user" || entry.role === "assistant") assert.equal(entry.content, undefined);
      else assert.deepEqual(Object.keys(entry.content).sort(), ["id", "name"]);
      assert.equal(typeof entry.startOffsetSeconds, "number");
    }
    const text = conversation.attributes["conversation.transcript"];
    assert.doesNotMatch(text, /Paris|Ada|weather like/);
    for (const turn of turns) {
      for (const event of turn.events) assert.equal(event.attributes["transcript.content"], undefined);
    }
  });

  it("caps the transcript document, counting the entries left out", async () => {
    const { summary, conversation } = await runDemo({ maxTranscriptChars: 1200 });
    const document = JSON.parse(conversation.attributes["conversation.transcript"]);
    assert.ok(document.entries.length > 0 && document.entries.length < 9, `${document.entries.length} entries kept`);
    assert.equal(document.entries.length + document.omittedEntries, 9);
    assert.ok(conversation.attributes["conversation.transcript"].length <= 1200);
    assert.deepEqual(document, JSON.parse(JSON.stringify(summary.transcript)));
  });
});

describe("a pipeline without context aggregators", () => {
  it("warns once, clearly, and records no transcript", async () => {
    tracing.exporter.reset();
    const { session, summary, finishedBy, warnings } = await runBarePipelineWithSession(tracing.pipecat, "RESPAN_SESSION_NO_AGGREGATORS");
    assert.ok(finishedBy instanceof tracing.pipecat.EndFrame, "the EndFrame ended the task, not a cancellation");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /no LLMUserAggregator \/ LLMAssistantAggregator/);
    assert.deepEqual(summary.transcript.entries, []);
    const conversation = byName(tracing.spans(), "conversation")[0];
    assert.equal(conversation.attributes["conversation.transcript"], undefined);
    assert.equal(conversation.attributes["session.id"], session.sessionId);
    assert.equal(conversation.attributes["conversation.end_reason"], "end_frame", "ended by the EndFrame crossing the pipeline");
  });
});
