/**
 * Option checks shared by session capture's public constructors and functions: a bad value fails fast with
 * an error naming the owner, the option and what it accepts.
 */

export class SessionOptionError extends TypeError {
  override name = "SessionOptionError";
}

export function invalidOption(owner: string, option: string, accepted: string, value: unknown): never {
  throw new SessionOptionError(`[respan] ${owner} option "${option}": expected ${accepted}, got ${describeValue(value)}`);
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  return typeof value === "object" ? "an object" : String(value);
}

export function positiveIntegerOption(owner: string, option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) invalidOption(owner, option, "a positive integer", value);
  return value as number;
}

export function nonNegativeNumberOption(owner: string, option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) invalidOption(owner, option, "a number >= 0", value);
  return value;
}

export function booleanOption(owner: string, option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") invalidOption(owner, option, "true or false", value);
  return value;
}

/** A sample rate the recorder accepts: an integer number of Hz in [1000, 384000]. */
export function isSampleRate(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1000 && value <= 384_000;
}

export function sampleRateOption(owner: string, option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isSampleRate(value)) invalidOption(owner, option, "a sample rate in Hz (an integer between 1000 and 384000)", value);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
