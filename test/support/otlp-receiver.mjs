// A loopback OTLP/HTTP receiver for tests: it speaks the real protocol (JSON and protobuf request bodies;
// traces at any path: /v1/traces for collectors, /v2/traces for Respan; metrics at /v1/metrics), records
// every request with its headers and raw body, decodes the spans and metrics into plain objects, and can
// inject faults (status codes, delays, a request never answered, a 200 whose body drips forever) to
// exercise exporters' retry, back-pressure and deadline paths. Shared by every package's tests.
import http from "node:http";
import protobuf from "protobufjs";
import { createConditionWaiters, listenOnLoopback } from "./loopback-server.mjs";

// The subset of opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1) a trace
// export request uses, written from the public OTLP specification.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14;
  Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

// The subset of opentelemetry-proto (collector/metrics/v1, metrics/v1) a metrics export request of
// counters and explicit-bucket histograms uses, written from the public OTLP specification; its common
// messages are the trace schema's above.
const OTLP_METRICS_PROTO = `
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; } uint32 flags = 8;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
  uint32 flags = 10; double min = 11; double max = 12;
}
`;

const otlpRoot = protobuf.parse(OTLP_TRACE_PROTO + OTLP_METRICS_PROTO, { keepCase: false }).root;
const ExportTraceServiceRequest = otlpRoot.lookupType("ExportTraceServiceRequest");
const ExportMetricsServiceRequest = otlpRoot.lookupType("ExportMetricsServiceRequest");

/** Decodes a protobuf ExportTraceServiceRequest into the same shape OTLP JSON has. */
export function decodeProtobufTraceRequest(body) {
  const message = ExportTraceServiceRequest.decode(body);
  return ExportTraceServiceRequest.toObject(message, { longs: String, bytes: String, defaults: false });
}

/** Decodes a protobuf ExportMetricsServiceRequest into the same shape OTLP JSON has. */
export function decodeProtobufMetricsRequest(body) {
  const message = ExportMetricsServiceRequest.decode(body);
  return ExportMetricsServiceRequest.toObject(message, { longs: String, defaults: false });
}

const isMetricsPath = (path) => path.endsWith("/v1/metrics");

function bytesToHex(value) {
  if (value === undefined || value === null || value === "") return undefined;
  // protobufjs renders bytes as base64 with `bytes: String`; OTLP JSON already carries lower-case hex.
  if (/^[0-9a-f]+$/.test(value) && (value.length === 32 || value.length === 16)) return value;
  return Buffer.from(value, "base64").toString("hex");
}

function anyValue(value) {
  if (!value) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return Number(value.doubleValue);
  if ("arrayValue" in value) return (value.arrayValue.values ?? []).map(anyValue);
  if ("kvlistValue" in value) return attributesToObject(value.kvlistValue.values);
  if ("bytesValue" in value) return value.bytesValue;
  return undefined;
}

export function attributesToObject(keyValues = []) {
  const out = {};
  for (const { key, value } of keyValues) out[key] = anyValue(value);
  return out;
}

/** Flattens an OTLP request (JSON shape) into one plain object per span. */
export function flattenTraceRequest(request) {
  const spans = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesToObject(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: bytesToHex(span.traceId),
          spanId: bytesToHex(span.spanId),
          parentSpanId: bytesToHex(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          startTimeUnixNano: String(span.startTimeUnixNano),
          endTimeUnixNano: String(span.endTimeUnixNano),
          attributes: attributesToObject(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name,
            timeUnixNano: String(event.timeUnixNano),
            attributes: attributesToObject(event.attributes),
          })),
          status: span.status ?? {},
          resource,
          scope: scopeSpans.scope ?? {},
        });
      }
    }
  }
  return spans;
}

/**
 * Flattens an OTLP metrics request (JSON shape) into one object per metric:
 * `{ name, unit, kind: "sum" | "histogram" | "gauge", scope, resource, points: [{ attributes, value?, count?,
 * sum?, min?, max?, bucketCounts?, explicitBounds? }] }` with every number a JS number.
 */
