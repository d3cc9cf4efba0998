const assert = require("node:assert/strict");
const { test } = require("node:test");
const path = require("node:path");

test("the CommonJS build loads with require() and runs a pipeline", async () => {
  assert.ok(require.resolve("pipecat-ts").endsWith(path.join("dist", "cjs", "index.js")));
  const { EndFrame, FrameProcessor, Pipeline, PipelineTask, TextFrame, VirtualClock, FrameDirection } = require("pipecat-ts");
  const seen = [];
  class Collect extends FrameProcessor {
    async processFrame(frame, direction) {
      seen.push(frame.constructor.name);
      await this.pushFrame(frame, direction);
    }
  }
  const task = new PipelineTask(new Pipeline([new Collect()]), { clock: new VirtualClock(), idleTimeoutSecs: null });
  await task.queueFrames([new TextFrame("from require"), new EndFrame()]);
  await task.run();
  assert.deepEqual(seen, ["StartFrame", "TextFrame", "EndFrame"]);
  assert.equal(FrameDirection.UPSTREAM, 2);
});
