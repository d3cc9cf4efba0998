// The first export of a process does no module loading that could have been done at start-up: OpenTelemetry's
// HTTP transport import()s `http` on its first send, and on Node 22+ that reads `http`'s lazy exports, which
// load undici (tens of milliseconds on the application's thread, mid-call). Checked in a child process (a
// clean module list) for both builds, against a loopback port that refuses the connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

/** A loopback port with nothing listening on it (listened on, then closed). */
async function refusedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const CHILD = (load) => `
  const { RespanSpanExporter } = ${load};
  const span = {
    name: "turn", kind: 0, spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 }),
    parentSpanContext: undefined, startTime: [1, 0], endTime: [2, 0], status: { code: 0 }, attributes: { "turn.number": 1 },
    links: [], events: [], duration: [1, 0], ended: true, resource: { attributes: {}, merge: () => undefined },
    instrumentationScope: { name: "test" }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
  const exporter = new RespanSpanExporter({ apiKey: "rsp-test", baseUrl: "http://127.0.0.1:" + process.env.PORT, timeoutMillis: 500 });
  setTimeout(() => {
    const before = new Set(process.moduleLoadList);
    exporter.export([span], (result) => {
      const loaded = process.moduleLoadList.filter((name) => !before.has(name));
      console.log(JSON.stringify({ code: result.code, loaded }));
    });
  }, 50);
`;

for (const [build, args] of [
  ["CommonJS", ["-e", CHILD('require("@respan/core")')]],
  ["ESM", ["--input-type=module", "-e", CHILD('await import("@respan/core")')]],
]) {
  test(`${build}: the first export loads no undici (its modules are read when the exporter is made)`, async () => {
    const port = await refusedPort();
    const { stdout } = await promisify(execFile)(process.execPath, args, {
      cwd: new URL("..", import.meta.url),
      env: { ...process.env, PORT: String(port) },
      timeout: 30_000,
    });
    const { code, loaded } = JSON.parse(stdout.trim().split("\n").at(-1));
    assert.equal(code, 1, "the export to a refused port fails (and the child got that far)");
    assert.deepEqual(loaded.filter((name) => /undici/.test(name)), [], `modules loaded during the first export: ${loaded.join(", ")}`);
  });
}
