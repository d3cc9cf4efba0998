/**
 * The offline default for metrics, beside the trace files and the terminal tree: at each flush (and at
 * shutdown) the metrics so far are written as one OTLP JSON file (an ExportMetricsServiceRequest, the
 * cumulative state of this process, rewritten in place) and summarised in the terminal. There is no
 * timer: nothing is collected between flushes. A flush that brings nothing new writes and prints nothing.
 */
import { MetricReader } from "@opentelemetry/sdk-metrics";
import { writeFileAtomically } from "../exporters/atomic-write.js";
import { toOtlpJsonMetricsRequest } from "../exporters/otlp-json.js";
import { describeError, type Logger } from "../logger.js";
import { renderMetricsSummary, summarizeMetrics } from "./metrics-summary.js";

export interface OfflineMetricsOutputs {
  /** Absolute path of the OTLP JSON metrics file; undefined for none. */
  file: string | undefined;
  /** Receives the summary text; undefined for none. */
  write: ((text: string) => void) | undefined;
  logger: Logger;
}

export class OfflineMetricsReader extends MetricReader {
  /** The last summary reported, to skip a flush that brought nothing new. */
  private lastReported = "";
  /** Reports run one after the other (a flush and the shutdown's report may overlap). */
  private reporting: Promise<void> = Promise.resolve();

  constructor(private readonly outputs: OfflineMetricsOutputs) {
    super();
  }

  protected override onForceFlush(): Promise<void> {
    return this.report();
  }

  protected override onShutdown(): Promise<void> {
    return this.report();
  }

  private report(): Promise<void> {
    this.reporting = this.reporting.then(() => this.reportNow()).catch((error: unknown) => {
      this.outputs.logger.warnOnce("metrics-report", `reporting metrics failed: ${describeError(error)}`);
    });
    return this.reporting;
  }

  private async reportNow(): Promise<void> {
    const { resourceMetrics, errors } = await this.collect();
    for (const error of errors) this.outputs.logger.warnOnce("metrics-collect", `collecting metrics failed: ${describeError(error)}`);
    const lines = summarizeMetrics(resourceMetrics);
    const signature = JSON.stringify(lines);
    if (lines.length === 0 || signature === this.lastReported) return;
    this.lastReported = signature;
    const { file, write, logger } = this.outputs;
    if (file !== undefined) {
      try {
        await writeFileAtomically(file, `${JSON.stringify(toOtlpJsonMetricsRequest(resourceMetrics), null, 2)}\n`);
      } catch (error) {
        logger.warnOnce("metrics-file", `writing the metrics file ${file} failed: ${describeError(error)}`);
      }
    }
    if (write !== undefined) {
      try {
        write(renderMetricsSummary(lines));
      } catch (error) {
        logger.warnOnce("metrics-summary", `printing the metrics summary failed: ${describeError(error)}`);
      }
    }
  }
}
