/**
 * Runs a user function inside a workflow / task / agent / tool span (Traceloop conventions) and ends the
 * span when the function's work is really over: on return for sync functions, when the promise settles
 * for async ones, when the iterator finishes for generators. The user function's result, `this` and
 * errors pass through unchanged; a telemetry failure never reaches the caller.
 */
import { context, diag, SpanStatusCode, trace, type Attributes, type Context, type Exception, type Span } from "@opentelemetry/api";
import { TRACELOOP, type EntityKind } from "./attributes.js";
import { isTraceContentEnabled, MAX_CONTENT_LENGTH } from "./content-capture.js";
import { getEntityPosition, setEntityPosition, type EntityPosition } from "./entity-context.js";
import { safeJsonStringify } from "./serialize.js";

/** Instrumentation scope of the workflow / task spans. */
const TRACER_NAME = "@respan/core";

export interface EntitySpec {
  readonly kind: EntityKind;
  readonly name: string;
  readonly version?: string | number;
  /** False turns content capture off for this entity; true defers to isTraceContentEnabled(). */
  readonly traceContent: boolean;
}

/** One started entity span and what finishing it needs. */
interface RunningEntity {
  readonly span: Span;
  readonly ctx: Context;
  readonly captureContent: boolean;
  finished: boolean;
}

/** Calls `fn` with `thisArg` and `args` inside a new entity span and returns its result as described above. */
export function runInEntitySpan<A extends unknown[], R>(spec: EntitySpec, fn: (...args: A) => R, thisArg: unknown, args: A): R {
  const entity = startEntity(spec, args);
  if (entity === undefined) return Reflect.apply(fn, thisArg, args);
  let result: R;
  try {
    result = context.with(entity.ctx, () => Reflect.apply(fn, thisArg, args));
  } catch (error) {
    finishWithError(entity, error);
    throw error;
  }
  return followResult(entity, result);
}

function startEntity(spec: EntitySpec, args: unknown[]): RunningEntity | undefined {
  try {
    const parent = context.active();
    const enclosing = getEntityPosition(parent);
    const isWorkflow = spec.kind === "workflow";
    // A workflow starts a new entity tree; tasks, agents and tools nest in the enclosing one.
    const workflowName = isWorkflow ? spec.name : enclosing?.workflowName;
    const enclosingPath = isWorkflow ? undefined : enclosing?.entityPath;

    const attributes: Attributes = {
      [TRACELOOP.SPAN_KIND]: spec.kind,
      [TRACELOOP.ENTITY_NAME]: spec.name,
    };
    if (workflowName !== undefined) attributes[TRACELOOP.WORKFLOW_NAME] = workflowName;
    if (enclosingPath !== undefined) attributes[TRACELOOP.ENTITY_PATH] = enclosingPath;
    if (spec.version !== undefined) attributes[TRACELOOP.ENTITY_VERSION] = spec.version;

    const span = trace.getTracer(TRACER_NAME).startSpan(`${spec.name}.${spec.kind}`, { attributes }, parent);
    const captureContent = spec.traceContent && isTraceContentEnabled() && span.isRecording();
    if (captureContent) setContent(span, TRACELOOP.ENTITY_INPUT, { args, kwargs: {} });

    const position: EntityPosition = {
      workflowName,
      entityPath: isWorkflow ? undefined : enclosingPath === undefined ? spec.name : `${enclosingPath}.${spec.name}`,
    };
    const ctx = setEntityPosition(trace.setSpan(parent, span), position);
    return { span, ctx, captureContent, finished: false };
  } catch (error) {
    diag.error(`[respan] could not start the span of ${spec.kind} "${spec.name}"`, error);
    return undefined;
  }
}

function followResult<R>(entity: RunningEntity, result: R): R {
  const shape = resultShape(result);
  if (shape === "generator") return wrapGenerator(entity, result as Generator) as R;
  if (shape === "async-generator") return wrapAsyncGenerator(entity, result as AsyncGenerator) as R;
  if (typeof shape === "function") return followThenable(entity, result, shape);
  finishWithValue(entity, result);
  return result;
}

/**
 * A promise that settles like `thenable` once the span is finished. A Promise (subclasses included) is
 * chained with its own then(); any other thenable is adopted into a native Promise, since its then()
 * need not return anything.
 */
