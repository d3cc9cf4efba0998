// Loaded first (see main.ts) so that the instrumentation hooks `pipecat-ts` as it loads.
import { Respan } from "@respan/core";
import { PipecatInstrumentation } from "@respan/instrumentation-pipecat";

export const respan = new Respan({
  appName: "openai-voice-agent",
  instrumentations: [new PipecatInstrumentation()],
});
