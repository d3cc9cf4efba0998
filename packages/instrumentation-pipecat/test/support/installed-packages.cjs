// Loads packages the way an application that installed them from a registry does.
//
// In this workspace `pipecat-ts` is a symlink to packages/pipecat, and Node resolves it to that real path,
// which has no node_modules segment: require-in-the-middle cannot tell which package such a file belongs
// to, so hooks by module name never fire for workspace links (the instrumentation's by-path fallback for
// that case is tested in workspace-link.test.cjs). A copy under <tmp>/node_modules/<name> is laid out like
// an installed package, so the by-name hook path — what applications get — runs. One app directory per
// process, removed at exit.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");

let appDir;

function app() {
  if (appDir === undefined) {
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), "pipecat-app-"));
    fs.writeFileSync(path.join(appDir, "package.json"), '{ "name": "app", "private": true }\n');
    process.once("exit", () => fs.rmSync(appDir, { recursive: true, force: true }));
  }
  return appDir;
}

/** Copies `entries` of `sourceDir` to <app>/node_modules/<name>; its own dependencies stay linked. */
function installPackage(name, sourceDir, entries) {
  const packageDir = path.join(app(), "node_modules", name);
  if (fs.existsSync(packageDir)) return packageDir;
  fs.mkdirSync(packageDir, { recursive: true });
  for (const entry of entries) fs.cpSync(path.join(sourceDir, entry), path.join(packageDir, entry), { recursive: true });
  const dependencies = path.join(sourceDir, "node_modules");
  if (fs.existsSync(dependencies)) fs.symlinkSync(dependencies, path.join(packageDir, "node_modules"), "dir");
  return packageDir;
}

/** `require(name)` from the app's directory. */
function requireFromApp(name) {
  return createRequire(path.join(app(), "index.js"))(name);
}

const runtimeDir = path.resolve(__dirname, "../../../pipecat");
const minimalRuntimeDir = path.resolve(__dirname, "../fixtures/minimal-runtime");

/**
 * `require("pipecat-ts")` from an app that has it installed.
 * @returns {typeof import("pipecat-ts")}
 */
function requireInstalledPipecat() {
  installPackage("pipecat-ts", runtimeDir, ["package.json", "dist"]);
  return requireFromApp("pipecat-ts");
}

/** `require("minimal-pipecat")`: the differently shaped port, installed under its own name. */
function requireInstalledMinimalRuntime() {
  installPackage("minimal-pipecat", minimalRuntimeDir, ["package.json", "index.cjs", "port.cjs"]);
  return requireFromApp("minimal-pipecat");
}

module.exports = { requireInstalledPipecat, requireInstalledMinimalRuntime, minimalRuntimeDir };
