// Loopback endpoints for the trace backend: one that works (drains each request and answers 200, as
// fast as possible), one that is down (nothing listens: connections are refused) and one that hangs
// (accepts connections, never reads nor answers).
import http from "node:http";
import net from "node:net";
import { once } from "node:events";

async function listen(server) {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${server.address().port}`;
}

/** An OTLP/HTTP receiver reduced to its cost floor: it reads each body and acknowledges it. */
export async function startDrainingReceiver() {
  const received = { requests: 0, bytes: 0 };
  const server = http.createServer((request, response) => {
    request.on("data", (chunk) => (received.bytes += chunk.length));
    request.on("end", () => {
      received.requests += 1;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const url = await listen(server);
  return {
    url,
    received,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A loopback URL where nothing listens: a port that was just free, released again. */
export async function refusingUrl() {
  const server = net.createServer();
  const url = await listen(server);
  server.close();
  await once(server, "close");
  return url;
}

/** Accepts every connection and then does nothing at all with it: a backend that hangs. */
export async function startStallingServer() {
  const sockets = new Set();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  const url = await listen(server);
  return {
    url,
    get accepted() {
      return accepted;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
