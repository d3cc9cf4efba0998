import { SystemFrame } from "./frame.js";

export class UserStartedSpeakingFrame extends SystemFrame {}

export class UserStoppedSpeakingFrame extends SystemFrame {}

export class BotStartedSpeakingFrame extends SystemFrame {}

export class BotStoppedSpeakingFrame extends SystemFrame {}

/** The VAD detected speech; `startSecs` is how long speech had to last before it said so. */
export class VADUserStartedSpeakingFrame extends SystemFrame {
  constructor(public startSecs: number = 0) {
    super();
  }
}

/**
 * The VAD detected the end of speech; `stopSecs` is how long it waited after the user really stopped
 * (real seconds), so the real stop is this frame's time minus `stopSecs`.
 */
export class VADUserStoppedSpeakingFrame extends SystemFrame {
  constructor(public stopSecs: number = 0) {
    super();
  }
}
