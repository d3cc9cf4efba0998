// A client of Pipecat's WebSocket protocol for tests, as @pipecat-ai/websocket-transport behaves: the
// `ws` library plus the runtime's wire codec; and PCM16 test audio (tones, silence).
import { once } from "node:events";
import WebSocket from "ws";
import { decodeWireFrame, encodeWireFrame } from "pipecat-ts";

/** PCM16 mono: `ms` of a tone at `amplitude` (0..1) — speech as far as an energy detector goes. */
export function tone(ms, amplitude = 0.3, sampleRate = 16000, frequency = 300) {
  const samples = Math.round((sampleRate * ms) / 1000);
  const bytes = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) bytes.writeInt16LE(Math.round(32767 * amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate)), i * 2);
  return bytes;
}

/** PCM16 silence. */
export function silence(ms, sampleRate = 16000) {
  return Buffer.alloc(Math.round((sampleRate * ms) / 1000) * 2);
}

/**
 * A client speaking the protocol as @pipecat-ai/websocket-transport does: binary protobuf frames, RTVI
 * messages as `message` frames, microphone audio as 512-byte `audio` frames at 16 kHz.
 */
export async function connectClient(url) {
  const socket = new WebSocket(url);
  const messages = [];
  const audio = [];
  const waiters = new Set();
  let closed;
  socket.on("message", (data, isBinary) => {
    if (!isBinary) {
      messages.push({ type: "<text message>", data: String(data) });
    } else {
      const wire = decodeWireFrame(data);
      if (wire.kind === "audio") audio.push({ ...wire, at: Date.now() });
      else if (wire.kind === "message") messages.push(JSON.parse(wire.data));
    }
    for (const check of waiters) check();
  });
  const closedPromise = new Promise((resolve) => socket.on("close", (code, reason) => resolve((closed = { code, reason: String(reason) }))));
  socket.on("error", () => undefined);
  await once(socket, "open");
  let nextId = 0;
  const client = {
    socket,
    messages,
    audio,
    closed: closedPromise,
    get isClosed() {
      return closed !== undefined;
    },
    types: () => messages.map((m) => m.type),
    ofType: (type) => messages.filter((m) => m.type === type),
    sendRaw: (data, options) => socket.send(data, options),
    sendRtvi(type, data) {
      const id = (nextId++).toString(16).padStart(8, "0");
      socket.send(encodeWireFrame({ kind: "message", data: JSON.stringify({ label: "rtvi-ai", type, id, data }) }));
      return id;
    },
    async ready(version = "2.1.0", about = { library: "test-client" }) {
      const id = client.sendRtvi("client-ready", { version, about });
      await client.waitFor(() => messages.some((m) => m.id === id && (m.type === "bot-ready" || m.type === "error-response")), "bot-ready");
      return messages.find((m) => m.id === id);
    },
    sendAudio(pcm) {
      for (let offset = 0; offset < pcm.length; offset += 512) {
        socket.send(encodeWireFrame({ kind: "audio", id: 0, name: "audio", audio: pcm.subarray(offset, offset + 512), sampleRate: 16000, numChannels: 1 }));
      }
    },
    /** Resolves once `predicate()` holds (checked at every message); rejects after `timeoutMs`. */
    waitFor(predicate, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`client: no ${what} within ${timeoutMs} ms; got ${JSON.stringify(client.types())}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => {
      socket.close();
      return closedPromise;
    },
  };
  return client;
}
