/**
 * The RIFF/WAVE header of a PCM16 recording, written before the audio is known.
 *
 * A streamed WAV starts with sizes that are not known yet: they are written as 0xFFFFFFFF, the usual
 * "until end of stream" marker that ffmpeg, sox and libsndfile accept. A sink that can seek (a local file)
 * replaces the header with the real sizes when the recording closes.
 */
import { endianness } from "node:os";
import { SinkPump } from "./sink-pump.js";
import type { RecordingSink } from "./sinks.js";

const WAV_HEADER_BYTES = 44;
const BITS_PER_SAMPLE = 16;
const UNKNOWN_SIZE = 0xffffffff;
/** Largest data chunk a RIFF size field can describe. */
const MAX_DATA_BYTES = UNKNOWN_SIZE - (WAV_HEADER_BYTES - 8);
/** WAV samples are little-endian; typed arrays use the host's byte order. */
const BIG_ENDIAN_HOST = endianness() === "BE";

export interface WavFormat {
  sampleRate: number;
  channels: number;
}

/** Header for a PCM16 stream; without `dataBytes` (still streaming) the sizes are the unknown marker. */
export function wavHeader(format: WavFormat, dataBytes?: number): Uint8Array {
  const blockAlign = format.channels * (BITS_PER_SAMPLE / 8);
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const known = dataBytes !== undefined && dataBytes <= MAX_DATA_BYTES;
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(known ? dataBytes + WAV_HEADER_BYTES - 8 : UNKNOWN_SIZE, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(BITS_PER_SAMPLE, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(known ? dataBytes : UNKNOWN_SIZE, 40);
  return header;
}

/**
 * Streams interleaved PCM16 frames as a WAV through a bounded SinkPump: the header first (sizes unknown),
 * the samples as they come, the real header handed to the sink on close.
 */
export class WavStreamWriter {
  private readonly pump: SinkPump;
  private readonly bytesPerFrame: number;
  private started = false;
  private dataBytes = 0;

  constructor(
    sink: RecordingSink,
    private readonly format: WavFormat,
    options: { maxQueuedBytes: number; onFailure: (error: unknown) => void },
  ) {
    this.pump = new SinkPump(sink, options.maxQueuedBytes, options.onFailure);
    this.bytesPerFrame = format.channels * (BITS_PER_SAMPLE / 8);
  }

  /** Frames (one sample per channel) written so far, silence included. */
  get framesWritten(): number {
    return this.dataBytes / this.bytesPerFrame;
  }

  get droppedBytes(): number {
    return this.pump.droppedBytes;
  }

  /** Writes interleaved samples (length a multiple of the channel count). The array is taken over. */
  writeSamples(interleaved: Int16Array): void {
    if (interleaved.length === 0) return;
    this.start();
    const bytes = Buffer.from(interleaved.buffer, interleaved.byteOffset, interleaved.byteLength);
    if (BIG_ENDIAN_HOST) bytes.swap16();
    this.dataBytes += bytes.byteLength;
    this.pump.push(bytes);
  }

  writeSilence(frames: number): void {
    if (frames <= 0) return;
    this.start();
    const bytes = frames * this.bytesPerFrame;
    this.dataBytes += bytes;
    this.pump.pushZeros(bytes);
  }

  /** Flushes everything, then closes the sink with the header carrying the real sizes. */
  async close(): Promise<void> {
    if (!this.started) return this.pump.abort();
    await this.pump.finish(wavHeader(this.format, this.dataBytes));
  }

  abort(): Promise<void> {
    return this.pump.abort();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.pump.push(wavHeader(this.format));
  }
}
