/**
 * The offline metrics report: one line per metric series (a metric and one set of attribute values) with
 * count, p50, p95 and max for histograms and the total for counters, printed after the trace tree.
 * Histograms keep only bucket counts, so p50 and p95 are estimated inside their bucket (linear, and never
 * outside the recorded min and max); count, max and totals are exact.
 */
import type { Attributes } from "@opentelemetry/api";
import { DataPointType, type Histogram, type MetricData, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { formatDuration } from "../exporters/tree-printer.js";

export interface SummaryLine {
  /** Metric name plus the attribute values that tell this series from the metric's other series. */
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

/** The series of a collection, in the order the metrics were created. */
export function summarizeMetrics(resourceMetrics: ResourceMetrics): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) lines.push(...summarizeMetric(metric));
  }
  return lines;
}

function summarizeMetric(metric: MetricData): SummaryLine[] {
  const { name, unit } = metric.descriptor;
  const distinguishing = varyingKeys(metric.dataPoints.map((point) => point.attributes));
  const labelOf = (attributes: Attributes) => {
    const values = distinguishing.map((key) => attributes[key]).filter((value) => value !== undefined);
    return values.length === 0 ? name : `${name} ${values.map(String).join(" ")}`;
  };
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      return metric.dataPoints
        .filter((point) => point.value.count > 0)
        .map((point) => ({
          label: labelOf(point.attributes),
          kind: "histogram",
          unit,
          count: point.value.count,
          p50: histogramQuantile(point.value, 0.5),
          p95: histogramQuantile(point.value, 0.95),
          max: point.value.max,
        }));
    case DataPointType.SUM:
      return metric.dataPoints.map((point) => ({ label: labelOf(point.attributes), kind: "counter", unit, total: point.value }));
    default:
      return [];
  }
}

/** Attribute keys whose values differ between a metric's series (the ones worth printing). */
function varyingKeys(attributeSets: Attributes[]): string[] {
  if (attributeSets.length < 2) return [];
  const keys = new Set(attributeSets.flatMap((attributes) => Object.keys(attributes)));
  return [...keys].filter((key) => new Set(attributeSets.map((attributes) => String(attributes[key]))).size > 1);
}

/** The report as text (a header and one line per series), or "" when nothing was recorded. */
export function renderMetricsSummary(lines: readonly SummaryLine[]): string {
  if (lines.length === 0) return "";
  const width = Math.min(64, Math.max(...lines.map((line) => line.label.length)));
  const out = [`── metrics · ${lines.length} series (p50/p95 estimated from histogram buckets)`];
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
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(2);
  const annotation = /^\{(.+)\}$/.exec(unit)?.[1];
  if (annotation !== undefined) return `${rounded} ${annotation}${value === 1 ? "" : "s"}`;
  return unit === "" || unit === "1" ? rounded : `${rounded} ${unit}`;
}
