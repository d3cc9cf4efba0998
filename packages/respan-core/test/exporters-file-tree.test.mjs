// The embedded default destinations: OTLP JSON trace files and the terminal tree printer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { Respan, TraceFileExporter, TraceTreePrinter } from "@respan/core";
import { eventually } from "../../../test/support/eventually.cjs";
import { runNode } from "../../../test/support/processes.mjs";
import { captureConsole, withEnv } from "./helpers/client-helpers.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

async function tempDir(t, prefix) {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function readTraceFile(dir, traceId) {
  return JSON.parse(await readFile(path.join(dir, `${traceId}.json`), "utf8"));
}

function spansOf(request) {
  return request.resourceSpans.flatMap((resourceSpans) => resourceSpans.scopeSpans.flatMap((scopeSpans) => scopeSpans.spans));
}

const child = (tracer, name, parent, options = {}) => tracer.startSpan(name, options, trace.setSpan(context.active(), parent));

test("trace files: one OTLP JSON file per trace, written when its root span ends", async (t) => {
  const dir = await tempDir(t, "respan-files-");
  await withEnv({}, async () => {
    const respan = new Respan({ tracesDir: dir, printTree: false, batching: false, flushOnExit: false });
    try {
      assert.equal(respan.tracesDir, dir);
      const tracer = trace.getTracer("file-test", "3.1.0");
      const first = tracer.startSpan("conversation", { attributes: { "conversation.id": "c-1" } });
      child(tracer, "turn", first, { attributes: { "turn.number": 2, "turn.was_interrupted": true } }).end();
      const second = tracer.startSpan("other-conversation");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await readdir(dir).catch(() => []), [], "no file while the root spans are open");

      first.end();
      second.end();
      await respan.flush();
      const firstId = first.spanContext().traceId;
      const secondId = second.spanContext().traceId;
      const traceFiles = (await readdir(dir)).filter((name) => name.endsWith(".json")); // beside the HTML reports
      assert.deepEqual(traceFiles.sort(), [`${firstId}.json`, `${secondId}.json`].sort());

      const request = await readTraceFile(dir, firstId);
      assert.equal(request.resourceSpans[0].scopeSpans[0].scope.name, "file-test");
      const spans = spansOf(request);
      assert.deepEqual(spans.map((span) => span.name).sort(), ["conversation", "turn"]);
      const turn = spans.find((span) => span.name === "turn");
      assert.equal(turn.traceId, firstId);
      assert.equal(turn.parentSpanId, first.spanContext().spanId);
      assert.match(turn.startTimeUnixNano, /^\d{19}$/);
      const attributes = Object.fromEntries(turn.attributes.map(({ key, value }) => [key, value]));
      assert.deepEqual(attributes["turn.number"], { intValue: "2" });
      assert.deepEqual(attributes["turn.was_interrupted"], { boolValue: true });
      assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith(".tmp")), [], "no temporary file left");
    } finally {
      await respan.shutdown();
    }
  });
});

test("trace files: spans ending after their root, and traces still open at flush, are merged into the file", async (t) => {
  const dir = await tempDir(t, "respan-merge-");
  await withEnv({}, async () => {
    const respan = new Respan({ tracesDir: dir, printTree: false, batching: false, flushOnExit: false });
    try {
      const tracer = trace.getTracer("merge-test");
      const root = tracer.startSpan("root");
      const early = child(tracer, "early", root);
      early.end();
      const late = child(tracer, "late", root);
      await respan.flush(); // writes the unfinished trace as it is
      const traceId = root.spanContext().traceId;
      assert.deepEqual(spansOf(await readTraceFile(dir, traceId)).map((span) => span.name), ["early"]);
      root.end();
      await respan.flush();
      late.end(); // after its root
      await respan.flush();
      assert.deepEqual(spansOf(await readTraceFile(dir, traceId)).map((span) => span.name), ["early", "root", "late"]);
    } finally {
      await respan.shutdown();
    }
  });
});

