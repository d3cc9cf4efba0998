import protobuf from "protobufjs";
import { InputAudioRawFrame, OutputAudioRawFrame } from "../frames/audio.js";
import type { Frame } from "../frames/frame.js";
import { TextFrame, TranscriptionFrame } from "../frames/text.js";
import {
  InputTransportMessageFrame,
  OutputTransportMessageFrame,
  OutputTransportMessageUrgentFrame,
} from "../frames/transport-messages.js";
import { errorMessage } from "../utils/base-object.js";
import { PIPECAT_FRAMES_PROTO } from "./pipecat-frames-schema.js";

/** A binary message that is not a Pipecat `Frame` this serializer understands. */
export class FrameDecodeError extends Error {
  override name = "FrameDecodeError";
}

/** One decoded wire `Frame`: the kind set in its `frame` oneof and that kind's fields. */
export type WireFrame =
  | { kind: "audio"; id: number; name: string; audio: Uint8Array; sampleRate: number; numChannels: number; pts?: number }
  | { kind: "text"; id: number; name: string; text: string }
  | { kind: "transcription"; id: number; name: string; text: string; userId: string; timestamp: string }
  | { kind: "message"; data: string };

let frameType: protobuf.Type | undefined;

/** The `pipecat.Frame` message type, parsed from the schema on first use. */
function wireFrameType(): protobuf.Type {
  frameType ??= protobuf.parse(PIPECAT_FRAMES_PROTO, { keepCase: true }).root.lookupType("pipecat.Frame");
  return frameType;
}

/** Encodes one wire `Frame` (the schema's own encoder: field numbers and wire types come from it). */
export function encodeWireFrame(wire: WireFrame): Uint8Array {
  const type = wireFrameType();
  let payload: Record<string, unknown>;
  switch (wire.kind) {
    case "audio":
      payload = {
        audio: {
          id: wire.id,
          name: wire.name,
          audio: wire.audio,
          sample_rate: wire.sampleRate,
          num_channels: wire.numChannels,
          ...(wire.pts === undefined ? {} : { pts: wire.pts }),
        },
      };
      break;
    case "text":
      payload = { text: { id: wire.id, name: wire.name, text: wire.text } };
      break;
    case "transcription":
      payload = {
        transcription: { id: wire.id, name: wire.name, text: wire.text, user_id: wire.userId, timestamp: wire.timestamp },
      };
      break;
    case "message":
      payload = { message: { data: wire.data } };
      break;
  }
  return type.encode(type.fromObject(payload)).finish();
}

/** Decodes one wire `Frame`; throws FrameDecodeError for bytes that are not one, or a Frame with no kind set. */
export function decodeWireFrame(data: Uint8Array): WireFrame {
  const type = wireFrameType();
  let decoded: Record<string, any>;
  try {
    decoded = type.toObject(type.decode(data), { longs: Number, oneofs: true });
  } catch (error) {
    throw new FrameDecodeError(`not a protobuf pipecat.Frame (${errorMessage(error)})`);
  }
  switch (decoded.frame) {
    case "audio": {
      const a = decoded.audio;
      return {
        kind: "audio",
        id: a.id ?? 0,
        name: a.name ?? "",
        audio: a.audio ?? new Uint8Array(0),
        sampleRate: a.sample_rate ?? 0,
        numChannels: a.num_channels ?? 0,
        ...(a.pts === undefined || a.pts === null ? {} : { pts: a.pts }),
      };
    }
    case "text":
      return { kind: "text", id: decoded.text.id ?? 0, name: decoded.text.name ?? "", text: decoded.text.text ?? "" };
    case "transcription": {
      const t = decoded.transcription;
      return {
        kind: "transcription",
        id: t.id ?? 0,
        name: t.name ?? "",
        text: t.text ?? "",
        userId: t.user_id ?? "",
        timestamp: t.timestamp ?? "",
      };
    }
    case "message":
      return { kind: "message", data: decoded.message.data ?? "" };
    default:
      throw new FrameDecodeError("a pipecat.Frame with no frame kind set (expected text, audio, transcription or message)");
  }
}

/**
 * Pipecat's protobuf serializer: runtime frames to and from the binary `pipecat.Frame` messages of the
 * WebSocket protocol. Outgoing: bot audio becomes `audio`, transport messages (RTVI) become `message`
 * (JSON text), transcriptions `transcription`, other text `text`. Incoming: `audio` becomes
 * InputAudioRawFrame, `message` InputTransportMessageFrame (parsed JSON), and the two text kinds their frames.
 */
export class ProtobufFrameSerializer {
  /** The bytes to send for `frame`, or undefined when the protocol has no kind for it. */
  serialize(frame: Frame): Uint8Array | undefined {
    if (frame instanceof OutputAudioRawFrame || frame instanceof InputAudioRawFrame) {
      return encodeWireFrame({
        kind: "audio",
        id: frame.id,
        name: frame.name,
        audio: frame.audio,
        sampleRate: frame.sampleRate,
        numChannels: frame.numChannels,
        ...(frame.pts === undefined ? {} : { pts: frame.pts }),
      });
    }
    if (frame instanceof OutputTransportMessageFrame || frame instanceof OutputTransportMessageUrgentFrame) {
      return encodeWireFrame({ kind: "message", data: JSON.stringify(frame.message) });
    }
    if (frame instanceof TranscriptionFrame) {
      return encodeWireFrame({
        kind: "transcription",
        id: frame.id,
        name: frame.name,
        text: frame.text,
        userId: frame.userId,
        timestamp: frame.timestamp,
      });
    }
    if (frame instanceof TextFrame) return encodeWireFrame({ kind: "text", id: frame.id, name: frame.name, text: frame.text });
    return undefined;
  }

  /** The frame a client's binary message carries; throws FrameDecodeError for anything else. */
  deserialize(data: Uint8Array): Frame {
    const wire = decodeWireFrame(data);
    switch (wire.kind) {
      case "audio":
        if (wire.sampleRate <= 0) throw new FrameDecodeError("an audio frame without a sample_rate");
        if (wire.audio.byteLength % 2 !== 0) throw new FrameDecodeError("an audio frame whose PCM16 payload has an odd byte count");
        return new InputAudioRawFrame({ audio: wire.audio, sampleRate: wire.sampleRate, numChannels: wire.numChannels || 1 });
      case "message": {
        let message: unknown;
        try {
          message = JSON.parse(wire.data);
        } catch (error) {
          throw new FrameDecodeError(`a message frame whose data is not JSON (${errorMessage(error)})`);
        }
        return new InputTransportMessageFrame(message);
      }
      case "transcription":
        return new TranscriptionFrame({ text: wire.text, userId: wire.userId, timestamp: wire.timestamp || undefined });
      case "text":
        return new TextFrame(wire.text);
    }
  }
}
