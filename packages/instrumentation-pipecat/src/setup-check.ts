/*
 * Setups that silently trace nothing — the runtime loaded before the instrumentation, an ESM app started
 * without the loader, a bundle that inlines the runtime, a `moduleNames` entry that is a path — all end
 * with no runtime patched. This explains such a process once, naming the fix that fits what it can see.
 */
import { createRequire } from "node:module";
import path from "node:path";

/** True for a `moduleNames` entry that is a file path: the hooks match package names only. */
function isPathLike(name: string): boolean {
  return name.startsWith(".") || path.isAbsolute(name) || name.endsWith(".js") || name.endsWith(".cjs") || name.endsWith(".mjs");
}

/** A module of one of these names already in the CommonJS cache (so it was required before the hook existed). */
function loadedBeforeHook(names: readonly string[]): string | undefined {
  // The CommonJS module cache is process-wide: any require function (this one works in both builds) sees it.
  const cached = Object.keys(createRequire(path.join(process.cwd(), "index.js")).cache);
  return names.find((name) => cached.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)));
}

/** The warning for a process in which nothing was patched, with the fixes that apply. */
export function describeNothingPatched(names: readonly string[]): string {
  const shown = names.join(", ");
  const hints: string[] = [];
  const paths = names.filter(isPathLike);
  if (paths.length > 0) {
    hints.push(`moduleNames holds a path (${paths.join(", ")}): the hooks match package names; give the package name, or pass the loaded module to manuallyInstrument()`);
  }
  const early = loadedBeforeHook(names);
  if (early !== undefined) {
    hints.push(`${early} was required before the instrumentation was enabled: create it (or new Respan(...)) first, or call manuallyInstrument(require("${early}"))`);
  }
  hints.push(
    "an ESM app needs the loader: node --import @respan/instrumentation-pipecat/register app.mjs",
    `a bundle must keep the runtime external (esbuild --external:${names[0] ?? "pipecat-ts"}) or call manuallyInstrument(runtimeModule)`,
  );
  return `no Pipecat runtime (${shown}) was patched in this process, so no Pipecat spans are recorded. Fixes: ${hints.join("; ")}`;
}
