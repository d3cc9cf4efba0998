#!/usr/bin/env node
// Runs every *.test.mjs / *.test.cjs file of the workspace with Node's own test runner, so that the
// real module loaders (require hooks, the ESM loader) are what the tests exercise. Files are listed
// explicitly: Node 20 would otherwise also treat every helper and fixture under a test/ folder as a test.
// Usage: node scripts/run-tests.mjs [path-substring ...]   (filters the files by substring)
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const roots = [
  "packages/pipecat/test",
  "packages/respan-core/test",
  "packages/instrumentation-pipecat/test",
  "packages/instrumentation-pipecat-client/test",
  "packages/pipecat-session/test",
  "test",
];

function findTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : findTests(full);
    return /\.test\.(mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

const filters = process.argv.slice(2);
// test/fresh-clone.test.mjs clones the repository and runs this suite in the clone: it is not part of
// the suite, but a step of its own (.ci/run), run only when a filter names it.
const OWN_STEP = "fresh-clone.test.mjs";
const excluded = (process.env.RESPAN_TEST_EXCLUDE ?? "").split(",").map((part) => part.trim()).filter((part) => part !== "");
const files = roots
  .flatMap((dir) => findTests(path.join(root, dir)))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .filter((file) => !file.endsWith(OWN_STEP) || filters.some((f) => f.includes("fresh-clone")))
  // RESPAN_TEST_EXCLUDE: a comma list of path substrings to leave out (e.g. files another CI step runs).
  .filter((file) => !excluded.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error("run-tests: no test files matched");
  process.exit(1);
}
// Test files run two at a time (this machine has 2 cores); RESPAN_TEST_CONCURRENCY overrides it (e.g. 1 on
// a machine busy with other work).
const concurrency = Number.parseInt(process.env.RESPAN_TEST_CONCURRENCY ?? "2", 10) || 2;
// The "spec" report for people, and a last summary line of our own, whatever Node's default reporter is.
const reporters = [
  "--test-reporter=spec", "--test-reporter-destination=stdout",
  `--test-reporter=${path.join(root, "scripts/test-summary-reporter.mjs")}`, "--test-reporter-destination=stdout",
];
// Each test file is bounded: 10 minutes, for test/cross-line.test.mjs, which installs the packed packages
// from the npm registry into fresh apps (its own tests set tighter bounds).
const result = spawnSync(
  process.execPath,
  ["--test", ...reporters, `--test-concurrency=${concurrency}`, "--test-timeout=600000", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
