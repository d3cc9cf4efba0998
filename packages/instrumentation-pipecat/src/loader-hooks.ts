/*
 * The ESM loader hook (import-in-the-middle) that lets the instrumentation patch a runtime loaded with
 * `import`. Where Node runs synchronous, in-thread hooks correctly (`module.registerHooks`) they are used:
 * nothing to wait for, and no DEP0205 warning on Node 26, which deprecates `module.register`. Elsewhere the
 * asynchronous `module.register` hook is the fallback.
 *
 * The loader must be the very copy of import-in-the-middle that @opentelemetry/instrumentation hooks
 * modules with, so it is resolved from there (never from the app's directory). Only the runtime modules
 * are wrapped, not every module of the app; their names are handed to the hook up front, so it is ready
 * before the app's first import even when nothing can wait for the hook thread (a `--require` preload).
 */
import { createRequire, register as registerAsyncHook } from "node:module";
import { pathToFileURL } from "node:url";

interface HookMessageChannel {
  registerOptions: { data: { include: string[] }; transferList?: unknown[] };
  waitForAllMessagesAcknowledged(): Promise<void>;
}

interface SyncHooksModule {
  register(options: { include: string[] }): void;
}

/**
 * Whether this Node runs import-in-the-middle's synchronous hooks correctly: `module.registerHooks`
 * arrived in 22.15, but handles the CommonJS sources the loader returns only from 22.22.3, 24.11.1,
 * 25.1.0 and 26.0.0 on (nodejs/node#59929).
 */
export function syncLoaderHooksWork(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  const atLeast = (m: number, p: number) => minor > m || (minor === m && patch >= p);
  if (major >= 26) return true;
  if (major === 25) return atLeast(1, 0);
  if (major === 24) return atLeast(11, 1);
  if (major === 22) return atLeast(22, 3);
  return false;
}

/**
 * Registers the loader hook for `moduleNames`, resolved from the file at `entryUrl` (a file: URL).
 * Returns a wait for the asynchronous hook to have taken in later hook registrations (immediate with
 * synchronous hooks); an ESM entry awaits it, a CommonJS preload cannot and need not.
 */
export function registerLoaderHooks(entryUrl: string, moduleNames: readonly string[]): () => Promise<void> {
  const requireFromHere = createRequire(entryUrl);
  const requireFromInstrumentation = createRequire(requireFromHere.resolve("@opentelemetry/instrumentation"));
  if (syncLoaderHooksWork()) {
    // An ES module, loaded with require(): every Node that passes the check above can.
    const syncHooks = requireFromInstrumentation("import-in-the-middle/register-hooks.mjs") as SyncHooksModule;
    syncHooks.register({ include: [...moduleNames] });
    return () => Promise.resolve();
  }
  const importInTheMiddle = requireFromInstrumentation("import-in-the-middle") as {
    createAddHookMessageChannel(): HookMessageChannel;
  };
  const { registerOptions, waitForAllMessagesAcknowledged } = importInTheMiddle.createAddHookMessageChannel();
  registerOptions.data.include.push(...moduleNames);
  registerAsyncHook(
    pathToFileURL(requireFromInstrumentation.resolve("import-in-the-middle/hook.mjs")).href,
    entryUrl,
    registerOptions,
  );
  return waitForAllMessagesAcknowledged;
}
