import { DONE, forEachInOrder, isThenable } from "../utils/done.js";
import { describeValue } from "../utils/validate.js";

/**
 * What a service's model call produces (`STTService.runStt`, `TTSService.runTts`): a stream (an async
 * iterable, e.g. an `async function*`), or items available at once (an iterable, e.g. a `function*`) or
 * after one wait (a promise of an iterable). The last two cost no promise per item, which matters for
 * 20 ms audio frames.
 */
export type ServiceOutput<T> = AsyncIterable<T> | Iterable<T> | PromiseLike<Iterable<T>>;

/**
 * Calls `produce` (the method named `method`) and then `step` on each item it produces, in order,
 * waiting only when the output or a step has something to wait for. Never throws: a failure rejects
 * the returned promise.
 */
export function forEachOutput<T>(method: string, produce: () => ServiceOutput<T>, step: (item: T) => Promise<void>): Promise<void> {
  try {
    const output: unknown = produce();
    if (isThenable(output)) return Promise.resolve(output).then((items) => forEachInOrder(iteratorOf<T>(method, items), step));
    if (isAsyncIterable<T>(output)) return forEachStreamed(output, step);
    return forEachInOrder(iteratorOf<T>(method, output), step);
  } catch (error) {
    return Promise.reject(error);
  }
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return value != null && typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === "function";
}

function iteratorOf<T>(method: string, items: unknown): Iterator<T> {
  if (items == null || typeof (items as Partial<Iterable<T>>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${method} must return an async iterable, an iterable or a promise of an iterable, got ${describeValue(items)}`);
  }
  return (items as Iterable<T>)[Symbol.iterator]();
}

async function forEachStreamed<T>(items: AsyncIterable<T>, step: (item: T) => Promise<void>): Promise<void> {
  for await (const item of items) {
    const stepped = step(item);
    if (stepped !== DONE) await stepped;
  }
}
