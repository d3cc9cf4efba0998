import { nextObjectId, nextObjectName } from "../utils/ids.js";

/** Base of every frame: what flows through a pipeline. */
export class Frame {
  // Fields are assigned in the constructor, not declared with initializers: a class field is defined on
  // objects of every frame class, which V8 handles several times slower than plain assignments.
  /** Process-unique, increasing. */
  declare readonly id: number;
  /** "ClassName#n". */
  declare readonly name: string;
  /** Presentation timestamp in nanoseconds, when a processor sets one. */
  declare pts?: number;
  declare metadata: Record<string, unknown>;
  /** Set on both copies of a broadcast frame: the id of the other copy. */
  declare broadcastSiblingId?: number;

  constructor() {
    (this as { id: number }).id = nextObjectId();
    (this as { name: string }).name = nextObjectName(new.target.name);
    this.pts = undefined;
    this.metadata = {};
    this.broadcastSiblingId = undefined;
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
