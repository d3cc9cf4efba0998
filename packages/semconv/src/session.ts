/*
 * Span attributes and events written by session capture. Vendor-neutral names; the README's session
 * section documents each one.
 */

// conversation span
export const ATTR_SESSION_ID = "session.id";
export const ATTR_SESSION_MODE = "session.mode";
/** Custom metadata, flattened: `session.metadata.<key>` (non-scalar values as JSON). */
export const SESSION_METADATA_PREFIX = "session.metadata.";
/** The transcript document (JSON). */
export const ATTR_CONVERSATION_TRANSCRIPT = "conversation.transcript";
export const ATTR_TRANSCRIPT_ENTRY_COUNT = "conversation.transcript.entry_count";
export const ATTR_RECORDING_URI = "recording.uri";
export const ATTR_RECORDING_STATUS = "recording.status";
export const ATTR_RECORDING_SAMPLE_RATE = "recording.sample_rate";
export const ATTR_RECORDING_CHANNELS = "recording.channels";
export const ATTR_RECORDING_DURATION_SECONDS = "recording.duration_seconds";
export const ATTR_RECORDING_DROPPED_BYTES = "recording.dropped_bytes";
export const ATTR_AUDIO_CONSENT_GRANTED = "audio_consent_granted";
export const ATTR_SESSION_LOG_COUNT = "session.logs.count";
export const ATTR_SESSION_LOG_DROPPED = "session.logs.dropped";

// turn span
export const ATTR_RECORDING_OFFSET_SECONDS = "recording.offset_seconds";

// events
export const EVENT_TRANSCRIPT_ENTRY = "transcript.entry";
// transcript.entry event attributes (tool calls and results also carry gen_ai.tool.call.id / gen_ai.tool.name)
export const ATTR_TRANSCRIPT_ROLE = "transcript.role";
export const ATTR_TRANSCRIPT_TIMESTAMP = "transcript.timestamp";
export const ATTR_TRANSCRIPT_START_OFFSET_SECONDS = "transcript.start_offset_seconds";
export const ATTR_TRANSCRIPT_END_OFFSET_SECONDS = "transcript.end_offset_seconds";
export const ATTR_TRANSCRIPT_CONTENT = "transcript.content";
export const ATTR_TRANSCRIPT_TURN_NUMBER = "transcript.turn_number";
export const ATTR_TRANSCRIPT_INTERRUPTED = "transcript.interrupted";
export const EVENT_LOG = "log";
export const ATTR_LOG_SEVERITY = "log.severity";
export const ATTR_LOG_MESSAGE = "log.message";
export const ATTR_LOG_SOURCE = "log.source";
