import { ATTR_TURN_USER_BOT_LATENCY_SECONDS } from "@respan/semconv-pipecat";
import type { TracedSpan } from "./spans/traced-span.js";
import { secondsBetween } from "./utils.js";

/**
 * The latency the user feels in one turn: from the moment they really stopped speaking (the VAD's stop
 * minus its `stopSecs` wait, else UserStoppedSpeaking) to the bot starting to speak, plus the first
 * time-to-first-byte of each service in the turn — where that time went.
 */
export class TurnLatency {
  private userStoppedAtMs: number | undefined;
  private stopFromVad = false;
  /** Set once the bot first starts speaking after the user stopped. */
  userBotLatencySeconds: number | undefined;

  constructor(private readonly turn: TracedSpan) {}

  userStartedSpeaking(): void {
    this.userStoppedAtMs = undefined;
    this.stopFromVad = false;
  }

  /** `atMs` already back-dated by the VAD's `stopSecs`. */
  vadUserStopped(atMs: number): void {
    this.userStoppedAtMs = atMs;
    this.stopFromVad = true;
  }

  userStopped(atMs: number): void {
    if (!this.stopFromVad) this.userStoppedAtMs = atMs;
  }

  botStartedSpeaking(atMs: number): void {
    if (this.userBotLatencySeconds !== undefined || this.userStoppedAtMs === undefined) return;
    this.userBotLatencySeconds = secondsBetween(this.userStoppedAtMs, atMs);
    this.turn.set(ATTR_TURN_USER_BOT_LATENCY_SECONDS, this.userBotLatencySeconds);
  }

  /** The first TTFB of a span kind in the turn, under that kind's `turnTtfbKey`. */
  ttfb(key: string, seconds: number): void {
    this.turn.setIfAbsent(key, seconds);
  }
}
