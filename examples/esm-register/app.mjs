// A plain ES-module voice app with no tracing code at all. Run it with
//   node --import @respan/instrumentation-pipecat/register app.mjs
// and configure where traces go with environment variables only (RESPAN_API_KEY, RESPAN_BASE_URL,
// OTEL_EXPORTER_OTLP_ENDPOINT, RESPAN_TRACES_DIR ...). The register hook loads the instrumentation before
// this module's imports are evaluated, so the `import` below is patched as it loads.
import { createDemoConversation, PipelineRunner, ScaledClock } from "pipecat-ts";

const demo = createDemoConversation({ clock: new ScaledClock({ speed: 20 }), conversationId: process.env.CALL_ID });
await new PipelineRunner().run(demo.task);
console.log(`Call finished: ${demo.expectedTurns} turns.`);
// Nothing else to do: the client created by the register hook flushes the traces when the process exits.
