// A moduleNames entry that is a path hooks the module at that path, through the ESM loader hook too (the
// CommonJS require hook is exercised by other-port.test.mjs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "esm-path-port");

function importsPort(portEntry) {
  const env = { ...process.env, PORT_ENTRY: portEntry };
  for (const key of Object.keys(env)) if (key.startsWith("NODE_TEST") || key === "NODE_OPTIONS") delete env[key];
  const child = spawnSync(process.execPath, ["--import", "./setup.mjs", "app.mjs"], {
    cwd: fixtures, env, encoding: "utf8", timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").pop());
}

describe("moduleNames paths (ESM)", () => {
  it("an absolute path hooks the module imported from that file", () => {
    assert.deepEqual(importsPort(path.join(fixtures, "port.mjs")), { wrapped: true });
  });

  it("a path relative to the working directory does too", () => {
    assert.deepEqual(importsPort("./port.mjs"), { wrapped: true });
  });

  it("a package name that is not the module hooks nothing (the control)", () => {
    assert.deepEqual(importsPort("not-installed-runtime"), { wrapped: false });
  });
});
