// The demo's HTTP server: serves the page and its bundled script, and hands WebSocket upgrades on /ws to
// pipecat-ts. Routes are a plain table, so another endpoint (e.g. one receiving the browser's own
// traces) is one more entry.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PipecatWebSocketServer, type WebSocketCallHandler, type WebSocketTransportParams } from "pipecat-ts";

/** Answers one HTTP request. */
export type RouteHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface WebDemoServerOptions {
  port: number;
  host: string;
  /** "METHOD /path" -> handler, e.g. "GET /". */
  routes: Record<string, RouteHandler>;
  /** Runs one call per WebSocket client on /ws. */
  onCall: WebSocketCallHandler;
  transport?: WebSocketTransportParams;
}

export interface WebDemoServer {
  url: string;
  /** Closes every call (waiting for them to end) and the server. */
  close(): Promise<void>;
}

/** A route serving a fixed body. */
export function staticRoute(contentType: string, body: string): RouteHandler {
  return (_request, response) => {
    response.writeHead(200, { "content-type": contentType, "cache-control": "no-store" }).end(body);
  };
}

export async function startWebDemoServer(options: WebDemoServerOptions): Promise<WebDemoServer> {
  const calls = new PipecatWebSocketServer({ path: "/ws", onConnection: options.onCall, transport: options.transport });
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const route = options.routes[`${request.method} ${path}`];
    if (route) route(request, response);
    else response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  server.on("upgrade", (request, socket, head) => calls.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    async close() {
      await calls.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
