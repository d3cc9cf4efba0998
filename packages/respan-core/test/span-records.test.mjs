// Spans cross to the export worker as plain records: after a real structured clone (what postMessage
// does), the spans read back serialise to the same OTLP JSON bytes as the originals, and translate for
// Respan to the same bytes — resources and scopes grouped as before, parents, remote parents and links
// with their trace state, events, status and every attribute type kept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, createTraceState, trace } from "@opentelemetry/api";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { fromSpanRecords, toSpanRecords } from "../dist/esm/exporters/span-records.js";
import { translateSpanForRespan } from "../dist/esm/exporters/respan-translation.js";

const decoder = new TextDecoder();

/** Spans of two providers (two resources), two tracers each, covering every field the serializer writes. */
function finishedSpans() {
  const spans = [];
  for (const service of ["agent", "bot-runner"]) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": service, "deployment.environment.name": "test", "host.cores": 2 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const pipecat = provider.getTracer("pipecat", "1.2.0", { schemaUrl: "https://opentelemetry.io/schemas/1.28.0" });
    const other = provider.getTracer("other");
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState("vendor=abc,respan=1"),
    });
    const conversation = pipecat.startSpan("conversation", { kind: SpanKind.SERVER, attributes: { "conversation.id": `call-${service}` } }, remoteParent);
    const inConversation = trace.setSpan(ROOT_CONTEXT, conversation);
    const llm = pipecat.startSpan(
      "llm",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o-mini",
          input: JSON.stringify([{ role: "user", content: "naïve café ☕ \"quoted\"" }]),
          "gen_ai.usage.input_tokens": 120,
          "gen_ai.request.temperature": 0.7,
          stream: true,
          "tool.names": ["get_weather", "hang_up"],
          "metrics.counts": [3, -4, 2 ** 53 - 1],
          flags: [true, false],
        },
        links: [{ context: conversation.spanContext(), attributes: { "link.reason": "follows" } }, { context: trace.getSpanContext(remoteParent) }],
      },
      inConversation,
    );
    llm.addEvent("first_token", { "token.index": 0 });
    llm.addEvent("done");
    llm.setStatus({ code: SpanStatusCode.ERROR, message: "rate limited" });
    llm.end();
    other.startSpan("tool", {}, inConversation).end();
    conversation.setStatus({ code: SpanStatusCode.OK });
    conversation.end();
    spans.push(...exporter.getFinishedSpans());
  }
  return spans;
}

const serialize = (spans) => decoder.decode(JsonTraceSerializer.serializeRequest(spans));
const acrossThreads = (spans) => fromSpanRecords(structuredClone(toSpanRecords(spans)));

test("span records: after a structured clone the spans serialise to the same OTLP JSON as the originals", () => {
  const spans = finishedSpans();
  const original = serialize(spans);
  const request = JSON.parse(original);
  // The fixture covers what it claims: two resources, scopes with and without a version, links, events.
  assert.equal(request.resourceSpans.length, 2);
  assert.deepEqual(request.resourceSpans[0].scopeSpans.map((scope) => scope.scope.name), ["pipecat", "other"]);
  const llm = request.resourceSpans[0].scopeSpans[0].spans.find((span) => span.name === "llm");
  assert.equal(llm.links.length, 2);
  assert.equal(llm.links[1].traceState, "vendor=abc,respan=1");
  assert.equal(llm.events.length, 2);

  assert.equal(serialize(acrossThreads(spans)), original);
});

test("span records: translated for Respan after the clone, the spans give the same bytes as translated in place", () => {
  const spans = finishedSpans();
  assert.equal(serialize(acrossThreads(spans).map(translateSpanForRespan)), serialize(spans.map(translateSpanForRespan)));
});

test("span records: each resource and scope is sent once per batch, and spans read back share them", () => {
  const spans = finishedSpans();
  const records = toSpanRecords(spans);
  assert.equal(records.resources.length, 2);
  assert.equal(records.scopes.length, 4);
  const back = fromSpanRecords(structuredClone(records));
  assert.equal(back[0].resource, back[1].resource);
  assert.notEqual(back[0].resource, back[back.length - 1].resource);
});

test("span records: span contexts and parents come back with their flags, remoteness and trace state", () => {
  const spans = finishedSpans();
  const plain = (spanContext) =>
    spanContext === undefined ? undefined : { ...spanContext, isRemote: spanContext.isRemote === true, traceState: spanContext.traceState?.serialize() };
  const back = acrossThreads(spans);
  assert.deepEqual(back.map((span) => plain(span.spanContext())), spans.map((span) => plain(span.spanContext())));
  assert.deepEqual(back.map((span) => plain(span.parentSpanContext)), spans.map((span) => plain(span.parentSpanContext)));
  const conversation = back.find((span) => span.name === "conversation");
  assert.equal(conversation.parentSpanContext.isRemote, true);
  assert.equal(conversation.parentSpanContext.traceState.get("respan"), "1");
});
