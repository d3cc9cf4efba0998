/**
 * A dual-channel call recording: the user on the left channel, the bot on the right, on one wall-clock
 * timeline that starts when the conversation starts (so the greeting is kept and silence lines both
 * channels up).
 *
 * Each channel has a write cursor. Audio that arrives at wall time t is placed at t's position on the
 * timeline, unless the channel's cursor is already past it (audio arriving faster than real time, a burst
 * of synthesized speech): then it is appended at the cursor, so a channel's audio stays in order and never
 * overlaps itself. Gaps become zeros. Small lateness (under `jitterToleranceMs`) does not open a gap, so a
 * real-time stream of chunks stays seamless.
 *
 * The timeline is written out as soon as both channels are settled: up to the wall clock on a silent
 * channel, up to its cursor on a channel holding audio ahead of the clock. What waits in memory is bounded:
 * audio more than `maxLeadSeconds` ahead of what was written is dropped and counted, and the sink queue is
 * bounded (see SinkPump).
 *
 * Sample rate: one rate for the file — the StartFrame's `audioOutSampleRate` (the bot's rate) unless
 * `sampleRate` is given, else the first frame's rate. Audio at another rate (typically the user's 16 kHz
 * input) is resampled to it; multi-channel frames are mixed down to mono first.
 */
import { performance } from "node:perf_hooks";
import { decodeMonoPcm16, StreamingResampler } from "./pcm.js";
import type { RecordingSink } from "./sinks.js";
import {
  invalidOption,
  isSampleRate,
  nonNegativeNumberOption,
  positiveIntegerOption,
  sampleRateOption,
} from "./validate.js";
import { WavStreamWriter } from "./wav.js";

const OWNER = "DualChannelRecorder";

export interface DualChannelRecorderOptions {
  sink: RecordingSink;
  /** Recording sample rate in Hz; default: the StartFrame's output rate, else the first frame's rate. */
  sampleRate?: number;
  /** Wall clock in milliseconds used when a call passes no time (default `performance.now`). */
  now?: () => number;
  /** Largest amount of audio waiting for the sink, in bytes (default 4 MiB). */
  maxQueuedBytes?: number;
  /** Most audio a channel may hold ahead of what was written, in seconds (default 30). */
  maxLeadSeconds?: number;
  /** Lateness that does not open a gap, in milliseconds (default 60). */
  jitterToleranceMs?: number;
  /** Told once when the sink fails; the recording then stops (the call never notices). */
  onError?: (error: unknown) => void;
}

export interface RecordingSummary {
  uri: string | undefined;
  sampleRate: number | undefined;
  durationSeconds: number;
  /** Audio lost: dropped for running too far ahead, or replaced by silence because the sink fell behind. */
  droppedBytes: number;
  /** True when the sink failed or the upload did not complete. */
  failed: boolean;
}

/** Largest block interleaved at once, in frames, so a long silent stretch never becomes one big buffer. */
const MAX_BLOCK_FRAMES = 16_384;

interface PlacedChunk {
  start: number;
  samples: Int16Array;
}

class ChannelTrack {
  cursor = 0;
  readonly pending: PlacedChunk[] = [];
  private resampler: StreamingResampler | undefined;

  toRecordingRate(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
    if (fromRate === toRate) return samples;
    if (!this.resampler || this.resampler.fromRate !== fromRate) this.resampler = new StreamingResampler(fromRate, toRate);
    return this.resampler.process(samples);
  }

  /** Copies this channel's samples for frames [from, from + length) into `out` at `channel` (stride 2). */
  fill(out: Int16Array, channel: 0 | 1, from: number, length: number): void {
    const end = from + length;
    for (const chunk of this.pending) {
      const chunkEnd = chunk.start + chunk.samples.length;
      if (chunk.start >= end) break;
      if (chunkEnd <= from) continue;
      const first = Math.max(from, chunk.start);
      const last = Math.min(end, chunkEnd);
      for (let frame = first; frame < last; frame++) {
        out[(frame - from) * 2 + channel] = chunk.samples[frame - chunk.start];
      }
    }
  }

  /** Drops what lies at or after `frame` (chunks are in timeline order). */
  truncate(frame: number): void {
    if (this.cursor <= frame) return;
    while (this.pending.length > 0) {
      const last = this.pending[this.pending.length - 1];
      if (last.start >= frame) {
        this.pending.pop();
        continue;
      }
      if (last.start + last.samples.length > frame) last.samples = last.samples.subarray(0, frame - last.start);
      break;
    }
    this.cursor = frame;
  }

