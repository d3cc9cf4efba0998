// A loopback OTLP/HTTP JSON trace receiver (POST /v1/traces), bounded in requests, for child-process tests.
const http = require("node:http");

function attributeValue(value) {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return value;
}

async function startOtlpReceiver({ maxRequests = 200 } = {}) {
  const spans = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      requests += 1;
      if (req.method !== "POST" || req.url !== "/v1/traces" || requests > maxRequests) {
        res.writeHead(404).end();
        return;
      }
      const payload = JSON.parse(body);
      for (const resourceSpans of payload.resourceSpans ?? []) {
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, attributeValue(a.value)]));
            spans.push({ name: span.name, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, attributes });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    spans,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startOtlpReceiver };
