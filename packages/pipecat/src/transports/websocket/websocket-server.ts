import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { BaseObject, errorMessage } from "../../utils/base-object.js";
import { nonEmptyString, nonNegativeNumber, optionError, optionsObject } from "../../utils/validate.js";
import { connectionInfo, DEFAULT_MAX_MESSAGE_BYTES, WebSocketTransport, type WebSocketTransportParams } from "./websocket-transport.js";

/** Runs one call: typically builds a pipeline around `transport` and resolves when its task has finished. */
export type WebSocketCallHandler = (transport: WebSocketTransport) => unknown;

export interface PipecatWebSocketServerOptions {
  /** Called once per client, each with its own transport (and so its own pipeline task). */
  onConnection: WebSocketCallHandler;
  /** The path clients connect to. Default "/ws". */
  path?: string;
  /** Parameters of every connection's transport. */
  transport?: WebSocketTransportParams;
}

/**
 * Accepts clients of Pipecat's WebSocket protocol (`@pipecat-ai/websocket-transport`) on `path`, each
 * with its own WebSocketTransport handed to `onConnection`. Either `listen()` on a port of its own, or
 * pass the upgrade requests of an existing HTTP server to `handleUpgrade()`. A call whose handler throws
 * is reported (a process warning) and its connection closed; the server goes on.
 */
export class PipecatWebSocketServer extends BaseObject {
  readonly path: string;
  readonly #onConnection: WebSocketCallHandler;
  readonly #transportParams?: WebSocketTransportParams;
  readonly #wss: WebSocketServer;
  readonly #calls = new Set<Promise<void>>();
  readonly #transports = new Set<WebSocketTransport>();
  #httpServer?: http.Server;

  constructor(options: PipecatWebSocketServerOptions) {
    super();
    const opts = optionsObject(this.name, options);
    if (typeof opts.onConnection !== "function") throw optionError(this.name, "onConnection", "a function (transport) => ...", opts.onConnection);
    this.#onConnection = opts.onConnection;
    this.path = nonEmptyString(this.name, "path", opts.path ?? "/ws");
    this.#transportParams = opts.transport;
    const maxMessageBytes = opts.transport?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    // Messages up to four times the limit are read and answered with an error; beyond that the library
    // closes the connection (code 1009) without holding the message in memory.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4 * maxMessageBytes });
    this.#wss.on("error", () => undefined);
  }

  /** Calls in progress. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Serves on a port of its own (default: a free one on 127.0.0.1); resolves with the address. */
  async listen(options: { port?: number; host?: string } = {}): Promise<AddressInfo> {
    if (this.#httpServer) throw new Error(`${this.name}: listen() was already called`);
    const port = nonNegativeNumber(this.name, "port", options.port ?? 0);
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { "content-type": "text/plain" }).end(`connect with a WebSocket to ${this.path}\n`);
    });
    server.on("upgrade", (req, socket, head) => this.handleUpgrade(req, socket, head));
    this.#httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Takes an HTTP upgrade request: accepted on `path`, answered 404 elsewhere. */
  handleUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? "/";
    if (new URL(url, "http://localhost").pathname !== this.path) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
  }

  #accept(socket: WebSocket, request: http.IncomingMessage): void {
    let transport: WebSocketTransport;
    try {
      transport = new WebSocketTransport(socket, connectionInfo(request.url ?? "/", request.headers, request.socket.remoteAddress), this.#transportParams);
    } catch (error) {
      process.emitWarning(`${this.name}: could not set up a connection: ${errorMessage(error)}`);
      socket.close(1011, "server error");
      return;
    }
    this.#transports.add(transport);
    const call = Promise.resolve()
      .then(() => this.#onConnection(transport))
      .then(
        () => undefined,
        (error: unknown) => process.emitWarning(`${this.name}: a call failed: ${errorMessage(error)}`),
      )
      .finally(() => {
        this.#calls.delete(call);
        this.#transports.delete(transport);
        transport.close(1000, "call ended");
      });
    this.#calls.add(call);
  }

  /**
   * Stops accepting clients, closes every connection (their calls end) and waits for the calls to finish,
   * at most `timeoutMs` (default 10 s): a call handler that ignores the disconnect cannot hold it forever.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    for (const transport of this.#transports) transport.close(1001, "server shutting down");
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.#calls]), deadline]);
    clearTimeout(timer);
    this.#wss.close();
    const server = this.#httpServer;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
