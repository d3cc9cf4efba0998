// How the instrumentation reads runtimes that do not use Pipecat's names: inference from roles and shapes,
// the runtimeMapping option and its validation, values never written unless observed, the coverage report,
// and the warnings for what cannot be traced at all.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DiagLogLevel, diag } from "@opentelemetry/api";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";
import { FrameKind, frameKindOf } from "../dist/esm/class-names.js";
import { LinkLearner } from "../dist/esm/link-learner.js";
import { registerRuntimeMapping } from "../dist/esm/runtime-mapping.js";
import { serviceModel } from "../dist/esm/spans/service-attributes.js";
import * as P from "./support/fake-pipecat.mjs";
import { onlyOne } from "../../../test/support/otel.cjs";
import { createHarness } from "./support/tracer-harness.mjs";

/** The process warnings emitted while `work` runs (they are delivered on the next tick). */
async function warningsDuring(work) {
  const warnings = [];
  const listener = (warning) => warnings.push(warning);
  process.on("warning", listener);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", listener);
  }
  return warnings;
}

/** A turn with an llm run from `h.llm`: the caller pushes what the run says. */
function started(options) {
  const h = createHarness(options);
  h.hop(h.transport, new P.StartFrame());
  return h;
}

describe("the runtimeMapping option", () => {
  /** @type {[import("@respan/instrumentation-pipecat").PipecatInstrumentationConfig["runtimeMapping"], string][]} */
  const invalidMappings = [
    [{ classes: { UtteranceFrame: "TranscriptFrame" } }, "runtimeMapping.classes.UtteranceFrame"],
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    [{ classes: { Brain: 42 } }, "runtimeMapping.classes.Brain"],
    [{ fields: { utterance: "txt" } }, "runtimeMapping.fields.utterance"],
    // @ts-expect-error "frames" is not an option: the run-time check must reject it
    [{ frames: { UtteranceFrame: "TranscriptionFrame" } }, "runtimeMapping.frames"],
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    [{ classes: ["TranscriptionFrame"] }, "runtimeMapping.classes"],
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    ["TranscriptionFrame", "runtimeMapping"],
  ];
  for (const [mapping, key] of invalidMappings) {
    it(`is validated at construction: ${JSON.stringify(mapping)} names ${key}`, () => {
      assert.throws(() => new PipecatInstrumentation({ enabled: false, runtimeMapping: mapping }), (error) => {
        assert.ok(error instanceof TypeError);
        assert.ok(error.message.includes(`"${key}"`), error.message);
        return true;
      });
    });
  }

  it("names the accepted Pipecat names when a target is wrong", () => {
    assert.throws(() => new PipecatInstrumentation({ enabled: false, runtimeMapping: { fields: { invocation: "callId" } } }),
      /one of .*toolCallId/);
  });

  it("refuses to map one name two ways in a process", () => {
    new PipecatInstrumentation({ enabled: false, runtimeMapping: { classes: { SpokenChunk: "TTSTextFrame" } } });
    new PipecatInstrumentation({ enabled: false, runtimeMapping: { classes: { SpokenChunk: "TTSTextFrame" } } });
    assert.throws(
      () => new PipecatInstrumentation({ enabled: false, runtimeMapping: { classes: { SpokenChunk: "LLMTextFrame" } } }),
      (error) => error instanceof TypeError && error.message.includes('"runtimeMapping.classes.SpokenChunk"'),
    );
  });

  it("re-classifies a class seen before the mapping was given", () => {
    class HeardFrame extends P.DataFrame {
      constructor(words) {
        super();
        this.words = words;
      }
    }
    assert.equal(frameKindOf(new HeardFrame("hi")), FrameKind.UNRECOGNISED);
    registerRuntimeMapping({ classes: { HeardFrame: "TranscriptionFrame" }, fields: { words: "text" } });
    assert.equal(frameKindOf(new HeardFrame("hi")), FrameKind.TRANSCRIPTION);

    const h = started();
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new HeardFrame("hello from a mapped field"));
    assert.equal(onlyOne(h.spans(), "stt").attributes.transcript, "hello from a mapped field");
  });
});

