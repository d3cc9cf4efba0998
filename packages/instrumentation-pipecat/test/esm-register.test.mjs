// The register entry: `node --import @respan/instrumentation-pipecat/register app.mjs` (and `--require`
// for CommonJS preloads) traces an app that has no tracing code, configured by environment variables
// alone. Also: an app that creates the instrumentation but patches nothing is told so, with the fix.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { runNode } from "../../../test/support/processes.mjs";

const require = createRequire(import.meta.url);
const { syncLoaderHooksWork } = require("../dist/cjs/loader-hooks.js");

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = path.join(packageDir, "test", "fixtures", "esm-app");
const CHILD_TIMEOUT_MS = 90_000;

describe("--import @respan/instrumentation-pipecat/register", () => {
  /** @type {Awaited<ReturnType<typeof startOtlpReceiver>>} */
  let receiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await receiver.close();
  });

  /**
   * An app of the fixture with the register entry preloaded (`--import` or `--require`), configured by
   * environment alone: spans to the receiver as OTLP/JSON, under `conversationId`.
   * @param {string} flag
   * @param {string} appFile
   * @param {string} conversationId
   */
  const runPreloaded = (flag, appFile, conversationId) =>
    runNode([flag, "@respan/instrumentation-pipecat/register", path.join(fixtures, appFile)], {
      cwd: packageDir,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        RESPAN_TRACES_DIR: "false",
        RESPAN_PRINT_TREE: "false",
        APP_CONVERSATION_ID: conversationId,
      },
      timeoutMs: CHILD_TIMEOUT_MS,
    });

  it("with @respan/core: spans go where the environment says (an OTLP/JSON collector here)", async () => {
    const result = await runPreloaded("--import", "app.mjs", "esm-1");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /app finished/);
    const spans = receiver.spans().filter((span) => span.attributes["conversation.id"] === "esm-1");
    const names = spans.map((span) => span.name);
    assert.equal(names.filter((name) => name === "conversation").length, 1);
    assert.equal(names.filter((name) => name === "turn").length, 4);
    assert.ok(names.filter((name) => name === "llm").length >= 4);
    assert.ok(names.includes("execute_tool get_weather"));
    assert.equal(new Set(spans.map((span) => span.traceId)).size, 1, "one trace");
  });

  for (const [flag, appFile] of [["--require", "app.cjs"], ["--require", "app.mjs"], ["--import", "app.cjs"]]) {
    it(`${flag} with a ${appFile.endsWith(".cjs") ? "CommonJS" : "ESM"} app: traced, and no deprecation warning`, async () => {
      const conversationId = `preload-${flag}-${appFile}`;
      const result = await runPreloaded(flag, appFile, conversationId);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /app finished/);
      if (flag === "--require" && appFile.endsWith(".mjs") && !syncLoaderHooksWork()) {
        // No loader hook from a CommonJS preload on this Node: the app is told to use --import.
        assert.match(result.stderr, /no Pipecat runtime \(pipecat-ts\) was patched.*--import @respan\/instrumentation-pipecat\/register/);
        return;
      }
      // Node 26 deprecates module.register (DEP0205): where module.registerHooks works, it is used instead.
      assert.doesNotMatch(result.stderr, /DEP0205|DeprecationWarning/);
      const names = receiver.spans().filter((span) => span.attributes["conversation.id"] === conversationId).map((span) => span.name);
      assert.equal(names.filter((name) => name === "conversation").length, 1);
      assert.equal(names.filter((name) => name === "turn").length, 4);
    });
  }

  it("an ESM app started without the loader traces nothing, and is told once how to fix it", async () => {
    const result = await runNode([path.join(fixtures, "unpatched-app.mjs")], { cwd: packageDir, env: {}, timeoutMs: CHILD_TIMEOUT_MS });
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split("\n").filter((line) => line.includes("no Pipecat runtime"));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0], /no Pipecat runtime \(pipecat-ts\) was patched/);
    assert.match(warnings[0], /--import @respan\/instrumentation-pipecat\/register/);
    assert.match(warnings[0], /--external:pipecat-ts/);
  });

  it("a moduleNames entry that is a path is named in that warning", async () => {
    const result = await runNode([path.join(fixtures, "unpatched-app.mjs")], {
      cwd: packageDir,
      env: { APP_MODULE_NAMES: "./node_modules/pipecat-ts/dist/esm/index.js" }, timeoutMs: CHILD_TIMEOUT_MS,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /moduleNames holds a path \(\.\/node_modules\/pipecat-ts\/dist\/esm\/index\.js\): the hooks match package names/);
  });

  it("without @respan/core: warns, and traces with the app's own global tracer provider", async () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), "pipecat-esm-app-"));
    try {
      const modules = path.join(app, "node_modules");
      const linkFrom = (fromDir, name, targetModules) => {
        const target = path.join(targetModules, name);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.symlinkSync(fs.realpathSync(path.join(fromDir, "node_modules", name)), target, "dir");
      };
      // This package, installed with its dependencies but without the optional @respan/core.
      const installed = path.join(modules, "@respan", "instrumentation-pipecat");
      fs.mkdirSync(installed, { recursive: true });
      for (const entry of ["package.json", "dist"]) fs.cpSync(path.join(packageDir, entry), path.join(installed, entry), { recursive: true });
      for (const dependency of [
        "@opentelemetry/api",
        "@opentelemetry/instrumentation",
        "@opentelemetry/semantic-conventions",
        "@respan/semconv-pipecat",
      ]) {
        linkFrom(packageDir, dependency, path.join(installed, "node_modules"));
      }
      // The runtime, and the app's own OpenTelemetry SDK.
      linkFrom(packageDir, "pipecat-ts", modules);
      for (const dependency of ["@opentelemetry/api", "@opentelemetry/sdk-trace-base", "@opentelemetry/sdk-trace-node"]) {
        linkFrom(packageDir, dependency, modules);
      }
      fs.copyFileSync(path.join(fixtures, "own-provider-app.mjs"), path.join(app, "app.mjs"));
      fs.writeFileSync(path.join(app, "package.json"), '{ "name": "app", "private": true, "type": "module" }\n');

      const result = await runNode(["--import", "@respan/instrumentation-pipecat/register", "app.mjs"], {
        cwd: app,
        env: {}, timeoutMs: CHILD_TIMEOUT_MS,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /@respan\/core is not installed/);
      const spans = JSON.parse(result.stdout.trim().split("\n").at(-1));
      const names = spans.filter((span) => span.id === "own-provider").map((span) => span.name);
      assert.equal(names.filter((name) => name === "conversation").length, 1);
      assert.equal(names.filter((name) => name === "turn").length, 4);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });
});
