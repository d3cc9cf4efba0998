import { performance } from "node:perf_hooks";
import type { Clock } from "./internal-types.js";

/** Real wall time at sub-millisecond resolution (the same base the OpenTelemetry SDK uses). */
export const realClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    // Tracing must never keep the process alive.
    timer.unref();
    return timer;
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