describe("inference from roles and shapes", () => {
  it("a plain TextFrame leaving an LLM service during a run is its output; reaching a TTS service, its text", () => {
    const h = started();
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    for (const word of ["It ", "is ", "sunny."]) h.hop(h.llm, new P.TextFrame(word)); // llm.next is the TTS
    h.hop(h.tts, new P.TTSStartedFrame("c1"));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    h.hop(h.tts, new P.TTSStoppedFrame("c1"));
    assert.equal(onlyOne(h.spans(), "llm").attributes.output, "It is sunny.");
    const tts = onlyOne(h.spans(), "tts").attributes;
    assert.equal(tts.text, "It is sunny.", "text received before the audio context opened is its text");
    assert.equal(tts["metrics.character_count"], 12);
  });

  it("what the TTS says it spoke (TTSTextFrames) wins over what reached it: nothing is counted twice", () => {
    const h = started();
    h.hop(h.llm, new P.LLMTextFrame("Hello there."));
    h.hop(h.tts, new P.TTSStartedFrame("c1"));
    h.hop(h.tts, new P.TTSTextFrame("Hello", "c1"));
    h.hop(h.tts, new P.TTSTextFrame("there.", "c1"));
    h.hop(h.tts, new P.TTSStoppedFrame("c1"));
    const tts = onlyOne(h.spans(), "tts").attributes;
    assert.equal(tts.text, "Hello there.");
    assert.equal(tts["metrics.character_count"], 11);
  });

  it("text passing other processors is not output: only text leaving an LLM service", () => {
    const h = started();
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.stt, new P.TextFrame("not the model's"));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    assert.equal(onlyOne(h.spans(), "llm").attributes.output, undefined);
  });

  class AgentActionFrame extends P.ControlFrame {
    constructor(functionName, toolUseId, args) {
      super();
      Object.assign(this, { functionName, toolUseId, args });
    }
  }
  class AgentActionDoneFrame extends P.DataFrame {
    constructor(functionName, toolUseId, output) {
      super();
      Object.assign(this, { functionName, toolUseId, output });
    }
  }

  it("a frame with a function name, an id and arguments leaving an LLM is a tool call, whatever its names", () => {
    const h = started();
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new AgentActionFrame("lookup", "use-1", { q: "x" }));
    h.clock.advance(80);
    h.hop(h.llm, new AgentActionDoneFrame("lookup", "use-1", { found: true }));
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    const tool = onlyOne(h.spans(), "execute_tool lookup");
    assert.equal(tool.attributes["gen_ai.tool.call.id"], "use-1");
    assert.equal(tool.attributes["gen_ai.tool.call.arguments"], '{"q":"x"}');
    assert.equal(tool.attributes["gen_ai.tool.call.result"], '{"found":true}');
    assert.equal(tool.parentSpanContext.spanId, onlyOne(h.spans(), "llm").spanContext().spanId);
    assert.equal(onlyOne(h.spans(), "llm").attributes.output, undefined, "a run that only asked for a tool");
  });

  it("the same shape pushed by a processor that is not an LLM is no tool call", () => {
    const h = started();
    h.hop(h.transport, new AgentActionFrame("lookup", "use-2", {}));
    h.hop(h.transport, new P.CancelFrame());
    assert.deepEqual(h.spans().filter((span) => span.name.startsWith("execute_tool")), []);
  });

  it("reads the model from the field spellings ports use, and from settings", () => {
    assert.equal(serviceModel({ modelId: "a" }), "a");
    assert.equal(serviceModel({ _model_name: "b" }), "b");
    assert.equal(serviceModel({ model: "", model_id: "c" }), "c", "an empty string is no model");
    assert.equal(serviceModel({ params: { modelName: "d" } }), "d");
    assert.equal(serviceModel({ settings: { model: "e" }, modelName: "f" }), "f", "the service's own field first");
    assert.equal(serviceModel({}), undefined);
  });
});

describe("links learned from the frames", () => {
  const DOWN = 1;
  const UP = 2;

  it("the processor that pushes a frame next is the previous pusher's neighbour, each way", () => {
    const links = new LinkLearner();
    const [a, b, c] = [{}, {}, {}];
    const down = {};
    assert.equal(links.hop(a, down, DOWN), undefined, "nothing known yet");
    links.hop(b, down, DOWN);
    links.hop(c, down, DOWN);
    const up = {};
    links.hop(c, up, UP);
    links.hop(b, up, UP);
    assert.equal(links.hop(a, {}, DOWN), b);
    assert.equal(links.hop(b, {}, DOWN), c);
    assert.equal(links.hop(c, {}, UP), b);
    assert.equal(links.hop(b, {}, UP), undefined, "a never passed an upstream frame on: b's upstream neighbour is not learned yet");
  });

  it("the chain's end is a processor whose several downstream pushes no one passed on", () => {
    const links = new LinkLearner();
    const [a, last] = [{}, {}];
    for (let i = 0; i < 3; i++) {
      const frame = {};
      links.hop(a, frame, DOWN);
      links.hop(last, frame, DOWN);
    }
    assert.equal(links.isChainEnd(last, DOWN), false, "three pushes are not yet evidence");
    links.hop(last, {}, DOWN);
    assert.equal(links.isChainEnd(last, DOWN), true);
    assert.equal(links.isChainEnd(a, DOWN), false, "a's pushes were passed on");
    assert.equal(links.isChainEnd(last, UP), false, "only downstream has an end of chain");
  });
});

