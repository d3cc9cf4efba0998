// The debugLogFilename option: every observed hop appended to a file, off the hot path.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { diag, DiagLogLevel } from "@opentelemetry/api";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";
import { DebugLog } from "../dist/esm/debug-log.js";
import { ErrorReporter } from "../dist/esm/error-reporter.js";
import * as pipecat from "pipecat-ts";
import { eventually } from "../../../test/support/eventually.cjs";
import otel from "../../../test/support/otel.cjs";

const { inMemoryTracing, byName } = otel;
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ -> \S+ \S+ (downstream|upstream)$/;

describe("debug log", () => {
  it("appends one line per hop: time, source -> destination, frame, direction", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipecat-debug-"));
    const file = path.join(dir, "hops.log");
    try {
      const { provider } = inMemoryTracing();
      const instrumentation = new PipecatInstrumentation({ debugLogFilename: file });
      instrumentation.setTracerProvider(provider);
      instrumentation.manuallyInstrument(pipecat);
      let hops = 0;
      const demo = pipecat.createDemoConversation({ observers: [{ onPushFrame: () => void (hops += 1) }] });
      await demo.task.run();
      instrumentation.disable(); // flushes what is buffered
      await eventually(() => fs.existsSync(file) && fs.readFileSync(file, "utf8").split("\n").length > hops, 10_000, "a line per hop");
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
      for (const line of lines) assert.match(line, LINE);
      // The task's observers see the hops that have a destination; the log has those and more.
      assert.ok(lines.length >= hops, `${lines.length} lines for ${hops} observed hops`);
      assert.ok(lines.some((line) => / StartFrame#\d+ downstream$/.test(line)));
      assert.ok(lines.some((line) => / BotStartedSpeakingFrame#\d+ upstream$/.test(line)));
      assert.ok(lines.filter((line) => / InputAudioRawFrame#\d+ /.test(line)).length > 100, "audio hops too");
      assert.ok(lines.some((line) => /ScriptedSTTService#\d+ -> LLMUserAggregator#\d+ TranscriptionFrame/.test(line)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a hop only records its raw fields: names are read and lines formatted when written, and the buffer is bounded", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipecat-debug-"));
    const file = path.join(dir, "hops.log");
    try {
      let nameReads = 0;
      const source = {
        get name() {
          nameReads += 1;
          return "Counted#0";
        },
      };
      const log = new DebugLog(file, new ErrorReporter(diag));
      for (let i = 0; i < 25_000; i++) log.hop(source, i % 2 === 0 ? null : undefined, { name: `Frame#${i}` }, 1);
      assert.equal(nameReads, 0, "nothing is formatted while the pipeline pushes frames");
      await log.close();
      const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
      assert.equal(lines.length, 20_001, "20 000 hops kept, the rest counted");
      assert.match(lines[0], /Z Counted#0 -> \(end\) Frame#0 downstream$/);
      assert.match(lines[1], /Z Counted#0 -> \(unknown\) Frame#1 downstream$/, "a runtime with private links");
      assert.match(lines.at(-1), /\[5000 hops not logged: buffer full\]$/);
      for (const line of lines.slice(0, -1)) assert.match(line, LINE);
      assert.equal(nameReads, 20_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a file that cannot be written is reported once and never breaks the pipeline", async () => {
    const messages = [];
    diag.setLogger({
      error: (...args) => messages.push(args.map(String).join(" ")),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    }, DiagLogLevel.ERROR);
    const { exporter, provider } = inMemoryTracing();
    const unwritable = path.join(os.tmpdir(), "no-such-dir-for-pipecat", "deeper", "hops.log");
    const instrumentation = new PipecatInstrumentation({ debugLogFilename: unwritable });
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(pipecat);
    await pipecat.createDemoConversation().task.run();
    await pipecat.createDemoConversation().task.run();
    instrumentation.disable();
    await eventually(() => messages.length > 0, 10_000, "the write failure to be reported");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(messages.filter((message) => message.includes("debug log")).length, 1);
    assert.equal(byName(exporter.getFinishedSpans(), "conversation").length, 2, "traced regardless");
    diag.disable();
  });
});
