// The tracer harness every package's tests share, and helpers to read what it recorded (CommonJS, so
// both .test.cjs and .test.mjs files can use it).
const { InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");

/**
 * A tracer provider exporting to memory. `spanProcessors` run before the exporting one (e.g. the
 * propagation processor under test). With `register`, it is the process's global provider, with the
 * AsyncLocalStorage context manager (so active spans follow async calls); otherwise nothing global changes.
 * @param {{ spanProcessors?: import("@opentelemetry/sdk-trace-base").SpanProcessor[], register?: boolean }} [options]
 */
function inMemoryTracing({ spanProcessors = [], register = false } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [...spanProcessors, new SimpleSpanProcessor(exporter)] });
  if (register) provider.register();
  return { exporter, provider, tracer: provider.getTracer("test"), spans: () => exporter.getFinishedSpans() };
}

const parentIdOf = (span) => span.parentSpanContext?.spanId;
const spanIdOf = (span) => span.spanContext().spanId;
const byName = (spans, name) => spans.filter((span) => span.name === name);

function onlyOne(spans, name) {
  const found = byName(spans, name);
  if (found.length !== 1) throw new Error(`expected one "${name}" span, found ${found.length}`);
  return found[0];
}

const startMs = (span) => span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
const endMs = (span) => span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
const durationMs = (span) => (span.duration[0] * 1e9 + span.duration[1]) / 1e6;

/** Each span's children by parent span id, and the spans whose parent is not among `spans` (the roots). */
function spanTree(spans) {
  const byId = new Map(spans.map((span) => [spanIdOf(span), span]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    const parent = parentIdOf(span);
    if (parent !== undefined && byId.has(parent)) {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(span);
    } else {
      roots.push(span);
    }
  }
  return { children, roots };
}

/**
 * A normalised tree: names, parent links and the selected attributes, children in start order — what a
 * golden trace compares (never timestamps or ids).
 */
/** @param {(span: import("@opentelemetry/sdk-trace-base").ReadableSpan) => object} [pickAttributes] */
function normalisedTree(spans, pickAttributes = () => ({})) {
  const { children, roots } = spanTree(spans);
  const order = (a, b) => startMs(a) - startMs(b) || a.name.localeCompare(b.name);
  const build = (span) => {
    /** @type {{ name: string, children?: object[] }} */
    const node = { name: span.name, ...pickAttributes(span) };
    const kids = (children.get(spanIdOf(span)) ?? []).sort(order).map(build);
    if (kids.length > 0) node.children = kids;
    return node;
  };
  return roots.sort(order).map(build);
}

/** Every attribute value of every span (and its events), as one string to search. */
function allRecordedText(spans) {
  const parts = [];
  for (const span of spans) {
    parts.push(span.name, ...Object.values(span.attributes).map(String));
    for (const event of span.events) parts.push(event.name, ...Object.values(event.attributes ?? {}).map(String));
    if (span.status.message) parts.push(span.status.message);
  }
  return parts.join("\n");
}

module.exports = {
  inMemoryTracing,
  parentIdOf,
  spanIdOf,
  byName,
  onlyOne,
  startMs,
  endMs,
  durationMs,
  normalisedTree,
  spanTree,
  allRecordedText,
};
