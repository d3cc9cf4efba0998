// The packages as a user gets them: packed tarballs installed with npm and with pnpm into fresh apps next
// to the OpenTelemetry line this Node runs (the current line — api 1.10, sdk-node 0.30x, core 3.x — on
// Node >= 22.15; the 2.x line — api 1.9, sdk-node 0.2xx — below), with no peer error or warning. Then the
// fixture app (a NodeSDK with the Pipecat instrumentation and Respan's span processors, and a Respan client
// joining it) must produce the whole conversation trace with correct parents, run as it is and as an
// esbuild ESM bundle built the way the instrumentation's README says.
//
// Needs the npm registry (installs use the local npm/pnpm caches when warm).
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { repoRoot, run, runNode } from "./support/processes.mjs";
import { assertDemoCallMetrics } from "./support/voice-metrics.mjs";
import { assertVoiceSessionTrace, readTraceFiles } from "./support/voice-trace.mjs";

const PNPM = "pnpm@10.34.9";
const ESBUILD = "esbuild@0.27.7";
const INSTALL_TIMEOUT_MS = 240_000;
// Installs from the registry on a busy machine: longer than the runner's default, still bounded.
const FILE_TIMEOUT_MS = 600_000;
const PACKAGES = ["packages/semconv", "packages/pipecat", "packages/respan-core", "packages/instrumentation-pipecat"];

function nodeAtLeast(major, minor) {
  const [actualMajor, actualMinor] = process.versions.node.split(".").map(Number);
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}

// OpenTelemetry's current line needs Node >= 22.15; older Nodes stay on the 2.x line.
const line = nodeAtLeast(22, 15)
  ? { name: "current", api: ">=1.10.0 <1.11.0", sdkNode: ">=0.300.0 <0.400.0", sdkMetrics: ">=3.0.0 <4.0.0" }
  : { name: "2.x", api: "~1.9.0", sdkNode: ">=0.223.0 <0.300.0", sdkMetrics: ">=2.12.0 <3.0.0" };

