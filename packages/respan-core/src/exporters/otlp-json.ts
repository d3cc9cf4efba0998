/**
 * OTLP JSON in its canonical form. OpenTelemetry's JsonTraceSerializer / JsonMetricsSerializer build the
 * request (grouping by resource and scope, hex ids, nanosecond timestamps as strings) but write 64-bit
 * integer values as JSON numbers; the OTLP/JSON mapping (and Respan's ingestion) expects them as strings,
 * `{"intValue": "42"}`. This module applies that one correction on top of OpenTelemetry's serializers.
 */
import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  type IExportTraceServiceResponse,
  type ISerializer,
} from "@opentelemetry/otlp-transformer";
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { Buffer } from "node:buffer";

const decoder = new TextDecoder();

/**
 * Where the serializers write an integer value as a JSON number: `"intValue":42` (attributes, both signals)
 * and `"asInt":42` (metric points). Quotes inside JSON strings are escaped, so these byte sequences can only
 * be the keys themselves, never text inside an attribute value.
 */
const INT_VALUE_KEY = Buffer.from('"intValue":');
const AS_INT_KEY = Buffer.from('"asInt":');
const INT_KEYS = { traces: [INT_VALUE_KEY], metrics: [INT_VALUE_KEY, AS_INT_KEY] };
const QUOTE = 0x22;

/** The bytes JSON.stringify writes for a finite number: digits, sign, decimal point, exponent. */
function isNumberByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x65 || byte === 0x45;
}

/**
 * The serializer's output with the integer values after `key` quoted, worked on the bytes: a native search
 * for the key, then one copy of the body into a buffer two bytes longer per value, without decoding the
 * body to text and encoding it again (this runs on every export, on the application's thread). The input
 * itself when there is nothing to quote.
 */
function quoteIntegersAfter(body: Buffer, key: Buffer): Buffer {
  // Start and end of each number to quote, in pairs.
  const numbers: number[] = [];
  for (let match = body.indexOf(key); match !== -1; ) {
    const numberStart = match + key.length;
    let numberEnd = numberStart;
    while (numberEnd < body.length && isNumberByte(body[numberEnd] as number)) numberEnd += 1;
    // `null` (a non-finite number) or a value already written as a string: left as it is.
    if (numberEnd > numberStart) numbers.push(numberStart, numberEnd);
    match = body.indexOf(key, numberEnd);
  }
  if (numbers.length === 0) return body;
  const quoted = Buffer.allocUnsafe(body.length + numbers.length);
  let written = 0;
  let copied = 0;
  for (let i = 0; i < numbers.length; i += 2) {
    const numberStart = numbers[i] as number;
    const numberEnd = numbers[i + 1] as number;
    written += body.copy(quoted, written, copied, numberStart);
    quoted[written++] = QUOTE;
    written += body.copy(quoted, written, numberStart, numberEnd);
    quoted[written++] = QUOTE;
    copied = numberEnd;
  }
  body.copy(quoted, written, copied);
  return quoted;
}

/** A serializer's output (of `signal`) as canonical OTLP JSON bytes: its integer values as strings. */
export function canonicalJsonBytes(bytes: Uint8Array, signal: keyof typeof INT_KEYS): Uint8Array {
  let body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of INT_KEYS[signal]) body = quoteIntegersAfter(body, key);
  return body;
}

/** The ExportTraceServiceRequest for `spans` as a plain object, or undefined when there is nothing to send. */
export function toOtlpJsonRequest(spans: ReadableSpan[]): { resourceSpans?: unknown[] } | undefined {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  return bytes === undefined ? undefined : JSON.parse(decoder.decode(canonicalJsonBytes(bytes, "traces")));
}

/** The ExportMetricsServiceRequest for one collection, as a plain object. */
export function toOtlpJsonMetricsRequest(resourceMetrics: ResourceMetrics): { resourceMetrics?: unknown[] } {
  const bytes = JsonMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array;
  return JSON.parse(decoder.decode(canonicalJsonBytes(bytes, "metrics")));
}

/** JsonTraceSerializer with integer attribute values encoded as strings. */
export const CanonicalJsonTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest(spans) {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    return bytes === undefined ? undefined : canonicalJsonBytes(bytes, "traces");
  },
  deserializeResponse(data) {
    return JsonTraceSerializer.deserializeResponse(data);
  },
};
