/**
 * The reverse of otlp-json.ts: spans received as an OTLP/HTTP JSON ExportTraceServiceRequest (e.g. from a
 * browser) turned back into ReadableSpans, so that a server can hand them to its own exporters and one
 * trace file or tree shows both halves of a call. Input is untrusted: a span without valid ids or times is
 * skipped (and counted), values are taken only in the shapes OTLP defines, and the count is bounded.
 */
import { TraceFlags, type Attributes, type AttributeValue, type HrTime, type Link, type SpanContext, type SpanStatus } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";

export interface OtlpJsonSpans {
  spans: ReadableSpan[];
  /** Spans of the request that were malformed or over `maxSpans`. */
  skipped: number;
}

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const NANOS = /^\d{1,20}$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);

type Json = Record<string, unknown>;

export function spansFromOtlpJson(request: unknown, maxSpans = 10_000): OtlpJsonSpans {
  const result: OtlpJsonSpans = { spans: [], skipped: 0 };
  for (const resourceSpans of arrayOf((request as Json | undefined)?.resourceSpans)) {
    const resource = resourceFromAttributes(attributesOf((resourceSpans as Json)?.resource && ((resourceSpans as Json).resource as Json).attributes));
    for (const scopeSpans of arrayOf((resourceSpans as Json)?.scopeSpans)) {
      const scope = ((scopeSpans as Json)?.scope ?? {}) as Json;
      const instrumentationScope = {
        name: typeof scope.name === "string" ? scope.name : "unknown",
        ...(typeof scope.version === "string" ? { version: scope.version } : {}),
      };
      for (const raw of arrayOf((scopeSpans as Json)?.spans)) {
        const span = result.spans.length < maxSpans ? spanOf(raw as Json, resource, instrumentationScope) : undefined;
        if (span === undefined) result.skipped += 1;
        else result.spans.push(span);
      }
    }
  }
  return result;
}

function spanOf(raw: Json, resource: ReadableSpan["resource"], instrumentationScope: ReadableSpan["instrumentationScope"]): ReadableSpan | undefined {
  const traceId = raw?.traceId;
  const spanId = raw?.spanId;
  if (typeof traceId !== "string" || !HEX_TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID) return undefined;
  if (typeof spanId !== "string" || !HEX_SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) return undefined;
  const startTime = hrTimeOf(raw.startTimeUnixNano);
  const endTime = hrTimeOf(raw.endTimeUnixNano);
  if (startTime === undefined || endTime === undefined || typeof raw.name !== "string") return undefined;
  const parentId = raw.parentSpanId;
  // The parent is local to the spans' own process (the browser): not a remote parent of this one.
  const parentSpanContext: SpanContext | undefined =
    typeof parentId === "string" && HEX_SPAN_ID.test(parentId) && parentId !== ZERO_SPAN_ID
      ? { traceId, spanId: parentId, traceFlags: TraceFlags.SAMPLED }
      : undefined;
  const context: SpanContext = { traceId, spanId, traceFlags: TraceFlags.SAMPLED };
  const status = (raw.status ?? {}) as Json;
  const events: TimedEvent[] = arrayOf(raw.events).flatMap((event) => {
    const time = hrTimeOf((event as Json)?.timeUnixNano);
    const name = (event as Json)?.name;
    return time === undefined || typeof name !== "string" ? [] : [{ time, name, attributes: attributesOf((event as Json).attributes) }];
  });
  const links: Link[] = arrayOf(raw.links).flatMap((link) => {
    const linkTrace = (link as Json)?.traceId;
    const linkSpan = (link as Json)?.spanId;
    if (typeof linkTrace !== "string" || !HEX_TRACE_ID.test(linkTrace) || typeof linkSpan !== "string" || !HEX_SPAN_ID.test(linkSpan)) return [];
    return [{ context: { traceId: linkTrace, spanId: linkSpan, traceFlags: TraceFlags.SAMPLED }, attributes: attributesOf((link as Json).attributes) }];
  });
  const durationNanos = toNanos(endTime) - toNanos(startTime);
  return {
    name: raw.name,
    // OTLP numbers span kinds from 1 (internal); OpenTelemetry JS from 0.
    kind: typeof raw.kind === "number" && raw.kind >= 1 && raw.kind <= 5 ? raw.kind - 1 : 0,
    spanContext: () => context,
    parentSpanContext,
    startTime,
    endTime,
    status: { code: status.code === 1 || status.code === 2 ? status.code : 0, ...(typeof status.message === "string" ? { message: status.message } : {}) } as SpanStatus,
    attributes: attributesOf(raw.attributes),
    links,
    events,
    duration: fromNanos(durationNanos > 0n ? durationNanos : 0n),
    ended: true,
    resource,
    instrumentationScope,
    droppedAttributesCount: countOf(raw.droppedAttributesCount),
    droppedEventsCount: countOf(raw.droppedEventsCount),
    droppedLinksCount: countOf(raw.droppedLinksCount),
  };
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function countOf(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

function hrTimeOf(value: unknown): HrTime | undefined {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !NANOS.test(text)) return undefined;
  return fromNanos(BigInt(text));
}

function toNanos(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

function fromNanos(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

function attributesOf(list: unknown): Attributes {
  const attributes: Attributes = {};
  for (const item of arrayOf(list)) {
    const key = (item as Json)?.key;
    if (typeof key !== "string" || key === "") continue;
    const value = attributeValueOf((item as Json).value);
    if (value !== undefined) attributes[key] = value;
  }
  return attributes;
}

function attributeValueOf(value: unknown): AttributeValue | undefined {
  const scalar = scalarOf(value);
  if (scalar !== undefined) return scalar;
  const values = ((value as Json | undefined)?.arrayValue as Json | undefined)?.values;
  if (Array.isArray(values)) {
    const items = values.map(scalarOf).filter((item) => item !== undefined);
    const kinds = new Set(items.map((item) => typeof item));
    if (kinds.size <= 1) return items as AttributeValue;
    return JSON.stringify(items);
  }
  if ((value as Json | undefined)?.kvlistValue !== undefined) return JSON.stringify(attributesOf(((value as Json).kvlistValue as Json)?.values));
  return undefined;
}

function scalarOf(value: unknown): string | number | boolean | undefined {
  const v = value as Json | undefined;
  if (typeof v?.stringValue === "string") return v.stringValue;
  if (typeof v?.boolValue === "boolean") return v.boolValue;
  if (typeof v?.doubleValue === "number") return v.doubleValue;
  if (typeof v?.intValue === "number" && Number.isSafeInteger(v.intValue)) return v.intValue;
  if (typeof v?.intValue === "string" && /^-?\d{1,16}$/.test(v.intValue)) return Number(v.intValue);
  return undefined;
}
