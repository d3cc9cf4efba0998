// A runtime linked into a monorepo (pnpm `workspace:`, `npm link`): `pipecat-ts` here resolves to
// packages/pipecat, a real path without node_modules, which require-in-the-middle cannot attribute to a
// package by name. The instrumentation also hooks the linked entry by absolute path, so the plain
// `require("pipecat-ts")` of such an app is still traced.
const assert = require("node:assert/strict");
const { describe, it } = require("node:test");
const { isWrapped } = require("@opentelemetry/instrumentation");
const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
const { byName, inMemoryTracing } = require("../../../test/support/otel.cjs");

const { exporter } = inMemoryTracing({ register: true });
const instrumentation = new PipecatInstrumentation();
const pipecat = require("pipecat-ts");

describe("a workspace-linked runtime", () => {
  it("resolves outside any node_modules", () => {
    assert.ok(!require.resolve("pipecat-ts").split(require("node:path").sep).includes("node_modules"));
  });

  it("is patched by the plain require and traced", async () => {
    assert.ok(isWrapped(pipecat.FrameProcessor.prototype.pushFrame));
    await pipecat.createDemoConversation({ conversationId: "linked" }).task.run();
    assert.equal(byName(exporter.getFinishedSpans(), "turn").length, 4);
  });

  it("disable() and enable() work through that hook too", () => {
    const wrapped = pipecat.FrameProcessor.prototype.pushFrame;
    instrumentation.disable();
    assert.equal(pipecat.FrameProcessor.prototype.pushFrame, /** @type {any} */ (wrapped).__original);
    instrumentation.enable();
    assert.equal(/** @type {any} */ (pipecat.FrameProcessor.prototype.pushFrame).__original, /** @type {any} */ (wrapped).__original);
  });
});
