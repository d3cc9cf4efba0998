import { DOWNSTREAM, UPSTREAM, type Direction } from "./internal-types.js";

/**
 * Pushes from a processor before its EndFrame that make it the end of its chain when none of them was ever
 * passed on by another processor (one or two could have been consumed by the next processor).
 */
const END_OF_CHAIN_EVIDENCE = 3;

/**
 * Where hops go in a runtime whose processors keep their links under names nobody knows (or in private
 * fields): learned from the frames themselves. When processor B pushes a frame that A pushed last in the
 * same direction, B is A's neighbour that way. A processor that has pushed frames downstream that no one
 * ever passed on is the end of its chain. Used only for processors whose links are hidden: a runtime whose
 * links are visible pays nothing for it.
 */
export class LinkLearner {
  private readonly downstreamPusher = new WeakMap<object, object>();
  private readonly upstreamPusher = new WeakMap<object, object>();
  private readonly next = new WeakMap<object, object>();
  private readonly prev = new WeakMap<object, object>();
  private readonly downstreamPushes = new WeakMap<object, number>();

  /** Records one hop; returns where it goes, as far as learned (undefined: not known yet, or the chain's end). */
  hop(source: object, frame: object, direction: Direction): object | undefined {
    const upstream = direction === UPSTREAM;
    const pushers = upstream ? this.upstreamPusher : this.downstreamPusher;
    const links = upstream ? this.prev : this.next;
    const previous = pushers.get(frame);
    if (previous !== undefined && previous !== source && links.get(previous) !== source) links.set(previous, source);
    pushers.set(frame, source);
    if (!upstream) this.downstreamPushes.set(source, (this.downstreamPushes.get(source) ?? 0) + 1);
    return links.get(source);
  }

  /** Whether `source` is known to be the last processor downstream (nothing it pushed was ever passed on). */
  isChainEnd(source: object, direction: Direction): boolean {
    return direction === DOWNSTREAM && !this.next.has(source) &&
      (this.downstreamPushes.get(source) ?? 0) > END_OF_CHAIN_EVIDENCE;
  }
}
