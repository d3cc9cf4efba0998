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

/** A `moduleNames` entry that is a path rather than a package name. */
export function isModulePath(name: string): boolean {
  return path.isAbsolute(name) || name.startsWith("./") || name.startsWith("../");
}

/** The file a path entry names, resolved from the working directory as require would; undefined if none. */
function resolvePathEntry(name: string): string | undefined {
  try {
    return createRequire(path.join(process.cwd(), "index.js")).resolve(path.resolve(name));
  } catch {
    return undefined;
  }
}

/** A definition the require hook matches by the file's absolute path (the module arrives as a "file"). */
function byFile(file: string, patch: Patch, unpatch: Unpatch): InstrumentationNodeModuleDefinition {
  const moduleFile = new InstrumentationNodeModuleFile(path.parse(file).name, ["*"], patch, unpatch);
  return new InstrumentationNodeModuleDefinition(file, ["*"], undefined, undefined, [moduleFile]);
}

/**
 * One definition per runtime module name (require and import hooks, any version), plus — when the name
 * resolves to a linked workspace package — a definition by absolute path, which the require hook matches
 * by file. The ESM hook already matches linked packages by their import specifier. A path entry is hooked
 * by the file it resolves to; one that resolves to nothing is handed to `unresolved`.
 */
export function moduleDefinitions(names: readonly string[], patch: Patch, unpatch: Unpatch,
  unresolved: (name: string) => void): InstrumentationNodeModuleDefinition[] {
  const definitions: InstrumentationNodeModuleDefinition[] = [];
  for (const name of names) {
    if (isModulePath(name)) {
      const file = resolvePathEntry(name);
      if (file === undefined) unresolved(name);
      else definitions.push(byFile(file, patch, unpatch));
      continue;
    }
    definitions.push(new InstrumentationNodeModuleDefinition(name, ["*"], patch, unpatch));
    const entry = linkedEntry(name);
    if (entry !== undefined) definitions.push(byFile(entry, patch, unpatch));
  }
  return definitions;
}
