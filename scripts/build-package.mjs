#!/usr/bin/env node
// Builds the package in the current directory to ESM (dist/esm) and CommonJS (dist/cjs), each with
// type declarations. Both come from the same sources; a marker package.json in dist/cjs makes Node
// read those files as CommonJS whatever the package's own "type" says.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const packageDir = process.cwd();

function compile(project) {
  const result = spawnSync(process.execPath, [tsc, "-p", project], { cwd: packageDir, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(path.join(packageDir, "dist"), { recursive: true, force: true });
compile("tsconfig.json");
if (existsSync(path.join(packageDir, "tsconfig.cjs.json"))) {
  compile("tsconfig.cjs.json");
  mkdirSync(path.join(packageDir, "dist/cjs"), { recursive: true });
  writeFileSync(path.join(packageDir, "dist/cjs/package.json"), '{ "type": "commonjs" }\n');
}
