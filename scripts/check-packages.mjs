#!/usr/bin/env node
// Checks the packages as they would be published: packs each one (pnpm pack, which writes the published
// dependency ranges) and runs publint and @arethetypeswrong/cli on the tarball, every entry point
// included. Exits non-zero on any problem. Usage: node scripts/check-packages.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGES = [
  "packages/semconv",
  "packages/pipecat",
  "packages/respan-core",
  "packages/instrumentation-pipecat",
  "packages/pipecat-session",
  "packages/instrumentation-pipecat-client",
];
const TOOLS = { pnpm: "pnpm@10.34.9", publint: "publint@0.3.25", attw: "@arethetypeswrong/cli@0.18.5" };
const TIMEOUT_MS = 180_000;

function npx(args, cwd) {
  const result = spawnSync("npx", ["--yes", ...args], { cwd, stdio: "inherit", timeout: TIMEOUT_MS });
  return result.status === 0;
}

const packDir = mkdtempSync(path.join(os.tmpdir(), "respan-packages-"));
let ok = true;
try {
  for (const dir of PACKAGES) {
    if (!npx([TOOLS.pnpm, "pack", "--pack-destination", packDir], path.join(root, dir))) ok = false;
  }
  for (const tarball of readdirSync(packDir).filter((name) => name.endsWith(".tgz"))) {
    const file = path.join(packDir, tarball);
    console.log(`\n== ${tarball}`);
    if (!npx([TOOLS.publint, "run", "--strict", file], root)) ok = false;
    if (!npx([TOOLS.attw, file, "--format", "ascii"], root)) ok = false;
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
if (!ok) {
  console.error("check-packages: problems found (see above)");
  process.exit(1);
}
console.log("check-packages: publint and attw found nothing");