  hasAudioIn(from: number, end: number): boolean {
    return this.pending.some((chunk) => chunk.start < end && chunk.start + chunk.samples.length > from);
  }

  /** Forgets chunks that end at or before `frame`. */
  release(frame: number): void {
    let consumed = 0;
    while (consumed < this.pending.length) {
      const chunk = this.pending[consumed];
      if (chunk.start + chunk.samples.length > frame) break;
      consumed++;
    }
    if (consumed > 0) this.pending.splice(0, consumed);
    if (this.cursor < frame) this.cursor = frame;
  }
}

export class DualChannelRecorder {
  private readonly sink: RecordingSink;
  private readonly now: () => number;
  private readonly maxQueuedBytes: number;
  private readonly maxLeadSeconds: number;
  private readonly jitterToleranceMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly user = new ChannelTrack();
  private readonly bot = new ChannelTrack();
  private rate: number | undefined;
  private readonly configuredRate: boolean;
  private originMs: number | undefined;
  private latestMs = -Infinity;
  private writer: WavStreamWriter | undefined;
  private flushed = 0;
  private droppedLeadBytes = 0;
  private finished = false;
  private sinkFailed = false;

  constructor(options: DualChannelRecorderOptions) {
    if (typeof options?.sink?.write !== "function") {
      invalidOption(OWNER, "sink", "a RecordingSink ({ write, close, abort })", options?.sink);
    }
    this.sink = options.sink;
    this.rate = sampleRateOption(OWNER, "sampleRate", options.sampleRate);
    this.configuredRate = this.rate !== undefined;
    this.now = options.now ?? (() => performance.now());
    this.maxQueuedBytes = positiveIntegerOption(OWNER, "maxQueuedBytes", options.maxQueuedBytes) ?? 4 * 1024 * 1024;
    this.maxLeadSeconds = nonNegativeNumberOption(OWNER, "maxLeadSeconds", options.maxLeadSeconds) ?? 30;
    this.jitterToleranceMs = nonNegativeNumberOption(OWNER, "jitterToleranceMs", options.jitterToleranceMs) ?? 60;
    this.onError = options.onError;
  }

  /** Where the recording goes (the sink's `uri`). */
  get uri(): string | undefined {
    return this.sink.uri;
  }

  get sampleRate(): number | undefined {
    return this.rate;
  }

  /** Whether any audio was recorded (and so a file / upload exists). */
  get hasAudio(): boolean {
    return this.writer !== undefined;
  }

  /**
   * Arms the recording at the conversation's start: the timeline's zero is `wallTimeMs`, and
   * `outputSampleRate` (the StartFrame's audioOutSampleRate) becomes the file's rate unless one was set.
   */
  start(wallTimeMs?: number, outputSampleRate?: number): void {
    if (this.originMs !== undefined || this.finished) return;
    this.originMs = wallTimeMs ?? this.now();
    this.latestMs = this.originMs;
    if (this.rate === undefined && isSampleRate(outputSampleRate)) this.rate = outputSampleRate;
  }

  /** Makes `sampleRate` the file's rate, unless one was configured or audio was already written. */
  useSampleRate(sampleRate: number | undefined): void {
    if (this.configuredRate || this.writer || !isSampleRate(sampleRate)) return;
    this.rate = sampleRate;
  }

  addUserAudio(audio: Uint8Array, sampleRate: number, channels = 1, wallTimeMs?: number): void {
    this.add(this.user, audio, sampleRate, channels, wallTimeMs);
  }

  addBotAudio(audio: Uint8Array, sampleRate: number, channels = 1, wallTimeMs?: number): void {
    this.add(this.bot, audio, sampleRate, channels, wallTimeMs);
  }

  /**
   * The bot was interrupted at `wallTimeMs` (default now): its audio that would have played after that is
   * dropped, as the output transport drops its queue (bot audio is handed over before it plays).
   */
  interruptBot(wallTimeMs?: number): void {
    if (!this.writer || this.originMs === undefined) return;
    const cut = Math.max(this.flushed, this.positionAt(wallTimeMs ?? this.now()));
    this.bot.truncate(cut);
  }

  /** Seconds from the start of the recording to `wallTimeMs` (default now); undefined before it starts. */
  offsetSeconds(wallTimeMs?: number): number | undefined {
    if (this.originMs === undefined) return undefined;
    return Math.max(0, ((wallTimeMs ?? this.now()) - this.originMs) / 1000);
  }

