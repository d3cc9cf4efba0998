// `pnpm demo:web` with OPENAI_API_KEY set: the bot hears, thinks and speaks through OpenAI's APIs
// (here a loopback server speaking them, via OPENAI_BASE_URL). A protocol client plays the browser's part
// (the real browser is test/web-demo.test.mjs): its speech reaches the transcription endpoint, the
// transcript the chat model (with its tool call), the reply the speech endpoint, and that audio the client.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { speech, startFakeOpenAI, textReply, toolCallReply, transcription } from "./support/openai-server.mjs";
import { flattenTraceRequest } from "./support/otlp-receiver.mjs";
import { connectClient, silence, tone } from "./support/pipecat-client.mjs";
import { repoRoot, startNode } from "./support/processes.mjs";
import { indexTrace } from "./support/trace-tree.mjs";

const DEMO = path.join(repoRoot, "examples/web-voice-agent/dist/main.js");
const SPOKEN_REPLY = tone(400, 0.3, 24000, 440);

function openaiModel(request) {
  if (request.url === "/v1/audio/transcriptions") return transcription("What's the weather like in Paris?");
  if (request.url === "/v1/audio/speech") return speech(SPOKEN_REPLY, { chunkBytes: 4800 });
  const last = request.body.messages.at(-1);
  if (last.role === "tool") return textReply("It is sunny and 22 degrees in Paris.");
  if (last.role === "user") return toolCallReply("call_1", "get_weather", { city: "Paris" });
  return textReply("Hello, I'm Ada.");
}

describe("pnpm demo:web with OpenAI", { timeout: 60_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startFakeOpenAI>>} */
  let openai;
  let server;
  let client;
  let workDir;
  let traceFile;

  before(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "web-demo-openai-"));
    openai = await startFakeOpenAI(openaiModel);
    server = await startNode([DEMO], {
      env: { PORT: "0", OPENAI_API_KEY: "sk-e2e-not-a-real-key", OPENAI_BASE_URL: openai.baseURL, RESPAN_TRACES_DIR: workDir },
    });
    const url = (await server.waitForOutput(/\(OpenAI\) at http:\/\/(127\.0\.0\.1:\d+)/, 20_000))[1];
    // A malformed traceparent (a client's bug) must not cost the server its trace.
    client = await connectClient(`ws://${url}/ws?traceparent=00-not-a-trace-id-01`);
    await client.ready();
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 1, "the greeting", 20_000);
    // One utterance with Pipecat's default VAD timings: speech, then more than 0.8 s of silence.
    client.sendAudio(Buffer.concat([tone(700), silence(1200)]));
    await client.waitFor(() => client.ofType("bot-stopped-speaking").length === 2, "the reply", 20_000);
    await client.close();
    traceFile = (await server.waitForOutput(/Trace file written to (.+\.json)/, 20_000))[1];
  });

  after(async () => {
    await server?.stop();
    await openai?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test("the user's speech is transcribed by the transcription endpoint, as a WAV upload", async () => {
    const uploads = openai.requests.filter((r) => r.url === "/v1/audio/transcriptions");
    assert.equal(uploads.length, 1);
    const form = await uploads[0].form();
    assert.equal(form.get("model"), "gpt-4o-transcribe");
    const wav = Buffer.from(await form.get("file").arrayBuffer());
    assert.equal(wav.toString("ascii", 0, 4), "RIFF");
    assert.ok(wav.length - 44 >= 0.7 * 32000, "holds the 0.7 s utterance");
    const final = client.ofType("user-transcription").find((m) => m.data.final);
    assert.equal(final.data.text, "What's the weather like in Paris?");
  });

  test("the chat model answers through its tool; each sentence is spoken by the speech endpoint", () => {
    const chats = openai.requests.filter((r) => r.url === "/v1/chat/completions");
    assert.equal(chats.length, 3, "greeting, tool call, answer");
    assert.ok(client.ofType("llm-function-call-in-progress").some((m) => m.data.function_name === "get_weather"));
    assert.match(client.ofType("bot-llm-text").map((m) => m.data.text).join(""), /sunny and 22 degrees/);
    const spoken = openai.requests.filter((r) => r.url === "/v1/audio/speech").map((r) => r.body.input);
    assert.deepEqual(spoken, ["Hello, I'm Ada.", "It is sunny and 22 degrees in Paris."]);
    assert.ok(openai.requests.filter((r) => r.url === "/v1/audio/speech").every((r) => r.body.response_format === "pcm"));
    const received = client.audio.reduce((sum, a) => sum + a.audio.length, 0);
    assert.equal(received, 2 * SPOKEN_REPLY.length, "both replies' audio reached the client, whole");
  });

  test("the call's trace has the conversation, its two turns and stt/llm/tts spans", () => {
    const trace = indexTrace(flattenTraceRequest(JSON.parse(readFileSync(traceFile, "utf8"))));
    assert.equal(trace.named("conversation").length, 1);
    const [workflow] = trace.named("voice_session.workflow");
    assert.ok(workflow && !workflow.parentSpanId, "a malformed traceparent is ignored: the call is its own root");
    assert.equal(trace.named("turn").length, 2);
    for (const name of ["stt", "llm", "tts"]) assert.ok(trace.named(name).length > 0, `${name} spans`);
  });
});
