/**
 * A value computed once per class and kept on the class's constructor, under a private symbol (a
 * non-enumerable property no one else can see), so that looking it up for an instance is a couple of
 * property loads: this runs on every frame hop. The entry names the constructor it belongs to, because a
 * subclass constructor inherits its parent's static properties and must get its own entry. A constructor
 * that cannot take a property (frozen or sealed) is cached in a WeakMap instead. A runtime mapping that adds
 * names makes every cache start afresh (a new key), so classes seen before are classified again.
 */
import { onRuntimeMappingChange } from "./runtime-mapping.js";

interface Entry<T> {
  readonly owner: unknown;
  readonly value: T;
}

export class ClassCache<T> {
  private key = Symbol("respan.classCache");
  private fallback = new WeakMap<object, T>();

  /**
   * `classify` computes the value for an instance of a class not seen yet; `none` is the value of anything
   * that is not a class instance (primitives, plain objects, objects without a constructor).
   */
  constructor(
    private readonly classify: (instance: object) => T,
    private readonly none: T,
  ) {
    onRuntimeMappingChange(() => {
      this.key = Symbol("respan.classCache");
      this.fallback = new WeakMap();
    });
  }

  of(value: unknown): T {
    if (value === null || typeof value !== "object") return this.none;
    const ctor = (value as { constructor?: unknown }).constructor;
    if (typeof ctor !== "function") return this.none;
    const entry = (ctor as unknown as Record<symbol, Entry<T> | undefined>)[this.key];
    if (entry !== undefined && entry.owner === ctor) return entry.value;
    return this.firstOfClass(value, ctor);
  }

  private firstOfClass(instance: object, ctor: object): T {
    // Plain objects: nothing to classify, and Object itself is not ours to mark.
    if (ctor === Object) return this.none;
    const known = this.fallback.get(ctor);
    if (known !== undefined) return known;
    const value = this.classify(instance);
    if (!this.mark(ctor, { owner: ctor, value })) this.fallback.set(ctor, value);
    return value;
  }

  /** False when the constructor refuses the property (non-extensible, or a proxy that says no). */
  private mark(ctor: object, entry: Entry<T>): boolean {
    try {
      return Reflect.defineProperty(ctor, this.key, { value: entry });
    } catch {
      return false;
    }
  }
}