  /**
   * Writes the rest of the timeline (both channels padded to `wallTimeMs`, default now) and closes the sink.
   * Never rejects: a failed sink is reported in the summary.
   */
  async close(wallTimeMs?: number): Promise<RecordingSummary> {
    if (this.finished) return this.summary();
    this.finished = true;
    if (this.writer && this.rate !== undefined && this.originMs !== undefined) {
      const endFrame = Math.max(this.positionAt(wallTimeMs ?? this.now()), this.user.cursor, this.bot.cursor);
      this.flushTo(endFrame);
      try {
        await this.writer.close();
      } catch (error) {
        this.reportFailure(error);
      }
    }
    return this.summary();
  }

  /** Stops recording and removes whatever was stored; nothing more reaches the sink. */
  async discard(): Promise<void> {
    this.finished = true;
    this.user.pending.length = 0;
    this.bot.pending.length = 0;
    try {
      await (this.writer ? this.writer.abort() : this.sink.abort());
    } catch (error) {
      this.reportFailure(error);
    }
  }

  summary(): RecordingSummary {
    const frames = this.writer?.framesWritten ?? 0;
    return {
      uri: this.writer ? this.sink.uri : undefined,
      sampleRate: this.rate,
      durationSeconds: this.rate ? frames / this.rate : 0,
      droppedBytes: this.droppedLeadBytes + (this.writer?.droppedBytes ?? 0),
      failed: this.sinkFailed,
    };
  }

  private add(track: ChannelTrack, audio: Uint8Array, sampleRate: number, channels: number, wallTimeMs?: number): void {
    if (this.finished || this.sinkFailed || !(audio instanceof Uint8Array) || audio.byteLength < 2) return;
    if (!isSampleRate(sampleRate)) return;
    const time = wallTimeMs ?? this.now();
    if (this.originMs === undefined) this.start(time, sampleRate);
    this.rate ??= sampleRate;
    const rate = this.rate;
    this.latestMs = Math.max(this.latestMs, time);
    this.writer ??= new WavStreamWriter(this.sink, { sampleRate: rate, channels: 2 }, {
      maxQueuedBytes: this.maxQueuedBytes,
      onFailure: (error) => this.reportFailure(error),
    });

    const samples = track.toRecordingRate(decodeMonoPcm16(audio, channels), sampleRate, rate);
    if (samples.length === 0) return;
    const target = this.positionAt(time);
    const tolerance = Math.round((this.jitterToleranceMs * rate) / 1000);
    const start = target - track.cursor > tolerance ? target : track.cursor;
    if (start + samples.length - this.flushed > this.maxLeadSeconds * rate) {
      this.droppedLeadBytes += samples.length * 2;
      return;
    }
    track.pending.push({ start, samples });
    track.cursor = start + samples.length;
    this.flushSettled(tolerance);
  }

  /** Writes the part of the timeline no later audio can change. */
  private flushSettled(tolerance: number): void {
    const clock = this.positionAt(this.latestMs) - tolerance;
    const settled = Math.min(Math.max(this.user.cursor, clock), Math.max(this.bot.cursor, clock));
    // Small writes cost more than they save: wait for at least 100 ms of timeline.
    if (settled - this.flushed >= (this.rate as number) / 10) this.flushTo(settled);
  }

  private flushTo(endFrame: number): void {
    const writer = this.writer;
    if (!writer) return;
    while (this.flushed < endFrame) {
      const from = this.flushed;
      const length = Math.min(endFrame - from, MAX_BLOCK_FRAMES);
      const end = from + length;
      if (!this.user.hasAudioIn(from, end) && !this.bot.hasAudioIn(from, end)) {
        writer.writeSilence(length);
      } else {
        const block = new Int16Array(length * 2);
        this.user.fill(block, 0, from, length);
        this.bot.fill(block, 1, from, length);
        writer.writeSamples(block);
      }
      this.flushed = end;
      this.user.release(end);
      this.bot.release(end);
    }
  }

  private positionAt(wallTimeMs: number): number {
    return Math.max(0, Math.round(((wallTimeMs - (this.originMs as number)) * (this.rate as number)) / 1000));
  }

  private reportFailure(error: unknown): void {
    if (this.sinkFailed) return;
    this.sinkFailed = true;
    try {
      this.onError?.(error);
    } catch {
      // A failing error callback must not take the recorder down.
    }
  }
}
