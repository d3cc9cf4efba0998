import { EnergyVADAnalyzer, type VADParams } from "../../audio/vad-analyzer.js";
import { InputAudioRawFrame } from "../../frames/audio.js";
import type { Frame } from "../../frames/frame.js";
import { CancelTaskFrame, StartFrame } from "../../frames/lifecycle.js";
import { FrameDirection } from "../../processors/frame-direction.js";
import type { ProtobufFrameSerializer } from "../../serializers/protobuf-frame-serializer.js";
import { errorMessage } from "../../utils/base-object.js";
import { andThen, DONE } from "../../utils/done.js";
import { BaseInputTransport } from "../base-input.js";

export interface WebSocketInputSettings {
  /** Pipecat's VAD parameters for the energy detector, or false to push user audio without detection. */
  vad: VADParams | false;
  /** Largest message accepted; a larger one is dropped with an error. */
  maxMessageBytes: number;
  /** Messages held while the pipeline has not started yet (the oldest are dropped beyond it). */
  maxPendingMessages: number;
  /** Cancel the task when the client goes away. */
  cancelOnDisconnect: boolean;
}

/** One message as the WebSocket library hands it over. */
export interface ReceivedMessage {
  data: Uint8Array;
  isBinary: boolean;
}

/**
 * The client side of the call coming in: decodes the client's binary protobuf frames, runs the voice
 * activity detector on its audio (VADUserStarted/Stopped + UserStarted/StoppedSpeaking frames, and an
 * interruption when the user talks over the bot), and pushes the user audio and the client's messages
 * (InputTransportMessageFrame) downstream, in arrival order. A text, oversized or undecodable message is
 * dropped and reported as a non-fatal ErrorFrame (an RTVI observer turns it into an `error` message).
 * Messages that arrive before the pipeline started wait for its StartFrame.
 */
export class WebSocketInputTransport extends BaseInputTransport {
  readonly #settings: WebSocketInputSettings;
  readonly #serializer: ProtobufFrameSerializer;
  #vad?: EnergyVADAnalyzer;
  #started = false;
  #disconnected = false;
  #pending: ReceivedMessage[] = [];
  /** The handling of the last message; the next one waits for it (DONE when there is nothing to wait for). */
  #tail: Promise<void> = DONE;

  constructor(settings: WebSocketInputSettings, serializer: ProtobufFrameSerializer, name?: string) {
    super({ name });
    this.#settings = settings;
    this.#serializer = serializer;
  }

  /** Called by the transport for each message the client sends. Never throws. */
  receive(message: ReceivedMessage): void {
    if (this.#disconnected) return;
    if (!this.#started) {
      if (this.#pending.length >= this.#settings.maxPendingMessages) this.#pending.shift();
      this.#pending.push(message);
      return;
    }
    this.#enqueue(() => this.#handle(message));
  }

  /** Called by the transport when the client has gone away. */
  clientDisconnected(): void {
    if (this.#disconnected) return;
    this.#disconnected = true;
    this.#pending = [];
    if (this.#started && this.#settings.cancelOnDisconnect) this.#enqueue(() => this.#cancelTask());
  }

  override processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    const pushed = super.processFrame(frame, direction);
    if (!(frame instanceof StartFrame)) return pushed;
    return andThen(pushed, () => {
      this.#started = true;
      if (this.#disconnected) {
        if (this.#settings.cancelOnDisconnect) this.#enqueue(() => this.#cancelTask());
        return;
      }
      for (const message of this.#pending.splice(0)) this.#enqueue(() => this.#handle(message));
    });
  }

  #cancelTask(): Promise<void> {
    return this.pushFrame(new CancelTaskFrame("the client disconnected"), FrameDirection.UPSTREAM);
  }

  #enqueue(work: () => Promise<void>): void {
    const run = (): Promise<void> => {
      try {
        return work();
      } catch (error) {
        return Promise.reject(error);
      }
    };
    const next = andThen(this.#tail, run);
    if (next === DONE) return;
    const tail: Promise<void> = next.then(
      () => undefined,
      (error: unknown) => this.pushError(error).catch(() => undefined),
    );
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = DONE;
    });
  }

  #handle({ data, isBinary }: ReceivedMessage): Promise<void> {
    if (!isBinary) {
      return this.pushError("a text WebSocket message was dropped: the protocol sends binary protobuf pipecat.Frame messages");
    }
    if (data.byteLength > this.#settings.maxMessageBytes) {
      return this.pushError(`a message of ${data.byteLength} bytes was dropped: the limit is ${this.#settings.maxMessageBytes} bytes`);
    }
    let frame: Frame;
    try {
      frame = this.#serializer.deserialize(data);
    } catch (error) {
      return this.pushError(`a message was dropped: ${errorMessage(error)}`);
    }
    if (frame instanceof InputAudioRawFrame) return this.#onAudio(frame);
    return this.pushFrame(frame);
  }

  #onAudio(frame: InputAudioRawFrame): Promise<void> {
    const settings = this.#settings.vad;
    if (settings === false) return this.pushFrame(frame);
    if (this.#vad?.sampleRate !== frame.sampleRate) this.#vad = new EnergyVADAnalyzer(frame.sampleRate, settings);
    const vad = this.#vad;
    const wasSpeaking = isSpeaking(vad.state);
    const speaking = isSpeaking(vad.analyze(frame.audio));
    if (speaking === wasSpeaking) return this.pushFrame(frame);
    const transition = speaking ? this.pushUserStartedSpeaking(vad.params.startSecs) : this.pushUserStoppedSpeaking(vad.params.stopSecs);
    return transition.then(() => this.pushFrame(frame));
  }
}

function isSpeaking(state: string): boolean {
  return state === "speaking" || state === "stopping";
}
