/**
 * The bounded queue between the recorder (which must never wait) and a sink (which may be slow). Chunks are
 * written one at a time, each write awaited. When more than `maxQueuedBytes` are waiting, a new chunk is
 * replaced by a run of zeros of the same length: the audio is lost (and counted) but the recording keeps
 * its timeline, and a zero run costs no memory while it waits.
 */
import type { RecordingSink } from "./sinks.js";

const ZERO_SLICE = new Uint8Array(64 * 1024);

type QueuedChunk = Uint8Array | { zeros: number };

export class SinkPump {
  private readonly queue: QueuedChunk[] = [];
  private queuedBytes = 0;
  private written = 0;
  private dropped = 0;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private failure: unknown;

  constructor(
    private readonly sink: RecordingSink,
    private readonly maxQueuedBytes: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** Bytes handed to the sink so far (zero runs included). */
  get writtenBytes(): number {
    return this.written;
  }

  /** Audio bytes replaced by silence because the sink fell behind, or lost because it failed. */
  get droppedBytes(): number {
    return this.dropped;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Queues `chunk` (the pump keeps the reference: do not reuse it). */
  push(chunk: Uint8Array): void {
    if (this.closed || chunk.byteLength === 0) return;
    if (this.failed) {
      this.dropped += chunk.byteLength;
      return;
    }
    if (this.queuedBytes + chunk.byteLength > this.maxQueuedBytes) {
      this.dropped += chunk.byteLength;
      this.pushZeros(chunk.byteLength);
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.byteLength;
    this.kick();
  }

  /** Queues `bytes` of silence. */
  pushZeros(bytes: number): void {
    if (this.closed || bytes <= 0 || this.failed) return;
    const last = this.queue[this.queue.length - 1];
    if (last && !(last instanceof Uint8Array)) last.zeros += bytes;
    else this.queue.push({ zeros: bytes });
    this.kick();
  }

  /** Writes what is queued, then closes the sink with `finalHeader`. Rejects if the sink failed. */
  async finish(finalHeader?: Uint8Array): Promise<void> {
    this.closed = true;
    await this.drain();
    if (this.failed) throw this.failure;
    await this.sink.close(finalHeader);
  }

  /** Drops what is queued and aborts the sink. */
  async abort(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    await this.pumping?.catch(() => undefined);
    await this.sink.abort();
  }

  /** Resolves when the queue is empty (or the sink failed). */
  async drain(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.failed) {
      const next = this.queue.shift() as QueuedChunk;
      try {
        if (next instanceof Uint8Array) {
          await this.sink.write(next);
          this.queuedBytes -= next.byteLength;
          this.written += next.byteLength;
        } else {
          await this.writeZeros(next);
        }
      } catch (error) {
        this.fail(error, next);
      }
    }
  }

  private async writeZeros(run: { zeros: number }): Promise<void> {
    while (run.zeros > 0) {
      const size = Math.min(run.zeros, ZERO_SLICE.byteLength);
      await this.sink.write(ZERO_SLICE.subarray(0, size));
      run.zeros -= size;
      this.written += size;
    }
  }

  private fail(error: unknown, current: QueuedChunk): void {
    this.failure = error ?? new Error("recording sink failed");
    for (const chunk of [current, ...this.queue]) {
      if (chunk instanceof Uint8Array) this.dropped += chunk.byteLength;
    }
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.onFailure(this.failure);
  }
}
