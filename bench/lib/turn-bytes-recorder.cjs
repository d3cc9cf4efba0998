"use strict";
// Keeps the spans of chosen turns — each `turn` span and all its descendants — and measures how many
// bytes they take as an OTLP JSON export request. Turns are numbered in the order their spans start,
// which is the conversation's turn order. Spans of other turns are not kept, so memory stays flat.
const { JsonTraceSerializer } = require("@opentelemetry/otlp-transformer");

class TurnBytesRecorder {
  #turnsStarted = 0;
  /** spanId -> turn number, for the spans of the watched turns (kept: some end after their turn). */
  #turnOfSpan = new Map();
  /** turn number -> its ended spans. */
  #spansOfTurn = new Map();

  /** @param {Iterable<number>} turnNumbers the turns to keep */
  constructor(turnNumbers) {
    for (const turn of turnNumbers) this.#spansOfTurn.set(turn, []);
  }

  onStart(span) {
    const { spanId } = span.spanContext();
    if (span.name === "turn") {
      this.#turnsStarted += 1;
      if (this.#spansOfTurn.has(this.#turnsStarted)) this.#turnOfSpan.set(spanId, this.#turnsStarted);
      return;
    }
    const parentId = span.parentSpanContext?.spanId;
    const turn = parentId === undefined ? undefined : this.#turnOfSpan.get(parentId);
    if (turn !== undefined) this.#turnOfSpan.set(spanId, turn);
  }

  onEnd(span) {
    const { spanId } = span.spanContext();
    const turn = this.#turnOfSpan.get(spanId);
    if (turn === undefined) return;
    this.#spansOfTurn.get(turn).push(span);
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }

  /** { [turn]: { spans, bytes } } — bytes of one OTLP JSON request holding exactly that turn's spans. */
  measure() {
    const result = {};
    for (const [turn, spans] of this.#spansOfTurn) {
      result[turn] = { spans: spans.length, bytes: spans.length === 0 ? 0 : JsonTraceSerializer.serializeRequest(spans).byteLength };
    }
    return result;
  }
}

module.exports = { TurnBytesRecorder };
