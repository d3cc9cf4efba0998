import { optionError } from "../utils/validate.js";

/** One thing the simulated user says. */
export interface SimulatedUtterance {
  text: string;
  /** How long the user speaks, in clock ms. Default: 60 ms per character, at least 400 ms. */
  durationMs?: number;
  /** Silence between the bot's reply and the user speaking, in clock ms. Default 400. */
  pauseMs?: number;
  /**
   * Barge in: start speaking this many clock ms after the bot starts its next reply instead of waiting
   * for the reply to end.
   */
  interruptAfterMs?: number;
}

/** What the simulated user says, in order. Shared by the SimulatedTransport and the ScriptedSTTService. */
export type UserScript = ReadonlyArray<string | SimulatedUtterance>;

const MS_PER_CHARACTER = 60;
const MIN_UTTERANCE_MS = 400;
const DEFAULT_PAUSE_MS = 400;

/** Checks a user script and fills in its defaults. */
export function normalizeUserScript(owner: string, script: unknown): Array<Required<Omit<SimulatedUtterance, "interruptAfterMs">> & SimulatedUtterance> {
  if (!Array.isArray(script)) throw optionError(owner, "script", "an array of utterances (strings or { text, ... })", script);
  return script.map((item: unknown, index) => {
    const utterance = typeof item === "string" ? { text: item } : (item as SimulatedUtterance);
    if (utterance === null || typeof utterance !== "object" || typeof utterance.text !== "string" || utterance.text.trim() === "") {
      throw optionError(owner, `script[${index}]`, "a non-empty string or { text: non-empty string, ... }", item);
    }
    for (const key of ["durationMs", "pauseMs", "interruptAfterMs"] as const) {
      const value = utterance[key];
      if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
        throw optionError(owner, `script[${index}].${key}`, "a finite number of milliseconds >= 0", value);
      }
    }
    return {
      ...utterance,
      durationMs: utterance.durationMs ?? Math.max(MIN_UTTERANCE_MS, utterance.text.length * MS_PER_CHARACTER),
      pauseMs: utterance.pauseMs ?? DEFAULT_PAUSE_MS,
    };
  });
}
