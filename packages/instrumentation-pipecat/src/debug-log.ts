import { appendFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import type { ErrorReporter } from "./error-reporter.js";
import { UPSTREAM, type Direction } from "./internal-types.js";
import { readString } from "./utils.js";

const FLUSH_INTERVAL_MS = 1000;
/** Hops held between flushes at most; beyond that hops are counted, not logged. */
const MAX_BUFFERED_HOPS = 20_000;
const EAGER_FLUSH_HOPS = 2_000;

function nameOf(value: unknown): string {
  const name = readString(value, "name", "name");
  if (name !== undefined) return name;
  const ctor = (value as { constructor?: { name?: string } } | null | undefined)?.constructor;
  return ctor?.name ?? String(value);
}

/** One observed hop, as it was seen: formatted only when written. */
interface RawHop {
  timeMs: number;
  source: object;
  /** null: the end of the chain; undefined: the runtime keeps its links private. */
  destination: object | null | undefined;
  frame: unknown;
  direction: Direction;
}

function format(hop: RawHop): string {
  const arrow = hop.destination === null ? "(end)" : hop.destination === undefined ? "(unknown)" : nameOf(hop.destination);
  const way = hop.direction === UPSTREAM ? "upstream" : "downstream";
  return `${new Date(hop.timeMs).toISOString()} ${nameOf(hop.source)} -> ${arrow} ${nameOf(hop.frame)} ${way}\n`;
}

/**
 * The `debugLogFilename` option: one line per observed frame hop
 * (`<ISO time> <source> -> <destination> <frame> <direction>`), appended to the file off the hot path: a hop
 * only records its raw fields (bounded: past MAX_BUFFERED_HOPS hops are counted, not kept); formatting and
 * writing happen later — every second, sooner (on a later tick) when many hops wait, at the end of each
 * conversation and, synchronously, when the process exits.
 */
export class DebugLog {
  private hops: RawHop[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private eagerFlush: ReturnType<typeof setImmediate> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly onExit = (): void => this.flushSync();

  constructor(
    readonly filename: string,
    private readonly errors: ErrorReporter,
  ) {
    process.once("exit", this.onExit);
  }

  hop(source: object, destination: object | null | undefined, frame: unknown, direction: Direction): void {
    if (this.hops.length >= MAX_BUFFERED_HOPS) {
      this.dropped += 1;
      return;
    }
    this.hops.push({ timeMs: Date.now(), source, destination, frame, direction });
    if (this.hops.length >= EAGER_FLUSH_HOPS) {
      if (this.eagerFlush === undefined) this.eagerFlush = setImmediate(() => void this.flush());
    } else if (this.timer === undefined) {
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
    if (this.eagerFlush !== undefined) clearImmediate(this.eagerFlush);
    this.timer = undefined;
    this.eagerFlush = undefined;
    const hops = this.hops;
    this.hops = [];
    let chunk = hops.map(format).join("");
    if (this.dropped > 0) {
      chunk += `${new Date().toISOString()} [${this.dropped} hops not logged: buffer full]\n`;
      this.dropped = 0;
    }
    return chunk;
  }
}
