/**
 * PCM16 helpers for the recorder: decoding a frame's bytes to mono samples, and converting between sample
 * rates while streaming.
 *
 * Resampling is linear interpolation, continuous across chunks. That is plenty for a call recording meant
 * for listening and review (speech sits far below either Nyquist frequency); it is not a mastering-grade
 * filter.
 */

/** Decodes little-endian PCM16 `audio` with `channels` interleaved channels into mono (channel average). */
export function decodeMonoPcm16(audio: Uint8Array, channels: number): Int16Array {
  const view = new DataView(audio.buffer, audio.byteOffset, audio.byteLength);
  const channelCount = Number.isInteger(channels) && channels > 0 ? channels : 1;
  const frames = Math.floor(audio.byteLength / (2 * channelCount));
  const mono = new Int16Array(frames);
  if (channelCount === 1) {
    for (let i = 0; i < frames; i++) mono[i] = view.getInt16(i * 2, true);
    return mono;
  }
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channelCount; c++) sum += view.getInt16((i * channelCount + c) * 2, true);
    mono[i] = Math.round(sum / channelCount);
  }
  return mono;
}

/** Converts a mono stream from one sample rate to another, chunk by chunk, without seams between chunks. */
export class StreamingResampler {
  private readonly step: number;
  /** Position of the next output sample, in input samples relative to the current chunk's first sample. */
  private position = 0;
  /** The previous chunk's last sample (index -1 of the current chunk). */
  private previous = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.step = fromRate / toRate;
  }

  process(input: Int16Array): Int16Array {
    if (this.fromRate === this.toRate) return input;
    const n = input.length;
    if (n === 0) return input;
    const count = Math.max(0, Math.ceil((n - 1 - this.position) / this.step));
    const output = new Int16Array(count);
    let position = this.position;
    for (let k = 0; k < count; k++, position += this.step) {
      const index = Math.floor(position);
      const fraction = position - index;
      const a = index < 0 ? this.previous : input[index];
      // Rounding can put the last position on the final sample itself: nothing to interpolate towards.
      const b = index + 1 < n ? input[index + 1] : a;
      output[k] = Math.round(a + (b - a) * fraction);
    }
    this.position = this.position + count * this.step - n;
    this.previous = input[n - 1];
    return output;
  }
}
