// A differently shaped runtime (test/fixtures/minimal-runtime): only FrameProcessor and Pipeline, one-argument
// processFrame, string directions, snake_case fields, its own frame classes. Traced through the require
// hook under another module name, and through manuallyInstrument on a module loaded by absolute path; and a
// variant whose processors keep their links in private fields.
const assert = require("node:assert/strict");
const path = require("node:path");
const { describe, it } = require("node:test");
const { SpanStatusCode } = require("@opentelemetry/api");
const { isWrapped } = require("@opentelemetry/instrumentation");
const { PipecatInstrumentation } = require("@respan/instrumentation-pipecat");
const { minimalRuntimeDir, requireInstalledMinimalRuntime } = require("./support/installed-packages.cjs");
const { eventually } = require("../../../test/support/eventually.cjs");
const { byName, durationMs, inMemoryTracing, normalisedTree, onlyOne, parentIdOf, spanIdOf } = require("../../../test/support/otel.cjs");

const { exporter, tracer } = inMemoryTracing({ register: true });
const TOOL_MS = 60;

// Hooked by name: enabled before the port is required.
const hooked = new PipecatInstrumentation({ moduleNames: ["minimal-pipecat"], turnEndTimeoutMs: 5000, captureContent: true });
const portByName = requireInstalledMinimalRuntime();
// Loaded by absolute path (no hook can match it), then instrumented by hand.
const manual = new PipecatInstrumentation({ moduleNames: ["not-installed-runtime"], turnEndTimeoutMs: 5000, captureContent: true });
const portByPath = require(path.join(minimalRuntimeDir, "index.cjs"));
manual.manuallyInstrument(portByPath);
// The same port with private links (#next, #prev): the instrumentation cannot see where a pipeline ends.
const privateLinks = new PipecatInstrumentation({ moduleNames: ["not-installed-runtime"], turnEndTimeoutMs: 5000, captureContent: true });
const portWithPrivateLinks = require(path.join(minimalRuntimeDir, "private-links.cjs"));
privateLinks.manuallyInstrument(portWithPrivateLinks);

/** One call: two exchanges (the second uses the weather tool), inside an application span. */
function call(port) {
  return tracer.startActiveSpan("app.session", async (appSpan) => {
    const loop = port.createVoiceLoop({ tool_ms: TOOL_MS });
    await loop.pipeline.processFrame(new port.StartFrame());
    await loop.microphone.say("hello there", 20);
    await loop.microphone.say("what is the weather", 20);
    await loop.pipeline.processFrame(new port.EndFrame());
    appSpan.end();
  });
}

async function converse(port) {
  exporter.reset();
  await call(port);
  return exporter.getFinishedSpans();
}

function shape(span) {
  const a = span.attributes;
  if (span.name === "turn") return { number: a["turn.number"] };
  if (span.name === "stt") return { transcript: a.transcript, user: a.user_id, language: a.language };
  if (span.name === "llm") return { provider: a["gen_ai.provider.name"], model: a["gen_ai.request.model"], output: a.output };
  if (span.name === "tts") return { provider: a["gen_ai.provider.name"], voice: a.voice_id, text: a.text, context: a["tts.context_id"] };
  if (span.name.startsWith("execute_tool")) return { id: a["gen_ai.tool.call.id"], result: a["gen_ai.tool.call.result"] };
  if (span.name === "conversation") return { endReason: a["conversation.end_reason"] };
  return {};
}

const EXPECTED = [
  {
    name: "app.session",
    children: [
      {
        name: "conversation",
        endReason: "end_frame",
        children: [
          {
            name: "turn",
            number: 1,
            children: [
              { name: "stt", transcript: "hello there", user: "caller", language: "en" },
              { name: "llm", provider: "echo", model: "echo-1", output: "You said: hello there " },
              { name: "tts", provider: "echo", voice: "echo-voice", text: "You said: hello there", context: "tts-1" },
            ],
          },
          {
            name: "turn",
            number: 2,
            children: [
              { name: "stt", transcript: "what is the weather", user: "caller", language: "en" },
              {
                name: "llm",
                provider: "echo",
                model: "echo-1",
                output: "It is snowing in Oslo. ",
                children: [{ name: "execute_tool get_weather", id: "call-1", result: '{"sky":"snow"}' }],
              },
              { name: "tts", provider: "echo", voice: "echo-voice", text: "It is snowing in Oslo.", context: "tts-2" },
            ],
          },
        ],
      },
    ],
  },
];

describe("a minimal, differently shaped runtime", () => {
  for (const [how, port, instrumentation] of [
    ["through the require hook under its own module name", portByName, hooked],
    ["through manuallyInstrument on a module loaded by path", portByPath, manual],
  ]) {
    it(`is traced ${how}`, async () => {
      assert.ok(isWrapped(port.FrameProcessor.prototype.pushFrame));
      assert.notEqual(portByName.FrameProcessor, portByPath.FrameProcessor, "two separate copies of the port");
      const spans = await converse(port);
      assert.deepEqual(normalisedTree(spans, shape), EXPECTED);
      for (const span of spans) assert.equal(span.status.code, SpanStatusCode.UNSET, `${span.name} not in error`);
      const tool = onlyOne(spans, "execute_tool get_weather");
      assert.ok(durationMs(tool) >= TOOL_MS - 5, `the tool span measures the handler (${durationMs(tool)} ms)`);
      const conversation = onlyOne(spans, "conversation");
      assert.match(conversation.attributes["conversation.id"], /^[0-9a-f-]{36}$/, "a generated id: no task to give one");
      assert.equal(parentIdOf(conversation), spanIdOf(onlyOne(spans, "app.session")), "parented on the caller's span");
      assert.equal(instrumentation.isEnabled(), true);
    });
  }

  it("disable() restores the manually instrumented module too", async () => {
    const wrapped = portByPath.FrameProcessor.prototype.pushFrame;
    manual.disable();
    assert.equal(portByPath.FrameProcessor.prototype.pushFrame, wrapped.__original);
    const spans = await converse(portByPath);
    assert.deepEqual(byName(spans, "conversation"), []);
    manual.enable();
    assert.equal(portByPath.FrameProcessor.prototype.pushFrame.__original, wrapped.__original);
    assert.equal(byName(await converse(portByPath), "conversation").length, 1);
  });
});

describe("a port whose processors keep their links private", () => {
  it("gives one conversation per call, ended once the EndFrame has crossed the pipeline (D3)", async () => {
    exporter.reset();
    await Promise.all([call(portWithPrivateLinks), call(portWithPrivateLinks)]);
    // No hop shows the end of the chain: each conversation ends once its EndFrame has stopped moving.
    await eventually(() => byName(exporter.getFinishedSpans(), "conversation").length >= 2, 15_000, "both conversations to end");
    await new Promise((resolve) => setTimeout(resolve, 1500)); // room for any stray conversation to end too
    const spans = exporter.getFinishedSpans();
    assert.equal(byName(spans, "conversation").length, 2, "one conversation per call");
    assert.deepEqual(normalisedTree(spans, shape), [EXPECTED[0], EXPECTED[0]]);
    for (const app of byName(spans, "app.session")) {
      const traceId = app.spanContext().traceId;
      const ofCall = spans.filter((span) => span.spanContext().traceId === traceId);
      assert.equal(ofCall.length, 11, "every span of the call in its trace");
    }
    assert.equal(privateLinks.isEnabled(), true);
  });
});
