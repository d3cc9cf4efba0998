"use strict";
// Counts ended spans by kind (the first word of the name: "execute_tool get_weather" -> "execute_tool"),
// so that a workload can prove it measured a traced pipeline and not a no-op.

const REQUIRED_KINDS = ["conversation", "turn", "llm"];

class SpanCounter {
  counts = {};

  /**
   * @param {{ required?: string[], forbidden?: string[] }} expected  the kinds a run must produce, and those it
   *   must not (a stage of the instrumentation that traces only part of a call)
   */
  constructor({ required = REQUIRED_KINDS, forbidden = [] } = {}) {
    this.required = required;
    this.forbidden = forbidden;
  }

  onStart() {}

  onEnd(span) {
    const space = span.name.indexOf(" ");
    const kind = space === -1 ? span.name : span.name.slice(0, space);
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }

  /** Starts counting afresh (e.g. after a warm-up call). */
  reset() {
    this.counts = {};
  }

  /**
   * Throws unless the required kinds (by default conversation, turn and llm) were produced — benchmarking a
   * no-op means nothing — or if a forbidden kind was.
   */
  assertTraced(where) {
    const missing = this.required.filter((kind) => !(this.counts[kind] > 0));
    if (missing.length > 0) {
      throw new Error(
        `${where}: the instrumented run produced no ${missing.join("/")} spans (spans seen: ${JSON.stringify(this.counts)}). ` +
          "Is @respan/instrumentation-pipecat built and hooking pipecat-ts?",
      );
    }
    const unexpected = this.forbidden.filter((kind) => this.counts[kind] > 0);
    if (unexpected.length > 0) {
      throw new Error(`${where}: this run should produce no ${unexpected.join("/")} spans (spans seen: ${JSON.stringify(this.counts)})`);
    }
  }
}

module.exports = { SpanCounter };
