/**
 * Finding the context aggregators of a pipeline — the transcript's source — by class name along the
 * prototype chain (LLMUserAggregator / LLMAssistantAggregator, and their subclasses or ports), and
 * listening to their turn events: `onUserTurnStopped(aggregator, {content, timestamp, interrupted})` and
 * `onAssistantTurnStopped(aggregator, message)` (snake_case names for ports that use them).
 */
import { classNamesOf } from "@respan/instrumentation-pipecat";

export type AggregatorRole = "user" | "assistant";

export interface TurnMessage {
  content?: unknown;
  timestamp?: unknown;
  interrupted?: unknown;
}

const ROLE_BY_CLASS_NAME: ReadonlyMap<string, AggregatorRole> = new Map([
  ["LLMUserAggregator", "user"],
  ["LLMUserContextAggregator", "user"],
  ["LLMAssistantAggregator", "assistant"],
  ["LLMAssistantContextAggregator", "assistant"],
]);

const EVENT_NAMES: Record<AggregatorRole, readonly string[]> = {
  user: ["onUserTurnStopped", "on_user_turn_stopped"],
  assistant: ["onAssistantTurnStopped", "on_assistant_turn_stopped"],
};

const roleCache = new WeakMap<object, AggregatorRole | null>();

/** The aggregator role of a processor, or undefined when it is not a context aggregator. */
export function aggregatorRoleOf(processor: unknown): AggregatorRole | undefined {
  if (processor === null || typeof processor !== "object") return undefined;
  const ctor = (processor as { constructor?: unknown }).constructor;
  const key = typeof ctor === "function" ? ctor : undefined;
  const cached = key ? roleCache.get(key) : undefined;
  if (cached !== undefined) return cached ?? undefined;
  let role: AggregatorRole | null = null;
  for (const name of classNamesOf(Object.getPrototypeOf(processor))) {
    const match = ROLE_BY_CLASS_NAME.get(name);
    if (match) {
      role = match;
      break;
    }
  }
  if (key) roleCache.set(key, role);
  return role ?? undefined;
}

/**
 * Adds `handler` for the aggregator's turn-stopped event. Returns false when the aggregator has no event
 * API this package knows (`on(name, handler)` or `addEventHandler(name, handler)`).
 */
export function onTurnStopped(
  aggregator: object,
  role: AggregatorRole,
  handler: (message: TurnMessage) => void,
): boolean {
  const target = aggregator as { on?: unknown; addEventHandler?: unknown; add_event_handler?: unknown };
  const register = [target.on, target.addEventHandler, target.add_event_handler].find(
    (candidate): candidate is (event: string, fn: (...args: unknown[]) => unknown) => unknown => typeof candidate === "function",
  );
  if (!register) return false;
  const listener = (_source: unknown, message: unknown): void => {
    handler(message !== null && typeof message === "object" ? (message as TurnMessage) : {});
  };
  for (const event of EVENT_NAMES[role]) {
    try {
      register.call(aggregator, event, listener);
      return true;
    } catch {
      // That name is not one of its events (pipecat-ts refuses unknown names): try the next spelling.
    }
  }
  return false;
}

/** Every processor of a pipeline, nested pipelines included (through their `processors`). */
export function processorsOf(root: unknown, limit = 10_000): object[] {
  const found: object[] = [];
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object" || seen.has(node) || found.length >= limit) return;
    seen.add(node);
    found.push(node);
    let children: unknown;
    try {
      children = (node as { processors?: unknown }).processors;
    } catch {
      return;
    }
    if (Array.isArray(children)) for (const child of children) visit(child);
  };
  visit(root);
  return found;
}
