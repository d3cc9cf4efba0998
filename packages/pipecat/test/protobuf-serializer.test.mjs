// The protobuf codec of Pipecat's WebSocket protocol: every frame kind round-trips through the schema,
// the bytes match the published field numbers, and bad input is refused with a clear error.
import assert from "node:assert/strict";
import { test } from "node:test";
import protobuf from "protobufjs";
import {
  decodeWireFrame,
  encodeWireFrame,
  FrameDecodeError,
  InputAudioRawFrame,
  InputTransportMessageFrame,
  OutputAudioRawFrame,
  OutputTransportMessageUrgentFrame,
  PIPECAT_FRAMES_PROTO,
  ProtobufFrameSerializer,
  TextFrame,
  TranscriptionFrame,
} from "pipecat-ts";

/** @type {import("pipecat-ts").WireFrame[]} */
const kinds = [
  { kind: "audio", id: 7, name: "audio", audio: new Uint8Array([1, 2, 3, 4]), sampleRate: 16000, numChannels: 1 },
  { kind: "audio", id: 2 ** 40, name: "TTSAudioRawFrame#3", audio: new Uint8Array(960), sampleRate: 24000, numChannels: 1, pts: 123456789 },
  { kind: "text", id: 3, name: "TextFrame#1", text: "héllo" },
  { kind: "transcription", id: 4, name: "TranscriptionFrame#2", text: "hi there", userId: "user-1", timestamp: "2026-12-04T10:00:00.000Z" },
  { kind: "message", data: JSON.stringify({ label: "rtvi-ai", type: "bot-ready", id: "abcd0123", data: { version: "2.1.0" } }) },
];

/**
 * An audio frame's bytes as a plain array (compared by value whatever the byte container).
 * @param {import("pipecat-ts").WireFrame} wire
 */
const audioAsArray = (wire) => (wire.kind === "audio" ? { audio: [...wire.audio] } : {});

test("every wire frame kind round-trips through the schema", () => {
  for (const wire of kinds) {
    const decoded = decodeWireFrame(encodeWireFrame(wire));
    assert.deepEqual({ ...decoded, ...audioAsArray(decoded) }, { ...wire, ...audioAsArray(wire) }, wire.kind);
  }
});

test("encodings match the schema's field numbers (checked against a separately built protobufjs type)", () => {
  const Frame = protobuf.parse(PIPECAT_FRAMES_PROTO).root.lookupType("pipecat.Frame");
  // message = field 4 (tag 0x22), its data = field 1 (tag 0x0a): the bytes are fixed by the protocol.
  assert.deepEqual([...encodeWireFrame({ kind: "message", data: "{}" })], [0x22, 0x04, 0x0a, 0x02, 0x7b, 0x7d]);
  // audio = field 2 (tag 0x12); inside: audio bytes = 3 (0x1a), sample_rate = 4 (0x20), num_channels = 5 (0x28).
  // id = 1 (0x08), name = 2 (0x12); 16000 is the varint 0x80 0x7d.
  const audio = encodeWireFrame({ kind: "audio", id: 5, name: "a", audio: new Uint8Array([9, 9]), sampleRate: 16000, numChannels: 1 });
  assert.deepEqual([...audio], [0x12, 14, 0x08, 5, 0x12, 1, 0x61, 0x1a, 2, 9, 9, 0x20, 0x80, 0x7d, 0x28, 1]);
  const decoded = Frame.toObject(Frame.decode(audio), { oneofs: true });
  assert.equal(decoded.frame, "audio");
  assert.equal(decoded.audio.sampleRate, 16000);
  assert.equal(decoded.audio.numChannels, 1);
  const text = Frame.toObject(Frame.decode(encodeWireFrame(kinds[3])), { oneofs: true });
  assert.equal(text.frame, "transcription");
  assert.equal(text.transcription.userId, "user-1");
});

test("the serializer maps runtime frames to the wire and back", () => {
  const serializer = new ProtobufFrameSerializer();
  const out = new OutputAudioRawFrame({ audio: new Uint8Array([1, 0, 2, 0]), sampleRate: 24000 });
  const wireAudio = decodeWireFrame(serializer.serialize(out));
  assert.equal(wireAudio.kind, "audio");
  assert.equal(wireAudio.sampleRate, 24000);
  assert.equal(wireAudio.id, out.id);
  const message = { label: "rtvi-ai", type: "bot-llm-text", id: "1", data: { text: "Hi" } };
  const wireMessage = decodeWireFrame(serializer.serialize(new OutputTransportMessageUrgentFrame(message)));
  assert.ok(wireMessage.kind === "message");
  assert.deepEqual(JSON.parse(wireMessage.data), message);
  assert.equal(decodeWireFrame(serializer.serialize(new TextFrame("x"))).kind, "text");
  assert.equal(decodeWireFrame(serializer.serialize(new TranscriptionFrame({ text: "x", userId: "u" }))).kind, "transcription");
  assert.equal(serializer.serialize(new InputTransportMessageFrame({})), undefined, "frames with no wire kind are not sent");

  const inAudio = serializer.deserialize(encodeWireFrame(kinds[0]));
  assert.ok(inAudio instanceof InputAudioRawFrame);
  assert.equal(inAudio.sampleRate, 16000);
  const inMessage = serializer.deserialize(encodeWireFrame(kinds[4]));
  assert.ok(inMessage instanceof InputTransportMessageFrame);
  assert.equal(/** @type {{ type: string }} */ (inMessage.message).type, "bot-ready");
  assert.ok(serializer.deserialize(encodeWireFrame(kinds[3])) instanceof TranscriptionFrame);
});

test("malformed input is refused with a FrameDecodeError naming the problem", () => {
  const serializer = new ProtobufFrameSerializer();
  /** @type {[Uint8Array, RegExp][]} */
  const cases = [
    [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), /not a protobuf pipecat.Frame/],
    [new Uint8Array(0), /no frame kind/],
    [encodeWireFrame({ kind: "message", data: "{not json" }), /not JSON/],
    [encodeWireFrame({ kind: "audio", id: 0, name: "", audio: new Uint8Array(3), sampleRate: 16000, numChannels: 1 }), /odd byte count/],
    [encodeWireFrame({ kind: "audio", id: 0, name: "", audio: new Uint8Array(2), sampleRate: 0, numChannels: 1 }), /sample_rate/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(() => serializer.deserialize(bytes), (error) => error instanceof FrameDecodeError && pattern.test(error.message));
  }
});
