// 50 conversations at once in one process: 50 traces, every span under its own conversation
// (pipecat#2202: global tracing state nested spans under the wrong call).
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { instrumentedRuntime, runDemo } = require("./support/instrumented-runtime.cjs");
const { byName, parentIdOf, spanIdOf } = require("../../../test/support/otel.cjs");

const { exporter, pipecat, tracer } = instrumentedRuntime();
const CONVERSATIONS = 50;

describe("concurrent conversations", () => {
  it(`${CONVERSATIONS} at once give ${CONVERSATIONS} separate traces`, async () => {
    exporter.reset();
    await Promise.all(
      Array.from({ length: CONVERSATIONS }, (_, i) =>
        // Each call runs inside its caller's own span: the conversation must become its child.
        tracer.startActiveSpan(`call ${i}`, async (callSpan) => {
          try {
            await runDemo(pipecat, { conversationId: `conv-${i}` });
          } finally {
            callSpan.end();
          }
        }),
      ),
    );
    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((span) => [spanIdOf(span), span]));
    const conversations = byName(spans, "conversation");
    assert.equal(conversations.length, CONVERSATIONS);

    // Each conversation: its own trace, under its own caller.
    const conversationOfTrace = new Map();
    for (const conversation of conversations) {
      const id = conversation.attributes["conversation.id"];
      const traceId = conversation.spanContext().traceId;
      assert.equal(conversationOfTrace.has(traceId), false, `trace of ${id} holds a single conversation`);
      conversationOfTrace.set(traceId, id);
      const caller = byId.get(parentIdOf(conversation));
      assert.equal(caller.name, `call ${id.slice("conv-".length)}`, `${id} is a child of its own caller`);
    }
    assert.equal(conversationOfTrace.size, CONVERSATIONS);

    // Every other span: in its conversation's trace, carrying its id, and with a parent chain up to it.
    for (const span of spans) {
      if (span.name.startsWith("call ")) continue;
      const owner = conversationOfTrace.get(span.spanContext().traceId);
      assert.ok(owner, `${span.name} is in a conversation's trace`);
      assert.equal(span.attributes["conversation.id"], owner, `${span.name} carries its own conversation's id`);
      let ancestor = span;
      while (ancestor.name !== "conversation") ancestor = byId.get(parentIdOf(ancestor));
      assert.equal(ancestor.attributes["conversation.id"], owner);
    }
    for (const conversation of conversations) {
      const traceId = conversation.spanContext().traceId;
      const turns = byName(spans, "turn").filter((turn) => turn.spanContext().traceId === traceId);
      assert.deepEqual(turns.map((turn) => turn.attributes["turn.number"]).sort(), [1, 2, 3, 4]);
      const tools = byName(spans, "execute_tool get_weather").filter((tool) => tool.spanContext().traceId === traceId);
      assert.equal(tools.length, 1);
    }
  });
});
