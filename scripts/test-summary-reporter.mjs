// A node:test reporter that prints one summary line when the run ends, the same on every Node version
// (Node's default reporter is TAP on some versions and "spec" on others):
//   run-tests: <n> passed, <m> failed
// Skipped and todo tests count as neither.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type === "test:pass" && !event.data.skip && !event.data.todo) passed += 1;
    if (event.type === "test:fail" && !event.data.todo) failed += 1;
  }
  yield `run-tests: ${passed} passed, ${failed} failed\n`;
}
