// Tasks are recognised by name along the prototype chain, never by one exact class: Pipecat 1.3's
// `PipelineWorker`, and a task class the application renamed by subclassing (openinference PR #3202: zero
// spans after a rename).
const assert = require("node:assert/strict");
const path = require("node:path");
const { describe, it } = require("node:test");
const { isWrapped } = require("@opentelemetry/instrumentation");
const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
const { instrumentedRuntime } = require("./support/instrumented-runtime.cjs");
const { byName, onlyOne, parentIdOf, spanIdOf } = require("../../../test/support/otel.cjs");

const { exporter, pipecat, provider, tracer } = instrumentedRuntime();

const workerRuntime = require(path.join(__dirname, "fixtures", "worker-runtime", "index.cjs"));
const workerInstrumentation = new PipecatInstrumentation({ moduleNames: ["not-installed-runtime"], turnEndTimeoutMs: 5000 });
workerInstrumentation.setTracerProvider(provider);
workerInstrumentation.manuallyInstrument(workerRuntime);

describe("task classes", () => {
  it("a runtime whose only task class is PipelineWorker gets its run() wrapped and traced", async () => {
    assert.ok(isWrapped(workerRuntime.PipelineWorker.prototype.run), "PipelineWorker.run is wrapped");
    exporter.reset();
    const loop = workerRuntime.createVoiceLoop({ tool_ms: 10 });
    const worker = new workerRuntime.PipelineWorker(loop.pipeline, {
      conversation_id: "worker-1",
      script: async () => {
        await loop.microphone.say("hello there", 10);
        await loop.microphone.say("what is the weather", 10);
      },
    });
    await tracer.startActiveSpan("app.call", async (appSpan) => {
      await worker.run();
      appSpan.end();
    });
    const spans = exporter.getFinishedSpans();
    const conversation = onlyOne(spans, "conversation");
    // The id comes from the worker: its run() began the conversation (a task-less one would get a UUID).
    assert.equal(conversation.attributes["conversation.id"], "worker-1");
    assert.equal(parentIdOf(conversation), spanIdOf(onlyOne(spans, "app.call")), "in the caller's context at run()");
    assert.equal(conversation.attributes["conversation.end_reason"], "end_frame");
    assert.equal(byName(spans, "turn").length, 2);
    assert.equal(byName(spans, "llm").length, 2);
    assert.equal(onlyOne(spans, "execute_tool get_weather").attributes["conversation.id"], "worker-1");
  });

  it("an application's renamed task class (class MyTask extends PipelineTask) is traced like the original", async () => {
    class MyTask extends pipecat.PipelineTask {}
    const demo = pipecat.createDemoConversation();
    const task = new MyTask(demo.pipeline, {
      clock: demo.clock,
      conversationId: "renamed-1",
      params: { audioInSampleRate: 16000, audioOutSampleRate: 24000, enableMetrics: true, enableUsageMetrics: true, allowInterruptions: true },
    });
    void task.queueFrame(new pipecat.LLMRunFrame()); // the greeting
    exporter.reset();
    await new pipecat.PipelineRunner().run(task);
    const spans = exporter.getFinishedSpans();
    const conversation = onlyOne(spans, "conversation");
    assert.equal(conversation.attributes["conversation.id"], "renamed-1");
    assert.equal(conversation.attributes["conversation.end_reason"], "end_frame");
    assert.equal(byName(spans, "turn").length, demo.expectedTurns);
    for (const name of ["stt", "llm", "tts", "execute_tool get_weather"]) {
      assert.ok(byName(spans, name).length > 0, `${name} spans`);
    }
    assert.equal(new Set(spans.map((span) => span.spanContext().traceId)).size, 1, "one trace");
  });
});
