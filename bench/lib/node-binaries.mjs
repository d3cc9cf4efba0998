// Which Node binaries the workloads run on. The primary figures come from the Node users run today (24);
// the machine's own Node is measured beside it. A Node the machine does not have is fetched from the npm
// registry (the `node` package, a full Node binary for this platform) through npx, which keeps it in npm's
// cache: the first fetch takes a few seconds to a minute, later runs none.
import { spawnSync } from "node:child_process";

/** The Node that gives the primary figures. */
export const PRIMARY_NODE_MAJOR = 24;
const FETCH_TIMEOUT_MS = 5 * 60_000;

const majorOf = (version) => Number(version.replace(/^v/, "").split(".")[0]);

/** `version` of the binary at `execPath` ("v24.21.0"); throws when it does not run. */
function versionOf(execPath) {
  const result = spawnSync(execPath, ["-p", "process.version"], { encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${execPath} -p process.version failed: ${result.stderr || result.error?.message || result.status}`);
  return result.stdout.trim();
}

/** A Node of the given major version from the npm registry; its path. */
function fetchNode(major, progress) {
  progress(`fetching Node ${major} from the npm registry (npx --package node@${major}; cached after the first run)`);
  const npx = process.platform === "win32" ? "npx.cmd" : "npx";
  const result = spawnSync(npx, ["--yes", "--package", `node@${major}`, "--", "node", "-p", "process.execPath"], {
    encoding: "utf8",
    timeout: FETCH_TIMEOUT_MS,
    shell: process.platform === "win32",
  });
  const execPath = result.stdout?.trim().split("\n").at(-1);
  if (result.status !== 0 || !execPath) {
    throw new Error(`could not fetch Node ${major} with npx (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr?.trim().slice(-500)}`);
  }
  return execPath;
}

/**
 * The Nodes to measure, in order. `spec` is the `--node` value: a comma-separated list of major versions
 * ("24"), `machine` (the Node running the benchmark) or paths to node binaries. Default: Node 24 and the
 * machine's Node (one of them when they are the same major). Each entry: { execPath, version, origin }.
 */
export function resolveNodes(spec, progress) {
  const machine = { execPath: process.execPath, version: process.version, origin: "this machine's Node" };
  const wanted = spec === undefined ? [String(PRIMARY_NODE_MAJOR), "machine"] : spec.split(",").map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0) throw new Error("--node: give major versions (24), `machine` or paths to node binaries, comma-separated");
  const nodes = [];
  for (const item of wanted) {
    let node;
    if (item === "machine") node = machine;
    else if (/^\d+$/.test(item)) {
      const major = Number(item);
      node = major === majorOf(process.version)
        ? machine
        : { execPath: fetchNode(major, progress), origin: `fetched from the npm registry (node@${major}): this machine runs ${process.version}` };
    } else node = { execPath: item, origin: `--node ${item}` };
    node.version ??= versionOf(node.execPath);
    if (/^\d+$/.test(item) && majorOf(node.version) !== Number(item)) throw new Error(`asked for Node ${item}, got ${node.version} at ${node.execPath}`);
    if (!nodes.some((known) => known.execPath === node.execPath)) nodes.push(node);
  }
  return nodes;
}

export { majorOf };
