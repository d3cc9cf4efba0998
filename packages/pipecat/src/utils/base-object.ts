import { nextObjectId, nextObjectName } from "./ids.js";

export type EventHandler = (source: any, ...args: any[]) => unknown;

/** Pipecat's BaseObject: an id, a "ClassName#n" name and named event handlers. */
export class BaseObject {
  readonly id: number;
  readonly name: string;
  readonly #handlers = new Map<string, EventHandler[]>();

  constructor(name?: string) {
    this.id = nextObjectId();
    this.name = name ?? nextObjectName(new.target.name);
  }

  /** Events this object emits (handlers for any other name are refused). */
  get eventNames(): string[] {
    return [...this.#handlers.keys()];
  }

  /** Adds a handler, called as `handler(this, ...eventArgs)`. */
  on(event: string, handler: EventHandler): this {
    const handlers = this.#handlers.get(event);
    if (!handlers) {
      const accepted = this.eventNames.map((name) => `"${name}"`).join(", ") || "none";
      throw new Error(`${this.name}: unknown event "${event}"; accepted events: ${accepted}`);
    }
    if (typeof handler !== "function") {
      throw new Error(`${this.name}: the handler for "${event}" must be a function`);
    }
    handlers.push(handler);
    return this;
  }

  protected registerEvent(event: string): void {
    if (!this.#handlers.has(event)) this.#handlers.set(event, []);
  }

  /** Runs the handlers in order; a failing handler is reported and never stops the others. */
  protected async emit(event: string, ...args: unknown[]): Promise<void> {
    const handlers = this.#handlers.get(event);
    if (!handlers || handlers.length === 0) return;
    for (const handler of handlers) {
      try {
        await handler(this, ...args);
      } catch (error) {
        await this.onEventHandlerError(event, error);
      }
    }
  }

  protected async onEventHandlerError(event: string, error: unknown): Promise<void> {
    process.emitWarning(`${this.name}: the "${event}" handler threw: ${errorMessage(error)}`);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
