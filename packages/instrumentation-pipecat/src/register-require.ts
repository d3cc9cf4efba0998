/*
 * `node --require @respan/instrumentation-pipecat/register app.js`: the CommonJS twin of register.ts, for
 * apps started with `--require` (or NODE_OPTIONS="--require ..."). The require hook patches CommonJS loads;
 * where Node runs synchronous loader hooks (22.22.3+, 24.11.1+, 26) the loader hook is registered too, so an
 * `import` of the runtime is patched as well.
 */
import { pathToFileURL } from "node:url";
import { DEFAULT_MODULE_NAMES } from "./config.js";
import { registerLoaderHooks, syncLoaderHooksWork } from "./loader-hooks.js";
import { isRespanCoreMissing, RESPAN_CORE, startTracing, type RespanModule } from "./register-setup.js";

function loadRespanCore(): RespanModule | undefined {
  try {
    // A synchronous load: a --require preload must be done before the app's first line runs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(RESPAN_CORE) as RespanModule;
  } catch (error) {
    if (isRespanCoreMissing(error)) return undefined;
    throw error;
  }
}

// Where Node runs synchronous loader hooks. Elsewhere (Node 20, early 22 and 24) the asynchronous loader
// cannot be registered from a --require preload (it fails later, outside any try); CommonJS loads are
// still patched, and an ESM app is told (once, when nothing got patched) to start with --import instead.
if (syncLoaderHooksWork()) registerLoaderHooks(pathToFileURL(__filename).href, DEFAULT_MODULE_NAMES);
startTracing(loadRespanCore());
