/**
 * propagateAttributes: who/what a piece of work belongs to (customer, thread, session, metadata...),
 * carried in the OpenTelemetry context and stamped onto every span started inside it by
 * PropagationSpanProcessor — spans of other instrumentations included.
 *
 * The scope lives in the context (AsyncLocalStorage underneath when the client registered its context
 * manager), so it follows `await`, timers, promise callbacks and streams, and concurrent scopes never see
 * each other. An EventEmitter listener runs in the context of the code that calls `emit()`, not of the
 * code that registered it; bind the listener (AsyncResource.bind, or `context.bind(ctx, emitter)`) when the
 * two differ.
 */
import { context, createContextKey, diag, type Context } from "@opentelemetry/api";
import type { Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import { METADATA_PREFIX, PROPAGATED_KEYS, TRACELOOP, type RespanAttributes } from "./attributes.js";
import { getEntityPosition } from "./entity-context.js";
import { describeError, warnOnce } from "./logger.js";
import { canonicalAttributeName, type SnakeCaseAttributes } from "./option-spellings.js";
import { safeJsonStringify } from "./serialize.js";
import { isPlainObject } from "./validate.js";

/** Longest identifier or metadata value (in characters) stamped onto spans; longer strings are truncated. */
export const MAX_PROPAGATED_VALUE_LENGTH = 4096;
/**
 * Most metadata keys stamped onto one span; the rest are dropped (warned once). Metadata is stamped as the
 * span ends, after the span's own attributes, so what the limit leaves out is never the instrumentation's.
 */
export const MAX_PROPAGATED_METADATA_KEYS = 64;

type ScalarName = keyof typeof PROPAGATED_KEYS;
type SpanAttributeMap = Readonly<Record<string, string>>;
/** What a scope stamps: identifiers when the span starts, metadata when it ends. */
interface ScopeStamps {
  readonly atStart: SpanAttributeMap;
  readonly atEnd: SpanAttributeMap;
}

/**
 * Attributes after validation: identifiers are strings, metadata values are the strings stamped. A
 * propagateAttributes scope holds one of these (merged over its enclosing scopes) in the context.
 */
interface NormalizedAttributes {
  readonly scalars: Readonly<Partial<Record<ScalarName, string>>>;
  readonly metadata: Readonly<Record<string, string>>;
}

// createContextKey uses Symbol.for, so the ESM and CommonJS builds share this key.
const SCOPE_KEY = createContextKey("@respan/core.propagated_attributes");

const SCALAR_NAMES = Object.keys(PROPAGATED_KEYS) as ScalarName[];
const ACCEPTED_NAMES = [...SCALAR_NAMES, "metadata"].join(", ");

/**
 * Runs `fn` with `attrs` added to the propagated attributes and returns whatever `fn` returns (a promise
 * is returned unchanged). Nested scopes merge: the inner one copies the outer one, `metadata` merges key
 * by key (inner wins), every other key is replaced. Unknown keys and bad values are warned about and
 * ignored (strings longer than MAX_PROPAGATED_VALUE_LENGTH are truncated); `fn` always runs.
 */
export function propagateAttributes<T>(attrs: RespanAttributes & SnakeCaseAttributes, fn: () => T): T {
  if (typeof fn !== "function") {
    throw new TypeError(`[respan] propagateAttributes expects a function as its second argument (got ${describeType(fn)})`);
  }
  let scoped: Context | undefined;
  try {
    scoped = enterScope(context.active(), attrs);
  } catch (error) {
    warnOnce(`propagateAttributes could not read its attributes (${describeError(error)}); running without them`);
  }
  return scoped === undefined ? fn() : context.with(scoped, fn);
}

/**
 * The attributes propagated in `ctx` (default: the active context), merged over all enclosing scopes.
 * Metadata values are the strings stamped onto spans. The client's defaults are not included.
 */
export function getPropagatedAttributes(ctx: Context = context.active()): RespanAttributes {
  const scope = getScope(ctx);
  if (scope === undefined) return {};
  const { scalars, metadata } = scope;
  return Object.keys(metadata).length > 0 ? { ...scalars, metadata: { ...metadata } } : { ...scalars };
}

/**
 * Stamps the propagated attributes onto every span when it starts: the base layer (the client's
 * defaults) merged under the scope found in the span's parent context, plus the enclosing workflow name
 * and entity path for spans that are not themselves workflow/task spans. An attribute the span already
 * has is left as it is.
 */
export class PropagationSpanProcessor implements SpanProcessor {
  private readonly baseAttributes: ScopeStamps;
  private readonly base: NormalizedAttributes;
  private readonly mergedByScope = new WeakMap<NormalizedAttributes, ScopeStamps>();
  /** Metadata waiting for each span's end. */
  private readonly pendingMetadata = new WeakMap<Span, SpanAttributeMap>();

  /** Throws a TypeError naming the option when `base` holds an unknown key or a bad value. */
  constructor(base: RespanAttributes = {}) {
    if (!isPlainObject(base)) {
      throw new TypeError(`[respan] default attributes must be an object (got ${describeType(base)})`);
    }
    this.base = normalize(base, (problem) => {
      throw new TypeError(`[respan] ${problem}`);
    });
    this.baseAttributes = toSpanAttributes(this.base);
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const scope = getScope(parentContext);
      const stamps = scope === undefined ? this.baseAttributes : this.mergedWithBase(scope);
      stampMissing(span, stamps.atStart);
      if (stamps.atEnd !== NO_ATTRIBUTES) this.pendingMetadata.set(span, stamps.atEnd);
      // Workflow/task spans record their own position; only other spans inherit it from the context.
      const position = getEntityPosition(parentContext);
      if (position !== undefined && span.attributes[TRACELOOP.SPAN_KIND] === undefined) {
        if (position.workflowName !== undefined) stampIfMissing(span, TRACELOOP.WORKFLOW_NAME, position.workflowName);
        if (position.entityPath !== undefined) stampIfMissing(span, TRACELOOP.ENTITY_PATH, position.entityPath);
      }
    } catch (error) {
      diag.error("[respan] PropagationSpanProcessor could not stamp a span:", describeError(error));
    }
  }

  onEnding(span: Span): void {
    const metadata = this.pendingMetadata.get(span);
    if (metadata === undefined) return;
    this.pendingMetadata.delete(span);
    try {
      stampMissing(span, metadata);
    } catch (error) {
      diag.error("[respan] PropagationSpanProcessor could not stamp a span:", describeError(error));
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private mergedWithBase(scope: NormalizedAttributes): ScopeStamps {
    let merged = this.mergedByScope.get(scope);
    if (merged === undefined) {
      merged = toSpanAttributes(mergeAttributes(this.base, scope));
      this.mergedByScope.set(scope, merged);
    }
    return merged;
  }
}

function getScope(ctx: Context): NormalizedAttributes | undefined {
  return ctx.getValue(SCOPE_KEY) as NormalizedAttributes | undefined;
}

/** The context for a new scope, or undefined (after a warning) when `attrs` is not an object. */
function enterScope(active: Context, attrs: unknown): Context | undefined {
  if (!isPlainObject(attrs)) {
    warnOnce(`propagateAttributes expects an object of attributes (got ${describeType(attrs)}); running without them`);
    return undefined;
  }
  const inner = normalize(attrs, (problem, consequence) => warnOnce(`propagateAttributes: ${problem}; ${consequence}`));
  const outer = getScope(active);
  return active.setValue(SCOPE_KEY, outer === undefined ? inner : mergeAttributes(outer, inner));
}

/** `inner` over `outer`: scalars replaced, metadata merged key by key. */
function mergeAttributes(outer: NormalizedAttributes, inner: NormalizedAttributes): NormalizedAttributes {
  return {
    scalars: { ...outer.scalars, ...inner.scalars },
    metadata: { ...outer.metadata, ...inner.metadata },
  };
}

const NO_ATTRIBUTES: SpanAttributeMap = Object.freeze({});
let metadataCapWarned = false;

function toSpanAttributes({ scalars, metadata }: NormalizedAttributes): ScopeStamps {
  const atStart: Record<string, string> = {};
  for (const name of SCALAR_NAMES) {
    const value = scalars[name];
    if (value !== undefined) atStart[PROPAGATED_KEYS[name]] = value;
  }
  const keys = Object.keys(metadata);
  if (keys.length > MAX_PROPAGATED_METADATA_KEYS && !metadataCapWarned) {
    metadataCapWarned = true;
    warnOnce(
      `metadata has ${keys.length} keys: only the first ${MAX_PROPAGATED_METADATA_KEYS} are stamped on spans, ` +
        `${keys.length - MAX_PROPAGATED_METADATA_KEYS} are dropped (later cases are not reported)`,
    );
  }
  if (keys.length === 0) return { atStart, atEnd: NO_ATTRIBUTES };
  const atEnd: Record<string, string> = {};
  for (const key of keys.slice(0, MAX_PROPAGATED_METADATA_KEYS)) atEnd[METADATA_PREFIX + key] = metadata[key] as string;
  return { atStart, atEnd };
}

/** Receives one problem with user attributes and what is done about it (warn and go on, or throw). */
type ProblemHandler = (problem: string, consequence: string) => void;

/**
 * Validates user attributes. `null`/`undefined` values mean "not set" and are skipped silently; every
 * other problem goes to `onProblem`, and normalisation continues without the bad value.
 */
function normalize(input: object, onProblem: ProblemHandler): NormalizedAttributes {
  const scalars: Partial<Record<ScalarName, string>> = {};
  let metadata: Record<string, string> = {};
  for (const givenKey of Object.keys(input)) {
    const value = (input as Record<string, unknown>)[givenKey];
    // snake_case keys (customer_identifier...) as Respan's other SDKs spell them.
    const key = canonicalAttributeName(givenKey);
    if (key === "metadata") {
      metadata = normalizeMetadata(value, onProblem);
    } else if (isScalarName(key)) {
      const text = normalizeString(key, value, onProblem);
      if (text !== undefined) scalars[key] = text;
    } else {
      onProblem(`unknown attribute "${key}" (accepted: ${ACCEPTED_NAMES})`, "ignored");
    }
  }
  return { scalars, metadata };
}

function normalizeString(name: string, value: unknown, onProblem: ProblemHandler): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    onProblem(`${name} must be a string (got ${describeType(value)})`, "ignored");
    return undefined;
  }
  return truncated(name, value, onProblem);
}

