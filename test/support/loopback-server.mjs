// What every loopback receiver of the tests needs beside its own protocol: listening on a free port,
// closing even while a client still holds a connection open, and waiting for a condition on what it has
// recorded so far.
import { once } from "node:events";
import net from "node:net";

/** A loopback URL on which nothing listens (connections are refused). */
export async function refusingUrl() {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Serves `server` on a free loopback port. `close()` also drops open connections (a stalled client must not hold it). */
export async function listenOnLoopback(server) {
  const sockets = new Set();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Conditions a test waits for, checked at once and again at every `notify()` (the receiver calls it when
 * it records something). `label` and `progress()` name the receiver and what it had seen in a timeout's error.
 */
export function createConditionWaiters(label, progress) {
  const waiters = new Set();
  return {
    notify() {
      for (const waiter of waiters) waiter();
    },
    /** Resolves with `snapshot()` once `predicate(snapshot())` holds; rejects after `timeoutMs`. */
    waitFor(snapshot, predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const value = snapshot();
          if (!predicate(value)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${label}: condition not met within ${timeoutMs} ms (${progress()})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
