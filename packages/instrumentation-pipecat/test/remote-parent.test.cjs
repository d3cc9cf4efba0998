// A call continued from another process: the W3C trace context a client sent with its connection reaches
// the pipeline as start metadata (pipecat-ts's PipelineTask({ startMetadata }), Pipecat's start_metadata),
// and the conversation continues that trace — unless the caller's own context holds a span, and never when
// the value is malformed.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { context, trace, ROOT_CONTEXT } = require("@opentelemetry/api");
const { instrumentedRuntime } = require("./support/instrumented-runtime.cjs");

const { exporter, pipecat, tracer } = instrumentedRuntime();
const { EndFrame, FrameProcessor, Pipeline, PipelineTask, VirtualClock } = pipecat;

class PassThrough extends FrameProcessor {
  async processFrame(frame, direction) {
    await super.processFrame(frame, direction);
    await this.pushFrame(frame, direction);
  }
}

const REMOTE_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const REMOTE_SPAN = "00f067aa0ba902b7";

/** Runs a one-processor task with `startMetadata` to its EndFrame; returns its conversation span. */
async function conversationOf(startMetadata, conversationId) {
  const task = new PipelineTask(new Pipeline([new PassThrough()]), { clock: new VirtualClock(), startMetadata, conversationId });
  await task.queueFrame(new EndFrame());
  await task.run();
  const [conversation] = exporter
    .getFinishedSpans()
    .filter((span) => span.name === "conversation" && span.attributes["conversation.id"] === conversationId);
  assert.ok(conversation, "the conversation span ended");
  return conversation;
}

describe("a conversation continuing a remote trace", () => {
  it("is a child of the traceparent in the task's start metadata", async () => {
    const traceparent = `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`;
    const conversation = await context.with(ROOT_CONTEXT, () => conversationOf({ traceparent }, "remote-1"));
    assert.equal(conversation.spanContext().traceId, REMOTE_TRACE);
    assert.equal(conversation.parentSpanContext?.spanId, REMOTE_SPAN);
    assert.equal(conversation.parentSpanContext?.isRemote, true);
  });

  it("stays under the caller's own span when there is one", async () => {
    const traceparent = `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`;
    const outer = tracer.startSpan("caller");
    const conversation = await context.with(trace.setSpan(ROOT_CONTEXT, outer), () => conversationOf({ traceparent }, "remote-2"));
    outer.end();
    assert.equal(conversation.parentSpanContext?.spanId, outer.spanContext().spanId);
  });

  it("ignores a malformed traceparent: the conversation is its own root", async () => {
    for (const [i, traceparent] of ["00-not-a-trace-01", `00-${"0".repeat(32)}-${REMOTE_SPAN}-01`, 42].entries()) {
      const conversation = await context.with(ROOT_CONTEXT, () => conversationOf({ traceparent }, `malformed-${i}`));
      assert.equal(conversation.parentSpanContext, undefined, `traceparent ${traceparent}`);
      assert.notEqual(conversation.spanContext().traceId, REMOTE_TRACE);
    }
  });
});
