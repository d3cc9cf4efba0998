// The assertions every end-to-end run of the demo conversation must pass, wherever its trace went
// (trace file, OTLP collector, Respan).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { flattenTraceRequest } from "./otlp-receiver.mjs";
import { indexTrace } from "./trace-tree.mjs";

export const CUSTOMER_KEY = "respan.customer_params.customer_identifier";
export const THREAD_KEY = "respan.threads.thread_identifier";

/** Every span of every OTLP JSON trace file in `dir`. */
export function readTraceFiles(dir) {
  const files = readdirSync(dir).filter((name) => name.endsWith(".json"));
  return files.flatMap((name) => flattenTraceRequest(JSON.parse(readFileSync(path.join(dir, name), "utf8"))));
}

/**
 * One conversation inside a `<workflow>.workflow` span, with >= `minTurns` turns under it, stt/llm/tts
 * spans under turns, a tool span under an llm span, and the customer and thread on every span.
 * Returns the indexed trace for further checks.
 */
export function assertVoiceSessionTrace(spans, { workflowName = "voice_session", minTurns = 4, customer = "customer_42" } = {}) {
  const trace = indexTrace(spans);
  const [conversation, ...extraConversations] = trace.named("conversation");
  assert.ok(conversation, `no conversation span among: ${[...new Set(spans.map((s) => s.name))].join(", ")}`);
  assert.equal(extraConversations.length, 0, "exactly one conversation span");
  assert.ok(spans.every((span) => span.traceId === conversation.traceId), "one trace holds every span");

  const workflow = trace.parentOf(conversation);
  assert.equal(workflow?.name, `${workflowName}.workflow`, "the conversation runs inside the workflow span");

  const turns = trace.named("turn");
  assert.ok(turns.length >= minTurns, `at least ${minTurns} turns, got ${turns.length}`);
  for (const turn of turns) assert.equal(turn.parentSpanId, conversation.spanId, "turns are children of the conversation");
  assert.deepEqual(
    turns.map((turn) => turn.attributes["turn.number"]).sort((a, b) => a - b),
    turns.map((_, i) => i + 1),
    "turns are numbered 1..n",
  );

  for (const name of ["stt", "llm", "tts"]) {
    const serviceSpans = trace.named(name);
    assert.ok(serviceSpans.length > 0, `some ${name} spans`);
    for (const span of serviceSpans) assert.equal(trace.parentOf(span)?.name, "turn", `${name} spans are children of a turn`);
  }

  const tools = trace.named(/^execute_tool /);
  assert.ok(tools.length > 0, "a tool span");
  for (const tool of tools) assert.equal(trace.parentOf(tool)?.name, "llm", "tool spans are children of the llm span that called them");

  for (const span of spans) {
    assert.equal(span.attributes[CUSTOMER_KEY], customer, `customer on span ${span.name}`);
    assert.ok(span.attributes[THREAD_KEY], `thread on span ${span.name}`);
  }
  return trace;
}
