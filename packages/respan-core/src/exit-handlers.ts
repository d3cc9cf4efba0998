/**
 * Best-effort export when the process ends: a flush on `beforeExit` (the event loop ran dry), a shutdown
 * on SIGTERM / SIGINT (which also releases the held traces of sessions that were not aborted). Both are
 * bounded by `timeoutMillis`. A signal's default behaviour is to end the process, which our listener would
 * otherwise swallow; so when no other listener exists we shut down and then exit as the default would
 * have, with code 128 + the signal number, by the deadline at the latest. When the application has its own
 * listener, it owns the exit: we only start a flush and never call process.exit. Not covered:
 * process.exit() called by the application and fatal errors — short-lived programs should
 * `await respan.shutdown()` themselves.
 */
import { constants } from "node:os";
import type { Logger } from "./logger.js";

const EXIT_SIGNALS = ["SIGTERM", "SIGINT"] as const;
type ExitSignal = (typeof EXIT_SIGNALS)[number];
const EXIT_MARGIN_MILLIS = 250;

export interface ExitHandlerOptions {
  /** Flushes pending spans, bounded by `timeoutMillis`; never rejects. */
  flush: () => Promise<void>;
  /** Releases held traces, flushes and shuts down, bounded by `timeoutMillis`; never rejects. */
  shutdown: () => Promise<void>;
  /** Longest wait for the flush or shutdown before a signal ends the process. */
  timeoutMillis: number;
  logger: Logger;
}

/** Installs the handlers; returns the function that removes them. */
export function installExitHandlers({ flush, shutdown, timeoutMillis, logger }: ExitHandlerOptions): () => void {
  let exiting = false;

  const onBeforeExit = () => {
    // Once: the flush schedules work, after which the loop runs dry and beforeExit fires again.
    process.off("beforeExit", onBeforeExit);
    void flush();
  };

  const onSignal = (signal: ExitSignal) => {
    const exitCode = 128 + constants.signals[signal];
    const applicationListens = process.listeners(signal).some((listener) => listener !== onSignal);
    if (applicationListens) {
      void flush();
      return;
    }
    if (exiting) process.exit(exitCode); // a second signal: stop waiting
    exiting = true;
    logger.debug(`${signal} received: exporting spans before exiting`);
    let timer: NodeJS.Timeout | undefined;
    // The shutdown keeps its own deadline; this one (with a small margin) holds even if it did not.
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMillis + EXIT_MARGIN_MILLIS);
    });
    void Promise.race([shutdown(), deadline]).finally(() => {
      clearTimeout(timer);
      process.exit(exitCode);
    });
  };

  process.on("beforeExit", onBeforeExit);
  for (const signal of EXIT_SIGNALS) process.on(signal, onSignal);

  return () => {
    process.off("beforeExit", onBeforeExit);
    for (const signal of EXIT_SIGNALS) process.off(signal, onSignal);
  };
}
