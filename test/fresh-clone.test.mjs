// The project's promise: a fresh clone works with the README's two commands, on a machine with only Node
// and npm. This clones the committed repository into a temporary directory and runs both commands there,
// exactly as the README writes them. It is not part of the suite (scripts/run-tests.mjs runs it only when
// named, so the suite in the clone never clones again): .ci/run runs it as its own step, after the suite.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { repoRoot, run } from "./support/processes.mjs";

/** The shell command on the line after `# <comment>` in the README's quick-start block. */
function readmeCommand(readme, comment) {
  const lines = readme.split("\n");
  const index = lines.findIndex((line) => line.trim() === `# ${comment}`);
  assert.ok(index >= 0, `README has a "# ${comment}" line`);
  return lines[index + 1].trim();
}

const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
const demoCommand = readmeCommand(readme, "run the offline demo (no keys, no network)");
const testCommand = readmeCommand(readme, "run the full test suite");
let clone;

before(async () => {
  clone = mkdtempSync(path.join(tmpdir(), "fresh-clone-"));
  const cloned = await run("git", ["clone", "--quiet", repoRoot, clone]);
  assert.equal(cloned.code, 0, cloned.stderr);
});
after(() => rmSync(clone, { recursive: true, force: true }));

test("the README's demo command runs the demo from a fresh clone", async () => {
  assert.ok(!existsSync(path.join(clone, "node_modules")), "the clone starts without dependencies");
  const result = await run("bash", ["-c", demoCommand], { cwd: clone, timeoutMs: 600_000 });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout + result.stderr, /conversation/);
  const files = readdirSync(path.join(clone, "traces")).filter((name) => name.endsWith(".json"));
  assert.equal(files.filter((name) => !name.startsWith("metrics-")).length, 1, "one trace file in ./traces");
  assert.equal(files.filter((name) => name.startsWith("metrics-")).length, 1, "one metrics file beside it");
});

test("the README's test command passes in the fresh clone", async () => {
  const result = await run("bash", ["-c", testCommand], {
    cwd: clone,
    // One test file at a time in there: the outer suite is still running beside it on the same cores.
    // CI's first step already ran the whole suite from a clean checkout; here the README's commands are
    // proven from a fresh clone without repeating the slowest files (registry installs of the cross-line
    // test, real browsers, the fault suite's long calls).
    env: {
      RESPAN_TEST_CONCURRENCY: "1",
      RESPAN_TEST_EXCLUDE: "cross-line,web-demo,call-report-browser,reliability-,long-call-memory,session-memory",
    },
    timeoutMs: 900_000,
  });
  // The runner's summary line (scripts/test-summary-reporter.mjs), the same whatever Node's reporter.
  assert.equal(result.code, 0, `${result.stdout.slice(-12_000)}\n${result.stderr.slice(-2000)}`);
  assert.match(result.stdout, /^run-tests: [1-9]\d* passed, 0 failed$/m);
});
