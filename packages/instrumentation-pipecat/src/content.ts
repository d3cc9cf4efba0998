/*
 * What user/assistant content a conversation records, and how much. Every content attribute goes through
 * here, so "capture off" and the size cap are enforced in one place.
 */

const TRUNCATION_MARK = "…[truncated]";

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

  private cut(value: string): string {
    return value.length <= this.maxLength ? value : value.slice(0, this.maxLength) + TRUNCATION_MARK;
  }
}

/** JSON.stringify that never throws (cycles, BigInt...) and never returns undefined. */
export function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
