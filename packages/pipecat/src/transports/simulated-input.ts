import type { Clock } from "../clock.js";
import { InputAudioRawFrame } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { EndFrame, EndTaskFrame, StartFrame } from "../frames/lifecycle.js";
import { FrameDirection } from "../processors/frame-direction.js";
import type { SimulatedUtterance } from "../script/user-script.js";
import { childAbortController } from "../utils/abortable.js";
import { andThen, DONE } from "../utils/done.js";
import { samplesFor, sineTone } from "../utils/pcm.js";
import { BaseInputTransport } from "./base-input.js";

/** Settings the input side needs from its SimulatedTransport. */
export interface SimulatedInputSettings {
  utterances: Array<SimulatedUtterance & { durationMs: number; pauseMs: number }>;
  sampleRate?: number;
  vadStartSecs: number;
  vadStopSecs: number;
  replyTimeoutMs: number;
  botSpeaksFirst: boolean;
  endWhenDone: boolean;
}

const CHUNK_MS = 20;

/**
 * The microphone side of the simulated transport: plays the scripted user. Per utterance it pushes
 * VADUserStartedSpeaking + UserStartedSpeaking (+ InterruptionFrame if the bot is speaking and
 * interruptions are allowed), 20 ms InputAudioRawFrames, then, `vadStopSecs` after the speech,
 * VADUserStoppedSpeaking + UserStoppedSpeaking. It waits (bounded) for the bot's reply before the next
 * utterance, and asks the task to end after the last reply. It learns about the bot from the
 * BotStarted/StoppedSpeakingFrames the output side pushes upstream.
 * Events: onScriptFinished(input).
 */
export class SimulatedInputTransport extends BaseInputTransport {
  #botStarts = 0;
  #botStops = 0;
  #waiters: Array<() => void> = [];
  #audio?: { sampleRate: number; chunk: Uint8Array };
  #player?: AbortController;

  constructor(
    private readonly settings: SimulatedInputSettings,
    name?: string,
    clock?: Clock,
  ) {
    super({ name, clock });
    this.registerEvent("onScriptFinished");
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof EndFrame) this.#player?.abort();
    const pushed = super.processFrame(frame, direction);
    return frame instanceof StartFrame ? andThen(pushed, () => this.#startPlayer()) : pushed;
  }

  #startPlayer(): void {
    this.runInBackground(async (lifetime) => {
      const player = childAbortController(lifetime);
      this.#player = player;
      try {
        await this.#playScript(player.signal);
      } catch (error) {
        if (!player.signal.aborted) throw error;
      } finally {
        player.dispose();
      }
    });
  }

  protected override onBotSpeaking(speaking: boolean): void {
    if (speaking) this.#botStarts += 1;
    else this.#botStops += 1;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #playScript(signal: AbortSignal): Promise<void> {
    const { utterances } = this.settings;
    let stopsBefore = this.settings.botSpeaksFirst ? 0 : -1;
    for (const [index, utterance] of utterances.entries()) {
      if (utterance.interruptAfterMs !== undefined) {
        const startsBefore = this.#botStarts;
        await this.#waitForBot(() => this.#botStarts > startsBefore, `start replying before utterance ${index}`, signal);
        await this.clock.sleep(utterance.interruptAfterMs, signal);
      } else if (stopsBefore >= 0) {
        await this.#waitForReply(stopsBefore, utterance.pauseMs, `reply before utterance ${index}`, signal);
      }
      await this.#speak(utterance, signal);
      stopsBefore = this.#botStops;
    }
    await this.#waitForReply(stopsBefore, 0, "reply to the last utterance", signal);
    await this.emit("onScriptFinished");
    if (this.settings.endWhenDone) await this.pushFrame(new EndTaskFrame("simulated user finished"), FrameDirection.UPSTREAM);
  }

  /** Waits until the bot has finished a reply since `stopsBefore` and stays quiet for `pauseMs`. */
  async #waitForReply(stopsBefore: number, pauseMs: number, what: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      await this.#waitForBot(() => this.#botStops > stopsBefore && !this.botSpeaking, what, signal);
      await this.clock.sleep(pauseMs, signal);
      if (!this.botSpeaking) return;
    }
  }

  /** Waits (at most `replyTimeoutMs` on the clock) for `condition`; on timeout reports it and goes on. */
  async #waitForBot(condition: () => boolean, what: string, signal: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + this.settings.replyTimeoutMs;
    while (!condition()) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) {
        await this.pushError(`the bot did not ${what} within ${this.settings.replyTimeoutMs} ms`);
        return;
      }
      const timer = childAbortController(signal);
      const changed = new Promise<void>((resolve) => this.#waiters.push(resolve));
      const timedOut = this.clock.sleep(remaining, timer.signal).catch(() => undefined);
      await Promise.race([changed, timedOut]);
      timer.abort();
      timer.dispose();
      signal.throwIfAborted();
    }
  }

  async #speak(utterance: SimulatedUtterance & { durationMs: number }, signal: AbortSignal): Promise<void> {
    const { vadStartSecs, vadStopSecs } = this.settings;
    const sampleRate = this.settings.sampleRate ?? this.startParams?.audioInSampleRate ?? 16000;
    const audio = this.#audioChunk(sampleRate);
    await this.pushUserStartedSpeaking(this.clock.toRealSeconds(vadStartSecs));
    for (let spoken = 0; spoken < utterance.durationMs; spoken += CHUNK_MS) {
      await this.clock.sleep(CHUNK_MS, signal);
      // One frame every 20 ms: no `await` (and no promise) unless the push has something to wait for.
      const pushed = this.pushFrame(new InputAudioRawFrame({ audio, sampleRate, numChannels: 1 }));
      if (pushed !== DONE) await pushed;
    }
    await this.clock.sleep(vadStopSecs * 1000, signal);
    await this.pushUserStoppedSpeaking(this.clock.toRealSeconds(vadStopSecs));
  }

  // Every user-audio frame shares one read-only 20 ms buffer: the simulated voice is a quiet constant tone.
  #audioChunk(sampleRate: number): Uint8Array {
    if (this.#audio?.sampleRate !== sampleRate) {
      this.#audio = { sampleRate, chunk: sineTone(sampleRate, samplesFor(sampleRate, CHUNK_MS), 220, 0.05) };
    }
    return this.#audio.chunk;
  }
}