// What an install must not print: a peer conflict or warning, an engine mismatch, an invalid tree.
const INSTALL_PROBLEMS = /ERESOLVE|peer dep|unmet peer|missing peer|incorrect peer|EBADENGINE|Unsupported engine|invalid:/i;

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe(`fresh installs of the packed packages with the ${line.name} OpenTelemetry line (Node ${process.versions.node})`, { timeout: FILE_TIMEOUT_MS }, () => {
  let workDir;
  let tarballs;

  before(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), "respan-cross-line-"));
    const packDir = path.join(workDir, "packs");
    // pnpm pack: it turns the workspace: ranges into the published ones.
    const packs = await Promise.all(
      PACKAGES.map((dir) => run(npx, ["--yes", PNPM, "pack", "--pack-destination", packDir], { cwd: path.join(repoRoot, dir), timeoutMs: 180_000 })),
    );
    for (const result of packs) assert.equal(result.code, 0, result.stderr);
    // A tarball is named after its package: "respan-core-0.1.0.tgz" is @respan/core.
    const packageNames = ["@respan/semconv-pipecat", "pipecat-ts", "@respan/core", "@respan/instrumentation-pipecat"];
    const files = readdirSync(packDir);
    tarballs = Object.fromEntries(
      packageNames.map((name) => {
        const file = files.find((candidate) => candidate.startsWith(`${name.replace("@", "").replace("/", "-")}-`));
        assert.ok(file, `a tarball of ${name} among: ${files.join(", ")}`);
        return [name, `file:${path.join(packDir, file)}`];
      }),
    );
  }, { timeout: FILE_TIMEOUT_MS });

  after(() => {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  /** A fresh app directory holding the fixture app and a package.json with the packages and `line`. */
  function createApp(name, extraDependencies = {}) {
    const appDir = path.join(workDir, name);
    cpSync(path.join(repoRoot, "test/fixtures/cross-line"), appDir, { recursive: true });
    const dependencies = {
      "@opentelemetry/api": line.api,
      "@opentelemetry/sdk-node": line.sdkNode,
      "@opentelemetry/sdk-metrics": line.sdkMetrics,
      ...tarballs,
      ...extraDependencies,
    };
    // Not on the registry yet: pnpm resolves the packages' dependencies on each other (semconv, core)
    // through these overrides; npm takes them from the app's own dependencies.
    const pnpm = { overrides: tarballs };
    writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name, private: true, type: "module", dependencies, pnpm }, null, 2));
    return appDir;
  }

  /** Runs `file` in `appDir` and checks the trace it wrote and that it printed no error. */
  async function runAndCheckTrace(appDir, file) {
    const tracesDir = path.join(appDir, `traces-${file}`);
    const metricsFile = path.join(appDir, `metrics-${file}.json`);
    // The app's own metric reader takes the metrics: no collector runs here for NodeSDK's default exporter.
    const result = await runNode([file], {
      cwd: appDir,
      env: { APP_TRACES_DIR: tracesDir, APP_METRICS_FILE: metricsFile, OTEL_METRICS_EXPORTER: "none" },
      timeoutMs: 90_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /app finished/);
    // No "duplicate registration" (Respan joined the NodeSDK), no "nothing patched", no error at all.
    assert.equal(result.stderr.trim(), "", "nothing on stderr");
    const spans = readTraceFiles(tracesDir);
    assertVoiceSessionTrace(spans);
    // The instrumentation's metrics reach the NodeSDK's metric reader on this line too, with the call's counts.
    assertDemoCallMetrics(JSON.parse(readFileSync(metricsFile, "utf8")), spans);
  }

  it("npm install: no peer problem; the NodeSDK app and its esbuild ESM bundle trace the whole conversation", { timeout: FILE_TIMEOUT_MS }, async () => {
    const appDir = createApp("npm-app", { esbuild: ESBUILD.split("@")[1] });
    const install = await run(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: appDir, timeoutMs: INSTALL_TIMEOUT_MS });
    assert.equal(install.code, 0, install.stderr);
    assert.doesNotMatch(`${install.stdout}\n${install.stderr}`, INSTALL_PROBLEMS);
    const tree = await run(npm, ["ls", "--all"], { cwd: appDir, timeoutMs: 60_000 });
    assert.equal(tree.code, 0, `npm ls reports a broken tree:\n${tree.stdout}\n${tree.stderr}`);
    assert.doesNotMatch(tree.stdout, /invalid|extraneous/);

    await runAndCheckTrace(appDir, "app.mjs");

    // The README's bundler recipe: everything inlined (the app hands the runtime over itself), and a
    // `require` for the CommonJS dependencies of OpenTelemetry that the ESM bundle keeps.
    const bundle = await run(
      path.join(appDir, "node_modules/.bin/esbuild"),
      [
        "app.mjs",
        "--bundle",
        "--format=esm",
        "--platform=node",
        "--outfile=bundle.mjs",
        "--log-level=warning",
        "--banner:js=import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
      ],
      { cwd: appDir, timeoutMs: 120_000 },
    );
    assert.equal(bundle.code, 0, bundle.stderr);
    await runAndCheckTrace(appDir, "bundle.mjs");
  });

  it("pnpm install: no peer problem; the NodeSDK app traces the whole conversation", { timeout: FILE_TIMEOUT_MS }, async () => {
    const appDir = createApp("pnpm-app");
    const install = await run(npx, ["--yes", PNPM, "install", "--prefer-offline", "--no-frozen-lockfile"], {
      cwd: appDir,
      env: { CI: "true" },
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    assert.doesNotMatch(`${install.stdout}\n${install.stderr}`, INSTALL_PROBLEMS);
    await runAndCheckTrace(appDir, "app.mjs");
  });
});
