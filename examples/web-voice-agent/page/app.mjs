// The demo page: Pipecat's own web client, unmodified, talking to the pipecat-ts server over its
// WebSocket protocol. Bundled by the demo server with esbuild. Every client callback is also recorded in
// `window.demoEvents` (what the end-to-end test reads).
import { PipecatClient } from "@pipecat-ai/client-js";
import { WavMediaManager, WebSocketTransport } from "@pipecat-ai/websocket-transport";
import { instrumentPipecatClient } from "@respan/instrumentation-pipecat-client";
import { createBrowserTracerProvider } from "@respan/instrumentation-pipecat-client/web";

const $ = (id) => document.getElementById(id);
const events = [];
window.demoEvents = events;

function record(name, data) {
  events.push({ name, data, at: performance.now() });
}

function addLine(kind, who, text) {
  const line = document.createElement("div");
  line.className = `line ${kind}`;
  const label = document.createElement("span");
  label.className = "who";
  label.textContent = who;
  const body = document.createElement("span");
  body.textContent = text;
  line.append(label, body);
  $("transcript").append(line);
  return body;
}

let interimLine;
let botLine;
/** The latest time to first byte of each service, shown under the transcript. */
const latestTtfb = new Map();

function setStatus(text) {
  $("status").textContent = text;
}

function setSpeaking(id, speaking) {
  $(id).classList.toggle("on", speaking);
}

// The default media manager loads Daily's call machine from its CDN; this one records and plays locally
// (512-byte chunks of 16 kHz PCM16 up, 24 kHz PCM16 played back).
const transport = new WebSocketTransport({ mediaManager: new WavMediaManager(512, 16000) });

const client = new PipecatClient({
  transport,
  enableMic: true,
  enableCam: false,
  callbacks: {
    onConnected: () => record("connected"),
    onDisconnected: () => {
      record("disconnected");
      setStatus("Disconnected");
      $("connect").disabled = false;
      $("disconnect").disabled = true;
      setSpeaking("user-speaking", false);
      setSpeaking("bot-speaking", false);
    },
    onBotReady: (data) => {
      record("botReady", data);
      setStatus("Connected: talk to the bot");
    },
    onUserStartedSpeaking: () => {
      record("userStartedSpeaking");
      setSpeaking("user-speaking", true);
    },
    onUserStoppedSpeaking: () => {
      record("userStoppedSpeaking");
      setSpeaking("user-speaking", false);
    },
    onUserTranscript: (data) => {
      record("userTranscript", data);
      if (!data.final) {
        interimLine ??= addLine("user interim", "You", "");
        interimLine.textContent = data.text;
        return;
      }
      if (interimLine) interimLine.parentElement.remove();
      interimLine = undefined;
      addLine("user", "You", data.text);
      botLine = undefined;
    },
    onBotLlmStarted: () => record("botLlmStarted"),
    onBotLlmText: (data) => {
      record("botLlmText", data);
      botLine ??= addLine("bot", "Bot", "");
      botLine.textContent += data.text;
    },
    onBotLlmStopped: () => {
      record("botLlmStopped");
      botLine = undefined;
    },
    onBotTtsStarted: () => record("botTtsStarted"),
    onBotTtsText: (data) => record("botTtsText", data),
    onBotTtsStopped: () => record("botTtsStopped"),
    onBotOutput: (data) => record("botOutput", data),
    onBotStartedSpeaking: () => {
      record("botStartedSpeaking");
      setSpeaking("bot-speaking", true);
    },
    onBotStoppedSpeaking: () => {
      record("botStoppedSpeaking");
      setSpeaking("bot-speaking", false);
    },
    onLLMFunctionCallStarted: (data) => {
      record("functionCallStarted", data);
      addLine("tool", "", `calling ${data.function_name}…`);
    },
    onLLMFunctionCallStopped: (data) => record("functionCallStopped", data),
    onMetrics: (data) => {
      record("metrics", data);
      for (const m of data.ttfb ?? []) latestTtfb.set(m.processor.replace(/#\d+$/, ""), m.value);
      $("metrics").textContent = [...latestTtfb].map(([service, secs]) => `${service} TTFB ${(secs * 1000).toFixed(0)} ms`).join(" · ");
    },
    onError: (message) => record("error", message.data),
  },
});

// The client half of each call: its spans go to the demo server, which adds them to the call's trace.
// Content capture follows the server's switch (set when the page is bundled).
const tracerProvider = createBrowserTracerProvider({ url: "/v1/traces", serviceName: "web-voice-agent-browser" });
const tracing = instrumentPipecatClient(client, { tracerProvider, transportName: "websocket", captureContent: __CAPTURE_CONTENT__ });
window.demoTracing = tracing;
addEventListener("pagehide", () => tracing.endSession("page_closed"));

$("connect").addEventListener("click", async () => {
  $("connect").disabled = true;
  $("disconnect").disabled = false;
  setStatus("Connecting…");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  try {
    // Resolves when the server answers client-ready with bot-ready.
    // The session's traceparent rides the URL, so the server's conversation joins the browser's trace.
    const about = await client.connect(tracing.withTraceContext({ wsUrl: `${scheme}://${location.host}/ws` }));
    record("connectResolved", about);
  } catch (error) {
    record("connectFailed", String(error));
    setStatus(`Could not connect: ${error}`);
    $("connect").disabled = false;
    $("disconnect").disabled = true;
  }
});

$("disconnect").addEventListener("click", () => client.disconnect());
