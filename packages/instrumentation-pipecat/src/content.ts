/*
 * What user/assistant content a conversation records, and how much. Every content attribute, error text
 * and attribute coming from the application (additionalSpanAttributes, attributeHook results) goes
 * through here, so "capture off" and the size cap are enforced in one place.
 */
import type { AttributeValue, Attributes } from "@opentelemetry/api";
import { errorMessage } from "./utils.js";

const TRUNCATION_MARK = "…[truncated]";
/** What an error says when content capture is off: its text may quote the user (a prompt, a transcript). */
export const ERROR_TEXT_WITHHELD = "error details withheld (content capture is off)";
/** Most items kept of an array attribute from the application. */
const MAX_ARRAY_ITEMS = 128;

/** An error as recorded on a span: the status message and the exception event's fields. */
export interface RecordedError {
  message: string;
  exception: { name: string; message: string; stack?: string };
}

export class ContentPolicy {
  constructor(
    readonly capture: boolean,
    readonly maxLength: number,
  ) {}

  /** Text content, cut to the cap; undefined when content capture is off or there is no text. */
  text(value: string | undefined): string | undefined {
    if (!this.capture || value === undefined) return undefined;
    return this.cut(value);
  }

  /** Any value as JSON (strings kept as they are), cut to the cap; undefined when capture is off. */
  json(value: unknown): string | undefined {
    if (!this.capture || value === undefined) return undefined;
    if (typeof value === "string") return this.cut(value);
    return this.cut(safeStringify(value));
  }

  /**
   * A JSON array of items, serialised one by one and stopping once the cap is reached, so a long list
   * costs no more than the cap to record.
   */
  jsonList(items: readonly unknown[]): string | undefined {
    if (!this.capture) return undefined;
    let out = "[";
    for (let i = 0; i < items.length; i++) {
      out += (i > 0 ? "," : "") + safeStringify(items[i]);
      if (out.length > this.maxLength) return this.cut(out);
    }
    return out + "]";
  }

  /**
   * Developer-defined structure (tool schemas), not user or assistant content: recorded even with content
   * capture off, still cut to the cap.
   */
  definition(value: unknown): string {
    return this.cut(typeof value === "string" ? value : safeStringify(value));
  }

  /**
   * An error's status message and exception event: its text cut to the cap, or — with content capture
   * off — only its type and a fixed text (no message, no stack).
   */
  error(error: unknown, type: string): RecordedError {
    const name = error instanceof Error ? error.name : type;
    if (!this.capture) {
      const message = `${name}: ${ERROR_TEXT_WITHHELD}`;
      return { message, exception: { name, message: ERROR_TEXT_WITHHELD } };
    }
    const message = this.cut(errorMessage(error));
    const stack = error instanceof Error && typeof error.stack === "string" ? this.cut(error.stack) : undefined;
    return { message, exception: stack === undefined ? { name, message } : { name, message, stack } };
  }

  /** Cuts the strings of attributes given by the application (in place) to the cap; returns `attributes`. */
  capAttributes(attributes: Attributes): Attributes {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (typeof value === "string") {
        if (value.length > this.maxLength) attributes[key] = this.cut(value);
      } else if (Array.isArray(value)) {
        attributes[key] = this.capArray(value);
      }
    }
    return attributes;
  }

  private capArray(values: readonly unknown[]): AttributeValue {
    const kept = values.length > MAX_ARRAY_ITEMS ? values.slice(0, MAX_ARRAY_ITEMS) : values;
    return kept.map((item) => (typeof item === "string" ? this.cut(item) : item)) as AttributeValue;
  }

  private cut(value: string): string {
    return value.length <= this.maxLength ? value : value.slice(0, this.maxLength) + TRUNCATION_MARK;
  }
}

/** JSON.stringify that never throws (cycles, BigInt...) and never returns undefined. */
export function safeStringify(value: unknown): string {
  // Plain JSON.stringify first: a replacer function takes V8 off its fast serialiser, and only a BigInt
  // (which throws) needs one.
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
    } catch {
      return String(value);
    }
  }
}
