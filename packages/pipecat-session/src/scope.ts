/**
 * The session a piece of code runs for. A session's scope is entered around its code (the task's run, or
 * `session.run(fn)`), before the conversation starts, and follows every async continuation of that code
 * (AsyncLocalStorage), so concurrent sessions never see each other. The store lives on `globalThis` so the
 * ESM and CommonJS builds of this package share it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { SessionLogCollector } from "./logs.js";

export interface SessionScope {
  /** The session (a ConversationSession). */
  readonly session: object;
  /** Its log collector, once log capture has started. */
  logs: SessionLogCollector | undefined;
}

const STORAGE_KEY = Symbol.for("@respan/instrumentation-pipecat.sessionScope");

function storage(): AsyncLocalStorage<SessionScope> {
  const holder = globalThis as { [STORAGE_KEY]?: AsyncLocalStorage<SessionScope> };
  holder[STORAGE_KEY] ??= new AsyncLocalStorage<SessionScope>();
  return holder[STORAGE_KEY];
}

export function runInSessionScope<T>(scope: SessionScope, fn: () => T): T {
  return storage().run(scope, fn);
}

export function currentSessionScope(): SessionScope | undefined {
  return storage().getStore();
}
