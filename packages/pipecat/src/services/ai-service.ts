import { FrameProcessor, type FrameProcessorOptions } from "../processors/frame-processor.js";

export interface AIServiceOptions extends FrameProcessorOptions {
  /** The model name reported by the service and its metrics. */
  model?: string;
}

/** Base of the model-backed services: they have a model and they measure themselves. */
export class AIService extends FrameProcessor {
  model: string;

  constructor(options: AIServiceOptions = {}, defaultModel = "") {
    super(options);
    if (options.model !== undefined && (typeof options.model !== "string" || options.model === "")) {
      throw new Error(`${this.name}: "model" must be a non-empty string, got ${String(options.model)}`);
    }
    this.model = options.model ?? defaultModel;
  }

  override canGenerateMetrics(): boolean {
    return true;
  }

  protected override get metricsModel(): string | undefined {
    return this.model || undefined;
  }
}
