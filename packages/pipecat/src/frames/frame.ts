import { nextObjectId, nextObjectName } from "../utils/ids.js";

/** Base of every frame: what flows through a pipeline. */
export class Frame {
  /** Process-unique, increasing. */
  readonly id: number;
  /** "ClassName#n". */
  readonly name: string;
  /** Presentation timestamp in nanoseconds, when a processor sets one. */
  pts?: number;
  metadata: Record<string, unknown> = {};
  /** Set on both copies of a broadcast frame: the id of the other copy. */
  broadcastSiblingId?: number;

  constructor() {
    this.id = nextObjectId();
    this.name = nextObjectName(new.target.name);
  }

  /** Uninterruptible frames survive the queue flush an interruption causes (function-call frames). */
  get uninterruptible(): boolean {
    return false;
  }

  toString(): string {
    return this.name;
  }
}

/** Out-of-band frames: processed as soon as they arrive, never queued behind data. */
export class SystemFrame extends Frame {}

/** Content frames, processed in order and dropped by an interruption. */
export class DataFrame extends Frame {}

/** Control frames, processed in order with data frames and dropped by an interruption. */
export class ControlFrame extends Frame {}
