import { classNamesOf } from "./class-names.js";
import type { BeginServiceCall } from "./service-calls.js";
import { SERVICE_CALL_TARGETS } from "./span-dispatch.js";
import { isObject } from "./utils.js";

/** How a wrapped method is traced: every frame hop, a task's run, or a span kind's service call. */
export type Patch = { kind: "hop" } | { kind: "run" } | { kind: "call"; begin: BeginServiceCall };

interface MethodPatch {
  /** The class, by name anywhere in a prototype chain, that has the method. */
  className: string;
  method: string;
  patch: Patch;
}

const METHOD_PATCHES: readonly MethodPatch[] = [
  { className: "FrameProcessor", method: "pushFrame", patch: { kind: "hop" } },
  { className: "PipelineTask", method: "run", patch: { kind: "run" } },
  { className: "PipelineWorker", method: "run", patch: { kind: "run" } },
  ...SERVICE_CALL_TARGETS.map(({ className, method, begin }) => ({ className, method, patch: { kind: "call", begin } }) as const),
];

export interface PatchTarget {
  /** The prototype that defines the method (the class named, or a base of it). */
  prototype: Record<string, unknown>;
  method: string;
  patch: Patch;
}

/** The exported values to search: named exports, a `default` export (ESM namespace of a CJS module), one level of namespaces. */
function exportedValues(moduleExports: unknown): unknown[] {
  const values: unknown[] = [];
  const visit = (container: unknown, depth: number): void => {
    if (!isObject(container) && typeof container !== "function") return;
    for (const key of Object.keys(container)) {
      let value: unknown;
      try {
        value = (container as Record<string, unknown>)[key];
      } catch {
        continue; // an export not yet initialised
      }
      if (typeof value === "function") values.push(value);
      else if (depth > 0 && isObject(value)) visit(value, depth - 1);
    }
  };
  visit(moduleExports, 1);
  return values;
}

/** Finds the prototype owning `method` at or above the class named `className` in `ctor`'s chain. */
function owningPrototype(ctor: { prototype?: unknown }, className: string, method: string): Record<string, unknown> | undefined {
  let proto: unknown = ctor.prototype;
  let reached = false;
  while (isObject(proto) && proto !== Object.prototype) {
    if (!reached && Object.prototype.hasOwnProperty.call(proto, "constructor")) {
      const owner = (proto as { constructor: { name?: unknown } }).constructor;
      reached = owner.name === className;
    }
    if (reached && Object.prototype.hasOwnProperty.call(proto, method) && typeof proto[method] === "function") {
      return proto;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/**
 * Walks a runtime module's exports and returns every (prototype, method) to wrap, each once. Classes are
 * recognised by name along their prototype chain, so a port only needs Pipecat's class names.
 */
export function findPatchTargets(moduleExports: unknown): PatchTarget[] {
  const targets: PatchTarget[] = [];
  const seen = new Set<string>();
  const prototypes: object[] = [];
  for (const value of exportedValues(moduleExports)) {
    const ctor = value as { prototype?: unknown };
    const names = classNamesOf(ctor.prototype);
    for (const { className, method, patch } of METHOD_PATCHES) {
      if (!names.includes(className)) continue;
      const prototype = owningPrototype(ctor, className, method);
      if (prototype === undefined) continue;
      let index = prototypes.indexOf(prototype);
      if (index < 0) index = prototypes.push(prototype) - 1;
      const key = `${index}:${method}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ prototype, method, patch });
    }
  }
  return targets;
}
