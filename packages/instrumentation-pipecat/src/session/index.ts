/** Session capture's public API (re-exported by the package index). */
export { createSessionCapture, attachSession } from "./factory.js";
export { createTracedSession, type TracedSessionOptions } from "./traced-session.js";
export {
  ConversationSession,
  getSession,
  getCurrentSession,
  type RecordingStatus,
  type SessionSummary,
} from "./session.js";
export type { RecordingSinkContext, SessionMode, SessionOptions } from "./options.js";
export { SessionOptionError } from "./validate.js";
export {
  FileRecordingSink,
  HttpPutRecordingSink,
  RecordingUploadError,
  type HttpPutRecordingSinkOptions,
  type RecordingSink,
} from "./sinks.js";
export { DualChannelRecorder, type DualChannelRecorderOptions, type RecordingSummary } from "./recorder.js";
export {
  TranscriptBuilder,
  type ToolCallContent,
  type ToolCallResultContent,
  type TranscriptBuilderOptions,
  type TranscriptDocument,
  type TranscriptEntry,
  type TranscriptRole,
} from "./transcript.js";
export type { SessionLogLevel, SessionLogRecord } from "./logs.js";
