/**
 * The protobuf schema of the frames Pipecat's WebSocket transports exchange with a client (package
 * `pipecat`, message `Frame`), as published with Pipecat and its web client. Kept here as text so that the
 * ESM and CommonJS builds carry it without a file to locate at run time; protobufjs parses it once.
 * Field numbers are the wire contract: never renumber them.
 */
export const PIPECAT_FRAMES_PROTO = `
syntax = "proto3";

package pipecat;

message TextFrame {
  uint64 id = 1;
  string name = 2;
  string text = 3;
}

message AudioRawFrame {
  uint64 id = 1;
  string name = 2;
  bytes audio = 3;
  uint32 sample_rate = 4;
  uint32 num_channels = 5;
  optional uint64 pts = 6;
}

message TranscriptionFrame {
  uint64 id = 1;
  string name = 2;
  string text = 3;
  string user_id = 4;
  string timestamp = 5;
}

// An RTVI message, as a JSON string.
message MessageFrame {
  string data = 1;
}

message Frame {
  oneof frame {
    TextFrame text = 1;
    AudioRawFrame audio = 2;
    TranscriptionFrame transcription = 3;
    MessageFrame message = 4;
  }
}
`;
