// The offline demo: a scripted voice call (greeting, a question, a weather question answered through a
// tool call, and a turn the user interrupts) runs through the simulated transport, scripted STT, the
// context aggregators, a scripted LLM with a tool and a tone TTS — then prints its own trace.
import { respan } from "./tracing"; // first: enables the instrumentation before pipecat-ts loads
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { trace } from "@opentelemetry/api";
import { propagateAttributes, workflow } from "@respan/core";
import { createDemoConversation, PipelineRunner, ScaledClock } from "pipecat-ts";

/** Scripted time runs this many times faster than real time, so the call finishes in seconds. */
const CLOCK_SPEED = 10;

class VoiceAgentSession {
  constructor(private readonly callId: string) {}

  /** One call, as a workflow span around the conversation the instrumentation traces. */
  @workflow({ name: "voice_session" })
  async run(): Promise<{ turns: number; traceId: string | undefined }> {
    const demo = createDemoConversation({ clock: new ScaledClock({ speed: CLOCK_SPEED }), conversationId: this.callId });
    await new PipelineRunner().run(demo.task);
    return { turns: demo.expectedTurns, traceId: trace.getActiveSpan()?.spanContext().traceId };
  }
}

async function main(): Promise<void> {
  const callId = `call-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  // Everything traced inside this scope carries the customer and thread (the call) on every span.
  const result = await propagateAttributes({ customerIdentifier: "customer_42", threadIdentifier: callId }, () =>
    new VoiceAgentSession(callId).run(),
  );
  await respan.shutdown(); // flushes every exporter
  console.log(`\nCall ${callId} finished (a ${result.turns}-turn script).`);
  if (respan.tracesDir !== undefined && result.traceId !== undefined) {
    console.log(`Trace file written to ${path.join(respan.tracesDir, `${result.traceId}.json`)}`);
    const report = path.join(respan.tracesDir, `${result.traceId}.html`);
    if (existsSync(report)) console.log(`Call report (open it in a browser): ${pathToFileURL(report).href}`);
  }
  if (respan.metricsFile !== undefined) console.log(`Metrics file written to ${respan.metricsFile}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
