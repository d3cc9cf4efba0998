import { ControlFrame } from "./frame.js";

/** Opens a TTS audio context (one per LLM response). */
export class TTSStartedFrame extends ControlFrame {
  constructor(public contextId: string) {
    super();
  }
}

/** Closes a TTS audio context. */
export class TTSStoppedFrame extends ControlFrame {
  constructor(public contextId: string) {
    super();
  }
}
