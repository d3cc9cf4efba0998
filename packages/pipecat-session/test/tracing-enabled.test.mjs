// Session capture follows RESPAN_TRACING_ENABLED with the instrumentation's boolean words.
import assert from "node:assert/strict";
import { it } from "node:test";
import { isTracingEnabled } from "../dist/esm/options.js";

it("RESPAN_TRACING_ENABLED reads the words every boolean variable of the product reads", () => {
  for (const word of ["0", "no", "off", "False"]) assert.equal(isTracingEnabled({ RESPAN_TRACING_ENABLED: word }), false);
  for (const word of ["1", "on", "", "anything"]) assert.equal(isTracingEnabled({ RESPAN_TRACING_ENABLED: word }), true);
});
