/**
 * Never-throwing JSON for user values (tool arguments and results, custom metadata): cycles become
 * "[Circular]", BigInts their decimal text, values JSON drops stay dropped; a getter or toJSON that throws
 * yields undefined rather than an error.
 */

export function jsonText(value: unknown): string | undefined {
  const ancestors: unknown[] = [];
  try {
    return JSON.stringify(value, function replacer(this: unknown, _key, item: unknown) {
      if (typeof item === "bigint") return item.toString();
      if (typeof item !== "object" || item === null) return item;
      // `this` is the object holding `item`: drop the ancestors we have left behind.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(item)) return "[Circular]";
      ancestors.push(item);
      return item;
    });
  } catch {
    return undefined;
  }
}

/**
 * A JSON-safe copy of `value` for a document, or — when its JSON is longer than `maxChars` — the first
 * `maxChars` characters of that JSON followed by a truncation marker.
 */
export function jsonSafeCopy(value: unknown, maxChars: number): unknown {
  if (typeof value === "string") return value.length <= maxChars ? value : `${value.slice(0, maxChars)}…[truncated]`;
  const text = jsonText(value);
  if (text === undefined) return undefined;
  if (text.length > maxChars) return `${text.slice(0, maxChars)}…[truncated]`;
  return JSON.parse(text) as unknown;
}
