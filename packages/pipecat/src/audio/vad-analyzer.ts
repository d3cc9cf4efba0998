import { optionsObject, positiveNumber, nonNegativeNumber, optionError } from "../utils/validate.js";

/** Pipecat's VAD parameters. */
export interface VADParams {
  /** Speech confidence a window needs to count as speech (0..1). Default 0.7. */
  confidence?: number;
  /** Seconds of speech before the user is said to have started speaking. Default 0.2. */
  startSecs?: number;
  /** Seconds of silence before the user is said to have stopped speaking. Default 0.8. */
  stopSecs?: number;
  /** Smoothed volume a window needs to count as speech (0..1). Default 0.6. */
  minVolume?: number;
}

/** The parameters with Pipecat's defaults filled in; throws on an invalid one. */
export function resolveVADParams(params?: VADParams): Required<VADParams> {
  const p = optionsObject("EnergyVADAnalyzer", params);
  return {
    confidence: unitInterval("confidence", p.confidence ?? 0.7),
    startSecs: nonNegativeNumber("EnergyVADAnalyzer", "startSecs", p.startSecs ?? 0.2),
    stopSecs: nonNegativeNumber("EnergyVADAnalyzer", "stopSecs", p.stopSecs ?? 0.8),
    minVolume: unitInterval("minVolume", p.minVolume ?? 0.6),
  };
}

/** Pipecat's VAD states: the user is quiet, may be starting, is speaking, or may be stopping. */
export type VADState = "quiet" | "starting" | "speaking" | "stopping";

/** Length of one analysis window. */
const WINDOW_SECS = 0.02;
/** Weight of the newest window in the smoothed volume (Pipecat smooths its volume the same way). */
const VOLUME_SMOOTHING = 0.2;
/** Loudness mapped to level 0 and to level 1: quiet rooms sit below the first, close speech near the second. */
const SILENT_DBFS = -50;
const LOUD_DBFS = -20;

/** A window's RMS loudness on a 0..1 scale: 0 at -50 dBFS or below, 1 at -20 dBFS or above. */
export function loudnessLevel(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / samples.length) / 32768;
  if (rms === 0) return 0;
  const dbfs = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (dbfs - SILENT_DBFS) / (LOUD_DBFS - SILENT_DBFS)));
}

/**
 * A voice-activity detector on signal energy, with Pipecat's parameters and state machine. PCM16 mono is
 * cut into 20 ms windows; a window is speech when its loudness level (the confidence) reaches
 * `confidence` and the smoothed level (the volume) reaches `minVolume`. `startSecs` of speech windows
 * turn "starting" into "speaking"; `stopSecs` of other windows turn "stopping" into "quiet". Energy
 * cannot tell a voice from other loud sound: in a noisy room, raise `minVolume`.
 */
export class EnergyVADAnalyzer {
  readonly sampleRate: number;
  readonly params: Required<VADParams>;
  readonly #windowBytes: number;
  readonly #startWindows: number;
  readonly #stopWindows: number;
  #pending = new Uint8Array(0);
  #state: VADState = "quiet";
  #count = 0;
  #volume = 0;

  constructor(sampleRate: number, params?: VADParams) {
    this.sampleRate = positiveNumber("EnergyVADAnalyzer", "sampleRate", sampleRate);
    this.params = resolveVADParams(params);
    const windowSamples = Math.max(1, Math.round(sampleRate * WINDOW_SECS));
    this.#windowBytes = windowSamples * 2;
    const windowSecs = windowSamples / sampleRate;
    this.#startWindows = Math.max(1, Math.round(this.params.startSecs / windowSecs));
    this.#stopWindows = Math.max(1, Math.round(this.params.stopSecs / windowSecs));
  }

  get state(): VADState {
    return this.#state;
  }

  /** Feeds PCM16 LE mono audio (any length); returns the state after the last complete window. */
  analyze(audio: Uint8Array): VADState {
    let data = audio;
    if (this.#pending.byteLength > 0) {
      data = new Uint8Array(this.#pending.byteLength + audio.byteLength);
      data.set(this.#pending);
      data.set(audio, this.#pending.byteLength);
    }
    let offset = 0;
    for (; offset + this.#windowBytes <= data.byteLength; offset += this.#windowBytes) {
      const window = new Int16Array(this.#windowBytes / 2);
      const view = new DataView(data.buffer, data.byteOffset + offset, this.#windowBytes);
      for (let i = 0; i < window.length; i++) window[i] = view.getInt16(i * 2, true);
      this.#step(loudnessLevel(window));
    }
    this.#pending = data.slice(offset);
    return this.#state;
  }

  #step(level: number): void {
    this.#volume = VOLUME_SMOOTHING * level + (1 - VOLUME_SMOOTHING) * this.#volume;
    const speech = level >= this.params.confidence && this.#volume >= this.params.minVolume;
    if (speech) {
      if (this.#state === "quiet") this.#enter("starting");
      else if (this.#state === "stopping") this.#enter("speaking");
      else if (this.#state === "starting") this.#count += 1;
      if (this.#state === "starting" && this.#count >= this.#startWindows) this.#enter("speaking");
    } else {
      if (this.#state === "starting") this.#enter("quiet");
      else if (this.#state === "speaking") this.#enter("stopping");
      else if (this.#state === "stopping") this.#count += 1;
      if (this.#state === "stopping" && this.#count >= this.#stopWindows) this.#enter("quiet");
    }
  }

  #enter(state: VADState): void {
    this.#state = state;
    this.#count = state === "starting" || state === "stopping" ? 1 : 0;
  }
}

function unitInterval(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw optionError("EnergyVADAnalyzer", option, "a number from 0 to 1", value);
  }
  return value;
}
