/** Frame directions as Pipecat numbers them; ports that use strings are normalised to these. */
export const DOWNSTREAM = 1;
export const UPSTREAM = 2;
export type Direction = typeof DOWNSTREAM | typeof UPSTREAM;

/** Wall time in epoch milliseconds (fractional) and unref'd timers; tests substitute a fake one. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}
