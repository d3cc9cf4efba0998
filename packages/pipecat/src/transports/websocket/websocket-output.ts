import type { OutputAudioRawFrame } from "../../frames/audio.js";
import type { Frame } from "../../frames/frame.js";
import { CancelFrame, EndFrame } from "../../frames/lifecycle.js";
import { OutputTransportMessageFrame, OutputTransportMessageUrgentFrame } from "../../frames/transport-messages.js";
import { FrameDirection } from "../../processors/frame-direction.js";
import { andThen } from "../../utils/done.js";
import { type AudioPlaybackSettings, BaseOutputTransport } from "../base-output.js";

/** Where the output side writes: the client's socket. */
export interface WebSocketSink {
  sendAudio(audio: Uint8Array, frame: OutputAudioRawFrame): void;
  sendMessage(message: unknown): void;
  close(code: number, reason: string): void;
}

/**
 * The call going out to the client: bot audio as binary `audio` frames, paced in real time (see
 * BaseOutputTransport; the client plays PCM16 at 24 kHz), and transport messages (RTVI) as `message`
 * frames — urgent ones at once, the others in order with the audio. The socket is closed once an
 * EndFrame has gone through (the bot finished) or at once on a CancelFrame.
 */
export class WebSocketOutputTransport extends BaseOutputTransport {
  readonly #sink: WebSocketSink;

  constructor(playback: AudioPlaybackSettings, sink: WebSocketSink, name?: string) {
    super(playback, { name });
    this.#sink = sink;
  }

  protected override writeAudio(audio: Uint8Array, frame: OutputAudioRawFrame): void {
    this.#sink.sendAudio(audio, frame);
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (direction === FrameDirection.DOWNSTREAM) {
      if (frame instanceof OutputTransportMessageUrgentFrame || frame instanceof OutputTransportMessageFrame) {
        this.#sink.sendMessage(frame.message);
      } else if (frame instanceof EndFrame) {
        return andThen(super.processFrame(frame, direction), () => this.#sink.close(1000, "the bot ended the call"));
      } else if (frame instanceof CancelFrame) {
        this.#sink.close(1000, "the call was cancelled");
      }
    }
    return super.processFrame(frame, direction);
  }
}
