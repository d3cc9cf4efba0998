import { ATTR_TURN_USER_BOT_LATENCY_SECONDS } from "@respan/semconv-pipecat";
import type { TracedSpan } from "./spans/traced-span.js";
import { secondsBetween } from "./utils.js";

/**
 * The latency the user feels in one turn, as Pipecat measures it: from the moment they really stopped
 * speaking (the VAD's stop minus its `stopSecs` wait, else UserStoppedSpeaking) to the bot starting to
 * speak — the last such measurement of the turn — plus the first time-to-first-byte of each service since
 * the turn's work last restarted (an interruption or the user speaking again throws away the cancelled
 * run's figures, as Pipecat resets its accumulators).
 */
export class TurnLatency {
  private userStoppedAtMs: number | undefined;
  private stopFromVad = false;
  /** The turn attributes (one per span kind) whose TTFB is already recorded since the last reset. */
  private readonly ttfbRecorded = new Set<string>();
  /** The latest user-stop -> bot-speech latency of the turn. */
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

  /** Measures once per user stop: a second bot start without a new stop measures nothing. */
  botStartedSpeaking(atMs: number): void {
    if (this.userStoppedAtMs === undefined) return;
    this.userBotLatencySeconds = secondsBetween(this.userStoppedAtMs, atMs);
    this.userStoppedAtMs = undefined;
    this.turn.set(ATTR_TURN_USER_BOT_LATENCY_SECONDS, this.userBotLatencySeconds);
  }

  /** The first TTFB of a span kind in the turn since the last reset, under that kind's `turnTtfbKey`. */
  ttfb(key: string, seconds: number): void {
    if (this.ttfbRecorded.has(key)) return;
    this.ttfbRecorded.add(key);
    this.turn.set(key, seconds);
  }

  /** An interruption or the VAD hearing the user again: the next runs' TTFBs replace the cancelled ones. */
  resetAccumulators(): void {
    this.ttfbRecorded.clear();
  }
}
