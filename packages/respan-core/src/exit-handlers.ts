/**
 * Best-effort flush when the process ends: on `beforeExit` (the event loop ran dry) and on SIGTERM /
 * SIGINT. A signal's default behaviour is to end the process, which our listener would otherwise
 * swallow; so when no other listener exists we flush (bounded in time) and then exit as the default
 * would have, with code 128 + the signal number. When the application has its own listener, it owns the
 * exit: we only start a flush and never call process.exit. Not covered: process.exit() called by the
 * application and fatal errors — short-lived programs should `await respan.shutdown()` themselves.
 */
import { constants } from "node:os";
import type { Logger } from "./logger.js";

const EXIT_SIGNALS = ["SIGTERM", "SIGINT"] as const;
type ExitSignal = (typeof EXIT_SIGNALS)[number];

export interface ExitHandlerOptions {
  /** Flushes pending spans; never rejects. */
  flush: () => Promise<void>;
  /** Longest wait for the flush before a signal ends the process. */
  timeoutMillis: number;
  logger: Logger;
}

/** Installs the handlers; returns the function that removes them. */
export function installExitHandlers({ flush, timeoutMillis, logger }: ExitHandlerOptions): () => void {
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
    logger.debug(`${signal} received: flushing spans before exiting`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMillis);
    });
    void Promise.race([flush(), deadline]).finally(() => {
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
