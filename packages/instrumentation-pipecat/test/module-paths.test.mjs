// A moduleNames entry that is a path hooks the module at that path, through the ESM loader hook too (the
// CommonJS require hook is exercised by other-port.test.mjs).
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runNode } from "../../../test/support/processes.mjs";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "esm-path-port");

async function importsPort(portEntry) {
  const child = await runNode(["--import", "./setup.mjs", "app.mjs"], { cwd: fixtures, env: { PORT_ENTRY: portEntry }, timeoutMs: 60_000 });
  assert.equal(child.code, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").pop());
}

describe("moduleNames paths (ESM)", () => {
  it("an absolute path hooks the module imported from that file", async () => {
    assert.deepEqual(await importsPort(path.join(fixtures, "port.mjs")), { wrapped: true });
  });

  it("a path relative to the working directory does too", async () => {
    assert.deepEqual(await importsPort("./port.mjs"), { wrapped: true });
  });

  it("a package name that is not the module hooks nothing (the control)", async () => {
    assert.deepEqual(await importsPort("not-installed-runtime"), { wrapped: false });
  });
});
