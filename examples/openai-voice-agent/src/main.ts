// The demo's voice loop with a real model behind it: scripted user, STT and TTS, and OpenAILLMService
// streaming from any OpenAI-compatible endpoint. Needs OPENAI_API_KEY; OPENAI_BASE_URL points it at a
// gateway (for example Respan's) or a local server; OPENAI_MODEL picks the model (default gpt-4o-mini).
import { respan } from "./tracing"; // first: enables the instrumentation before pipecat-ts loads
import { propagateAttributes, withWorkflow } from "@respan/core";
import { createDemoConversation, OpenAILLMService, PipelineRunner, ScaledClock } from "pipecat-ts";

/** Exit code when the example cannot start because its configuration is missing. */
const EXIT_MISSING_CONFIGURATION = 2;

async function main(): Promise<void> {
  const apiKey = process.env.OPENAI_API_KEY;
  if (apiKey === undefined || apiKey === "") {
    console.error(
      "openai-voice-agent: OPENAI_API_KEY is not set.\n" +
        "Set it to an OpenAI key (or a key for the OpenAI-compatible endpoint in OPENAI_BASE_URL) and run again.\n" +
        "For a run with no key at all, use the offline demo: pnpm demo",
    );
    await respan.shutdown();
    process.exitCode = EXIT_MISSING_CONFIGURATION;
    return;
  }
  const llm = new OpenAILLMService({
    apiKey,
    baseURL: process.env.OPENAI_BASE_URL || undefined,
    model: process.env.OPENAI_MODEL || undefined,
    settings: { temperature: 0.3, maxTokens: 200 },
  });
  // Scripted speech and playback run faster than real time; model calls take the time they take.
  const demo = createDemoConversation({ llm, clock: new ScaledClock({ speed: 10 }) });
  const callId = `call-${Date.now()}`;
  await propagateAttributes({ customerIdentifier: "customer_42", threadIdentifier: callId }, () =>
    withWorkflow({ name: "voice_session" }, () => new PipelineRunner().run(demo.task)),
  );
  await respan.shutdown();
  console.log(`\nCall ${callId} finished.`);
  if (respan.tracesDir !== undefined) console.log(`Trace file written to ${respan.tracesDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
