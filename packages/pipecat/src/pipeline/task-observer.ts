import type { Frame } from "../frames/frame.js";
import type { FramePushed } from "../processors/frame-processor.js";

/** A frame class (abstract ones included), as an observer names the frames it wants. */
export type FrameClass = abstract new (...args: never[]) => Frame;

/** Watches the hops of a task's pipeline. Called synchronously, once per hop; must not block. */
export interface FrameObserver {
  onPushFrame(data: FramePushed): void | Promise<void>;
  /**
   * The frame classes this observer wants (their subclasses included), read when the observer is added.
   * Hops of other frames are not reported to it, and a hop no observer wants costs no allocation and no
   * clock read: an observer that does not want audio leaves the 20 ms audio frames alone. Absent: every hop.
   */
  readonly frameTypes?: readonly FrameClass[];
}
