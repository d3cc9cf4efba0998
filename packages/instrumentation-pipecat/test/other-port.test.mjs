// A port the instrumentation has never seen (test/fixtures/other-port: other link names, a plain TextFrame
// for the LLM's output, its own tool-call frames and id field, the model in a base-class field, context,
// tools and settings as service fields, no task, no StartFrame, no metrics), hooked by its file path and
// traced in a fresh process: once as it is, once with a runtimeMapping for what cannot be inferred.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runNode } from "../../../test/support/processes.mjs";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const driver = path.join(packageDir, "test", "fixtures", "other-port", "trace-call.cjs");
const CHILD_TIMEOUT_MS = 60_000;

async function traceOneCall(variant) {
  const { code, stdout, stderr } = await runNode([driver, variant], { cwd: packageDir, timeoutMs: CHILD_TIMEOUT_MS });
  assert.equal(code, 0, `the traced call exited with ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").pop());
}

const named = (run, name) => run.spans.filter((span) => span.name === name).sort((a, b) => a.startMs - b.startMs);
const one = (run, name) => {
  const found = named(run, name);
  assert.equal(found.length, 1, `one "${name}" span`);
  return found[0];
};
const coverageReport = (run) => run.diagMessages.filter((m) => m.level === "debug" && /coverage/.test(m.message));
const coverageWarnings = (run) => run.warnings.filter((w) => /could not read/.test(w.message));

/** What both variants must show: everything that can be inferred, and nothing written that was not seen. */
function assertInferredContent(run) {
  assert.equal(run.wrapped, true, "the port was hooked by its path (moduleNames)");
  const app = one(run, "app.session");
  const conversation = one(run, "conversation");
  assert.equal(conversation.parentId, app.spanId, "a conversation, though the pipeline had no task and no StartFrame");
  assert.equal(conversation.attributes["conversation.end_reason"], "end_frame");
  const lateMs = conversation.endMs - run.endFrameLeftMs;
  assert.ok(Math.abs(lateMs) <= 50, `ends within 50 ms of the EndFrame's last hop (${lateMs.toFixed(1)} ms)`);

  const turns = named(run, "turn");
  assert.equal(turns.length, 2);
  const llm = named(run, "llm");
  assert.equal(llm.length, 2);
  for (const [i, span] of llm.entries()) {
    assert.equal(span.parentId, turns[i].spanId, `llm ${i} under its turn`);
    assert.equal(span.attributes["gen_ai.request.model"], "parrot-brain-7", "model from a base-class field");
    assert.equal(span.attributes["gen_ai.provider.name"], "parrot");
    assert.equal(span.attributes["gen_ai.request.temperature"], 0.3, "settings kept as a service field");
    assert.equal(span.attributes["gen_ai.request.max_tokens"], 200);
    assert.equal(span.attributes["gen_ai.system_instructions"], "Be brief.", "system instruction from the settings");
    assert.equal(span.attributes.tool_count, 1, "tools kept as a service field");
    assert.equal(span.attributes["metrics.ttfb"], undefined, "no metrics frame: no ttfb written");
    assert.equal(span.attributes["gen_ai.usage.input_tokens"], undefined);
  }
  assert.equal(llm[0].attributes.output, "You said: hello there ", "plain TextFrames leaving the LLM are its output");
  assert.equal(llm[1].attributes.output, "It is snowing in Oslo. ");
  assert.match(llm[0].attributes.input, /"hello there"/, "input from the messages kept on the service");
  assert.match(llm[1].attributes.input, /"what is the weather"/);

  const tool = one(run, "execute_tool get_weather");
  assert.equal(tool.parentId, llm[1].spanId, "the tool call is a child of the run that asked for it");
  assert.equal(tool.attributes["gen_ai.tool.call.id"], "inv-1", "the call id from a field of another name");
  assert.equal(tool.attributes["gen_ai.tool.call.arguments"], '{"city":"Oslo"}');
  assert.equal(tool.attributes["gen_ai.tool.call.result"], '{"sky":"snow"}');
  assert.ok(tool.endMs - tool.startMs >= run.toolMs - 5, "the tool span measures the handler");

  const tts = named(run, "tts");
  assert.equal(tts.length, 2);
  assert.deepEqual(tts.map((span) => span.attributes.text.trim()), ["You said: hello there", "It is snowing in Oslo."],
    "the text that reached the TTS service is what it spoke");
  for (const [i, span] of tts.entries()) {
    assert.equal(span.parentId, turns[i].spanId);
    assert.equal(span.attributes["gen_ai.request.model"], "parrot-voice-3");
    assert.equal(span.attributes.voice_id, "polly");
    assert.equal(span.attributes["metrics.character_count"], span.attributes.text.length);
  }

  for (const span of run.spans) {
    for (const [key, value] of Object.entries(span.attributes)) {
      assert.notEqual(value, "", `${span.name}.${key}: no empty string written`);
      assert.notEqual(value, "[]", `${span.name}.${key}: no empty list written`);
      if (key.startsWith("metrics.") || key.startsWith("gen_ai.usage.")) assert.notEqual(value, 0, `${span.name}.${key}: no zero written`);
    }
  }
}

describe("a port the instrumentation has never seen", () => {
  it("is traced as it is: everything inferable, nothing empty, and a report naming the gaps and the option", async () => {
    const run = await traceOneCall("as-is");
    assertInferredContent(run);
    assert.deepEqual(named(run, "stt"), [], "a transcription under an unknown name cannot be inferred: no stt span");

    const reports = coverageReport(run);
    assert.equal(reports.length, 1, "one coverage report at the conversation's end");
    const report = reports[0].message;
    assert.match(report, /stt: no span/);
    assert.match(report, /UtteranceFrame \(from ParrotSTTService\)/);
    assert.match(report, /llm: usage missing in 2 of 2, ttfb missing in 2 of 2/);
    assert.match(report, /tts: ttfb missing in 2 of 2/);
    assert.doesNotMatch(report, /model|output|text missing|transcript/, "what was inferred is not reported");
    assert.doesNotMatch(report, /ToolInvocationFrame|ToolOutcomeFrame|TextFrame|AudioChunk/, "inferred frames are not unknown");
    assert.match(report, /runtimeMapping/);

    const warnings = coverageWarnings(run);
    assert.equal(warnings.length, 1, "one process warning");
    assert.match(warnings[0].message, /UtteranceFrame/);
    assert.match(warnings[0].message, /runtimeMapping/);
  });

  it("is traced completely with a runtimeMapping: transcripts too, and only the metrics it never sent reported", async () => {
    const run = await traceOneCall("mapped");
    assertInferredContent(run);
    const stt = named(run, "stt");
    assert.deepEqual(stt.map((span) => span.attributes.transcript), ["hello there", "what is the weather"]);
    const turns = named(run, "turn");
    for (const [i, span] of stt.entries()) {
      assert.equal(span.parentId, turns[i].spanId);
      assert.equal(span.attributes.user_id, "caller-9", "a mapped field name");
      assert.equal(span.attributes["gen_ai.request.model"], "parrot-ears-2");
    }

    const report = coverageReport(run)[0]?.message ?? "";
    assert.match(report, /stt: ttfb missing in 2 of 2/);
    assert.match(report, /llm: usage missing in 2 of 2, ttfb missing in 2 of 2/);
    assert.doesNotMatch(report, /UtteranceFrame|no span/);
    assert.deepEqual(coverageWarnings(run), [], "metrics a runtime never sends are reported at debug level only");
  });
});
