// Shared by the WebSocket/RTVI tests (not a test file): a voice bot served over Pipecat's WebSocket
// protocol on loopback (the client is test/support/pipecat-client.mjs).
import {
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
import { silence, tone } from "../../../test/support/pipecat-client.mjs";

export { connectClient, silence, tone } from "../../../test/support/pipecat-client.mjs";

/** Fast VAD timings so a test turn takes a fraction of a second. */
export const FAST_VAD = { startSecs: 0.06, stopSecs: 0.2 };

/**
 * Serves an offline voice bot: each connection gets transport input -> RTVI -> scripted STT -> user
 * aggregator -> scripted LLM -> tone TTS -> transport output -> assistant aggregator, and greets the
 * client once it is ready (when `greet`). `calls` records each call: its transport, task, RTVI
 * processor and how the task ended.
 */
/**
 * @param {{ greet?: boolean, transport?: object, onCall?: (call: object) => void }} [options]
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

/** One user utterance: speech then enough silence for the detector to end it. */
export function utterance(speechMs = 400) {
  return Buffer.concat([tone(speechMs), silence(FAST_VAD.stopSecs * 1000 + 200)]);
}
