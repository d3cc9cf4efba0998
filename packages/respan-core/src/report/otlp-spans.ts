/**
 * Reads spans out of OTLP JSON trace requests (ExportTraceServiceRequest), as this package's trace files
 * hold them and as an OpenTelemetry Collector's file exporter writes them (one request per line). The
 * result is plain data: hex ids, nanosecond times as bigint, attribute values as JSON values.
 */

export type SpanValue = string | number | boolean | null | SpanValue[] | { [key: string]: SpanValue };

export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OpenTelemetry span kind, e.g. "SERVER", "CLIENT" ("INTERNAL" when absent). */
  kind: string;
  startNs: bigint;
  endNs: bigint;
  /** Set when the span's status is ERROR: its message, or "error". */
  error: string | undefined;
  attributes: Record<string, SpanValue>;
  events: Array<{ name: string; timeNs: bigint; attributes: Record<string, SpanValue> }>;
  /** The `service.name` of the span's resource ("unknown_service" when it has none). */
  service: string;
}

interface OtlpKeyValue {
  key?: string;
  value?: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: string | number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  events?: Array<{ name?: string; timeUnixNano?: string | number; attributes?: OtlpKeyValue[] }>;
  status?: { code?: number | string; message?: string };
}
interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

const SPAN_KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
const STATUS_CODE_ERROR = 2;

function anyValue(value: OtlpAnyValue | undefined): SpanValue {
  if (value === undefined || value === null) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return keyValues(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function keyValues(list: OtlpKeyValue[] | undefined): Record<string, SpanValue> {
  const out: Record<string, SpanValue> = {};
  for (const item of list ?? []) if (typeof item?.key === "string") out[item.key] = anyValue(item.value);
  return out;
}

/** OTLP JSON ids are hex; protobuf-style JSON (some tools) writes them in base64. */
function hexId(id: string | undefined): string | undefined {
  if (typeof id !== "string" || id === "") return undefined;
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  return Buffer.from(id, "base64").toString("hex");
}

function nanos(value: string | number | undefined): bigint {
  if (typeof value === "number") return BigInt(Math.round(value));
  try {
    return typeof value === "string" ? BigInt(value) : 0n;
  } catch {
    return 0n;
  }
}

function spanKind(kind: number | string | undefined): string {
  if (typeof kind === "string") return kind.replace(/^SPAN_KIND_/, "");
  return SPAN_KINDS[kind ?? 1] ?? "INTERNAL";
}

function isErrorStatus(code: number | string | undefined): boolean {
  return code === STATUS_CODE_ERROR || code === "STATUS_CODE_ERROR";
}

/** Every span of one OTLP JSON request. Malformed parts are skipped, never thrown on. */
export function spansOfRequest(request: unknown): TraceSpan[] {
  return [...iterateSpans(request)];
}

/** Every span of one OTLP JSON request, one at a time (so that a caller can pause between spans). */
export function* iterateSpans(request: unknown): Generator<TraceSpan> {
  const resourceSpans = (request as OtlpRequest | null)?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return;
  for (const resourceSpan of resourceSpans) {
    const resource = keyValues(resourceSpan?.resource?.attributes);
    const service = typeof resource["service.name"] === "string" ? resource["service.name"] : "unknown_service";
    for (const scopeSpan of resourceSpan?.scopeSpans ?? []) {
      for (const span of scopeSpan?.spans ?? []) {
        const traceId = hexId(span.traceId);
        const spanId = hexId(span.spanId);
        if (traceId === undefined || spanId === undefined) continue;
        const startNs = nanos(span.startTimeUnixNano);
        yield {
          traceId,
          spanId,
          parentSpanId: hexId(span.parentSpanId),
          name: typeof span.name === "string" ? span.name : "(unnamed)",
          kind: spanKind(span.kind),
          startNs,
          endNs: span.endTimeUnixNano === undefined ? startNs : nanos(span.endTimeUnixNano),
          error: isErrorStatus(span.status?.code) ? span.status?.message || "error" : undefined,
          attributes: keyValues(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: typeof event.name === "string" ? event.name : "(unnamed)",
            timeNs: nanos(event.timeUnixNano),
            attributes: keyValues(event.attributes),
          })),
          service,
        };
      }
    }
  }
}

/**
 * The requests in a trace file's text: one JSON document, or JSON lines (the Collector's file exporter).
 * Throws when the text is neither.
 */
export function parseTraceFileText(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    return [JSON.parse(trimmed)];
  } catch {
    return trimmed
      .split(/\r?\n/)
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as unknown);
  }
}
