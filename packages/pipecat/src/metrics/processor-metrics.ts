import { ProcessingMetricsData, TTFBMetricsData } from "../frames/metrics.js";

/**
 * The timing half of a processor's metrics (TTFB and processing time), measured in real seconds so they
 * line up with wall-clock spans whatever clock the pipeline runs on.
 */
export class ProcessorTimingMetrics {
  #ttfbStart?: number;
  #processingStart?: number;
  #ttfbReported = false;

  constructor(private readonly processorName: string) {}

  startTtfb(reportOnlyInitialTtfb: boolean): void {
    if (reportOnlyInitialTtfb && this.#ttfbReported) return;
    this.#ttfbStart = performance.now();
  }

  stopTtfb(model: string | undefined): TTFBMetricsData | undefined {
    if (this.#ttfbStart === undefined) return undefined;
    const value = (performance.now() - this.#ttfbStart) / 1000;
    this.#ttfbStart = undefined;
    this.#ttfbReported = true;
    return new TTFBMetricsData(this.processorName, value, model);
  }

  startProcessing(): void {
    this.#processingStart = performance.now();
  }

  stopProcessing(model: string | undefined): ProcessingMetricsData | undefined {
    if (this.#processingStart === undefined) return undefined;
    const value = (performance.now() - this.#processingStart) / 1000;
    this.#processingStart = undefined;
    return new ProcessingMetricsData(this.processorName, value, model);
  }
}
