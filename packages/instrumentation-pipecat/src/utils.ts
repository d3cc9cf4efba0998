import type { AttributeValue, Attributes } from "@opentelemetry/api";
import { portFieldNames } from "./runtime-mapping.js";

/* Tolerant readers: runtimes name fields in camelCase (pipecat-ts) or snake_case (other ports). */

type Bag = Record<string, unknown>;

/**
 * Reads `camel` or, when that is absent, `snake` from an object of unknown shape; then the port's own names
 * for that field, when a runtime mapping gave any.
 */
export function readField(target: unknown, camel: string, snake: string): unknown {
  if (target === null || (typeof target !== "object" && typeof target !== "function")) return undefined;
  const value = (target as Bag)[camel];
  if (value !== undefined) return value;
  const snakeValue = (target as Bag)[snake];
  if (snakeValue !== undefined) return snakeValue;
  const aliases = portFieldNames(camel);
  if (aliases === undefined) return undefined;
  for (const alias of aliases) {
    const aliased = (target as Bag)[alias];
    if (aliased !== undefined) return aliased;
  }
  return undefined;
}

/** Whether `target` has the field under any of its names (even holding null: a link at the end of a chain). */
export function hasField(target: object, camel: string, snake: string): boolean {
  if (camel in target || snake in target) return true;
  const aliases = portFieldNames(camel);
  return aliases !== undefined && aliases.some((alias) => alias in target);
}

export function readString(target: unknown, camel: string, snake: string): string | undefined {
  const value = readField(target, camel, snake);
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "bigint" ? String(value) : undefined;
}

export function readNumber(target: unknown, camel: string, snake: string): number | undefined {
  const value = readField(target, camel, snake);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function readBoolean(target: unknown, camel: string, snake: string): boolean | undefined {
  const value = readField(target, camel, snake);
  return typeof value === "boolean" ? value : undefined;
}

export function isObject(value: unknown): value is Bag {
  return value !== null && typeof value === "object";
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** A value OpenTelemetry accepts as an attribute, or undefined when it is not one. */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : undefined;
    case "bigint":
      return value.toString();
    default:
      break;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
  if (Array.isArray(value) && value.every((item) => typeof item === "number")) return value as number[];
  if (Array.isArray(value) && value.every((item) => typeof item === "boolean")) return value as boolean[];
  return undefined;
}

/** Copies the entries of a user-supplied record that are valid attribute values. */
export function toAttributes(record: unknown): Attributes {
  const attributes: Attributes = {};
  if (!isObject(record)) return attributes;
  for (const [key, value] of Object.entries(record)) {
    const attribute = toAttributeValue(value);
    if (attribute !== undefined) attributes[key] = attribute;
  }
  return attributes;
}

/** The message of an error-like value, for span status and exception events. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  const message = readField(error, "message", "message");
  if (typeof message === "string") return message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

export function secondsBetween(startMs: number, endMs: number): number {
  return Math.max(0, endMs - startMs) / 1000;
}

/**
 * An aborted operation (an interruption or a cancel cut it short): not a failure of the operation.
 * DOMException "AbortError", SDK variants such as OpenAI's "APIUserAbortError", or Node's ABORT_ERR code.
 */
export function isAbortError(error: unknown): boolean {
  const name = readField(error, "name", "name");
  return (typeof name === "string" && name.endsWith("AbortError")) || readField(error, "code", "code") === "ABORT_ERR";
}
