// Loaded before anything else (see main.ts): the instrumentation must be enabled before `pipecat-ts` is
// first required, so that its require hook patches the runtime as it loads.
import { Respan } from "@respan/core";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";

// With no RESPAN_API_KEY and no OTEL_EXPORTER_OTLP_ENDPOINT this writes OTLP JSON trace files to
// RESPAN_TRACES_DIR (default ./traces) and prints each trace as a tree; with either set, it exports there.
export const respan = new Respan({
  appName: "web-voice-agent",
  metadata: { example: "web-voice-agent" },
  instrumentations: [new PipecatInstrumentation()],
});
