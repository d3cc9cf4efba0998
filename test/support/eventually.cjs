// Waiting for a condition nothing announces (a file written off the hot path, a span ended by a timer):
// polled, with a deadline. Where a receiver records what it gets, wait on it instead
// (createConditionWaiters in loopback-server.mjs). CommonJS, so .test.cjs and .test.mjs files share it.

/**
 * Polls `predicate` (which may return a promise) every 20 ms until it is true; rejects after `timeoutMs`.
 * @param {() => unknown} predicate
 * @param {number} [timeoutMs]
 * @param {string} [what] what is waited for, for the timeout's message
 * @returns {Promise<void>}
 */
async function eventually(predicate, timeoutMs = 10_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

module.exports = { eventually };
