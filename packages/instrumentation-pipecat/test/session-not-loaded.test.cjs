// The instrumentation does plain tracing: loading and enabling it loads no session-capture code, and a
// listener registered with addConversationListener is what follows a conversation when it is asked to.
const assert = require("node:assert/strict");
const { test } = require("node:test");
const { PipecatInstrumentation, addConversationListener } = require("@respan/instrumentation-pipecat");
const { inMemoryTracing } = require("../../../test/support/otel.cjs");
const { requireInstalledPipecat } = require("./support/installed-packages.cjs");

test("no session code is loaded; a registered listener follows each conversation until unregistered", async () => {
  const instrumentation = new PipecatInstrumentation();
  const { exporter, provider } = inMemoryTracing();
  instrumentation.setTracerProvider(provider);
  const pipecat = requireInstalledPipecat();
  instrumentation.manuallyInstrument(pipecat);
  const loaded = Object.keys(require.cache).filter((file) => /pipecat-session/.test(file));
  assert.deepEqual(loaded, [], "no module of @respan/pipecat-session was loaded");

  const seen = [];
  const unregister = addConversationListener((info) => ({
    onTurnStart: (turn) => seen.push(`${info.conversationId}:turn ${turn.turnNumber}`),
  }));
  const runCall = async (conversationId) => {
    const { FrameProcessor, Pipeline, PipelineTask, PipelineRunner, EndFrame, BotStartedSpeakingFrame } = pipecat;
    /** Passes every frame on, and has the bot speak when the pipeline starts (turn 1 exists at once). */
    class PassThrough extends FrameProcessor {
      async processFrame(frame, direction) {
        await super.processFrame(frame, direction);
        await this.pushFrame(frame, direction);
      }
    }
    const task = new PipelineTask(new Pipeline([new PassThrough()]), { conversationId });
    await task.queueFrames([new BotStartedSpeakingFrame(), new EndFrame()]);
    await new PipelineRunner({ handleSigint: false }).run(task);
  };
  await runCall("with-listener");
  unregister();
  await runCall("without-listener");
  instrumentation.disable();
  assert.deepEqual(seen, ["with-listener:turn 1"]);
  assert.equal(exporter.getFinishedSpans().filter((span) => span.name === "conversation").length, 2);
});
