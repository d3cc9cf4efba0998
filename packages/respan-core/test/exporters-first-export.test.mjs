// The first export of a process does no module loading that could have been done at start-up: OpenTelemetry's
// HTTP transport import()s `http` on its first send, and on Node 22+ that reads `http`'s lazy exports, which
// load undici (tens of milliseconds on the application's thread, mid-call). Checked in a child process (a
// clean module list) against a loopback port that refuses the connection, for both builds (the ESM build's
// static `import http` makes that namespace at load already) and for the client's OTLP collector exporter.
// The exporters are asked to send from the application's thread: from an export worker (the default)
// nothing of the send runs on that thread, but they fall back to it where no worker can run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { refusingUrl } from "../../../test/support/loopback-server.mjs";

const RESULT = "first-export:";

/** Exports one span through the Respan exporter, with the module list before and after. */
const EXPORTER_CHILD = (load) => `
  const { RespanSpanExporter } = ${load};
  const span = {
    name: "turn", kind: 0, spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 }),
    parentSpanContext: undefined, startTime: [1, 0], endTime: [2, 0], status: { code: 0 }, attributes: { "turn.number": 1 },
    links: [], events: [], duration: [1, 0], ended: true, resource: { attributes: {}, merge: () => undefined },
    instrumentationScope: { name: "test" }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
  const exporter = new RespanSpanExporter({ apiKey: "rsp-test", baseUrl: process.env.REFUSING_URL, timeoutMillis: 500, exportThread: "main" });
  setTimeout(() => {
    const before = new Set(process.moduleLoadList);
    exporter.export([span], (result) => {
      const loaded = process.moduleLoadList.filter((name) => !before.has(name));
      console.log("${RESULT}" + JSON.stringify({ failed: result.code === 1, loaded }));
    });
  }, 50);
`;

/** The client sending to an OTLP collector (the standard variables): one span, flushed. */
const CLIENT_CHILD = `
  const { Respan } = require("@respan/core");
  const { trace } = require("@opentelemetry/api");
  const respan = new Respan({ flushOnExit: false });
  setTimeout(async () => {
    const before = new Set(process.moduleLoadList);
    trace.getTracer("first-export").startSpan("turn").end();
    await respan.flush();
    const loaded = process.moduleLoadList.filter((name) => !before.has(name));
    console.log("${RESULT}" + JSON.stringify({ failed: respan.getStats().exporters[0].failed === 1, loaded }));
    await respan.shutdown();
  }, 50);
`;

/** @type {Array<[string, string[]]>} */
const CASES = [
  ["Respan exporter, CommonJS", ["-e", EXPORTER_CHILD('require("@respan/core")')]],
  ["Respan exporter, ESM", ["--input-type=module", "-e", EXPORTER_CHILD('await import("@respan/core")')]],
  ["OTLP collector exporter of the client", ["-e", CLIENT_CHILD]],
];

for (const [name, args] of CASES) {
  test(`${name}: the first export loads no undici (its modules are read when the exporter is made)`, async () => {
    const url = await refusingUrl();
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      cwd: new URL("..", import.meta.url),
      env: {
        ...process.env,
        REFUSING_URL: url,
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TIMEOUT: "500",
        RESPAN_EXPORT_THREAD: "main",
      },
      timeout: 30_000,
    });
    const line = stdout.split("\n").find((text) => text.startsWith(RESULT));
    assert.ok(line !== undefined, `the child printed no result: ${stdout}`);
    const { failed, loaded } = JSON.parse(line.slice(RESULT.length));
    assert.equal(failed, true, "the export to a refused port fails (and the child got that far)");
    assert.deepEqual(loaded.filter((module) => /undici/.test(module)), [], `modules loaded during the first export: ${loaded.join(", ")}`);
  });
}