describe("values are written only when observed", () => {
  it("no output, text, character count, transcript or input for what was not seen", () => {
    const h = started();
    h.hop(h.stt, new P.LLMContextFrame({ messages: [{ role: "system", content: "Be brief." }], tools: [] }));
    h.hop(h.llm, new P.LLMFullResponseStartFrame());
    h.hop(h.llm, new P.LLMFullResponseEndFrame());
    h.hop(h.tts, new P.TTSStartedFrame("c1"));
    h.hop(h.tts, new P.TTSStoppedFrame("c1"));
    h.hop(h.transport, new P.UserStartedSpeakingFrame());
    h.hop(h.stt, new P.TranscriptionFrame(""));
    h.hop(h.transport, new P.CancelFrame());
    const llm = onlyOne(h.spans(), "llm").attributes;
    assert.equal(llm.output, undefined);
    assert.equal(llm.input, undefined, "no \"[]\" for a context without conversation messages");
    const tts = onlyOne(h.spans(), "tts").attributes;
    assert.equal(tts.text, undefined);
    assert.equal(tts["metrics.character_count"], undefined);
    assert.equal(onlyOne(h.spans(), "stt").attributes.transcript, undefined);
  });

  it("a tool call without a function name has no made-up name", () => {
    const h = started();
    h.serviceCall("executeFunctionCall", h.llm, { toolCallId: "t-9", arguments: {} });
    h.hop(h.llm, new P.FunctionCallResultFrame({ toolCallId: "t-9", result: { ok: true } }));
    const tool = onlyOne(h.spans(), "execute_tool");
    assert.equal(tool.attributes["gen_ai.tool.name"], undefined);
  });
});

describe("the coverage report", () => {
  function capturedDiag() {
    const messages = [];
    const log = (message) => messages.push(message);
    diag.setLogger({ error: log, warn: log, info: log, debug: log, verbose: () => {} }, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
    return messages;
  }

  it("lists the core attributes spans lacked, at the conversation's end, at debug level", () => {
    const messages = capturedDiag();
    try {
      const h = started({ conversationId: "cov-1" });
      h.hop(h.llm, new P.LLMFullResponseStartFrame());
      h.hop(h.llm, new P.LLMTextFrame("Hi."));
      h.hop(h.llm, new P.LLMFullResponseEndFrame());
      h.hop(h.transport, new P.CancelFrame());
      const report = messages.find((m) => /coverage of conversation cov-1/.test(m));
      assert.match(report, /llm: usage missing in 1 of 1, ttfb missing in 1 of 1/);
      assert.doesNotMatch(report, /model|output/);
    } finally {
      diag.disable();
    }
  });

  it("does not count content as missing while content capture is off", () => {
    const messages = capturedDiag();
    try {
      const h = started({ conversationId: "cov-2", captureContent: false });
      h.hop(h.llm, new P.LLMFullResponseStartFrame());
      h.hop(h.llm, new P.MetricsFrame([new P.TTFBMetricsData("OpenAILLMService#0", 0.2)]));
      h.hop(h.llm, new P.MetricsFrame([new P.LLMUsageMetricsData("OpenAILLMService#0", { promptTokens: 3, completionTokens: 1 })]));
      h.hop(h.llm, new P.LLMFullResponseEndFrame());
      h.hop(h.transport, new P.CancelFrame());
      const report = messages.find((m) => /coverage of conversation cov-2/.test(m));
      assert.match(report, /every span carried its core attributes/);
    } finally {
      diag.disable();
    }
  });

  it("warns once per process when spans lack content or models", async () => {
    const warnings = await warningsDuring(() => {
      for (const id of ["w-1", "w-2"]) {
        const h = started({ conversationId: id });
        h.llm.model = undefined;
        h.hop(h.llm, new P.LLMFullResponseStartFrame());
        h.hop(h.llm, new P.LLMFullResponseEndFrame());
        h.hop(h.transport, new P.CancelFrame());
        assert.equal(onlyOne(h.spans(), "llm").attributes["gen_ai.request.model"], undefined);
      }
    });
    const coverage = warnings.filter((w) => /could not read.*conversation w-/.test(w.message));
    // Each harness has its own reporter: one warning per instrumentation (here: per harness).
    assert.equal(coverage.length, 2);
    assert.match(coverage[0].message, /llm: model missing in 1 of 1, output missing in 1 of 1/);
    assert.match(coverage[0].message, /runtimeMapping/);
  });
});

describe("runtimes nothing can be traced of are reported", () => {
  it("a moduleNames path that resolves to no file is reported once, by name", async () => {
    const warnings = await warningsDuring(() => {
      const instrumentation = new PipecatInstrumentation({ moduleNames: ["./no/such/port.cjs"] });
      instrumentation.disable();
    });
    const mine = warnings.filter((w) => w.message.includes('"./no/such/port.cjs"'));
    assert.equal(mine.length, 1);
    assert.match(mine[0].message, /manuallyInstrument/);
  });

  it("hops with no StartFrame, no task and no recognised service give one warning naming what to do", async () => {
    class FrameProcessor {
      pushFrame(frame) {
        return frame;
      }
    }
    class Relay extends FrameProcessor {}
    const instrumentation = new PipecatInstrumentation({ moduleNames: ["not-installed-runtime"] });
    instrumentation.manuallyInstrument({ FrameProcessor });
    try {
      const warnings = await warningsDuring(() => {
        const relay = new Relay();
        for (let i = 0; i < 500; i++) relay.pushFrame(new P.UserStartedSpeakingFrame());
      });
      const mine = warnings.filter((w) => /no conversation started/.test(w.message));
      assert.equal(mine.length, 1);
      assert.match(mine[0].message, /StartFrame/);
      assert.match(mine[0].message, /runtimeMapping/);
    } finally {
      instrumentation.disable();
    }
  });
});
