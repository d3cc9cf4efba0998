import type { Clock } from "../clock.js";
import { BaseOutputTransport } from "./base-output.js";

/**
 * The speaker side of the simulated transport: plays bot audio in real time on the clock, whole frames
 * at a time, with nobody listening (see BaseOutputTransport for the speaking frames and interruptions).
 */
export class SimulatedOutputTransport extends BaseOutputTransport {
  constructor(botStopSilenceMs: number, name?: string, clock?: Clock) {
    super({ botStopSilenceMs, chunkMs: Number.POSITIVE_INFINITY, leadMs: 0 }, { name, clock });
  }
}
