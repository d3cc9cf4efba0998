/** PCM16 little-endian mono sine tone of `samples` samples, starting at phase 0. */
export function sineTone(sampleRate: number, samples: number, frequencyHz: number, amplitude: number): Uint8Array {
  const bytes = new Uint8Array(samples * 2);
  const view = new DataView(bytes.buffer);
  const peak = Math.round(32767 * amplitude);
  for (let i = 0; i < samples; i++) {
    view.setInt16(i * 2, Math.round(peak * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate)), true);
  }
  return bytes;
}

/** Number of samples in `ms` milliseconds of audio. */
export function samplesFor(sampleRate: number, ms: number): number {
  return Math.max(1, Math.round((sampleRate * ms) / 1000));
}
