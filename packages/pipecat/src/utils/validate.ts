// Constructor-option checks: fail fast with an error naming the option and what is accepted.

/** A short description of a bad value for an error message (never its whole content). */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

export function optionError(owner: string, option: string, accepted: string, value: unknown): Error {
  return new Error(`${owner}: "${option}" must be ${accepted}, got ${describeValue(value)}`);
}

export function positiveNumber(owner: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw optionError(owner, option, "a positive finite number", value);
  }
  return value;
}

export function nonNegativeNumber(owner: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw optionError(owner, option, "a finite number >= 0", value);
  }
  return value;
}

export function positiveInteger(owner: string, option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw optionError(owner, option, "a positive integer", value);
  }
  return value;
}

export function nonEmptyString(owner: string, option: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw optionError(owner, option, "a non-empty string", value);
  }
  return value;
}

export function booleanOption(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw optionError(owner, option, "true or false", value);
  return value;
}

/** Options objects themselves: undefined means "all defaults"; anything else must be a plain object. */
export function optionsObject<T extends object>(owner: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${owner}: options must be an object, got ${describeValue(value)}`);
  }
  return value;
}
