"use strict";
// How a workload (a child process) hands its figures to bench/overhead.mjs: one marked JSON line on
// stdout, written synchronously so that it survives an immediate exit.
const { writeSync } = require("node:fs");
const v8 = require("node:v8");

const RESULT_MARK = "@@bench-result ";

function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) throw new Error(`bad workload arguments: ${argv.join(" ")}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function positiveIntegerArg(args, name) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`workload argument --${name} must be a positive integer, got ${args[name]}`);
  return value;
}

/**
 * Heap in use after full collections, in bytes, without the code spaces: machine code the JIT keeps
 * adding as it optimises more functions is not state the program holds. Needs `node --expose-gc`.
 */
function settledHeapBytes() {
  if (typeof global.gc !== "function") throw new Error("run the workload with node --expose-gc");
  global.gc();
  global.gc();
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith("code")) bytes += space.space_used_size;
  return bytes;
}

/** Lets the current job finish (WeakRef targets are kept alive until then) and pending callbacks run. */
function nextTurnOfEventLoop() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Writes the result and exits at once: exporters still retrying towards a dead backend must not hold the process. */
function finish(result) {
  writeSync(1, `${RESULT_MARK}${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Runs a workload's main function; any failure is printed and exits with status 1. */
function runWorkload(main) {
  main().then(finish, (error) => {
    writeSync(2, `${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

module.exports = { RESULT_MARK, parseArgs, positiveIntegerArg, settledHeapBytes, nextTurnOfEventLoop, runWorkload };
