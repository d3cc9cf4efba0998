/**
 * Workflow / task / agent / tool spans around user code: `withWorkflow(options, fn, ...args)` and friends,
 * and the `@workflow()`, `@task()`, `@agent()`, `@tool()` method decorators, which work both as TC39
 * standard decorators (TypeScript 5 default) and as legacy `experimentalDecorators`.
 */
import type { EntityKind } from "./attributes.js";
import { runInEntitySpan, type EntitySpec } from "./entity-span.js";

export interface EntityOptions {
  /** Entity name; the span is named `<name>.<kind>`. */
  name: string;
  /** Written to `traceloop.entity.version`. */
  version?: string | number;
  /** false: never record this entity's input/output (content capture must also be on globally). */
  traceContent?: boolean;
}

/** Decorator options: as EntityOptions, with the name defaulting to the method's name. */
export type EntityDecoratorOptions = Partial<EntityOptions>;

/** A method decorator usable both as a TC39 decorator and as a legacy (experimentalDecorators) one. */
export interface EntityDecorator {
  <This, Args extends unknown[], Return>(
    value: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
}

/** Runs `fn(...args)` in a workflow span; returns what `fn` returns (sync stays sync). */
export function withWorkflow<A extends unknown[], R>(options: EntityOptions | string, fn: (...args: A) => R, ...args: A): R {
  return withEntity("workflow", "withWorkflow", options, fn, args);
}

/** Runs `fn(...args)` in a task span nested in the enclosing workflow / task. */
export function withTask<A extends unknown[], R>(options: EntityOptions | string, fn: (...args: A) => R, ...args: A): R {
  return withEntity("task", "withTask", options, fn, args);
}

/** Runs `fn(...args)` in an agent span nested in the enclosing workflow / task. */
export function withAgent<A extends unknown[], R>(options: EntityOptions | string, fn: (...args: A) => R, ...args: A): R {
  return withEntity("agent", "withAgent", options, fn, args);
}

/** Runs `fn(...args)` in a tool span nested in the enclosing workflow / task. */
export function withTool<A extends unknown[], R>(options: EntityOptions | string, fn: (...args: A) => R, ...args: A): R {
  return withEntity("tool", "withTool", options, fn, args);
}

/** Method decorator: each call runs in a workflow span (name defaults to the method name). */
export function workflow(options?: EntityDecoratorOptions | string): EntityDecorator {
  return entityDecorator("workflow", options);
}

/** Method decorator: each call runs in a task span (name defaults to the method name). */
export function task(options?: EntityDecoratorOptions | string): EntityDecorator {
  return entityDecorator("task", options);
}

/** Method decorator: each call runs in an agent span (name defaults to the method name). */
export function agent(options?: EntityDecoratorOptions | string): EntityDecorator {
  return entityDecorator("agent", options);
}

/** Method decorator: each call runs in a tool span (name defaults to the method name). */
export function tool(options?: EntityDecoratorOptions | string): EntityDecorator {
  return entityDecorator("tool", options);
}

function withEntity<A extends unknown[], R>(
  kind: EntityKind,
  caller: string,
  options: EntityOptions | string,
  fn: (...args: A) => R,
  args: A,
): R {
  if (typeof fn !== "function") {
    throw new TypeError(`[respan] ${caller} expects a function as its second argument (got ${typeof fn})`);
  }
  return runInEntitySpan(toSpec(kind, caller, parseOptions(caller, options), undefined), fn, undefined, args);
}

function entityDecorator(kind: EntityKind, options: EntityDecoratorOptions | string | undefined): EntityDecorator {
  const caller = `@${kind}()`;
  if (typeof options === "function") {
    throw new TypeError(`[respan] ${caller} is a decorator factory: write @${kind}() or @${kind}({ name }), not @${kind}`);
  }
  // Parsed now, so a bad option fails where the decorator is written, not at the first call.
  const parsed = parseOptions(caller, options);

  function decorate(value: unknown, contextOrKey: unknown, descriptor?: PropertyDescriptor): unknown {
    if (isStandardDecoratorContext(contextOrKey)) {
      if (contextOrKey.kind !== "method" || typeof value !== "function") {
        throw new TypeError(`[respan] ${caller} decorates methods only (applied to a ${contextOrKey.kind})`);
      }
      return tracedMethod(toSpec(kind, caller, parsed, memberName(contextOrKey.name)), value as UserMethod);
    }
    if (descriptor === undefined || typeof descriptor.value !== "function") {
      throw new TypeError(`[respan] ${caller} decorates methods only (applied to ${String(contextOrKey)}, which is not a method)`);
    }
    const spec = toSpec(kind, caller, parsed, memberName(contextOrKey as string | symbol));
    return { ...descriptor, value: tracedMethod(spec, descriptor.value as UserMethod) };
  }
  return decorate as EntityDecorator;
}

type UserMethod = (this: unknown, ...args: unknown[]) => unknown;

/** The replacement method: same name, `this` passed through, each call in its own entity span. */
function tracedMethod(spec: EntitySpec, original: UserMethod): UserMethod {
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    return runInEntitySpan(spec, original, this, args);
  };
  Object.defineProperty(traced, "name", { value: original.name, configurable: true });
  return traced;
}

/** Validates options; throws a TypeError naming the bad option and what it accepts. */
function parseOptions(caller: string, options: EntityDecoratorOptions | string | undefined): EntityDecoratorOptions {
  const given: unknown = typeof options === "string" ? { name: options } : (options ?? {});
  if (typeof given !== "object" || given === null) {
    throw new TypeError(`[respan] ${caller} options must be an object or a name string (got ${typeof given})`);
  }
  const { name, version, traceContent } = given as Record<string, unknown>;
  if (name !== undefined && (typeof name !== "string" || name.trim() === "")) {
    throw new TypeError(`[respan] ${caller} option "name" must be a non-empty string (got ${describe(name)})`);
  }
  if (version !== undefined && typeof version !== "string" && !(typeof version === "number" && Number.isFinite(version))) {
    throw new TypeError(`[respan] ${caller} option "version" must be a string or a finite number (got ${describe(version)})`);
  }
  if (traceContent !== undefined && typeof traceContent !== "boolean") {
    throw new TypeError(`[respan] ${caller} option "traceContent" must be a boolean (got ${describe(traceContent)})`);
  }
  return given as EntityDecoratorOptions;
}

/** The entity to trace: the given name, else `fallbackName` (a decorated method's name). */
function toSpec(kind: EntityKind, caller: string, options: EntityDecoratorOptions, fallbackName: string | undefined): EntitySpec {
  const name = options.name ?? fallbackName;
  if (name === undefined) {
    throw new TypeError(`[respan] ${caller} option "name" must be a non-empty string (got undefined)`);
  }
  return { kind, name, version: options.version, traceContent: options.traceContent !== false };
}

function isStandardDecoratorContext(value: unknown): value is DecoratorContext {
  return typeof value === "object" && value !== null && "kind" in value && "name" in value;
}

function memberName(key: string | symbol): string {
  return typeof key === "symbol" ? (key.description ?? "anonymous") : key;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}
