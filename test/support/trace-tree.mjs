// Navigating a trace made of flattened spans (see otlp-receiver.mjs): parents, children, ancestors.

export function indexTrace(spans) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const parentOf = (span) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
  return {
    spans,
    byId,
    parentOf,
    childrenOf: (span) => spans.filter((candidate) => candidate.parentSpanId === span.spanId),
    named: (name) => spans.filter((span) => (name instanceof RegExp ? name.test(span.name) : span.name === name)),
    /** The nearest ancestor whose name matches, or undefined. */
    ancestorNamed(span, name) {
      for (let current = parentOf(span); current; current = parentOf(current)) {
        if (name instanceof RegExp ? name.test(current.name) : current.name === name) return current;
      }
      return undefined;
    },
  };
}
