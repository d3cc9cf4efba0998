import { createRequire } from "node:module";
import path from "node:path";
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from "@opentelemetry/instrumentation";

type Patch = (moduleExports: unknown) => unknown;
type Unpatch = (moduleExports: unknown) => void;

/**
 * Where `name` resolves for the running app when that is a linked workspace package: a real path with no
 * node_modules segment, which require-in-the-middle cannot attribute to any package, so the by-name hook
 * never fires for it (monorepos, `npm link`). Undefined for installed packages and unresolvable names.
 */
function linkedEntry(name: string): string | undefined {
  if (path.isAbsolute(name)) return undefined;
  const from = [process.argv[1], path.join(process.cwd(), "index.js")];
  for (const origin of from) {
    if (origin === undefined || origin === "") continue;
    try {
      const file = createRequire(path.resolve(origin)).resolve(name);
      return file.split(path.sep).includes("node_modules") ? undefined : file;
    } catch {
      // Not resolvable from there: try the next origin.
    }
  }
  return undefined;
}

/**
 * One definition per runtime module name (require and import hooks, any version), plus — when the name
 * resolves to a linked workspace package — a definition by absolute path, which the require hook matches
 * by file. The ESM hook already matches linked packages by their import specifier.
 */
export function moduleDefinitions(names: readonly string[], patch: Patch, unpatch: Unpatch): InstrumentationNodeModuleDefinition[] {
  const definitions: InstrumentationNodeModuleDefinition[] = [];
  for (const name of names) {
    definitions.push(new InstrumentationNodeModuleDefinition(name, ["*"], patch, unpatch));
    const entry = linkedEntry(name);
    if (entry === undefined) continue;
    // Hooked by absolute path, the module arrives as a "file" named after the entry's base name.
    const file = new InstrumentationNodeModuleFile(path.parse(entry).name, ["*"], patch, unpatch);
    definitions.push(new InstrumentationNodeModuleDefinition(entry, ["*"], undefined, undefined, [file]));
  }
  return definitions;
}
