// The unstable GenAI keys are copied into @respan/semconv-pipecat rather than imported from
// `@opentelemetry/semantic-conventions/incubating` at run time: the copies must say what the installed
// incubating entry says, and loading the instrumentation must not load that entry (it holds thousands of
// keys: about 3 MB of every traced process's heap).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import * as incubating from "@opentelemetry/semantic-conventions/incubating";
import * as names from "@respan/semconv-pipecat";

const require = createRequire(import.meta.url);

describe("GenAI keys", () => {
  it("every gen_ai key and value the incubating entry also defines is spelled as it spells it", () => {
    const shared = Object.keys(names).filter((key) => key.includes("GEN_AI_") && key in incubating);
    assert.ok(shared.length >= 30, `only ${shared.length} keys shared with the incubating entry`);
    for (const key of shared) assert.equal(names[key], incubating[key], key);
  });

  it("the keys of the newest GenAI attributes are the incubating entry's", () => {
    for (const key of [
      "ATTR_GEN_AI_INPUT_MESSAGES",
      "ATTR_GEN_AI_OUTPUT_MESSAGES",
      "ATTR_GEN_AI_REQUEST_STREAM",
      "ATTR_GEN_AI_RESPONSE_FINISH_REASONS",
      "ATTR_GEN_AI_TOOL_DEFINITIONS",
    ]) {
      assert.equal(typeof incubating[key], "string", `${key} is not in the installed incubating entry`);
      assert.equal(names[key], incubating[key], key);
    }
  });

  it("loading the instrumentation (CommonJS) does not load the incubating entry", () => {
    const entry = require.resolve("../dist/cjs/index.js");
    const loaded = execFileSync(
      process.execPath,
      ["-e", `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`],
      { encoding: "utf8" },
    );
    const files = JSON.parse(loaded);
    assert.ok(files.some((file) => file.includes("instrumentation-pipecat")), "the instrumentation itself was not loaded");
    assert.deepEqual(files.filter((file) => /semantic-conventions.*incubating/.test(file)), []);
  });
});
