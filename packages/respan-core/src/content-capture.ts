/**
 * Whether span attributes may carry user content (function inputs and outputs), and how much of it.
 *
 * The switch is process-wide and kept on `globalThis` under a registry symbol, so the ESM and the CommonJS
 * build of this package (both may be loaded in one process) read and write the same value.
 */

import { warnOnce } from "./logger.js";
import { envBoolean } from "./validate.js";

/** Largest serialised input or output (in characters) written onto a span; larger content is dropped. */
export const MAX_CONTENT_LENGTH = 1_000_000;

/** Environment variable read when the switch was never set explicitly. */
const TRACE_CONTENT_ENV = "RESPAN_TRACE_CONTENT";

const TRACE_CONTENT_KEY = Symbol.for("@respan/core.traceContent");

type ContentSwitchHolder = { [TRACE_CONTENT_KEY]?: boolean };

const holder = globalThis as ContentSwitchHolder;

/** Turns content capture on or off for the whole process (overrides RESPAN_TRACE_CONTENT). */
export function setTraceContentEnabled(enabled: boolean): void {
  if (typeof enabled !== "boolean") {
    throw new TypeError(`[respan] setTraceContentEnabled expects a boolean (got ${typeof enabled})`);
  }
  holder[TRACE_CONTENT_KEY] = enabled;
}

/**
 * True unless content capture was switched off with setTraceContentEnabled(false) or, when never set,
 * with RESPAN_TRACE_CONTENT=false|0|no|off. A value of the variable that is not a boolean word fails
 * closed: no content, and one warning (never an error: this runs inside user calls).
 */
export function isTraceContentEnabled(): boolean {
  const explicit = holder[TRACE_CONTENT_KEY];
  if (explicit !== undefined) return explicit;
  let invalid = false;
  const fromEnv = envBoolean(process.env, TRACE_CONTENT_ENV, (problem) => {
    invalid = true;
    warnOnce(`${problem}; content capture is off until it is fixed`);
  });
  return invalid ? false : (fromEnv ?? true);
}
