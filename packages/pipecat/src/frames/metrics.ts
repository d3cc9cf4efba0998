import { SystemFrame } from "./frame.js";

/** One measurement by one processor. */
export abstract class MetricsData<V = unknown> {
  constructor(
    /** Name of the processor that measured it. */
    public processor: string,
    public value: V,
    public model?: string,
  ) {}
}

/** Time to first byte, in seconds. */
export class TTFBMetricsData extends MetricsData<number> {}

/** Processing time, in seconds. */
export class ProcessingMetricsData extends MetricsData<number> {}

export interface LLMTokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
}

export class LLMUsageMetricsData extends MetricsData<LLMTokenUsage> {}

/** Characters synthesized. */
export class TTSUsageMetricsData extends MetricsData<number> {}

export class STTUsageMetricsData extends MetricsData<{ audioSeconds: number }> {}

export class MetricsFrame extends SystemFrame {
  constructor(public data: MetricsData[]) {
    super();
  }
}
