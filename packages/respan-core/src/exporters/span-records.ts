/**
 * Finished spans as plain data that `postMessage` can copy to a worker thread, or JSON can write to the
 * spool of held spans (held-span-spool.ts), and back. A ReadableSpan carries methods (`spanContext()`, a
 * TraceState's `serialize()`) and shares its resource and scope objects between spans; the records carry the
 * same fields as data, with each resource and scope sent once per batch. What comes back behaves as the original spans do for the Respan translation and OpenTelemetry's
 * OTLP serializer: the same bytes on the wire (test/span-records.test.mjs compares them).
 */
import { createTraceState, type Attributes, type HrTime, type SpanContext, type SpanKind, type SpanStatus } from "@opentelemetry/api";
import type { InstrumentationScope } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";

interface SpanContextRecord {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote: boolean | undefined;
  /** The TraceState, serialised (`key=value,...`). */
  traceState: string | undefined;
}

interface LinkRecord {
  context: SpanContextRecord;
  attributes: Attributes | undefined;
  droppedAttributesCount: number | undefined;
}

export interface SpanRecord {
  name: string;
  kind: SpanKind;
  context: SpanContextRecord;
  parent: SpanContextRecord | undefined;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  events: TimedEvent[];
  links: LinkRecord[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

interface ResourceRecord {
  attributes: Attributes;
  schemaUrl: string | undefined;
}

export interface SpanRecordBatch {
  resources: ResourceRecord[];
  scopes: InstrumentationScope[];
  /** Each with indexes into the batch's `resources` and `scopes`. */
  spans: Array<SpanRecord & { resource: number; scope: number }>;
}

function toContextRecord(spanContext: SpanContext): SpanContextRecord {
  return {
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    traceFlags: spanContext.traceFlags,
    isRemote: spanContext.isRemote,
    traceState: spanContext.traceState?.serialize(),
  };
}

function fromContextRecord(record: SpanContextRecord): SpanContext {
  const spanContext: SpanContext = { traceId: record.traceId, spanId: record.spanId, traceFlags: record.traceFlags };
  if (record.isRemote !== undefined) spanContext.isRemote = record.isRemote;
  if (record.traceState !== undefined) spanContext.traceState = createTraceState(record.traceState);
  return spanContext;
}

/** Index of `value` in `list`, added the first time it is seen (spans of a batch share a few of each). */
function indexOf<T, R>(value: T, seen: Map<T, number>, list: R[], toRecord: (value: T) => R): number {
  let index = seen.get(value);
  if (index === undefined) {
    index = list.push(toRecord(value)) - 1;
    seen.set(value, index);
  }
  return index;
}

/**
 * One span as plain data, without its resource and scope (a batch indexes them; the spool of held spans
 * keeps the scope and puts the trace's resource back), plus `extra` fields. Attribute values and events are
 * plain data already and are passed as they are.
 */
export function toSpanRecord<Extra extends object>(span: ReadableSpan, extra: Extra): SpanRecord & Extra {
  return {
    name: span.name,
    kind: span.kind,
    context: toContextRecord(span.spanContext()),
    parent: span.parentSpanContext === undefined ? undefined : toContextRecord(span.parentSpanContext),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    events: span.events,
    links: span.links.length === 0 ? [] : span.links.map((link) => ({ context: toContextRecord(link.context), attributes: link.attributes, droppedAttributesCount: link.droppedAttributesCount })),
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    ...extra,
  };
}

/** The span a record was made from, with the resource and scope it belongs to. */
export function fromSpanRecord(record: SpanRecord, resource: Resource, scope: InstrumentationScope): ReadableSpan {
  const spanContext = fromContextRecord(record.context);
  return {
    name: record.name,
    kind: record.kind,
    spanContext: () => spanContext,
    parentSpanContext: record.parent === undefined ? undefined : fromContextRecord(record.parent),
    startTime: record.startTime,
    endTime: record.endTime,
    duration: record.duration,
    status: record.status,
    attributes: record.attributes,
    events: record.events,
    links: record.links.map((link) => ({ context: fromContextRecord(link.context), attributes: link.attributes, droppedAttributesCount: link.droppedAttributesCount })),
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: record.droppedAttributesCount,
    droppedEventsCount: record.droppedEventsCount,
    droppedLinksCount: record.droppedLinksCount,
  };
}

/** The batch as plain data, each resource and scope once. */
export function toSpanRecords(spans: readonly ReadableSpan[]): SpanRecordBatch {
  const batch: SpanRecordBatch = { resources: [], scopes: [], spans: new Array(spans.length) };
  const resources = new Map<Resource, number>();
  const scopes = new Map<InstrumentationScope, number>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as ReadableSpan;
    batch.spans[i] = toSpanRecord(span, {
      resource: indexOf(span.resource, resources, batch.resources, (resource) => ({ attributes: resource.attributes, schemaUrl: resource.schemaUrl })),
      scope: indexOf(span.instrumentationScope, scopes, batch.scopes, (scope) => scope),
    });
  }
  return batch;
}

/**
 * Spans read from records: the fields the translation and the OTLP serializer read, one resource object per
 * resource record (the serializer groups spans by resource identity).
 */
export function fromSpanRecords(batch: SpanRecordBatch): ReadableSpan[] {
  // Only `attributes` and `schemaUrl` of a resource are read on this side; the rest of the interface is
  // the SDK's, for resources being built, not exported.
  const resources = batch.resources.map((record) => ({ ...record, asyncAttributesPending: false }) as unknown as Resource);
  return batch.spans.map((record) => fromSpanRecord(record, resources[record.resource] as Resource, batch.scopes[record.scope] as InstrumentationScope));
}
