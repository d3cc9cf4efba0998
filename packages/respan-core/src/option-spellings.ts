/**
 * The other spellings of options that users bring along, and the error for an option nobody spells so.
 *
 * Respan's own JavaScript SDK names some options differently (`baseURL`, `disableBatch`, `tracingEnabled`,
 * `instrumentModules`) and takes snake_case keys in `propagateAttributes` (`customer_identifier`, ...).
 * Both are accepted here and rewritten to this package's names, so code moving over keeps working. Any
 * other unknown name is a TypeError naming it and the closest known option: a typo such as
 * `traceContnet` must not silently leave content capture at its default.
 */

import type { RespanOptions, RespanSdkOptionSpellings } from "./options.js";

/** Respan JS SDK option -> this package's option, with how its value translates (keys: the typed spellings). */
const CLIENT_ALIASES: Readonly<
  Record<keyof RespanSdkOptionSpellings, { option: keyof RespanOptions; translate: (value: unknown) => unknown }>
> = {
  baseURL: { option: "baseUrl", translate: (value) => value },
  tracingEnabled: { option: "enabled", translate: (value) => value },
  // `disableBatch: true` sends each span as it ends: batching off.
  disableBatch: { option: "batching", translate: (value) => (typeof value === "boolean" ? !value : value) },
};

/** snake_case propagateAttributes keys (Respan's other SDKs) -> the camelCase names used here. */
const ATTRIBUTE_ALIASES: Readonly<Record<keyof SnakeCaseAttributes, string>> = {
  customer_identifier: "customerIdentifier",
  customer_email: "customerEmail",
  customer_name: "customerName",
  thread_identifier: "threadIdentifier",
  session_identifier: "sessionIdentifier",
  custom_identifier: "customIdentifier",
  trace_group_identifier: "traceGroupIdentifier",
};

/** propagateAttributes keys as Respan's other SDKs spell them; each means its camelCase twin. */
export interface SnakeCaseAttributes {
  customer_identifier?: string;
  customer_email?: string;
  customer_name?: string;
  thread_identifier?: string;
  session_identifier?: string;
  custom_identifier?: string;
  trace_group_identifier?: string;
}

/**
 * The options with the Respan JS SDK spellings rewritten to this package's names. Giving both spellings
 * of one option is an error (which one was meant is unknowable).
 */
export function withCanonicalOptionNames(options: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...options };
  for (const [alias, { option, translate }] of Object.entries(CLIENT_ALIASES)) {
    if (!(alias in result)) continue;
    if (result[option] !== undefined) {
      throw new TypeError(`Respan: options "${alias}" and "${option}" both given; use "${option}" alone`);
    }
    const value = result[alias];
    delete result[alias];
    if (value !== undefined) result[option] = translate(value);
  }
  return result;
}

/** The camelCase name of a propagated attribute given in snake_case; other keys unchanged. */
export function canonicalAttributeName(key: string): string {
  return (ATTRIBUTE_ALIASES as Readonly<Record<string, string>>)[key] ?? key;
}

/**
 * Throws a TypeError for the first key of `given` that is not in `known`, naming the closest known one:
 * `<owner>: unknown option "captureContnet" (did you mean "captureContent"?)`.
 */
export function rejectUnknownOptions(owner: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const nearest = nearestName(key, known);
    const hint = nearest === undefined ? `known options: ${known.join(", ")}` : `did you mean "${nearest}"?`;
    throw new TypeError(`${owner}: unknown option "${key}" (${hint})`);
  }
}

/** The known name closest to `name` (case-insensitive edit distance), if any is reasonably close. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Beyond about a third of the name, a "suggestion" is noise rather than help.
  return bestDistance <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
