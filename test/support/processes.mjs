// Child processes for end-to-end tests: run a program the way a user would, with a hermetic environment
// (no RESPAN_* / OTEL_* / OPENAI_* inherited from the machine, no NODE_OPTIONS preloading anything, and
// not NODE_TEST_CONTEXT, which would make a nested `node --test` report to us in the runner's binary
// protocol instead of printing) and a hard time limit.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const INHERITED_PREFIXES = ["RESPAN_", "OTEL_", "OPENAI_", "NODE_OPTIONS", "NODE_TEST_CONTEXT"];

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
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string, string>, timeoutMs?: number, onStdout?: (stdout: string, child: import("node:child_process").ChildProcess) => void }} [options]
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>}
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

/**
 * Starts a long-running Node program (a server). `waitForOutput(regex, timeoutMs)` resolves with the
 * match once its stdout matches; `stop()` sends SIGINT and waits (SIGKILL after 10 s).
 */
export function startNode(args, { cwd = repoRoot, env = {} } = {}) {
  const child = spawn(process.execPath, args, { cwd, env: hermeticEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const listeners = new Set();
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    waitForOutput(regex, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = regex.exec(stdout);
          if (!match) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no output matching ${regex} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (!listeners.has(check)) return;
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`the program exited before printing ${regex}\nstdout: ${stdout}\nstderr: ${stderr}`));
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
