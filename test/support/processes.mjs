// Child processes for end-to-end tests: run a program the way a user would, with a hermetic environment
// (no RESPAN_* / OTEL_* / OPENAI_* inherited from the machine, and not NODE_TEST_CONTEXT, which would make
// a nested `node --test` report to us in the runner's binary protocol instead of printing) and a hard
// time limit.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const INHERITED_PREFIXES = ["RESPAN_", "OTEL_", "OPENAI_", "NODE_TEST_CONTEXT"];

/** The parent's environment without tracing/model configuration, plus `extra`. */
export function hermeticEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs `command args` and resolves with `{ code, signal, stdout, stderr }`; kills it (and rejects) after
 * `timeoutMs`. `onStdout(stdoutSoFar, child)` is called on each chunk of output (e.g. to signal the child
 * once it says it is ready).
 */
export function run(command, args, { cwd = repoRoot, env = {}, timeoutMs = 60_000, onStdout } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: hermeticEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a Node script with the current Node binary. */
export function runNode(args, options) {
  return run(process.execPath, args, options);
}
