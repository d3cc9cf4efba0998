/*
 * Lookup tables built once from the registered span kinds, so that the tracer's dispatch costs an array
 * index per frame, never a search through the kinds.
 */
import { FrameKind, MetricKind } from "./class-names.js";
import type { BeginServiceCall } from "./service-calls.js";
import type { SpanKindDefinition } from "./spans/span-kind.js";
import { SPAN_KINDS } from "./spans/registry.js";

const FRAME_KIND_COUNT = Math.max(...Object.values(FrameKind)) + 1;
const METRIC_KIND_COUNT = Math.max(...Object.values(MetricKind)) + 1;

function indexBy(count: number, keysOf: (definition: SpanKindDefinition) => readonly number[] | undefined): number[][] {
  const table: number[][] = Array.from({ length: count }, () => []);
  SPAN_KINDS.forEach((definition, index) => {
    for (const key of keysOf(definition) ?? []) table[key]!.push(index);
  });
  return table;
}

/** For each frame kind, the span kinds (indexes into SPAN_KINDS) given its first hop. */
export const FIRST_HOP_HANDLERS: readonly (readonly number[])[] = indexBy(FRAME_KIND_COUNT, (d) => d.frames);
/** For each frame kind, the span kinds given its every hop. */
export const EVERY_HOP_HANDLERS: readonly (readonly number[])[] = indexBy(FRAME_KIND_COUNT, (d) => d.everyHopFrames);
/** For each metric kind, the span kinds that record it. */
export const USAGE_HANDLERS: readonly (readonly number[])[] = indexBy(
  METRIC_KIND_COUNT,
  (d) => (d.usageMetric === undefined ? undefined : [d.usageMetric]),
);

/** Service roles whose processors metrics and errors may name. */
export const SERVICE_ROLES = SPAN_KINDS.reduce((roles, d) => roles | (d.serviceRole ?? 0), 0);

/** A runtime method to wrap for a span kind, with what its calls run in. */
export interface ServiceCallTarget {
  className: string;
  method: string;
  begin: BeginServiceCall;
}

export const SERVICE_CALL_TARGETS: readonly ServiceCallTarget[] = SPAN_KINDS.flatMap((definition, index) =>
  (definition.serviceCalls ?? []).map((call) => ({
    className: call.className,
    method: call.method,
    begin: (tracer, service, args) => tracer.beginServiceCall(index, call.begin, service, args),
  } satisfies ServiceCallTarget)),
);