export function flattenMetricsRequest(request) {
  const out = [];
  const number = (value) => (value === undefined ? undefined : Number(value));
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resource = attributesToObject(resourceMetrics.resource?.attributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        const kind = ["histogram", "sum", "gauge"].find((key) => metric[key] !== undefined);
        const points = (metric[kind]?.dataPoints ?? []).map((point) => ({
          attributes: attributesToObject(point.attributes),
          value: number(point.asDouble ?? point.asInt),
          count: number(point.count),
          sum: number(point.sum),
          min: number(point.min),
          max: number(point.max),
          bucketCounts: point.bucketCounts?.map(Number),
          explicitBounds: point.explicitBounds?.map(Number),
        }));
        out.push({ name: metric.name, unit: metric.unit, kind, scope: scopeMetrics.scope ?? {}, resource, points });
      }
    }
  }
  return out;
}

/**
 * Starts a receiver on 127.0.0.1 (random port).
 * @param {{ respond?: (request: {index: number, path: string}) => ({status?: number, delayMs?: number, hang?: boolean, dripIntervalMs?: number} | undefined) }} [options]
 *   `respond` decides per request (0-based index) which status to answer and how long to stall first;
 *   `hang` never answers; `dripIntervalMs` sends the status line, then one body byte per interval, never ending.
 */
export async function startOtlpReceiver(options = {}) {
  const requests = [];
  const waiters = createConditionWaiters("receiver", () => `${requests.length} requests`);

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const index = requests.length;
    const contentType = String(req.headers["content-type"] ?? "");
    let decoded;
    let decodeError;
    try {
      if (!contentType.includes("protobuf")) decoded = JSON.parse(body.toString("utf8"));
      else decoded = isMetricsPath(req.url) ? decodeProtobufMetricsRequest(body) : decodeProtobufTraceRequest(body);
    } catch (error) {
      decodeError = error;
    }
    const plan = options.respond?.({ index, path: req.url }) ?? {};
    const status = plan.status ?? 200;
    const record = {
      index,
      method: req.method,
      path: req.url,
      headers: req.headers,
      body,
      decoded,
      decodeError,
      status,
      spans: decoded && status < 300 && !isMetricsPath(req.url) ? flattenTraceRequest(decoded) : [],
      metrics: decoded && status < 300 && isMetricsPath(req.url) ? flattenMetricsRequest(decoded) : [],
    };
    requests.push(record);
    if (plan.hang) {
      waiters.notify();
      return;
    }
    if (plan.dripIntervalMs) {
      res.writeHead(status, { "content-type": "application/json" });
      const drip = setInterval(() => res.write(" "), plan.dripIntervalMs);
      res.on("close", () => clearInterval(drip));
      waiters.notify();
      return;
    }
    if (plan.delayMs) await new Promise((resolve) => setTimeout(resolve, plan.delayMs));
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": contentType.includes("protobuf") ? "application/x-protobuf" : "application/json" });
    res.end(contentType.includes("protobuf") ? "" : "{}");
    waiters.notify();
  });
  const { port, url, close } = await listenOnLoopback(server);

  const receiver = {
    port,
    url,
    requests,
    /** Every span accepted so far (requests answered with a 2xx). */
    spans: () => requests.flatMap((request) => request.spans),
    /** Every metric of every metrics request accepted so far (a cumulative exporter repeats them). */
    metrics: () => requests.flatMap((request) => request.metrics),
    /** Resolves with the accepted spans once `predicate(spans)` holds; rejects after `timeoutMs`. */
    waitFor(predicate, timeoutMs = 15_000) {
      return waiters.waitFor(receiver.spans, (spans) => predicate(spans, requests), timeoutMs);
    },
    close,
  };
  return receiver;
}
