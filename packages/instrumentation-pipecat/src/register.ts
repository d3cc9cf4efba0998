/*
 * `node --import @respan/instrumentation-pipecat/register app.mjs`: traces an ESM (or CommonJS) app with
 * no code change, configured by environment variables alone (RESPAN_*, OTEL_*). (`node --require` loads
 * the CommonJS twin, register-require.ts.)
 *
 * ESM entry (it uses import.meta and top-level await): the loader hook must be registered, and the
 * instrumentation enabled, before the app's first import runs.
 */
import { DEFAULT_MODULE_NAMES } from "./config.js";
import { registerLoaderHooks } from "./loader-hooks.js";
import { isRespanCoreMissing, RESPAN_CORE, startTracing, type RespanModule } from "./register-setup.js";

async function loadRespanCore(): Promise<RespanModule | undefined> {
  try {
    return (await import(RESPAN_CORE)) as RespanModule;
  } catch (error) {
    if (isRespanCoreMissing(error)) return undefined;
    throw error;
  }
}

const hooksAcknowledged = registerLoaderHooks(import.meta.url, DEFAULT_MODULE_NAMES);
startTracing(await loadRespanCore());
await hooksAcknowledged();
