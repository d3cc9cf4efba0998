// The benchmark's settings: the figures by default, smaller ones with --quick, each overridable
// by an environment variable. Invalid values fail fast, naming the variable.

const FULL = {
  pairs: 5, // BENCH_PAIRS: rounds of interleaved timed runs (one run of each variant per round)
  turns: 1000, // BENCH_TURNS: turns of each timed call; also the early heap sample and the late bytes-per-turn turn
  longTurns: 10000, // BENCH_LONG_TURNS: turns of the long call (heap growth)
  warmupTurns: 10, // BENCH_WARMUP_TURNS: untimed call before each timed one (JIT warm-up)
  calls: 1000, // BENCH_CALLS: short calls run one after another (state left behind)
  callTurns: 4, // BENCH_CALL_TURNS: turns of each short call
  throughputSpans: 50000, // BENCH_THROUGHPUT_SPANS: spans pushed through each exporter
};

const QUICK = { pairs: 2, turns: 100, longTurns: 500, warmupTurns: 4, calls: 50, callTurns: 4, throughputSpans: 3000 };

const ENV_NAMES = {
  pairs: "BENCH_PAIRS",
  turns: "BENCH_TURNS",
  longTurns: "BENCH_LONG_TURNS",
  warmupTurns: "BENCH_WARMUP_TURNS",
  calls: "BENCH_CALLS",
  callTurns: "BENCH_CALL_TURNS",
  throughputSpans: "BENCH_THROUGHPUT_SPANS",
};

/** Turn whose bytes are compared with the late turn's: a round well into the call but before any cap could bite. */
export const EARLY_BYTES_TURN = 10;

function positiveInteger(name, raw) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** `--quick`, and `--node <list>` (or `--node=<list>`): which Nodes to run the workloads on (lib/node-binaries.mjs). */
function parseArgv(argv) {
  let quick = false;
  let node;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") quick = true;
    else if (arg === "--node" && argv[i + 1] !== undefined) node = argv[++i];
    else if (arg.startsWith("--node=")) node = arg.slice("--node=".length);
    else throw new Error(`unknown argument ${arg}; accepted: --quick, --node <24|machine|/path/to/node,...>`);
  }
  return { quick, node };
}

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const { quick, node } = parseArgv(argv);
  const options = { quick, node, ...(quick ? QUICK : FULL) };
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== "") options[key] = positiveInteger(name, env[name]);
  }
  if (options.turns < 2 * EARLY_BYTES_TURN) throw new Error(`BENCH_TURNS must be at least ${2 * EARLY_BYTES_TURN}`);
  if (options.longTurns < 2 * options.turns) throw new Error("BENCH_LONG_TURNS must be at least twice BENCH_TURNS");
  if (options.calls < 10) throw new Error("BENCH_CALLS must be at least 10");
  // BENCH_PROFILE_DIR: write a CPU profile of every traced timed run there.
  options.profileDir = env.BENCH_PROFILE_DIR || undefined;
  return options;
}
