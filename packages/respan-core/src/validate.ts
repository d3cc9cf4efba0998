/**
 * The small input checks every part of this package shares: plain objects, positive integers, and the
 * one parser of boolean environment variables (RESPAN_*), so each variable accepts the same words.
 */

export type Env = Record<string, string | undefined>;

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];
const BOOLEAN_WORDS = `${TRUE_WORDS.join("/")} or ${FALSE_WORDS.join("/")}`;

/** Throws the package's validation error: `Respan: <subject> must be <expected>; got <actual>`. */
export function fail(subject: string, expected: string, actual: unknown): never {
  throw new Error(`Respan: ${describeProblem(subject, expected, actual)}`);
}

function describeProblem(subject: string, expected: string, actual: unknown): string {
  return `${subject} must be ${expected}; got ${describeValue(actual)}`;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return `${typeof value} ${String(value)}`;
}

/** An object literal (or Object.create(null)): not an array, class instance, Map, Date... */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** Reads an environment variable, trimmed; empty or blank counts as unset. */
export function envValue(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** True for the words that switch a directory variable off: false/0/no/off or none (any case). */
export function isDisabledWord(value: string): boolean {
  const word = value.trim().toLowerCase();
  return word === "none" || FALSE_WORDS.includes(word);
}

/**
 * A boolean environment variable: true/1/yes/on or false/0/no/off (any case, surrounding blanks
 * ignored); undefined when unset or empty. Any other value is a problem naming the variable and the
 * accepted words, handed to `onInvalid` (then the variable counts as unset). By default it throws: the
 * client reports bad configuration at construction; code that runs inside user calls warns instead.
 */
export function envBoolean(
  env: Env,
  name: string,
  onInvalid: (problem: string) => void = (problem) => {
    throw new Error(`Respan: ${problem}`);
  },
): boolean | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const word = raw.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  onInvalid(describeProblem(`environment variable ${name}`, BOOLEAN_WORDS, raw));
  return undefined;
}
