/**
 * An append-only temporary file that holds audio on disk instead of in memory: the buffer behind deferred
 * (consent-gated) uploads and behind HTTP uploads. `SpoolForwarder` follows it as it grows and hands the
 * bytes on to a slower destination, so a slow network never makes the recorder drop audio and memory stays
 * flat however long the call.
 */
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const READ_SLICE_BYTES = 64 * 1024;

export class SpoolFile {
  private directory: string | undefined;
  private opening: Promise<FileHandle> | undefined;
  private committed = 0;
  private appending: Promise<void> = Promise.resolve();
  private removed = false;

  /** Bytes appended and readable so far. */
  get size(): number {
    return this.committed;
  }

  /** Appends `chunk`; appends are applied one after another in call order. */
  append(chunk: Uint8Array): Promise<void> {
    const next = this.appending.then(async () => {
      await writeFully(await this.ensureOpen(), chunk, this.committed);
      this.committed += chunk.byteLength;
    });
    // A failed append must not poison the ones after it: each reports its own failure.
    this.appending = next.catch(() => undefined);
    return next;
  }

  /** Overwrites bytes already appended (a WAV header patched with the real sizes). */
  async overwrite(position: number, bytes: Uint8Array): Promise<void> {
    await this.appending;
    if (position + bytes.byteLength > this.committed) throw new RangeError("spool: overwrite past the end");
    await writeFully(await this.ensureOpen(), bytes, position);
  }

  /** Reads up to `length` bytes at `position` (fewer at the end). */
  async read(position: number, length: number): Promise<Uint8Array> {
    const handle = await this.ensureOpen();
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, this.committed - position)));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }

  /** Closes and deletes the file; safe to call more than once. */
  async remove(): Promise<void> {
    this.removed = true;
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await opening.then((handle) => handle.close()).catch(() => undefined);
    if (this.directory) await rm(this.directory, { recursive: true, force: true }).catch(() => undefined);
    this.directory = undefined;
  }

  private ensureOpen(): Promise<FileHandle> {
    if (this.removed) return Promise.reject(new Error("spool: already removed"));
    this.opening ??= (async () => {
      // A private directory per spool (mkdtemp creates it 0700) so other users cannot read the audio.
      this.directory = await mkdtemp(path.join(tmpdir(), "respan-recording-"));
      return open(path.join(this.directory, "audio.spool"), "w+", 0o600);
    })();
    return this.opening;
  }
}

/**
 * Copies a growing spool to `destination`, in order, from byte 0. Call `notify()` after appending; the first
 * error from the destination stops it (kept in `error`).
 */
export class SpoolForwarder {
  private position = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  error: unknown;

  constructor(
    private readonly spool: SpoolFile,
    private readonly destination: (bytes: Uint8Array) => Promise<void> | void,
  ) {}

  get failed(): boolean {
    return this.error !== undefined;
  }

  notify(): void {
    if (this.stopped || this.running) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // Bytes may have arrived after the loop's last size check.
      if (this.position < this.spool.size) this.notify();
    });
  }

  /** Resolves once everything appended so far was forwarded, or the forwarder stopped. */
  async caughtUp(): Promise<void> {
    while (this.running || (!this.stopped && this.position < this.spool.size)) {
      this.notify();
      if (this.running) await this.running;
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped && this.position < this.spool.size) {
        const bytes = await this.spool.read(this.position, READ_SLICE_BYTES);
        if (bytes.byteLength === 0) return;
        await this.destination(bytes);
        this.position += bytes.byteLength;
      }
    } catch (error) {
      this.error = error ?? new Error("spool forwarding failed");
      this.stopped = true;
    }
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    const result = await handle.write(bytes, written, bytes.byteLength - written, position + written);
    written += result.bytesWritten;
  }
}
