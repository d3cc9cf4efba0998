#!/usr/bin/env node
// Machine instructions of one call, traced and not, counted by valgrind (callgrind): a figure this
// shared machine's neighbours cannot move, unlike CPU time (which they move by ±30% per run). Each
// variant runs bench/workloads/counted-call.cjs twice in fresh processes — warm-up only, and warm-up plus
// a call of --turns turns — and the difference is the call's own count; `--single-threaded` keeps V8's
// compiler and garbage collector on the counted thread. Ratios are to the untraced call.
// Instructions are not time: cache misses and memory traffic cost time without instructions, so the CPU
// ratio of `pnpm bench` stays the gate; this tool tells whether a change removed work, and where.
// Needs valgrind (Debian/Ubuntu: apt-get install valgrind). Each run is about 50x slower than native.
// An instrumented call's count varies by about 2% between runs (its timers run on the wall clock, which
// valgrind slows): --repeat N counts every variant N times and reports the median and the range.
// Usage: node bench/tools/instruction-counts.mjs [--turns 150] [--repeat 1] [--node 24] [--modes plain,noop,otel,refused]
//   --modes may also name the stages of bench/lib/tracing.cjs (context, loaded, hops, calls) to split the
//   instrumentation's own count: plain,context,loaded,hops,calls,noop.
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { refusingUrl } from "../lib/loopback.mjs";
import { resolveNodes } from "../lib/node-binaries.mjs";
import { median } from "../lib/stats.mjs";

const WORKLOAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../workloads/counted-call.cjs");
const MODES = ["plain", "context", "loaded", "hops", "calls", "noop", "otel", "refused"];
const DEFAULT_MODES = ["plain", "noop", "otel", "refused"];
const LABELS = {
  plain: "untraced",
  context: "context manager registered and in use",
  loaded: "instrumentation loaded, not used",
  hops: "pushFrame wrapper only",
  calls: "wrapper and service-call spans, no routing",
  noop: "instrumentation on a no-op tracer",
  otel: "traced, OTLP JSON to a healthy sink",
  refused: "traced by @respan/core, backend refusing",
};
const RUN_TIMEOUT_MS = 30 * 60_000;

function parse(argv) {
  const options = { turns: 150, repeat: 1, node: "24", modes: DEFAULT_MODES };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === "--turns" && value !== undefined) options.turns = Number(argv[++i]);
    else if (arg === "--repeat" && value !== undefined) options.repeat = Number(argv[++i]);
    else if (arg === "--node" && value !== undefined) options.node = argv[++i];
    else if (arg === "--modes" && value !== undefined) options.modes = argv[++i].split(",");
    else throw new Error(`unknown argument ${arg}; usage: instruction-counts.mjs [--turns N] [--repeat N] [--node 24] [--modes ${MODES.join(",")}]`);
  }
  if (!Number.isInteger(options.turns) || options.turns < 1) throw new Error("--turns must be a positive integer");
  if (!Number.isInteger(options.repeat) || options.repeat < 1) throw new Error("--repeat must be a positive integer");
  const unknown = options.modes.filter((mode) => !MODES.includes(mode));
  if (unknown.length > 0 || !options.modes.includes("plain")) {
    throw new Error(`--modes: choose from ${MODES.join(", ")} (plain is required: it is the baseline), got ${options.modes.join(",")}`);
  }
  return options;
}

function assertValgrind() {
  const result = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error("valgrind was not found: install it (Debian/Ubuntu: apt-get install valgrind) to count instructions");
  return result.stdout.trim();
}

/** Instructions executed by one run of the workload (callgrind's "Collected" total). */
function countInstructions(execPath, args) {
  const child = spawn(
    "valgrind",
    // Fixed seeds: the same string hashes and Math.random values in every run, one less source of variance.
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", execPath, "--single-threaded", "--hash-seed=1", "--random-seed=1", WORKLOAD, ...args],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr = (stderr + chunk).slice(-8000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const collected = /Collected : (\d+)/.exec(stderr);
      if (code !== 0 || collected === null) reject(new Error(`counted-call ${args.join(" ")}: exited with ${code}\n${stderr.trim()}`));
      else resolve(Number(collected[1]));
    });
  });
}

/** Runs `tasks` (functions returning promises) with at most `limit` at once, keeping their order. */
async function inParallel(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function main() {
  const options = parse(process.argv.slice(2));
  const valgrind = assertValgrind();
  const progress = (message) => process.stderr.write(`[instructions] ${message}\n`);
  const [node] = resolveNodes(options.node, progress);
  // Only the refusing-backend variant needs a port nobody listens on.
  const endpoint = options.modes.includes("refused") ? await refusingUrl() : undefined;
  const argsOf = (mode, turns) => [
    "--mode", mode === "refused" ? "respan" : mode, "--turns", String(turns), ...(mode === "refused" ? ["--endpoint", endpoint] : []),
  ];
  progress(`${valgrind}, Node ${node.version}: ${options.modes.length} variants x ${2 * options.repeat} runs (each a minute or more)`);
  const runs = Array.from({ length: options.repeat }, () =>
    options.modes.flatMap((mode) => [0, options.turns].map((turns) => ({ mode, turns })))).flat();
  const counts = await inParallel(
    runs.map((run) => async () => {
      const count = await countInstructions(node.execPath, argsOf(run.mode, run.turns));
      progress(`${run.mode} ${run.turns} turns: ${count} instructions`);
      return count;
    }),
    Math.max(1, os.availableParallelism()),
  );
  // The call's own count, per variant and repetition: warm-up plus call, minus warm-up only.
  const samples = Object.fromEntries(options.modes.map((mode) => [mode, []]));
  for (let i = 0; i < runs.length; i += 2) samples[runs[i].mode].push(counts[i + 1] - counts[i]);
  const perCall = Object.fromEntries(options.modes.map((mode) => [mode, median(samples[mode])]));
  const width = Math.max(...options.modes.map((mode) => LABELS[mode].length));
  const repeats = options.repeat === 1 ? "" : `, median of ${options.repeat} counts (range in brackets)`;
  console.log(`Node ${node.version} (${node.origin}), a ${options.turns}-turn call, instructions counted by ${valgrind}${repeats}`);
  console.log(`${"variant".padEnd(width)}  instructions  ratio to untraced`);
  const millions = (count) => `${(count / 1e6).toFixed(0)} M`;
  for (const mode of options.modes) {
    const range = options.repeat === 1 ? "" : `  [${millions(Math.min(...samples[mode]))} – ${millions(Math.max(...samples[mode]))}]`;
    console.log(`${LABELS[mode].padEnd(width)}  ${millions(perCall[mode]).padStart(12)}  ${(perCall[mode] / perCall.plain).toFixed(3)}${range}`);
  }
  const json = { node: node.version, turns: options.turns, repeat: options.repeat };
  for (const mode of options.modes) if (mode !== "plain") json[`instructions_ratio_${mode}`] = Number((perCall[mode] / perCall.plain).toFixed(3));
  json.instructions_plain_millions = Math.round(perCall.plain / 1e6);
  console.log(JSON.stringify(json));
}

main().catch((error) => {
  process.stderr.write(`instruction-counts: ${error.message}\n`);
  process.exitCode = 1;
});
