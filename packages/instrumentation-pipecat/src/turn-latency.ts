import {
  ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
  ATTR_TURN_USER_BOT_LATENCY_SECONDS,
} from "./attribute-keys.js";
import type { TracedSpan } from "./spans/traced-span.js";
import { secondsBetween } from "./utils.js";

export type ServiceKind = "stt" | "llm" | "tts";

const TTFB_KEYS: Record<ServiceKind, string> = {
  stt: ATTR_TURN_LATENCY_STT_TTFB_SECONDS,
  llm: ATTR_TURN_LATENCY_LLM_TTFB_SECONDS,
  tts: ATTR_TURN_LATENCY_TTS_TTFB_SECONDS,
};

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

  ttfb(kind: ServiceKind, seconds: number): void {
    this.turn.setIfAbsent(TTFB_KEYS[kind], seconds);
  }
}