function normalizeMetadata(value: unknown, onProblem: ProblemHandler): Record<string, string> {
  const result: Record<string, string> = {};
  if (value === undefined || value === null) return result;
  if (!isPlainObject(value)) {
    onProblem(`metadata must be an object of key/value pairs (got ${describeType(value)})`, "ignored");
    return result;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || item === null) continue;
    if (typeof item === "string") {
      result[key] = truncated(`metadata.${key}`, item, onProblem);
      continue;
    }
    const json = safeJsonStringify(item, { maxLength: MAX_PROPAGATED_VALUE_LENGTH });
    if (json === undefined) {
      onProblem(`metadata.${key} is longer than ${MAX_PROPAGATED_VALUE_LENGTH} characters once serialised`, "ignored");
    } else {
      result[key] = json;
    }
  }
  return result;
}

function truncated(name: string, value: string, onProblem: ProblemHandler): string {
  if (value.length <= MAX_PROPAGATED_VALUE_LENGTH) return value;
  onProblem(`${name} is longer than ${MAX_PROPAGATED_VALUE_LENGTH} characters`, "truncated");
  return value.slice(0, MAX_PROPAGATED_VALUE_LENGTH);
}

function stampMissing(span: Span, attributes: SpanAttributeMap): void {
  for (const key in attributes) stampIfMissing(span, key, attributes[key] as string);
}

function stampIfMissing(span: Span, key: string, value: string): void {
  if (span.attributes[key] === undefined) span.setAttribute(key, value);
}

function isScalarName(key: string): key is ScalarName {
  return Object.prototype.hasOwnProperty.call(PROPAGATED_KEYS, key);
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}
