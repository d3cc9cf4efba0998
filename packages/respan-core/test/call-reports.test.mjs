// HTML call reports without a browser: what the trace-file exporter writes beside each trace, the
// `respan-traces` command over a folder (including a Collector's JSON-lines files), the data embedded in
// a report, its escaping, and the option / variable that turn reports off. The page itself is tested
// in Chromium by test/call-report-browser.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { trace } from "@opentelemetry/api";
import { Respan, TraceFileExporter, writeCallReports } from "@respan/core";
import { withEnv } from "./helpers/client-helpers.mjs";
import { syntheticCallRequest, turnLatency } from "./helpers/synthetic-call.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, "../dist/esm/report/cli.js");

async function tempDir(t) {
  const dir = await mkdtemp(path.join(tmpdir(), "respan-reports-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The JSON of a report's data block, read the way the page reads it. */
function embedded(html, id) {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(html);
  assert.ok(match, `a ${id} block`);
  return JSON.parse(match[1]);
}

test("a folder's trace files become one report per call and an index", async (t) => {
  const dir = await tempDir(t);
  const call = syntheticCallRequest({ turns: 5 });
  await writeFile(path.join(dir, `${call.traceId}.json`), JSON.stringify(call.request));
  const result = await writeCallReports(dir);
  assert.deepEqual(result.reports, [path.join(dir, `${call.traceId}.html`)]);
  const model = embedded(await readFile(result.reports[0], "utf8"), "call-data");

  assert.deepEqual(model.turns.map((turn) => turn.number), [1, 2, 3, 4, 5]);
  assert.deepEqual(model.turns.filter((turn) => turn.interrupted).map((turn) => turn.number), [3]);
  for (const turn of model.turns) {
    const expected = turnLatency(turn.number);
    assert.equal(turn.sttTtfb, expected.stt);
    assert.equal(turn.llmTtfb, expected.llm);
    assert.equal(turn.ttsTtfb, expected.tts);
    assert.equal(turn.voiceToVoice, expected.voiceToVoice);
  }
  const tool = model.spans.find((span) => span.category === "tool");
  const parent = model.spans.find((span) => span.spanId === tool.parentSpanId);
  assert.equal(parent.category, "llm", "the tool span sits under its llm span");
  assert.equal(model.spans.indexOf(tool), model.spans.indexOf(parent) + 1, "and right after it in waterfall order");
  assert.equal(tool.depth, parent.depth + 1);
  assert.deepEqual(
    model.transcript.slice(0, 6).map((line) => [line.role, line.text]),
    [
      ["assistant", "Bot answer number 1"],
      ["user", "User question number 2"],
      ["assistant", "Bot answer number 2"],
      ["user", "User question number 3"],
      ["tool_call", 'get_weather({"city":"City 3"})'],
      ["tool_result", '{"sunny":true}'],
    ],
  );
  const interruptedLines = model.transcript.filter((line) => line.interrupted);
  assert.deepEqual(interruptedLines.map((line) => [line.role, line.turn]), [["assistant", 3]], "the bot's cut-off answer is marked");

  const index = await readFile(path.join(dir, "index.html"), "utf8");
  assert.match(index, new RegExp(`href="${call.traceId}.html"`));
  assert.equal(embedded(await readFile(result.reports[0], "utf8"), "call-summary").turns, 5);
});

test("a report embeds span text so that it can never close its script block", async (t) => {
  const dir = await tempDir(t);
  const hostile = `</script><script>alert("x")</script><!-- & \u2028`;
  const call = syntheticCallRequest({ turns: 2, userText: () => hostile, conversationId: `<b>${hostile}</b>` });
  await writeFile(path.join(dir, "call.json"), JSON.stringify(call.request));
  await writeCallReports(dir);
  const html = await readFile(path.join(dir, `${call.traceId}.html`), "utf8");
  assert.ok(!html.includes('<script>alert("x")'), "the text never appears as markup");
  assert.equal(html.match(/<\/script>/g).length, 3, "only the report's own three script blocks close");
  const model = embedded(html, "call-data");
  assert.equal(model.transcript.find((line) => line.role === "user").text, hostile, "the text itself is intact");
  const index = await readFile(path.join(dir, "index.html"), "utf8");
  assert.ok(!index.includes("<b>"), "the index escapes call titles");
  assert.ok(index.includes("&#60;b&#62;"));
});

test("without content capture the report holds no transcript text", async (t) => {
  const dir = await tempDir(t);
  const call = syntheticCallRequest({ turns: 4, content: false });
  await writeFile(path.join(dir, "call.json"), JSON.stringify(call.request));
  await writeCallReports(dir);
  const html = await readFile(path.join(dir, `${call.traceId}.html`), "utf8");
  assert.deepEqual(embedded(html, "call-data").transcript, []);
  assert.ok(!html.includes("User question"), "no text the trace did not hold");
});

test("respan-traces joins a trace split across a Collector's JSON-lines files and across services", async (t) => {
  const dir = await tempDir(t);
  const first = syntheticCallRequest({ turns: 3, clientService: "web-client" });
  const second = syntheticCallRequest({ turns: 2 });
  // A Collector's file exporter: one request per line, each resource of the first call on its own line.
  const [agent, client] = first.request.resourceSpans;
  await writeFile(
    path.join(dir, "collector.jsonl"),
    [{ resourceSpans: [agent] }, { resourceSpans: [...second.request.resourceSpans] }].map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  await writeFile(path.join(dir, "client.json"), JSON.stringify({ resourceSpans: [client] }));
  await writeFile(path.join(dir, "notes.json"), "{ not json");

  const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, dir], { timeout: 60_000 });
  assert.match(stdout, /2 call report\(s\); open file:\/\/.*index\.html/);
  assert.match(stderr, /skipped .*notes\.json: not OTLP JSON/);
  const names = (await readdir(dir)).filter((name) => name.endsWith(".html")).sort();
  assert.deepEqual(names, [`${first.traceId}.html`, `${second.traceId}.html`, "index.html"].sort());
  const model = embedded(await readFile(path.join(dir, `${first.traceId}.html`), "utf8"), "call-data");
  assert.deepEqual(model.services, ["synthetic-agent", "web-client"]);
  const clientSpan = model.spans.find((span) => span.name === "webrtc connect");
  assert.equal(model.services[clientSpan.service], "web-client");
  assert.equal(clientSpan.category, "client");
  assert.equal(model.spans.find((span) => span.spanId === clientSpan.parentSpanId)?.name, "conversation");
});

test("respan-traces explains a missing folder", async (t) => {
  const dir = await tempDir(t);
  const missing = path.join(dir, "nope");
  const failure = await promisify(execFile)(process.execPath, [CLI, missing], { timeout: 60_000 }).catch((error) => error);
  assert.equal(failure.code, 1);
  assert.match(failure.stderr, /cannot read .*nope: no such directory/);
  assert.match(failure.stderr, /usage: respan-traces \[dir\]/);
});

async function runOneTrace(options, env = {}) {
  return withEnv(env, async () => {
    const respan = new Respan({ printTree: false, batching: false, flushOnExit: false, ...options });
    try {
      const span = trace.getTracer("report-test").startSpan("conversation", { attributes: { "conversation.id": "c-7" } });
      const traceId = span.spanContext().traceId;
      span.end();
      await respan.flush();
      return traceId;
    } finally {
      await respan.shutdown();
    }
  });
}

test("the offline default writes a report beside each trace file, and index.html", async (t) => {
  const dir = await tempDir(t);
  const traceId = await runOneTrace({ tracesDir: dir });
  assert.deepEqual((await readdir(dir)).sort(), [`${traceId}.html`, `${traceId}.json`, "index.html"].sort());
  const model = embedded(await readFile(path.join(dir, `${traceId}.html`), "utf8"), "call-data");
  assert.equal(model.summary.title, "c-7");
});

test("htmlReports: false or RESPAN_HTML_REPORTS=false writes trace files only", async (t) => {
  const byOption = await tempDir(t);
  const traceId = await runOneTrace({ tracesDir: byOption, htmlReports: false });
  assert.deepEqual(await readdir(byOption), [`${traceId}.json`]);
  const byEnv = await tempDir(t);
  const envTraceId = await runOneTrace({ tracesDir: byEnv }, { RESPAN_HTML_REPORTS: "false" });
  assert.deepEqual(await readdir(byEnv), [`${envTraceId}.json`]);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new Respan({ htmlReports: "yes" }), /option "htmlReports".*true or false/);
  await withEnv({ RESPAN_HTML_REPORTS: "maybe" }, async () => {
    assert.throws(() => new Respan({ tracesDir: byEnv }), /RESPAN_HTML_REPORTS/);
  });
});

test("TraceFileExporter writes reports only when asked, and a report failure never fails the export", async (t) => {
  const dir = await tempDir(t);
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => new TraceFileExporter({ directory: dir, htmlReports: 1 }), /"htmlReports" must be true or false/);
  const exporter = new TraceFileExporter({ directory: dir, htmlReports: true });
  // index.html as a directory: the report's index cannot be written, the trace file still is.
  await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, "index.html")));
  const warnings = [];
  const originalWarn = console.warn;
  console.warn = (message) => warnings.push(String(message));
  t.after(() => (console.warn = originalWarn));
  const respan = new Respan({ exporters: [exporter], printTree: false, batching: false, flushOnExit: false });
  let traceId;
  try {
    const span = trace.getTracer("report-test").startSpan("conversation");
    traceId = span.spanContext().traceId;
    span.end();
    await respan.flush();
  } finally {
    await respan.shutdown();
  }
  const stats = respan.getStats();
  assert.equal(stats.failed, 0, "the export succeeded");
  assert.equal(stats.exported, 1);
  assert.ok((await readdir(dir)).includes(`${traceId}.json`), "the trace file is written");
  assert.ok(warnings.some((message) => /HTML call reports .* could not be written/.test(message)), warnings.join("\n"));
});
