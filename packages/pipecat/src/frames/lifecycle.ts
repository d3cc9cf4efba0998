import type { FrameProcessor } from "../processors/frame-processor.js";
import { ControlFrame, SystemFrame } from "./frame.js";

export interface StartFrameParams {
  audioInSampleRate: number;
  audioOutSampleRate: number;
  allowInterruptions: boolean;
  enableMetrics: boolean;
  enableUsageMetrics: boolean;
  reportOnlyInitialTtfb: boolean;
}

/** The task parameters with their defaults filled in. */
export function resolveStartParams(params: Partial<StartFrameParams> = {}): StartFrameParams {
  return {
    audioInSampleRate: params.audioInSampleRate ?? 16000,
    audioOutSampleRate: params.audioOutSampleRate ?? 24000,
    allowInterruptions: params.allowInterruptions ?? true,
    enableMetrics: params.enableMetrics ?? false,
    enableUsageMetrics: params.enableUsageMetrics ?? false,
    reportOnlyInitialTtfb: params.reportOnlyInitialTtfb ?? false,
  };
}

/** The first frame of every pipeline run; carries the task's parameters to every processor. */
export class StartFrame extends SystemFrame implements StartFrameParams {
  audioInSampleRate: number;
  audioOutSampleRate: number;
  allowInterruptions: boolean;
  enableMetrics: boolean;
  enableUsageMetrics: boolean;
  reportOnlyInitialTtfb: boolean;

  constructor(params: Partial<StartFrameParams> = {}) {
    super();
    const resolved = resolveStartParams(params);
    this.audioInSampleRate = resolved.audioInSampleRate;
    this.audioOutSampleRate = resolved.audioOutSampleRate;
    this.allowInterruptions = resolved.allowInterruptions;
    this.enableMetrics = resolved.enableMetrics;
    this.enableUsageMetrics = resolved.enableUsageMetrics;
    this.reportOnlyInitialTtfb = resolved.reportOnlyInitialTtfb;
  }
}

/** Ends the pipeline gracefully: queued frames are processed first. */
export class EndFrame extends ControlFrame {
  constructor(public reason?: string) {
    super();
  }
}

/** Stops the pipeline now, dropping queued frames. */
export class CancelFrame extends SystemFrame {
  constructor(public reason?: string) {
    super();
  }
}

export interface ErrorFrameOptions {
  fatal?: boolean;
  processor?: FrameProcessor;
}

/** A processor failed. Travels upstream to the task; a fatal one ends the task. */
export class ErrorFrame extends SystemFrame {
  error: string;
  fatal: boolean;
  processor?: FrameProcessor;

  constructor(error: string, options: ErrorFrameOptions = {}) {
    super();
    this.error = error;
    this.fatal = options.fatal ?? false;
    this.processor = options.processor;
  }
}

/** The user barged in: processors drop queued data and stop what they are producing. */
export class InterruptionFrame extends SystemFrame {}

/** Pushed upstream by a processor to ask the task to end gracefully (the task queues an EndFrame). */
export class EndTaskFrame extends SystemFrame {
  constructor(public reason?: string) {
    super();
  }
}

/** Pushed upstream by a processor to ask the task to cancel. */
export class CancelTaskFrame extends SystemFrame {
  constructor(public reason?: string) {
    super();
  }
}
