/**
 * Maps and sets that keep only their most recent entries: adding one past `capacity` forgets the oldest.
 * For per-conversation bookkeeping (de-duplication, pending requests) that must not grow with the length
 * of a call.
 */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Adds or replaces `key` (a replaced key keeps its place in the order). */
  set(key: K, value: V): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export class RecentSet<T> {
  private readonly members: RecentMap<T, true>;

  constructor(capacity: number) {
    this.members = new RecentMap(capacity);
  }

  get size(): number {
    return this.members.size;
  }

  has(value: T): boolean {
    return this.members.has(value);
  }

  add(value: T): void {
    this.members.set(value, true);
  }

  delete(value: T): boolean {
    return this.members.delete(value);
  }

  clear(): void {
    this.members.clear();
  }
}
