// A loopback server speaking OpenAI's chat-completions streaming protocol (server-sent events) and its
// audio API (transcriptions from a multipart upload, speech as streamed PCM), shared by the runtime's
// OpenAI service tests and the end-to-end tests of the OpenAI example.
import http from "node:http";
import { listenOnLoopback } from "./loopback-server.mjs";

/**
 * Starts the server on 127.0.0.1. `script` answers requests: either an array (the n-th request gets the
 * n-th handler; requests beyond it get HTTP 500) or a function `(request, index) => handler`.
 * A handler is `(request, res) => void`, e.g. one made by `sse(...)`.
 */
export async function startFakeOpenAI(script) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const isJson = !req.headers["content-type"] || req.headers["content-type"].startsWith("application/json");
      const request = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        raw,
        body: isJson ? JSON.parse(raw.toString("utf8") || "{}") : undefined,
        /** A multipart upload's fields (the platform's own form-data parser). */
        form: () => new Request("http://127.0.0.1/", { method: "POST", headers: { "content-type": req.headers["content-type"] }, body: raw }).formData(),
      };
      requests.push(request);
      const index = requests.length - 1;
      const handler = typeof script === "function" ? script(request, index) : script[index];
      if (!handler) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":{"message":"unexpected request"}}');
        return;
      }
      handler(request, res);
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { baseURL: `${url}/v1`, requests, close };
}

/** One streamed chat.completion.chunk with `delta` as its only choice's delta. */
export function chunk(delta, extra = {}) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-test",
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

/** A handler streaming `events` (objects are JSON-encoded, strings sent raw) then `[DONE]`. */
export function sse(events, { delayMs = 0 } = {}) {
  return async (_request, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const event of events) {
      if (res.destroyed) return;
      res.write(`data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    res.end("data: [DONE]\n\n");
  };
}

/** The final usage chunk sent when the request asked for `stream_options.include_usage`. */
export function usageChunk(usage) {
  return { ...chunk({}), choices: [], usage };
}

/** A streamed text reply, word by word, ending with a usage chunk. */
export function textReply(text, usage = { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 }) {
  const words = text.split(/(?<= )/);
  return sse([chunk({ role: "assistant", content: "" }), ...words.map((word) => chunk({ content: word })), usageChunk(usage)]);
}

/** A streamed reply calling one tool, its arguments split over two deltas. */
export function toolCallReply(id, name, args) {
  const json = JSON.stringify(args);
  const half = Math.floor(json.length / 2);
  const delta = (fn, withId) => chunk({ tool_calls: [{ index: 0, ...(withId ? { id, type: "function" } : {}), function: fn }] });
  return sse([
    chunk({ role: "assistant", content: null }),
    delta({ name, arguments: json.slice(0, half) }, true),
    delta({ arguments: json.slice(half) }, false),
    { ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
    usageChunk({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 }),
  ]);
}

/** Answers an audio transcription request with `text` (OpenAI's JSON response format). */
export function transcription(text) {
  return (_request, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ text }));
  };
}

/** Streams `pcm` as a speech response (`response_format: "pcm"`), in `chunkBytes` pieces `delayMs` apart. */
export function speech(pcm, { chunkBytes = 4801, delayMs = 0 } = {}) {
  return async (_request, res) => {
    res.writeHead(200, { "content-type": "audio/pcm" });
    for (let offset = 0; offset < pcm.length; offset += chunkBytes) {
      if (res.destroyed) return;
      res.write(pcm.subarray(offset, offset + chunkBytes));
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    res.end();
  };
}
