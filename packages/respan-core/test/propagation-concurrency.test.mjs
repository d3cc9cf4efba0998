// 100 concurrent propagateAttributes scopes with distinct customers: zero cross-talk over 10,000 spans,
// including the spans a second instrumentation (OpenTelemetry's HTTP instrumentation) creates for
// requests to a loopback server.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { SpanKind } from "@opentelemetry/api";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { propagateAttributes } from "@respan/core";
import { CUSTOMER, registerTracing } from "./fixtures/decorators-harness/tracing.mjs";
import { listenOnLoopback } from "../../../test/support/loopback-server.mjs";

const SCOPES = 100;
const SPANS_PER_SCOPE = 100;
const REQUESTS_PER_SCOPE = 2;
const EXPECTED = "test.expected_customer";

const { exporter, tracer } = registerTracing({ environment: "concurrency" });
// The HTTP instrumentation hooks `require`, so it is enabled before `http` is loaded.
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
const http = createRequire(import.meta.url)("http");

/** @type {{ url: string, close(): Promise<void> }} */
let server;
let agent;

before(async () => {
  // Made with the instrumented `http`, so the server side of each request is traced too.
  server = await listenOnLoopback(
    http.createServer((request, response) => {
      response.setHeader("content-type", "text/plain");
      response.end(`seen ${request.url}`);
    }),
  );
  agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
});

after(async () => {
  agent.destroy();
  await server.close();
});

function get(path) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${server.url}${path}`, { agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve(body));
      response.on("error", reject);
    });
    request.setTimeout(15_000, () => request.destroy(new Error(`request ${path} timed out`)));
    request.on("error", reject);
  });
}

/** One scope's work: its spans interleave with every other scope's across several kinds of async hop. */
async function customerSession(index) {
  const customer = `customer-${index}`;
  await propagateAttributes({ customerIdentifier: customer, metadata: { index } }, async () => {
    for (let step = 0; step < SPANS_PER_SCOPE; step++) {
      const span = tracer.startSpan("work", { attributes: { [EXPECTED]: customer } });
      switch (step % 4) {
        case 0:
          await new Promise((resolve) => setImmediate(resolve));
          break;
        case 1:
          await sleep(step % 3);
          break;
        case 2:
          await new Promise((resolve) => process.nextTick(resolve));
          break;
        default:
          await Promise.resolve();
      }
      span.end();
      if (step % (SPANS_PER_SCOPE / REQUESTS_PER_SCOPE) === 0) {
        assert.equal(await get(`/${customer}/${step}`), `seen /${customer}/${step}`);
      }
    }
  });
}

test("100 concurrent scopes never see each other's customer, in our spans or the HTTP instrumentation's", { timeout: 120_000 }, async () => {
  await Promise.all(Array.from({ length: SCOPES }, (_, index) => customerSession(index)));
  const spans = exporter.getFinishedSpans();

  const work = spans.filter((span) => span.name === "work");
  assert.equal(work.length, SCOPES * SPANS_PER_SCOPE);
  const crossTalk = work.filter((span) => span.attributes[CUSTOMER] !== span.attributes[EXPECTED]);
  assert.equal(crossTalk.length, 0, `${crossTalk.length} spans carry another scope's customer`);
  for (const span of work) {
    assert.equal(span.attributes["respan.metadata.index"], String(span.attributes[EXPECTED]).slice("customer-".length));
    assert.equal(span.attributes["respan.environment"], "concurrency");
  }

  const clientSpans = spans.filter((span) => span.kind === SpanKind.CLIENT);
  assert.equal(clientSpans.length, SCOPES * REQUESTS_PER_SCOPE);
  for (const span of clientSpans) {
    const url = String(span.attributes["url.full"]);
    assert.equal(span.attributes[CUSTOMER], new URL(url).pathname.split("/")[1], url);
  }

  // The server handles requests outside every scope (its spans start from the incoming headers), so
  // they carry the client defaults only.
  const serverSpans = spans.filter((span) => span.kind === SpanKind.SERVER);
  assert.equal(serverSpans.length, SCOPES * REQUESTS_PER_SCOPE);
  for (const span of serverSpans) {
    assert.equal(span.attributes[CUSTOMER], undefined, String(span.attributes["url.path"]));
    assert.equal(span.attributes["respan.environment"], "concurrency");
  }
});
