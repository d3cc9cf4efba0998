/*
 * Session capture's public API. Loading this package registers its listener with the instrumentation
 * (addConversationListener), so sessions prepared with attachSession() / createTracedSession() are
 * captured without configuring the instrumentation's `sessionCapture` option.
 */
import { addConversationListener } from "@respan/instrumentation-pipecat";
import { createSessionCapture } from "./factory.js";

addConversationListener(createSessionCapture());

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