function followThenable<R>(entity: RunningEntity, thenable: R, then: (...args: unknown[]) => unknown): R {
  const onValue = (value: unknown): unknown => {
    finishWithValue(entity, value);
    return value;
  };
  const onError = (error: unknown): never => {
    finishWithError(entity, error);
    throw error;
  };
  if (thenable instanceof Promise) return Reflect.apply(then, thenable, [onValue, onError]) as R;
  return new Promise((resolve, reject) => {
    try {
      Reflect.apply(then, thenable, [
        (value: unknown) => resolve(onValue(value)),
        (error: unknown) => {
          finishWithError(entity, error);
          reject(error);
        },
      ]);
    } catch (error) {
      finishWithError(entity, error);
      reject(error);
    }
  }) as R;
}

/**
 * A generator that forwards to `generator`, running each step inside the entity's context, and ends the
 * span when the generator completes, is returned early (e.g. `break` in for...of) or throws. It keeps the
 * original's prototype, so `instanceof` and Symbol.iterator behave as before.
 */
function wrapGenerator(entity: RunningEntity, generator: Generator): Generator {
  const step = (method: "next" | "return" | "throw", argument: unknown): IteratorResult<unknown> => {
    let result: IteratorResult<unknown>;
    try {
      result = context.with(entity.ctx, () => generator[method](argument));
    } catch (error) {
      finishWithError(entity, error);
      throw error;
    }
    if (result.done === true) finishWithValue(entity, result.value);
    return result;
  };
  return withStepMethods(generator, step);
}

/** The async counterpart of wrapGenerator: the span ends when a step's promise settles the iteration. */
function wrapAsyncGenerator(entity: RunningEntity, generator: AsyncGenerator): AsyncGenerator {
  const step = (method: "next" | "return" | "throw", argument: unknown): Promise<IteratorResult<unknown>> =>
    context.with(entity.ctx, () => generator[method](argument)).then(
      (result) => {
        if (result.done === true) finishWithValue(entity, result.value);
        return result;
      },
      (error: unknown) => {
        finishWithError(entity, error);
        throw error;
      },
    );
  return withStepMethods(generator, step);
}

function withStepMethods<G extends object>(original: G, step: (method: "next" | "return" | "throw", argument: unknown) => unknown): G {
  const wrapper = Object.create(Object.getPrototypeOf(original) as object) as G;
  for (const method of ["next", "return", "throw"] as const) {
    Object.defineProperty(wrapper, method, {
      value: (argument?: unknown) => step(method, argument),
      writable: true,
      configurable: true,
    });
  }
  return wrapper;
}

function finishWithValue(entity: RunningEntity, value: unknown): void {
  if (entity.finished) return;
  entity.finished = true;
  try {
    if (entity.captureContent && value !== undefined) setContent(entity.span, TRACELOOP.ENTITY_OUTPUT, value);
  } catch (error) {
    diag.error("[respan] could not record an entity output", error);
  } finally {
    endSafely(entity.span);
  }
}

function finishWithError(entity: RunningEntity, error: unknown): void {
  if (entity.finished) return;
  entity.finished = true;
  try {
    const exception = toException(error);
    entity.span.recordException(exception);
    entity.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: typeof exception === "string" ? exception : exception.message,
    });
  } catch (telemetryError) {
    diag.error("[respan] could not record an entity error", telemetryError);
  } finally {
    endSafely(entity.span);
  }
}

function endSafely(span: Span): void {
  try {
    span.end();
  } catch (error) {
    diag.error("[respan] could not end an entity span", error);
  }
}

/** Content attributes are dropped (not truncated) when their JSON would exceed MAX_CONTENT_LENGTH. */
function setContent(span: Span, key: string, value: unknown): void {
  const json = safeJsonStringify(value, { maxLength: MAX_CONTENT_LENGTH });
  if (json !== undefined) span.setAttribute(key, json);
}

/** What recordException accepts, for anything a function may throw. */
function toException(error: unknown): Exception {
  if (error instanceof Error || typeof error === "string") return error;
  return { name: typeof error, message: safeJsonStringify(error, { maxLength: 1000 }) ?? typeof error };
}

/** How a function's result is followed: a generator, an async generator, a thenable (its then), or a value. */
function resultShape(value: unknown): "generator" | "async-generator" | ((...args: unknown[]) => unknown) | "value" {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return "value";
  try {
    const tag = Object.prototype.toString.call(value);
    if (tag === "[object Generator]") return "generator";
    if (tag === "[object AsyncGenerator]") return "async-generator";
    const then = (value as { then?: unknown }).then;
    return typeof then === "function" ? (then as (...args: unknown[]) => unknown) : "value";
  } catch {
    // A proxy or getter that throws while being inspected: treat the result as a plain value.
    return "value";
  }
}
