// POST /v1/traces: the page's spans, sent by OpenTelemetry's OTLP/HTTP JSON exporter, handed to the
// server's own exporters so one trace file and one tree hold both halves of a call. Only the page's own
// origin may post (a browser sends Origin on a cross-site POST), and bodies are size-limited.
import type http from "node:http";
import type { RouteHandler } from "./web-server";

/** Largest accepted request body: a browser batch of a long call stays far below it. */
export const MAX_TRACES_BODY_BYTES = 1024 * 1024;

export function otlpTracesRoute(receive: (request: unknown) => { accepted: number; skipped: number }): RouteHandler {
  return (request, response) => {
    const reply = (status: number, body: unknown) =>
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (!isSameOrigin(request)) return reply(403, { error: "cross-origin trace posts are not accepted" });
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return reply(415, { error: "send OTLP/HTTP JSON (content-type: application/json)" });
    }
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > MAX_TRACES_BODY_BYTES) return reply(413, { error: "request body too large" });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TRACES_BODY_BYTES) {
        reply(413, { error: "request body too large" });
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (response.headersSent) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(400, { error: "the body is not JSON" });
      }
      const { skipped } = receive(body);
      // OTLP's response: partial success names what was rejected.
      reply(200, skipped > 0 ? { partialSuccess: { rejectedSpans: String(skipped), errorMessage: "malformed spans skipped" } } : {});
    });
  };
}

function isSameOrigin(request: http.IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
