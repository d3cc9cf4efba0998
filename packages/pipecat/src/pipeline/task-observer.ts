import type { FramePushed } from "../processors/frame-processor.js";

/** Watches every hop of a task's pipeline. Called synchronously, once per hop; must not block. */
export interface FrameObserver {
  onPushFrame(data: FramePushed): void | Promise<void>;
}
