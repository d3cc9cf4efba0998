// pnpm demo:web — talk to a traced pipecat-ts bot from a browser. Serves a page running Pipecat's own web
// client (@pipecat-ai/client-js with its WebSocket transport); each browser that presses Connect gets its
// own call (pipeline task), traced like `pnpm demo`: a trace file and a tree printed per call.
// Offline by default; with OPENAI_API_KEY the bot hears, thinks and speaks with OpenAI (OPENAI_BASE_URL
// for another endpoint). PORT (default 8765) and HOST (default 127.0.0.1) choose where it listens.
import { respan } from "./tracing"; // first: enables the instrumentation before pipecat-ts loads
import path from "node:path";
import { context, propagation, trace } from "@opentelemetry/api";
import { propagateAttributes, withWorkflow } from "@respan/core";
import { PipelineRunner, type WebSocketTransport } from "pipecat-ts";
import { createWebBot, type OpenAISettings } from "./bot";
import { bundlePage } from "./page-bundle";
import { otlpTracesRoute } from "./browser-traces";
import { startWebDemoServer, staticRoute } from "./web-server";

const openai: OpenAISettings | undefined = process.env.OPENAI_API_KEY
  ? { apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL || undefined, model: process.env.OPENAI_MODEL || undefined }
  : undefined;

let callCount = 0;

/** One browser's call, inside a workflow span carrying the call id as the thread. */
async function runCall(transport: WebSocketTransport): Promise<void> {
  callCount += 1;
  const callId = `call-${new Date().toISOString().replace(/[:.]/g, "-")}-${callCount}`;
  console.log(`Call ${callId} connected.`);
  // A traced browser sends its session's traceparent in the wsUrl query: the call continues that trace.
  const browserContext = propagation.extract(context.active(), transport.connection.query);
  const traceId = await context.with(browserContext, () =>
    propagateAttributes({ customerIdentifier: "web-demo-user", threadIdentifier: callId }, () =>
      withWorkflow({ name: "voice_session" }, async () => {
        const bot = createWebBot(transport, { callId, openai });
        await new PipelineRunner().run(bot.task);
        return trace.getActiveSpan()?.spanContext().traceId;
      }),
    ),
  );
  await respan.flush();
  console.log(`Call ${callId} finished.`);
  if (respan.tracesDir !== undefined && traceId !== undefined) {
    console.log(`Trace file written to ${path.join(respan.tracesDir, `${traceId}.json`)}`);
  }
}

async function main(): Promise<void> {
  const page = await bundlePage({ captureContent: respan.traceContent });
  const server = await startWebDemoServer({
    port: Number(process.env.PORT ?? 8765),
    host: process.env.HOST || "127.0.0.1",
    routes: {
      "GET /": staticRoute("text/html; charset=utf-8", page.html),
      "GET /app.js": staticRoute("text/javascript; charset=utf-8", page.script),
      // The page's own spans (the client half of each call) join the server's in the same trace.
      "POST /v1/traces": otlpTracesRoute((request) => respan.receiveOtlpJson(request)),
    },
    onCall: runCall,
  });
  console.log(`Web demo (${openai ? "OpenAI" : "offline bot: scripted STT and LLM, tone TTS"}) at ${server.url}`);
  console.log("Open it in a browser, press Connect and talk. Ctrl-C to stop.");
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await respan.shutdown();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch(async (error: unknown) => {
  console.error(error);
  await respan.shutdown();
  process.exitCode = 1;
});
