import { appendFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import type { ErrorReporter } from "./error-reporter.js";
import { UPSTREAM, type Direction } from "./internal-types.js";
import { readString } from "./utils.js";

const FLUSH_INTERVAL_MS = 1000;
/** Lines held between flushes at most; beyond that hops are counted, not logged. */
const MAX_BUFFERED_LINES = 20_000;
const EAGER_FLUSH_LINES = 2_000;

function nameOf(value: unknown): string {
  const name = readString(value, "name", "name");
  if (name !== undefined) return name;
  const ctor = (value as { constructor?: { name?: string } } | null | undefined)?.constructor;
  return ctor?.name ?? String(value);
}

/**
 * The `debugLogFilename` option: one line per observed frame hop
 * (`<ISO time> <source> -> <destination> <frame> <direction>`), appended to the file off the hot path:
 * lines are buffered and written asynchronously every second (or sooner when many are waiting), at the
 * end of each conversation and, synchronously, when the process exits.
 */
export class DebugLog {
  private lines: string[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly onExit = (): void => this.flushSync();

  constructor(
    readonly filename: string,
    private readonly errors: ErrorReporter,
  ) {
    process.once("exit", this.onExit);
  }

  hop(source: object, destination: object | undefined, frame: unknown, direction: Direction): void {
    if (this.lines.length >= MAX_BUFFERED_LINES) {
      this.dropped += 1;
      return;
    }
    const arrow = destination === undefined ? "(end)" : nameOf(destination);
    const way = direction === UPSTREAM ? "upstream" : "downstream";
    this.lines.push(`${new Date().toISOString()} ${nameOf(source)} -> ${arrow} ${nameOf(frame)} ${way}\n`);
    if (this.lines.length >= EAGER_FLUSH_LINES) void this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Writes what is buffered; resolves once it is on disk (or failed, which is logged once). */
  flush(): Promise<void> {
    const chunk = this.take();
    if (chunk.length > 0) {
      this.writing = this.writing
        .then(() => appendFile(this.filename, chunk))
        .catch((error: unknown) => this.errors.report(`debug log ${this.filename}`, error));
    }
    return this.writing;
  }

  /** Stops logging; what is buffered is still written. */
  close(): Promise<void> {
    process.removeListener("exit", this.onExit);
    return this.flush();
  }

  private flushSync(): void {
    const chunk = this.take();
    if (chunk.length === 0) return;
    try {
      appendFileSync(this.filename, chunk);
    } catch (error) {
      this.errors.report(`debug log ${this.filename}`, error);
    }
  }

  private take(): string {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    let chunk = this.lines.join("");
    this.lines = [];
    if (this.dropped > 0) {
      chunk += `${new Date().toISOString()} [${this.dropped} hops not logged: buffer full]\n`;
      this.dropped = 0;
    }
    return chunk;
  }
}
