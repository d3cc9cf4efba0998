/**
 * The offline metrics report, printed after the trace tree: one line per metric (and per operation,
 * token type or service kind) with count, p50, p95 and max for histograms and the total for counters.
 * Histograms keep only bucket counts, so p50 and p95 are estimated inside their bucket (linear, and never
 * outside the recorded min and max); count, max and totals are exact.
 */
import type { Attributes } from "@opentelemetry/api";
import { DataPointType, type Histogram, type MetricData, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { formatDuration } from "../exporters/tree-printer.js";
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_TOKEN_TYPE, ATTR_PIPECAT_SERVICE_KIND } from "@respan/semconv-pipecat";

export interface SummaryLine {
  /** Metric name, plus the operation, token type or service kind the line is about. */
  label: string;
  kind: "histogram" | "counter";
  unit: string;
  count?: number;
  p50?: number;
  p95?: number;
  max?: number;
  total?: number;
}

/** The value under which a fraction `quantile` of the histogram's measurements lie, estimated from its buckets. */
export function histogramQuantile(histogram: Histogram, quantile: number): number | undefined {
  const { count, min, max } = histogram;
  if (count === 0) return undefined;
  const { boundaries, counts } = histogram.buckets;
  const rank = quantile * count;
  let below = 0;
  for (let index = 0; index < counts.length; index++) {
    const inBucket = counts[index] ?? 0;
    if (inBucket === 0 || below + inBucket < rank) {
      below += inBucket;
      continue;
    }
    const lower = Math.max(index === 0 ? Number.NEGATIVE_INFINITY : (boundaries[index - 1] as number), min ?? Number.NEGATIVE_INFINITY);
    const upper = Math.min(index === boundaries.length ? Number.POSITIVE_INFINITY : (boundaries[index] as number), max ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(lower)) return upper;
    if (!Number.isFinite(upper)) return lower;
    return lower + (upper - lower) * Math.min(1, Math.max(0, (rank - below) / inBucket));
  }
  return max;
}

/**
 * Attributes whose values get a line each: what was measured (chat vs tts, input vs output tokens). All
 * other attributes (provider, model, interrupted, end reason...) are merged into that line.
 */
const SPLIT_KEYS = [ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_TOKEN_TYPE, ATTR_PIPECAT_SERVICE_KIND];

/** One line per metric and value of the split keys, in the order the metrics were created. */
export function summarizeMetrics(resourceMetrics: ResourceMetrics): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) lines.push(...summarizeMetric(metric));
  }
  return lines;
}

function labelOf(name: string, attributes: Attributes): string {
  const values = SPLIT_KEYS.map((key) => attributes[key]).filter((value) => value !== undefined);
  return values.length === 0 ? name : `${name} ${values.map(String).join(" ")}`;
}

function summarizeMetric(metric: MetricData): SummaryLine[] {
  const { name, unit } = metric.descriptor;
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM: {
      const merged = new Map<string, Histogram>();
      for (const point of metric.dataPoints) {
        const label = labelOf(name, point.attributes);
        const earlier = merged.get(label);
        merged.set(label, earlier === undefined ? point.value : mergeHistograms(earlier, point.value));
      }
      return [...merged]
        .filter(([, histogram]) => histogram.count > 0)
        .map(([label, histogram]) => ({
          label,
          kind: "histogram",
          unit,
          count: histogram.count,
          p50: histogramQuantile(histogram, 0.5),
          p95: histogramQuantile(histogram, 0.95),
          max: histogram.max,
        }));
    }
    case DataPointType.SUM: {
      const totals = new Map<string, number>();
      for (const point of metric.dataPoints) {
        const label = labelOf(name, point.attributes);
        totals.set(label, (totals.get(label) ?? 0) + point.value);
      }
      return [...totals].map(([label, total]) => ({ label, kind: "counter", unit, total }));
    }
    default:
      return [];
  }
}

/** Two series of one histogram (same bucket boundaries) as one. */
function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  return {
    buckets: { boundaries: a.buckets.boundaries, counts: a.buckets.counts.map((count, index) => count + (b.buckets.counts[index] ?? 0)) },
    count: a.count + b.count,
    sum: (a.sum ?? 0) + (b.sum ?? 0),
    min: a.min === undefined ? b.min : b.min === undefined ? a.min : Math.min(a.min, b.min),
    max: a.max === undefined ? b.max : b.max === undefined ? a.max : Math.max(a.max, b.max),
  };
}

/** The report as text (a header and one line per series), or "" when nothing was recorded. */
export function renderMetricsSummary(lines: readonly SummaryLine[]): string {
  if (lines.length === 0) return "";
  const width = Math.min(64, Math.max(...lines.map((line) => line.label.length)));
  const out = ["── metrics (p50/p95 estimated from histogram buckets)"];
  for (const line of lines) {
    const label = line.label.length > width ? `${line.label.slice(0, width - 1)}…` : line.label.padEnd(width);
    if (line.kind === "counter") {
      out.push(`${label}  total ${formatValue(line.total, line.unit)}`);
    } else {
      const count = `count ${String(line.count)}`.padEnd(10);
      const stats = [`p50 ${formatValue(line.p50, line.unit)}`, `p95 ${formatValue(line.p95, line.unit)}`, `max ${formatValue(line.max, line.unit)}`];
      out.push(`${label}  ${count} ${stats.map((stat) => stat.padEnd(13)).join(" ").trimEnd()}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** Seconds as a duration ("168ms"); other units as a number with the unit's annotation ("{token}" → "tokens"). */
function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined) return "-";
  if (unit === "s") return formatDuration(value * 1000);
  // An annotation counts things ("{token}"): an estimated percentile is shown as a whole number of them.
  const annotation = /^\{(.+)\}$/.exec(unit)?.[1];
  if (annotation !== undefined) {
    const count = Math.round(value);
    return `${count} ${annotation}${count === 1 ? "" : "s"}`;
  }
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit === "" || unit === "1" ? rounded : `${rounded} ${unit}`;
}
