/*
 * The one parser of boolean environment variables, with the spellings @respan/core accepts, so every
 * variable of the product reads the same words.
 */

const TRUE_WORDS: readonly string[] = ["true", "1", "yes", "on"];
const FALSE_WORDS: readonly string[] = ["false", "0", "no", "off"];

/** What a boolean variable accepts, for messages. */
export const BOOLEAN_WORDS = `${TRUE_WORDS.join("/")} or ${FALSE_WORDS.join("/")} (any case)`;

/**
 * Parses a boolean environment variable (case-insensitive, surrounding spaces ignored). Undefined when unset
 * or empty; `onInvalid` is called, and undefined returned, for any other word.
 */
export function parseEnvBoolean(raw: string | undefined, onInvalid: (raw: string) => void): boolean | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === "") return undefined;
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  onInvalid(raw);
  return undefined;
}
