// Shared by the WebSocket/RTVI tests (not a test file): a voice bot served over Pipecat's WebSocket
// protocol on loopback, and a protocol client made of the `ws` library and the runtime's wire codec.
import { once } from "node:events";
import WebSocket from "ws";
import {
  decodeWireFrame,
  encodeWireFrame,
  LLMContext,
  LLMContextAggregatorPair,
  LLMRunFrame,
  Pipeline,
  PipelineTask,
  PipecatWebSocketServer,
  RTVIObserver,
  RTVIProcessor,
  ScriptedLLMService,
  ScriptedSTTService,
  ToneTTSService,
} from "pipecat-ts";

/** Fast VAD timings so a test turn takes a fraction of a second. */
export const FAST_VAD = { startSecs: 0.06, stopSecs: 0.2 };

/**
 * Serves an offline voice bot: each connection gets transport input -> RTVI -> scripted STT -> user
 * aggregator -> scripted LLM -> tone TTS -> transport output -> assistant aggregator, and greets the
 * client once it is ready (when `greet`). `calls` records each call: its transport, task, RTVI
 * processor and how the task ended.
 */
export async function startBotServer({ greet = false, transport = {}, onCall } = {}) {
  const calls = [];
  const server = new PipecatWebSocketServer({
    transport: { vad: FAST_VAD, ...transport },
    onConnection: async (wsTransport) => {
      const rtvi = new RTVIProcessor({ botAbout: { name: "test-bot" } });
      const script = ["Hello there.", "What is the weather like?"];
      const context = new LLMContext({ messages: [{ role: "system", content: "Be brief." }] });
      const aggregators = new LLMContextAggregatorPair(context);
      const pipeline = new Pipeline([
        wsTransport.input(),
        rtvi,
        new ScriptedSTTService({ script, repeat: true, finalDelayMs: 20 }),
        aggregators.user(),
        new ScriptedLLMService({ replies: ["Hi! Nice to hear you.", "It is sunny today."], firstTokenDelayMs: 20, tokenIntervalMs: 5 }),
        new ToneTTSService({ ttfbMs: 10, msPerCharacter: 30, chunkMs: 40 }),
        wsTransport.output(),
        aggregators.assistant(),
      ]);
      const task = new PipelineTask(pipeline, {
        observers: [new RTVIObserver(rtvi)],
        params: { enableMetrics: true, enableUsageMetrics: true },
        startMetadata: { connection: { query: wsTransport.connection.query } },
        idleTimeoutSecs: 30,
      });
      const call = { transport: wsTransport, task, rtvi, context, clientReady: undefined, clientMessages: [], startFrame: undefined };
      calls.push(call);
      task.on("onPipelineStarted", (_task, frame) => (call.startFrame = frame));
      rtvi.on("onClientReady", async (_rtvi, ready) => {
        call.clientReady = ready;
        if (greet) await task.queueFrame(new LLMRunFrame());
      });
      rtvi.on("onClientMessage", async (processor, message) => {
        call.clientMessages.push(message);
        await processor.sendServerResponse(message, { echo: message.data });
      });
      onCall?.(call);
      call.finished = task.run().then(
        () => "finished",
        (error) => `failed: ${error.message}`,
      );
      await call.finished;
    },
  });
  const address = await server.listen();
  return { server, calls, url: `ws://127.0.0.1:${address.port}/ws`, close: () => server.close() };
}

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

/** One user utterance: speech then enough silence for the detector to end it. */
export function utterance(speechMs = 400) {
  return Buffer.concat([tone(speechMs), silence(FAST_VAD.stopSecs * 1000 + 200)]);
}
