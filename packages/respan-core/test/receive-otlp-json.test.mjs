// Spans received as OTLP/HTTP JSON (a browser's half of a call) join the client's own spans: one trace
// file and one printed tree hold both halves; malformed input is skipped, never thrown.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { propagation, trace, ROOT_CONTEXT } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Respan } from "@respan/core";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";

/** A browser-like half: a session span and a turn under it, serialised as the OTLP/HTTP JSON exporter does. */
function browserHalf() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("browser");
  const session = tracer.startSpan("client_session", { attributes: { "pipecat.client.turn_count": 1 } }, ROOT_CONTEXT);
  const turn = tracer.startSpan("client_turn", {}, trace.setSpan(ROOT_CONTEXT, session));
  turn.addEvent("function_call", { "gen_ai.tool.name": "lookup" });
  return {
    session,
    finish() {
      turn.end();
      session.end();
      return JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())));
    },
  };
}

test("received spans and the server's own spans land in one trace file and one tree", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "respan-receive-"));
  const printed = [];
  const respan = new Respan({ tracesDir: dir, printTree: { write: (text) => printed.push(text) }, flushOnExit: false, logLevel: "error" });
  try {
    const browser = browserHalf();
    // The server continues the browser's trace from its traceparent, as the transport hands it over.
    const carrier = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, browser.session), carrier);
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    const conversation = trace.getTracer("server").startSpan("conversation", {}, parent);
    conversation.end();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(printed.length, 0, "the server half waits for the browser half");

    const result = respan.receiveOtlpJson(browser.finish());
    assert.deepEqual(result, { accepted: 2, skipped: 0 });
    await respan.flush();
    assert.equal(printed.length, 1, "one tree for the whole call");
    const tree = printed[0];
    assert.ok(tree.indexOf("client_session") < tree.indexOf("conversation"));
    // Both are children of the session (their order follows their start times, which may tie).
    assert.match(tree, /^[├└]─ client_turn /m);
    assert.match(tree, /^[├└]─ conversation /m);

    const file = JSON.parse(readFileSync(path.join(dir, `${conversation.spanContext().traceId}.json`), "utf8"));
    const names = file.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name))).sort();
    assert.deepEqual(names, ["client_session", "client_turn", "conversation"]);
    const services = file.resourceSpans.map((r) => r.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue);
    assert.ok(services.length >= 2, "the browser keeps its own resource");
  } finally {
    await respan.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("malformed requests are skipped and counted, never thrown", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "respan-receive-"));
  const respan = new Respan({ tracesDir: dir, printTree: false, flushOnExit: false, logLevel: "error" });
  try {
    assert.deepEqual(respan.receiveOtlpJson(null), { accepted: 0, skipped: 0 });
    assert.deepEqual(respan.receiveOtlpJson("junk"), { accepted: 0, skipped: 0 });
    const bad = {
      resourceSpans: [{ scopeSpans: [{ spans: [
        { traceId: "xyz", spanId: "0102030405060708", name: "a", startTimeUnixNano: "1", endTimeUnixNano: "2" },
        { traceId: "0102030405060708090a0b0c0d0e0f10", spanId: "0102030405060708", name: "b", startTimeUnixNano: "not a time", endTimeUnixNano: "2" },
        { traceId: "0102030405060708090a0b0c0d0e0f10", spanId: "0102030405060708", name: "ok", startTimeUnixNano: "1700000000000000000", endTimeUnixNano: "1700000000500000000",
          kind: 3, attributes: [{ key: "n", value: { intValue: "42" } }, { key: "nested", value: { kvlistValue: { values: [{ key: "a", value: { stringValue: "b" } }] } } }] },
      ] }] }],
    };
    assert.deepEqual(respan.receiveOtlpJson(bad), { accepted: 1, skipped: 2 });
    await respan.flush();
    const file = JSON.parse(readFileSync(path.join(dir, "0102030405060708090a0b0c0d0e0f10.json"), "utf8"));
    const span = file.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.kind, 3);
    assert.deepEqual(span.attributes.find((a) => a.key === "n").value, { intValue: "42" });
    assert.equal(span.endTimeUnixNano, "1700000000500000000");
  } finally {
    await respan.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
