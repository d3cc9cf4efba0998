import { samplesFor, sineTone } from "../../utils/pcm.js";
import { nonNegativeNumber, positiveNumber } from "../../utils/validate.js";
import { TTSService, type TTSServiceOptions } from "../tts-service.js";

export interface ToneTTSServiceOptions extends TTSServiceOptions {
  /** Clock ms before the first audio of each piece of text. Default 120. */
  ttfbMs?: number;
  /** Clock ms of audio per character of text. Default 55. */
  msPerCharacter?: number;
  /** Length of each audio frame in ms. Default 100. */
  chunkMs?: number;
  /** Tone frequency. Default 440 Hz. */
  frequencyHz?: number;
}

/**
 * Offline TTS: "speaks" text as a PCM16 sine tone at the configured sample rate, lasting in proportion to
 * the text, in `chunkMs` frames produced faster than real time (the output transport paces playback).
 */
export class ToneTTSService extends TTSService {
  readonly ttfbMs: number;
  readonly msPerCharacter: number;
  readonly chunkMs: number;
  readonly frequencyHz: number;
  readonly #chunks = new Map<number, Uint8Array>();

  constructor(options: ToneTTSServiceOptions = {}) {
    super(options, { model: "sine-tone", voiceId: "tone-a4" });
    this.ttfbMs = nonNegativeNumber(this.name, "ttfbMs", options.ttfbMs ?? 120);
    this.msPerCharacter = positiveNumber(this.name, "msPerCharacter", options.msPerCharacter ?? 55);
    this.chunkMs = positiveNumber(this.name, "chunkMs", options.chunkMs ?? 100);
    this.frequencyHz = positiveNumber(this.name, "frequencyHz", options.frequencyHz ?? 440);
  }

  // The first audio comes after `ttfbMs`, then all of it at once: one wait per text, not one per chunk.
  protected async runTts(text: string, _contextId: string): Promise<Iterable<Uint8Array>> {
    await this.clock.sleep(this.ttfbMs, this.interruptionSignal);
    return this.#tone(text);
  }

  *#tone(text: string): Iterable<Uint8Array> {
    const sampleRate = this.sampleRate;
    const chunk = this.#chunk(sampleRate);
    let remaining = samplesFor(sampleRate, text.length * this.msPerCharacter);
    while (remaining > 0) {
      const samples = Math.min(remaining, chunk.byteLength / 2);
      remaining -= samples;
      yield chunk.slice(0, samples * 2);
    }
  }

  // One chunk of tone per sample rate, copied per frame: the tone never changes, so it is computed once.
  #chunk(sampleRate: number): Uint8Array {
    let chunk = this.#chunks.get(sampleRate);
    if (!chunk) {
      chunk = sineTone(sampleRate, samplesFor(sampleRate, this.chunkMs), this.frequencyHz, 0.2);
      this.#chunks.set(sampleRate, chunk);
    }
    return chunk;
  }
}
