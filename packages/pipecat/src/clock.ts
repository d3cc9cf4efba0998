import { MinHeap } from "./utils/min-heap.js";
import { optionError, optionsObject, positiveNumber } from "./utils/validate.js";

/**
 * The time base of a pipeline: every scripted delay (services, simulated transport, idle timeout) waits on
 * it, so a conversation can run in real time, accelerated, or as fast as the event loop allows.
 */
export interface Clock {
  /** Milliseconds elapsed on this clock since it was created. */
  now(): number;
  /** Resolves after `ms` clock milliseconds; rejects with `signal.reason` if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many real seconds pass while this clock advances `virtualSecs` seconds. */
  toRealSeconds(virtualSecs: number): number;
}

/** Checks an optional `clock` option. */
export function clockOption(owner: string, option: string, value: unknown): Clock | undefined {
  if (value === undefined) return undefined;
  const clock = value as Partial<Clock> | null;
  if (clock === null || typeof clock !== "object" || typeof clock.now !== "function" || typeof clock.sleep !== "function" || typeof clock.toRealSeconds !== "function") {
    throw optionError(owner, option, "a Clock (ScaledClock, VirtualClock or { now, sleep, toRealSeconds })", value);
  }
  return value as Clock;
}

function checkDelay(owner: string, ms: number): number {
  if (typeof ms !== "number" || Number.isNaN(ms)) {
    throw new TypeError(`${owner}.sleep: "ms" must be a number of milliseconds, got ${String(ms)}`);
  }
  return Math.max(0, ms);
}

export interface ScaledClockOptions {
  /** How many clock seconds pass per real second (1 = real time, 10 = ten times faster). Default 1. */
  speed?: number;
}

/** Real timers, with every wait divided by `speed`. */
export class ScaledClock implements Clock {
  readonly speed: number;
  readonly #origin = performance.now();

  constructor(options?: ScaledClockOptions) {
    const opts = optionsObject("ScaledClock", options);
    this.speed = opts.speed === undefined ? 1 : positiveNumber("ScaledClock", "speed", opts.speed);
  }

  now(): number {
    return (performance.now() - this.#origin) * this.speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const delay = checkDelay("ScaledClock", ms) / this.speed;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, delay);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  toRealSeconds(virtualSecs: number): number {
    return virtualSecs / this.speed;
  }
}

interface VirtualTimer {
  due: number;
  seq: number;
  resolve: () => void;
  settled: boolean;
}

/**
 * A discrete-event clock: sleeps complete in order of their virtual due time (ties in the order they were
 * requested) without any real waiting. Time only advances once the work already runnable has run (the
 * advance is scheduled with setImmediate, after pending promise callbacks), so runs are deterministic and
 * a long conversation takes seconds. Suited to offline pipelines: work that waits on real I/O (a network
 * LLM) does not hold virtual time back.
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  #advanceScheduled = false;
  #active = 0;
  readonly #timers = new MinHeap<VirtualTimer>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));

  now(): number {
    return this.#now;
  }

  /** Virtual sleeps not yet completed. */
  get pendingTimers(): number {
    return this.#active;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const delay = checkDelay("VirtualClock", ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: VirtualTimer = { due: this.#now + delay, seq: this.#seq++, resolve, settled: false };
      if (signal) {
        const onAbort = (): void => {
          if (timer.settled) return;
          timer.settled = true; // left in the heap; skipped when it comes up
          this.#active -= 1;
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        timer.resolve = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
      }
      this.#timers.push(timer);
      this.#active += 1;
      this.#scheduleAdvance();
    });
  }

  toRealSeconds(_virtualSecs: number): number {
    // Virtual waits take no real time at all.
    return 0;
  }

  #scheduleAdvance(): void {
    if (this.#advanceScheduled) return;
    this.#advanceScheduled = true;
    setImmediate(() => this.#advance());
  }

  #advance(): void {
    this.#advanceScheduled = false;
    const timers = this.#timers;
    while (timers.size > 0 && timers.peek()!.settled) timers.pop();
    const first = timers.peek();
    if (!first) return;
    this.#now = Math.max(this.#now, first.due);
    while (timers.size > 0 && timers.peek()!.due <= this.#now) {
      const timer = timers.pop()!;
      if (timer.settled) continue;
      timer.settled = true;
      this.#active -= 1;
      timer.resolve();
    }
    if (timers.size > 0) this.#scheduleAdvance();
  }
}
