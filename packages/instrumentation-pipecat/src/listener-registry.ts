/*
 * Listener factories registered by other packages (session capture registers one when it is loaded), kept
 * process-wide under a global symbol so that every copy of this package (ESM and CommonJS builds, nested
 * installs) sees the same ones. Conversations consult them when the instrumentation's own
 * `sessionCapture` option is unset.
 */
import type { ConversationListener, SessionCaptureFactory } from "./listener.js";

const REGISTRY_KEY = Symbol.for("@respan/instrumentation-pipecat.conversationListeners");

function registered(): Set<SessionCaptureFactory> {
  const holder = globalThis as { [REGISTRY_KEY]?: Set<SessionCaptureFactory> };
  return (holder[REGISTRY_KEY] ??= new Set());
}

/**
 * Registers a listener factory every new conversation asks for a listener, unless the instrumentation's
 * `sessionCapture` option is set (that one then decides alone). The first factory to return a listener
 * gets the conversation. Returns a function that unregisters it.
 */
export function addConversationListener(factory: SessionCaptureFactory): () => void {
  if (typeof factory !== "function") {
    throw new TypeError(`addConversationListener: expected a function (info) => listener, got ${typeof factory}`);
  }
  registered().add(factory);
  return () => {
    registered().delete(factory);
  };
}

/** The registered factories as one, or undefined when none is registered (conversations get no listener). */
export function registeredListeners(): SessionCaptureFactory | undefined {
  const factories = registered();
  if (factories.size === 0) return undefined;
  return (info) => {
    for (const factory of factories) {
      const listener: ConversationListener | undefined = factory(info) ?? undefined;
      if (listener !== undefined) return listener;
    }
    return undefined;
  };
}
