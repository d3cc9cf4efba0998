// A loopback server speaking OpenAI's streaming chat-completions protocol (server-sent events), bounded
// in requests and time, for testing the real `openai` SDK path offline.
const http = require("node:http");

/** Starts the server; every request gets `reply` streamed word by word, then usage and [DONE]. */
async function startOpenAiLoopback({ reply = "Hello from the loopback model.", maxRequests = 50 } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url.endsWith("/chat/completions") || requests.length >= maxRequests) {
        res.writeHead(404).end();
        return;
      }
      requests.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const chunk = (delta, finish = null) => ({
        id: "chatcmpl-loopback",
        object: "chat.completion.chunk",
        created: 1,
        model: "loopback-model",
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
      const words = reply.split(" ");
      words.forEach((word, i) => {
        const delta = { content: i === 0 ? word : ` ${word}` };
        res.write(`data: ${JSON.stringify(chunk(i === 0 ? { role: "assistant", ...delta } : delta))}\n\n`);
      });
      res.write(`data: ${JSON.stringify(chunk({}, "stop"))}\n\n`);
      const usage = { prompt_tokens: 11, completion_tokens: words.length, total_tokens: 11 + words.length };
      res.write(`data: ${JSON.stringify({ ...chunk({}), choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
  server.requestTimeout = 10_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

module.exports = { startOpenAiLoopback };
