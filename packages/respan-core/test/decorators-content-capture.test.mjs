// The process-wide content-capture switch: RESPAN_TRACE_CONTENT as the default, setTraceContentEnabled
// as the override, one value shared by the ESM and CommonJS builds.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isTraceContentEnabled, setTraceContentEnabled } from "../dist/esm/content-capture.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** isTraceContentEnabled() in a fresh process whose environment has RESPAN_TRACE_CONTENT = `value`. */
async function enabledInFreshProcess(value) {
  const env = { ...process.env };
  delete env.RESPAN_TRACE_CONTENT;
  if (value !== undefined) env.RESPAN_TRACE_CONTENT = value;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--input-type=module", "-e", 'import { isTraceContentEnabled } from "./dist/esm/content-capture.js"; console.log(isTraceContentEnabled());'],
    { cwd: packageDir, env, timeout: 60_000 },
  );
  return stdout.trim();
}

test("RESPAN_TRACE_CONTENT: false/0/no/off (any case) turn content capture off; true words and unset leave it on", async () => {
  const cases = [
    [undefined, "true"],
    ["false", "false"],
    ["FALSE", "false"],
    ["0", "false"],
    ["no", "false"],
    [" off ", "false"],
    ["true", "true"],
    ["1", "true"],
    ["", "true"],
  ];
  for (const [value, expected] of cases) {
    assert.equal(await enabledInFreshProcess(value), expected, `RESPAN_TRACE_CONTENT=${JSON.stringify(value)}`);
  }
});

test("an invalid RESPAN_TRACE_CONTENT fails closed: no content, one warning naming the variable", async () => {
  const env = { ...process.env, RESPAN_TRACE_CONTENT: "sometimes" };
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      'import { isTraceContentEnabled } from "./dist/esm/content-capture.js"; console.log(isTraceContentEnabled(), isTraceContentEnabled());',
    ],
    { cwd: packageDir, env, timeout: 60_000 },
  );
  assert.equal(stdout.trim(), "false false");
  assert.deepEqual(stderr.trim().split("\n"), [
    '[respan] environment variable RESPAN_TRACE_CONTENT must be true/1/yes/on or false/0/no/off; got "sometimes"' +
      "; content capture is off until it is fixed",
  ]);
});

test("setTraceContentEnabled overrides the environment and is shared by the ESM and CommonJS builds", () => {
  const cjs = createRequire(import.meta.url)("../dist/cjs/content-capture.js");
  assert.notEqual(cjs.setTraceContentEnabled, setTraceContentEnabled, "two distinct module copies");
  process.env.RESPAN_TRACE_CONTENT = "true";
  cjs.setTraceContentEnabled(false);
  assert.equal(isTraceContentEnabled(), false);
  setTraceContentEnabled(true);
  assert.equal(cjs.isTraceContentEnabled(), true);
  process.env.RESPAN_TRACE_CONTENT = "false";
  assert.equal(isTraceContentEnabled(), true, "an explicit setting wins over the variable");
  delete process.env.RESPAN_TRACE_CONTENT;
});

test("setTraceContentEnabled accepts booleans only", () => {
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  assert.throws(() => setTraceContentEnabled("false"), {
    name: "TypeError",
    message: /setTraceContentEnabled expects a boolean \(got string\)/,
  });
});
