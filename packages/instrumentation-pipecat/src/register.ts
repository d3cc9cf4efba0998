/*
 * `node --import @respan/instrumentation-pipecat/register app.mjs`: traces an ESM (or CommonJS) app with
 * no code change, configured by environment variables alone (RESPAN_*, OTEL_*).
 *
 * ESM-only entry (it needs import.meta and top-level await): the import-in-the-middle loader hook must be
 * registered, and the instrumentation enabled, before the app's first import runs.
 */
import { createRequire, register as registerLoaderHook } from "node:module";
import { pathToFileURL } from "node:url";
import { PipecatInstrumentation } from "./instrumentation.js";

interface HookMessageChannel {
  registerOptions: { data?: unknown; transferList?: unknown[] };
  waitForAllMessagesAcknowledged(): Promise<void>;
}

interface RespanModule {
  Respan: new (options: { instrumentations: unknown[] }) => unknown;
}

const RESPAN_CORE = "@respan/core";

// The loader must be the very copy of import-in-the-middle that @opentelemetry/instrumentation hooks
// modules with, so it is resolved from there (and from this package, never from the app's directory).
const requireFromHere = createRequire(import.meta.url);
const requireFromInstrumentation = createRequire(requireFromHere.resolve("@opentelemetry/instrumentation"));
const importInTheMiddle = requireFromInstrumentation("import-in-the-middle") as {
  createAddHookMessageChannel(): HookMessageChannel;
};
// Only the modules an instrumentation asks for are wrapped, not every module of the app.
const { registerOptions, waitForAllMessagesAcknowledged } = importInTheMiddle.createAddHookMessageChannel();
registerLoaderHook(
  pathToFileURL(requireFromInstrumentation.resolve("import-in-the-middle/hook.mjs")).href,
  import.meta.url,
  registerOptions,
);

async function loadRespanCore(): Promise<RespanModule | undefined> {
  try {
    return (await import(RESPAN_CORE)) as RespanModule;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND" &&
      String((error as { message?: unknown }).message).includes(`'${RESPAN_CORE}'`);
    if (missing) return undefined;
    throw error;
  }
}

const instrumentation = new PipecatInstrumentation();
const respanCore = await loadRespanCore();
if (respanCore !== undefined) {
  // The Respan client reads RESPAN_* / OTEL_* itself, sets its tracer provider on the instrumentation
  // and enables it.
  new respanCore.Respan({ instrumentations: [instrumentation] });
} else {
  process.emitWarning(
    `${RESPAN_CORE} is not installed: Pipecat spans go to the global OpenTelemetry tracer provider, ` +
      "so register one in your app (or install @respan/core to have it configured from the environment)",
    { code: "PIPECAT_INSTRUMENTATION_NO_RESPAN" },
  );
}
await waitForAllMessagesAcknowledged();
