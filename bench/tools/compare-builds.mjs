#!/usr/bin/env node
// Compares the tracing cost of several built checkouts of this repository (e.g. before and after a
// change), in the same interleaved rounds so a busy minute hurts all of them alike: each round runs the
// timed call of every checkout untraced, on the no-op tracer and traced (bench/workloads/timed-call.cjs,
// fresh processes, order alternating between rounds) and records main-thread CPU time.
// Prints, per checkout, the median of the per-round ratios and the ratio of the fastest runs.
// --modes picks the variants (bench/lib/tracing.cjs): e.g. plain,loaded,hops,calls,noop,otel splits the
// instrumentation's cost into stages on one checkout.
// Usage: node bench/tools/compare-builds.mjs [--rounds 6] [--turns 100] [--node 24] [--modes plain,noop,otel]
//          <checkout> <checkout> ...
//   Each checkout must be installed and built (pnpm install && pnpm build) and have this benchmark (its
//   timed call reports main-thread CPU time) with the modes asked for.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { resolveNodes } from "../lib/node-binaries.mjs";
import { median } from "../lib/stats.mjs";
import childResult from "../lib/child-result.cjs";

const MODE_LABELS = { otel: "traced", noop: "no-op tracer" };
const USAGE = "usage: compare-builds.mjs [--rounds N] [--turns N>=20] [--node 24] [--modes plain,noop,otel] <checkout> ...";

function parse(argv) {
  const options = { rounds: 6, turns: 100, node: "24", modes: ["plain", "noop", "otel"], checkouts: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--rounds" || arg === "--turns") options[arg.slice(2)] = Number(argv[++i]);
    else if (arg === "--node") options.node = argv[++i];
    else if (arg === "--modes") options.modes = (argv[++i] ?? "").split(",");
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}; ${USAGE}`);
    else options.checkouts.push(path.resolve(arg));
  }
  if (options.checkouts.length === 0 || !(options.rounds > 0) || !(options.turns >= 20)) throw new Error(USAGE);
  if (!options.modes.includes("plain")) throw new Error(`--modes must include plain (the baseline), got ${options.modes.join(",")}`);
  return options;
}

function timedCall(execPath, checkout, mode, turns) {
  const workload = path.join(checkout, "bench", "workloads", "timed-call.cjs");
  const stdout = execFileSync(execPath, ["--expose-gc", workload, "--mode", mode, "--turns", String(turns), "--warmup", "10"], {
    encoding: "utf8",
    timeout: 60_000 + turns * 300,
  });
  const line = stdout.split("\n").find((l) => l.startsWith(childResult.RESULT_MARK));
  return JSON.parse(line.slice(childResult.RESULT_MARK.length)).threadCpuMs;
}

const options = parse(process.argv.slice(2));
const [node] = resolveNodes(options.node, (message) => process.stderr.write(`${message}\n`));
const cpu = new Map(options.checkouts.map((checkout) => [checkout, Object.fromEntries(options.modes.map((mode) => [mode, []]))]));
for (let round = 0; round < options.rounds; round++) {
  const flip = (list) => (round % 2 === 0 ? list : [...list].reverse());
  for (const checkout of flip(options.checkouts)) {
    for (const mode of flip(options.modes)) cpu.get(checkout)[mode].push(timedCall(node.execPath, checkout, mode, options.turns));
  }
  process.stderr.write(`round ${round + 1}/${options.rounds}\n`);
}
console.log(`Node ${node.version}, ${options.rounds} rounds of ${options.turns}-turn calls, main-thread CPU / untraced`);
for (const [checkout, runs] of cpu) {
  const ratio = (mode) => median(runs[mode].map((ms, i) => ms / runs.plain[i]));
  const fastest = (mode) => Math.min(...runs[mode]) / Math.min(...runs.plain);
  const traced = options.modes
    .filter((mode) => mode !== "plain")
    .map((mode) => `${MODE_LABELS[mode] ?? mode} ${ratio(mode).toFixed(3)} (fastest runs ${fastest(mode).toFixed(3)})`);
  console.log(`${checkout}: ${[...traced, `untraced median ${median(runs.plain).toFixed(0)} ms`].join(", ")}`);
}
