import { type Clock, clockOption } from "../clock.js";
import { normalizeUserScript, type UserScript } from "../script/user-script.js";
import { BaseObject } from "../utils/base-object.js";
import { booleanOption, nonNegativeNumber, optionError, positiveNumber } from "../utils/validate.js";
import { SimulatedInputTransport } from "./simulated-input.js";
import { SimulatedOutputTransport } from "./simulated-output.js";

export interface SimulatedTransportOptions {
  /** What the user says (share it with ScriptedSTTService). */
  script: UserScript;
  /** Clock for both sides; default the task's clock. */
  clock?: Clock;
  /** User audio sample rate; default the task's audioInSampleRate. */
  sampleRate?: number;
  /** VAD timings in clock seconds. Defaults: startSecs 0.2, stopSecs 0.8 (Pipecat's). */
  vad?: { startSecs?: number; stopSecs?: number };
  /** Clock ms the user waits for the bot to (start to) reply before going on. Default 30000. */
  replyTimeoutMs?: number;
  /** Clock ms of silence after which the bot has stopped speaking. Default 350. */
  botStopSilenceMs?: number;
  /** The bot greets first: the first utterance waits for the greeting. Default true. */
  botSpeaksFirst?: boolean;
  /** Ask the task to end (EndTaskFrame) after the bot answers the last utterance. Default true. */
  endWhenDone?: boolean;
}

/**
 * A transport with a scripted user at the other end: `input()` is the first processor of a pipeline
 * (the user's microphone), `output()` the one after the TTS (the bot's speaker).
 */
export class SimulatedTransport extends BaseObject {
  readonly #input: SimulatedInputTransport;
  readonly #output: SimulatedOutputTransport;

  constructor(options: SimulatedTransportOptions) {
    super();
    if (options === null || typeof options !== "object") {
      throw optionError(this.name, "options", 'an object with a "script"', options);
    }
    const vad = options.vad ?? {};
    if (vad === null || typeof vad !== "object") throw optionError(this.name, "vad", "{ startSecs?, stopSecs? }", vad);
    const clock = clockOption(this.name, "clock", options.clock);
    const settings = {
      utterances: normalizeUserScript(this.name, options.script),
      sampleRate: options.sampleRate === undefined ? undefined : positiveNumber(this.name, "sampleRate", options.sampleRate),
      vadStartSecs: nonNegativeNumber(this.name, "vad.startSecs", vad.startSecs ?? 0.2),
      vadStopSecs: nonNegativeNumber(this.name, "vad.stopSecs", vad.stopSecs ?? 0.8),
      replyTimeoutMs: positiveNumber(this.name, "replyTimeoutMs", options.replyTimeoutMs ?? 30000),
      botSpeaksFirst: booleanOption(this.name, "botSpeaksFirst", options.botSpeaksFirst ?? true),
      endWhenDone: booleanOption(this.name, "endWhenDone", options.endWhenDone ?? true),
    };
    const botStopSilenceMs = positiveNumber(this.name, "botStopSilenceMs", options.botStopSilenceMs ?? 350);
    this.#input = new SimulatedInputTransport(settings, `${this.name}::Input`, clock);
    this.#output = new SimulatedOutputTransport(botStopSilenceMs, `${this.name}::Output`, clock);
  }

  /** The processor that plays the scripted user into the pipeline. */
  input(): SimulatedInputTransport {
    return this.#input;
  }

  /** The processor that plays the bot's audio. */
  output(): SimulatedOutputTransport {
    return this.#output;
  }
}
