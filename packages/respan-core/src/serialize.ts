/**
 * JSON serialisation of arbitrary user values for span attributes. It never throws: values JSON cannot
 * hold are written as readable placeholders, and the walk stops as soon as the output would exceed the
 * caller's length budget, so a huge argument costs at most that budget.
 */

/** Nesting depth below which objects are summarised ("[Object]", "[Array]") instead of walked. */
export const MAX_SERIALIZATION_DEPTH = 10;

export interface SafeJsonOptions {
  /** Longest JSON text accepted, in characters; beyond it the result is `undefined`. */
  maxLength: number;
  /** Deepest level walked; defaults to MAX_SERIALIZATION_DEPTH. */
  maxDepth?: number;
}

/**
 * Returns the JSON text of `value`, or `undefined` when `value` itself is `undefined` or the text would be
 * longer than `options.maxLength`.
 *
 * Beyond JSON.stringify: cycles become "[Circular]", BigInt its decimal string, functions
 * "[Function name]", symbols "Symbol(description)", Map an array of [key, value] pairs, Set an array,
 * Buffers and typed arrays "[Buffer 12 bytes]", Errors `{name, message}`, a getter or toJSON that throws
 * "[Unreadable: message]".
 */
export function safeJsonStringify(value: unknown, options: SafeJsonOptions): string | undefined {
  if (value === undefined) return undefined;
  const writer = new JsonWriter(options.maxLength, options.maxDepth ?? MAX_SERIALIZATION_DEPTH);
  try {
    writer.writeValue(value, 0);
  } catch {
    // Only the length budget can escape the writer (everything else is caught per node).
    return undefined;
  }
  return writer.text();
}

/** Thrown inside the writer when the output outgrows its budget; aborts the walk. */
class BudgetExceeded extends Error {}

class JsonWriter {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly ancestors = new Set<object>();

  constructor(
    private readonly maxLength: number,
    private readonly maxDepth: number,
  ) {}

  text(): string {
    return this.parts.join("");
  }

  writeValue(value: unknown, depth: number): void {
    if (typeof value === "object" && value !== null && !this.ancestors.has(value)) {
      this.writeObjectSafely(value, depth);
    } else {
      this.writePrimitive(value);
    }
  }

  private writePrimitive(value: unknown): void {
    switch (typeof value) {
      case "string":
        this.writeString(value);
        return;
      case "number":
        this.push(Number.isFinite(value) ? String(value) : "null");
        return;
      case "boolean":
        this.push(value ? "true" : "false");
        return;
      case "bigint":
        this.writeString(value.toString());
        return;
      case "symbol":
        this.writeString(value.toString());
        return;
      case "function":
        this.writeString(`[Function ${functionName(value)}]`);
        return;
      case "object":
        // null, or an object already being written further up: a cycle.
        this.push(value === null ? "null" : '"[Circular]"');
        return;
      default:
        this.push("null");
    }
  }

  /** Writes an object; if anything in it throws (a proxy trap, an iterator), rolls back to a placeholder. */
  private writeObjectSafely(value: object, depth: number): void {
    const partsBefore = this.parts.length;
    const lengthBefore = this.length;
    this.ancestors.add(value);
    try {
      this.writeObject(value, depth);
    } catch (error) {
      if (error instanceof BudgetExceeded) throw error;
      this.parts.length = partsBefore;
      this.length = lengthBefore;
      this.writeString(`[Unreadable: ${describeThrown(error)}]`);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private writeObject(value: object, depth: number): void {
    if (ArrayBuffer.isView(value)) {
      this.writeString(`[${constructorName(value) ?? "TypedArray"} ${value.byteLength} bytes]`);
    } else if (value instanceof ArrayBuffer || isSharedArrayBuffer(value)) {
      this.writeString(`[${constructorName(value) ?? "ArrayBuffer"} ${value.byteLength} bytes]`);
    } else if (value instanceof Date) {
      this.writeString(Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString());
    } else if (value instanceof Error) {
      this.writeEntries([
        ["name", readProperty(value, "name")],
        ["message", readProperty(value, "message")],
      ], depth);
    } else if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) {
      this.writeString(`[${constructorName(value) ?? "Object"}]`);
    } else if (value instanceof Number || value instanceof String || value instanceof Boolean) {
      this.writePrimitive(value.valueOf());
    } else if (depth >= this.maxDepth) {
      this.writeString(Array.isArray(value) ? "[Array]" : `[${constructorName(value) ?? "Object"}]`);
    } else if (value instanceof Map) {
      this.writeArray(Array.from(value.entries()), depth);
    } else if (value instanceof Set) {
      this.writeArray(Array.from(value.values()), depth);
    } else if (Array.isArray(value)) {
      this.writeArray(value, depth);
    } else if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      // A throwing toJSON is caught by writeObjectSafely; depth + 1 bounds chains of toJSON results.
      this.writeValue((value as { toJSON: () => unknown }).toJSON() ?? null, depth + 1);
    } else {
      this.writeEntries(Object.keys(value).map((key) => [key, readProperty(value, key)]), depth);
    }
  }

  private writeArray(items: readonly unknown[], depth: number): void {
    this.push("[");
    for (let i = 0; i < items.length; i++) {
      if (i > 0) this.push(",");
      const item = items[i];
      this.writeValue(item === undefined ? null : item, depth + 1);
    }
    this.push("]");
  }

  private writeEntries(entries: ReadonlyArray<readonly [string, unknown]>, depth: number): void {
    this.push("{");
    let first = true;
    for (const [key, item] of entries) {
      if (item === undefined) continue;
      if (!first) this.push(",");
      first = false;
      this.writeString(key);
      this.push(":");
      this.writeValue(item, depth + 1);
    }
    this.push("}");
  }

  private writeString(value: string): void {
    // JSON escaping only lengthens a string, so its raw length is a lower bound worth checking first.
    if (this.length + value.length + 2 > this.maxLength) throw new BudgetExceeded();
    this.push(JSON.stringify(value));
  }

  private push(text: string): void {
    this.length += text.length;
    if (this.length > this.maxLength) throw new BudgetExceeded();
    this.parts.push(text);
  }
}

/** Reads a property for serialisation; a throwing getter yields a placeholder instead of an error. */
function readProperty(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch (error) {
    return `[Unreadable: ${describeThrown(error)}]`;
  }
}

function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return error.message;
    return typeof error === "string" ? error : typeof error;
  } catch {
    return "unknown error";
  }
}

function functionName(fn: unknown): string {
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === "string" && name !== "" ? name : "(anonymous)";
  } catch {
    return "(anonymous)";
  }
}

function constructorName(value: object): string | undefined {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}

function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer;
}