test("trace files: memory is bounded — a trace over maxBufferedSpans is written early, then completed", async (t) => {
  const dir = await tempDir(t, "respan-bounded-");
  await withEnv({}, async () => {
    const exporter = new TraceFileExporter({ directory: dir, maxBufferedSpans: 5 });
    const respan = new Respan({ exporters: [exporter], batching: false, flushOnExit: false });
    try {
      const tracer = trace.getTracer("bounded-test");
      const root = tracer.startSpan("long-call");
      for (let i = 0; i < 12; i++) child(tracer, `step-${i}`, root).end();
      const file = path.join(dir, `${root.spanContext().traceId}.json`);
      await eventually(async () => (await readdir(dir)).includes(path.basename(file)), 10_000, "an early write");
      root.end();
      await respan.flush();
      const names = spansOf(await readTraceFile(dir, root.spanContext().traceId)).map((span) => span.name);
      assert.equal(names.length, 13);
      assert.deepEqual(new Set(names), new Set(["long-call", ...Array.from({ length: 12 }, (_, i) => `step-${i}`)]));
    } finally {
      await respan.shutdown();
    }
  });
  assert.throws(() => new TraceFileExporter({ directory: "" }), /option "directory" must be a non-empty path/);
  assert.throws(() => new TraceFileExporter({ directory: dir, maxBufferedSpans: 0 }), /option "maxBufferedSpans" must be a positive integer/);
});

