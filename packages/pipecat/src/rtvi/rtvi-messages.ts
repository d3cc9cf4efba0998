import { randomBytes } from "node:crypto";

/** The RTVI protocol version this server speaks. */
export const RTVI_PROTOCOL_VERSION = "2.1.0";
/** The label every RTVI message carries. */
export const RTVI_MESSAGE_LABEL = "rtvi-ai";

/** One RTVI message: `{ label: "rtvi-ai", type, id, data }`. */
export interface RTVIMessage {
  label: typeof RTVI_MESSAGE_LABEL;
  type: string;
  id: string;
  data?: unknown;
}

/** A new RTVI message; `id` defaults to a fresh one (8 hex characters, like the client's). */
export function rtviMessage(type: string, data?: unknown, id?: string): RTVIMessage {
  const message: RTVIMessage = { label: RTVI_MESSAGE_LABEL, type, id: id ?? randomBytes(4).toString("hex") };
  if (data !== undefined) message.data = data;
  return message;
}

/** An RTVI message that is not well formed (the reason names what is wrong). */
export class RTVIMessageError extends Error {
  override name = "RTVIMessageError";

  constructor(
    message: string,
    /** The message's id, when it had one (an error-response answers it). */
    readonly messageId?: string,
  ) {
    super(message);
  }
}

/**
 * Reads a client message: undefined for one that is not RTVI (another label), the message when it is
 * well formed; throws RTVIMessageError otherwise.
 */
export function parseRTVIMessage(value: unknown): RTVIMessage | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RTVIMessageError("an RTVI message must be a JSON object");
  }
  const record = value as Record<string, unknown>;
  if (record.label !== RTVI_MESSAGE_LABEL) return undefined;
  const id = typeof record.id === "string" ? record.id : undefined;
  if (typeof record.type !== "string" || record.type === "") throw new RTVIMessageError('an RTVI message needs a "type" string', id);
  if (id === undefined) throw new RTVIMessageError(`the RTVI "${record.type}" message needs an "id" string`);
  return { label: RTVI_MESSAGE_LABEL, type: record.type, id, data: record.data };
}

/** The major version of a "major.minor.patch" string, or undefined. */
export function majorVersion(version: unknown): number | undefined {
  if (typeof version !== "string") return undefined;
  const match = /^(\d+)\./.exec(version);
  return match ? Number(match[1]) : undefined;
}
