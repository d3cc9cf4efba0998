/**
 * The SDK's own diagnostics: "[respan]"-prefixed lines on the console, filtered by level, with every
 * secret (the API key) masked before anything is printed, and one-shot warnings for recurring faults.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
const REDACTED = "[redacted]";

export class Logger {
  private readonly secrets: string[];
  private readonly warnedKeys = new Set<string>();

  constructor(
    private readonly level: LogLevel,
    secrets: ReadonlyArray<string | undefined> = [],
  ) {
    this.secrets = secrets.filter((secret): secret is string => typeof secret === "string" && secret.length > 0);
  }

  debug(message: string): void {
    if (this.enabled("debug")) console.debug(this.format(message));
  }

  info(message: string): void {
    if (this.enabled("info")) console.info(this.format(message));
  }

  warn(message: string): void {
    if (this.enabled("warn")) console.warn(this.format(message));
  }

  error(message: string): void {
    if (this.enabled("error")) console.error(this.format(message));
  }

  /** Warns the first time `key` is seen; later calls with the same key are silent. */
  warnOnce(key: string, message: string): void {
    if (this.warnedKeys.has(key)) return;
    this.warnedKeys.add(key);
    this.warn(message);
  }

  private enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  private format(message: string): string {
    let text = message;
    for (const secret of this.secrets) text = text.split(secret).join(REDACTED);
    return `[respan] ${text}`;
  }
}

/** Message of an unknown thrown value, for log lines; never throws itself. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.message || error.name;
    return String(error);
  } catch {
    return "unreadable error";
  }
}

// Warnings of code that runs without a client's Logger (propagateAttributes, the content switch): each
// distinct message is printed once per process, and a bounded set keeps a flood of distinct messages
// from growing memory.
const MAX_DISTINCT_WARNINGS = 200;
const warned = new Set<string>();

/** Prints `[respan] <message>` on console.warn the first time this message is seen in the process. */
export function warnOnce(message: string): void {
  if (warned.has(message) || warned.size >= MAX_DISTINCT_WARNINGS) return;
  warned.add(message);
  try {
    console.warn(`[respan] ${message}`);
  } catch {
    // A replaced console that throws must not break the caller's function.
  }
}