/** Emits a Pipecat-shaped trace with fixed times (ms offsets from `base`); returns the root span. */
function emitTimedConversation(tracer, base) {
  const at = (ms) => base + ms;
  const root = tracer.startSpan("conversation", { startTime: at(0) });
  const turn = child(tracer, "turn", root, { startTime: at(0), attributes: { "turn.number": 1, "turn.was_interrupted": true } });
  child(tracer, "stt", turn, { startTime: at(100), attributes: { transcript: "What's the weather like in Paris today, please?", "metrics.ttfb": 0.12 } }).end(at(600));
  const llm = child(tracer, "llm", turn, {
    startTime: at(600),
    attributes: { "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 35, "metrics.ttfb": 0.25 },
  });
  const tool = child(tracer, "execute_tool get_weather", llm, { startTime: at(900), attributes: { "gen_ai.tool.name": "get_weather" } });
  tool.setStatus({ code: SpanStatusCode.ERROR, message: "timeout" });
  tool.end(at(1100));
  llm.end(at(1500));
  child(tracer, "tts", turn, { startTime: at(1500), attributes: { text: "Sunny." } }).end(at(3000));
  turn.end(at(3000));
  return root;
}

test("tree printer: prints the trace as an indented waterfall when its root span ends", async () => {
  const output = [];
  await withEnv({}, async () => {
    const respan = new Respan({ printTree: { write: (text) => output.push(text) }, tracesDir: false, flushOnExit: false });
    try {
      const base = Date.now();
      const root = emitTimedConversation(trace.getTracer("tree-test"), base);
      await respan.flush();
      assert.deepEqual(output, [], "nothing is printed before the root span ends");
      root.end(base + 3000);
      await respan.flush();
    } finally {
      await respan.shutdown();
    }
  });
  assert.equal(output.length, 1);
  const lines = output[0].trimEnd().split("\n");
  assert.match(lines[0], /^── trace [0-9a-f]{32} · conversation · 3\.00s · 6 span\(s\)$/);
  const body = lines.slice(1);
  const expectedPrefixes = [
    "conversation ",
    "└─ turn ",
    "   ├─ stt ",
    "   ├─ llm ",
    "   │  └─ execute_tool get_weather ",
    "   └─ tts ",
  ];
  assert.equal(body.length, expectedPrefixes.length, output[0]);
  expectedPrefixes.forEach((prefix, index) => assert.ok(body[index].startsWith(prefix), `line ${index}: ${body[index]}`));
  const line = (name) => body.find((text) => text.includes(name));
  assert.match(line("conversation"), /█{30}\s+3\.00s$/);
  assert.match(line("turn"), /3\.00s {2}turn=1 interrupted$/);
  assert.match(line("stt"), /500ms {2}ttfb=120ms transcript="What's the weather like in Paris today,…"$/);
  assert.match(line("├─ llm"), /900ms {2}model=gpt-4o-mini tokens=120→35 ttfb=250ms$/);
  assert.match(line("execute_tool"), /200ms {2}ERROR: timeout$/);
  assert.match(line("tts"), /1\.50s {2}text="Sunny\."$/);
  // The bars are positioned on the trace's timeline: tts starts at half of it.
  const barColumn = line("conversation").indexOf("█");
  assert.equal(line("tts").indexOf("█") - barColumn, 15);
  assert.equal(line("tts").lastIndexOf("█") - barColumn, 29, "and ends with it");
});

test("tree printer: a turn cut short by the end of the conversation prints as ended, not interrupted", async () => {
  const output = [];
  const printer = new TraceTreePrinter({ write: (text) => output.push(text), bars: false });
  await withEnv({}, async () => {
    const respan = new Respan({ spanProcessors: [printer], flushOnExit: false });
    try {
      const tracer = trace.getTracer("turn-ends");
      const root = tracer.startSpan("conversation");
      const turn = (number, attributes) => child(tracer, "turn", root, { attributes: { "turn.number": number, ...attributes } }).end();
      turn(1, { "turn.was_interrupted": true, "turn.ended_by_conversation_end": false });
      turn(2, { "turn.was_interrupted": false });
      // Pipecat flags the turn open at EndFrame/CancelFrame as interrupted, and says why.
      turn(3, { "turn.was_interrupted": true, "turn.ended_by_conversation_end": true });
      root.end();
      await respan.flush();
    } finally {
      await respan.shutdown();
    }
  });
  assert.equal(output.length, 1);
  const turnLines = output[0].split("\n").filter((text) => text.includes(" turn "));
  assert.equal(turnLines.length, 3, output[0]);
  assert.match(turnLines[0], /turn=1 interrupted$/);
  assert.match(turnLines[1], /turn=2$/);
  assert.match(turnLines[2], /turn=3 ended$/);
});

test("tree printer: without bars, bounded per trace and in traces; a broken writer is contained", async () => {
  const output = [];
  const printer = new TraceTreePrinter({ write: (text) => output.push(text), bars: false, maxSpansPerTrace: 3, maxTraces: 1 });
  await withEnv({}, async () => {
    const respan = new Respan({ spanProcessors: [printer], flushOnExit: false });
    try {
      const tracer = trace.getTracer("bounded-tree");
      const forgotten = tracer.startSpan("forgotten-root");
      child(tracer, "forgotten-child", forgotten).end();
      const big = tracer.startSpan("big-root"); // a second open trace: the first one's spans are forgotten
      for (let i = 0; i < 5; i++) child(tracer, `child-${i}`, big).end();
      big.end();
      forgotten.end();
      await respan.flush();
    } finally {
      await respan.shutdown();
    }
  });
  assert.equal(output.length, 2);
  const [bigTree, forgottenTree] = output;
  assert.ok(!bigTree.includes("█"));
  assert.match(bigTree, /3 span\(s\)/);
  assert.match(bigTree, /… 3 more span\(s\) not shown/);
  assert.match(forgottenTree, /^── trace [0-9a-f]{32} · forgotten-root · .* · 1 span\(s\)\n/);
  assert.ok(!forgottenTree.includes("forgotten-child"));

  const { lines } = await captureConsole(async () => {
    const throwing = new TraceTreePrinter({
      write: () => {
        throw new Error("terminal gone");
      },
    });
    await withEnv({}, async () => {
      const respan = new Respan({ spanProcessors: [throwing], flushOnExit: false });
      trace.getTracer("t").startSpan("root").end();
      await respan.shutdown();
    });
  });
  assert.ok(lines.some((line) => line.text === "[respan] could not print a trace tree: terminal gone"));
});

test("tree printer and trace files: invalid limits throw, naming the option", () => {
  assert.throws(() => new TraceTreePrinter({ maxTraces: 0 }), /TraceTreePrinter: option "maxTraces" must be a positive integer; got 0/);
  assert.throws(() => new TraceTreePrinter({ maxSpansPerTrace: 2.5 }), /option "maxSpansPerTrace" must be a positive integer; got 2.5/);
  assert.throws(
    () => new TraceFileExporter({ directory: "traces", maxBufferedSpans: -1 }),
    /TraceFileExporter: option "maxBufferedSpans" must be a positive integer; got -1/,
  );
});

test("embedded default: with no destination configured, ./traces files and a tree on stderr", async (t) => {
  const cwd = await tempDir(t, "respan-default-");
  const { code, stdout, stderr } = await runNode([path.join(here, "fixtures/client-default-child.mjs")], { cwd, timeoutMs: 60_000 });
  assert.equal(code, 0, stderr);
  const { tracesDir } = JSON.parse(stdout.trim());
  assert.equal(tracesDir, path.join(cwd, "traces"));
  const files = (await readdir(tracesDir)).filter((name) => name.endsWith(".json"));
  assert.equal(files.length, 1);
  assert.ok((await readdir(tracesDir)).includes(files[0].replace(/\.json$/, ".html")), "its HTML report beside it");
  const spans = spansOf(JSON.parse(await readFile(path.join(tracesDir, files[0]), "utf8")));
  assert.deepEqual(spans.map((span) => span.name).sort(), ["greet_caller.workflow", "lookup_account.task"]);
  assert.match(stderr, /── trace [0-9a-f]{32} · greet_caller\.workflow · /);
  assert.match(stderr, /\n└─ lookup_account\.task /);
});
