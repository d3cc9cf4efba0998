// The spans of the scripted calls are exactly what they were when the fixture was recorded: names, kinds,
// parents, attributes, events and status (see support/span-signature.cjs for what is normalised away).
// Performance work must leave this test green; a deliberate change to the trace re-records the fixture:
//   node packages/instrumentation-pipecat/test/support/span-signature.cjs \
//     > packages/instrumentation-pipecat/test/fixtures/span-signature/scripted-calls.json
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { describe, it } = require("node:test");
const { scriptedCallSignature } = require("./support/span-signature.cjs");

const FIXTURE = path.join(__dirname, "fixtures", "span-signature", "scripted-calls.json");

function spanNames(nodes, names = []) {
  for (const node of nodes) {
    names.push(node.name);
    spanNames(node.children ?? [], names);
  }
  return names;
}

describe("span signature of the scripted calls", () => {
  const recorded = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));

  it("the recorded signature covers every span kind, an error status and an exception event", () => {
    const names = new Set(spanNames(recorded["scripted call"]));
    for (const name of ["conversation", "turn", "stt", "llm", "tts", "execute_tool get_weather"]) assert.ok(names.has(name), name);
    const text = JSON.stringify(recorded["scripted call, failing tool"]);
    assert.match(text, /"code":2/, "a span in error");
    assert.match(text, /"name":"exception"/, "an exception event");
  });

  it("today's spans are identical to the recorded ones", async () => {
    assert.deepEqual(await scriptedCallSignature(), recorded);
  });
});
