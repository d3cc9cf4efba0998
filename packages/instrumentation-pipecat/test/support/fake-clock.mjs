// A controllable clock for the tracer (ms wall time + timers), so turn timers are tested without waiting.
export class FakeClock {
  constructor(startMs = 1_700_000_000_000) {
    this.t = startMs;
    this.timers = new Map();
    this.seq = 0;
  }

  now() {
    return this.t;
  }

  setTimer(callback, delayMs) {
    const id = ++this.seq;
    this.timers.set(id, { due: this.t + delayMs, callback });
    return id;
  }

  clearTimer(id) {
    this.timers.delete(id);
  }

  get pendingTimers() {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order at their due time. */
  advance(ms) {
    const target = this.t + ms;
    for (;;) {
      let nextId;
      let next;
      for (const [id, timer] of this.timers) {
        if (timer.due <= target && (next === undefined || timer.due < next.due)) {
          nextId = id;
          next = timer;
        }
      }
      if (next === undefined) break;
      this.timers.delete(nextId);
      this.t = next.due;
      next.callback();
    }
    this.t = target;
  }
}

/** A clock whose clearTimer does nothing: every timer fires, proving stale timers are harmless. */
export class LeakyClock extends FakeClock {
  clearTimer() {}
}
