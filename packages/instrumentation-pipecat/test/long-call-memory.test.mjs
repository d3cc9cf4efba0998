// A long call keeps nothing per turn: once a turn's spans have ended, none of them stays reachable (every
// tool call used to keep its llm span, and through it its turn span, until the call ended), and the
// settled heap barely moves between turn 100 and turn 900. Measured in a child process (--expose-gc).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { it } from "node:test";
import { runNode } from "../../../test/support/processes.mjs";

const script = fileURLToPath(new URL("./fixtures/long-call-memory/long-call.cjs", import.meta.url));
const MB = 1024 * 1024;

it("a 901-turn call keeps no span of an ended turn and a flat heap", async () => {
  const child = await runNode(["--expose-gc", script, "300", "100", "900"], { timeoutMs: 150_000 });
  assert.equal(child.code, 0, child.stderr);
  const { turns, watched, stillReachable, heapGrowthBytes } = JSON.parse(child.stdout.trim().split("\n").pop());
  assert.equal(turns, 901);
  // Turns 10-30 hold tool calls, so the watched spans include the llm runs that asked for them.
  for (const name of ["turn", "stt", "llm", "tts", "execute_tool get_weather"]) {
    assert.ok(watched.includes(name), `${name} spans were watched`);
  }
  assert.deepEqual(stillReachable, [], "no span of turns 10-30 is reachable at turn 900");
  // The runtime's own growth (its LLM context keeps every message) is ~0.3 MB here; the leak was ~1.8 MB.
  assert.ok(heapGrowthBytes < 1 * MB, `heap grew ${(heapGrowthBytes / MB).toFixed(2)} MB from turn 100 to turn 900`);
});
