// Runs one workload (bench/workloads/*) in a fresh Node process and returns the figures it reports.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import childResult from "./child-result.cjs";

const WORKLOADS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../workloads");
const STDERR_TAIL = 4000;

/** The parent's environment without OTEL_* / RESPAN_* settings, so no outside configuration redirects the spans. */
function workloadEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL|RESPAN)_/.test(name)));
}

/**
 * @param {string} workload file name in bench/workloads
 * @param {string[]} args
 * @param {{ execPath: string, timeoutMs: number, cpuProfileDir?: string }} options  execPath: the Node to run it on
 */
export function runWorkload(workload, args, { execPath, timeoutMs, cpuProfileDir }) {
  const nodeArgs = ["--expose-gc"];
  if (cpuProfileDir !== undefined) nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${cpuProfileDir}`);
  const child = spawn(execPath, [...nodeArgs, path.join(WORKLOADS_DIR, workload), ...args], {
    env: workloadEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
  const description = `${workload} ${args.join(" ")}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${description}: no result after ${timeoutMs} ms (killed)`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith(childResult.RESULT_MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${description}: exited with ${signal ?? code}${line === undefined ? " without a result" : ""}\n${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(line.slice(childResult.RESULT_MARK.length)));
    });
  });
}
