/**
 * The runtime's "finished synchronously" result: an already resolved promise shared by every call.
 * The hot path (a hop, a frame processed without waiting) returns this very object, so the code above it
 * can tell by identity that there is nothing to wait for and skip an `await`. Each promise (and each
 * `await`) costs a promise hook call under OpenTelemetry's context manager on Node 20, and frames cross
 * millions of hops.
 */
export const DONE: Promise<void> = Promise.resolve();

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

/** Runs `next` once `first` has resolved: at once, without a promise, when `first` is DONE. */
export function andThen(first: Promise<void>, next: () => Promise<void> | void): Promise<void> {
  if (first !== DONE) return first.then(next);
  return next() ?? DONE;
}

/**
 * Calls `step` on each item in order, waiting only for the steps that did not finish synchronously.
 * Like `for...of`, it closes the iterator when a step fails.
 */
export function forEachInOrder<T>(items: Iterator<T>, step: (item: T) => Promise<void>): Promise<void> {
  for (let next = items.next(); next.done !== true; next = items.next()) {
    let stepped: Promise<void>;
    try {
      stepped = step(next.value);
    } catch (error) {
      items.return?.();
      throw error;
    }
    if (stepped !== DONE) {
      return stepped.then(
        () => forEachInOrder(items, step),
        (error: unknown) => {
          items.return?.();
          throw error;
        },
      );
    }
  }
  return DONE;
}
