import { DataFrame, SystemFrame } from "./frame.js";

export interface AudioFrameInit {
  /** PCM16 little-endian samples. */
  audio: Uint8Array;
  sampleRate: number;
  numChannels?: number;
}

/** Audio from the user (a system frame in Pipecat, so it never waits behind bot output). */
export class InputAudioRawFrame extends SystemFrame {
  audio: Uint8Array;
  sampleRate: number;
  numChannels: number;

  constructor(init: AudioFrameInit) {
    super();
    this.audio = init.audio;
    this.sampleRate = init.sampleRate;
    this.numChannels = init.numChannels ?? 1;
  }
}

/** Audio for the bot to play. */
export class OutputAudioRawFrame extends DataFrame {
  audio: Uint8Array;
  sampleRate: number;
  numChannels: number;

  constructor(init: AudioFrameInit) {
    super();
    this.audio = init.audio;
    this.sampleRate = init.sampleRate;
    this.numChannels = init.numChannels ?? 1;
  }
}

/** Synthesized speech belonging to one TTS audio context. */
export class TTSAudioRawFrame extends OutputAudioRawFrame {
  contextId: string;

  constructor(init: AudioFrameInit & { contextId: string }) {
    super(init);
    this.contextId = init.contextId;
  }
}

/** Duration of a PCM16 buffer in seconds. */
export function audioDurationSecs(frame: { audio: Uint8Array; sampleRate: number; numChannels: number }): number {
  return frame.audio.byteLength / (2 * frame.numChannels * frame.sampleRate);
}
