/**
 * Turning session capture on: per conversation (the instrumentation's `sessionCapture` factory) or per
 * task (`attachSession`, the two-step API, and `createTracedSession`, the one-step one).
 */
import {
  readString,
  type ConversationInfo,
  type ConversationListener,
  type SessionCaptureFactory,
} from "@respan/instrumentation-pipecat";
import { SessionCapture } from "./capture.js";
import { isTracingEnabled, resolveSessionOptions, type SessionOptions } from "./options.js";
import { ConversationSession, getSession, registerSessionTarget } from "./session.js";
import { warnOnce } from "./warnings.js";

/**
 * The factory to pass as the instrumentation's `sessionCapture` option. Conversations of a task prepared
 * with `attachSession` / `createTracedSession` use that session; with `defaults`, every other conversation
 * gets a session of its own with those options; without, the others are left alone.
 * RESPAN_TRACING_ENABLED=false turns it off.
 */
export function createSessionCapture(defaults?: SessionOptions): SessionCaptureFactory {
  // Validate now: a bad option fails at startup, not at the first call.
  if (defaults !== undefined) resolveSessionOptions(defaults);
  return (info: ConversationInfo): ConversationListener | undefined => {
    if (!isTracingEnabled()) return undefined;
    let session = info.task ? getSession(info.task) : undefined;
    if (!session?.isPending) {
      if (defaults === undefined) return undefined;
      session = new ConversationSession(resolveSessionOptions(undefined, defaults), true, runtimeSessionId(info.task));
    }
    if (!session.enabled) return undefined;
    return new SessionCapture(session, info).listener;
  };
}

/**
 * Two-step API: prepares a session for `task` (created by you, not yet run). Its conversation is captured
 * as soon as it starts, and the task's run executes in the session's scope (logs are attributed to it).
 * Requires the instrumentation's `sessionCapture` factory (`createSessionCapture()`, with or without
 * defaults); without it the task runs uncaptured and a warning says so when it finishes.
 */
export function attachSession(task: object, options?: SessionOptions): ConversationSession {
  if (task === null || typeof task !== "object" || typeof (task as { run?: unknown }).run !== "function") {
    throw new TypeError("[respan] attachSession: expected a pipeline task (an object with run()), got " + typeof task);
  }
  const existing = getSession(task);
  if (existing) {
    throw new Error(`[respan] attachSession: this task already has session ${existing.sessionId}; a task has one session`);
  }
  const enabled = isTracingEnabled();
  const session = new ConversationSession(resolveSessionOptions(options), enabled, runtimeSessionId(task));
  registerSessionTarget(task, session);
  runInScope(task, session);
  onTaskFinished(task, () => {
    if (!session.isPending) return;
    if (enabled) {
      warnOnce(
        "RESPAN_SESSION_NOT_STARTED",
        `[respan] session ${session.sessionId}: its task finished but its conversation was never captured. ` +
          "Make sure PipecatInstrumentation is enabled (registered before pipecat-ts was loaded, or " +
          "manuallyInstrument()ed) and that its sessionCapture factory, if you set one, keeps attached sessions.",
      );
    }
    session.finalise();
    session.complete({
      outcome: enabled ? "not_captured" : "disabled",
      transcript: undefined,
      recording: undefined,
      audioConsentGranted: undefined,
      logs: [],
      droppedLogRecords: 0,
    });
  });
  return session;
}

/** The runner's session id, when the task carries one (pipecat-ts's runner has none). */
function runtimeSessionId(task: object | undefined): string | undefined {
  return task ? readString(task, "sessionId", "session_id") : undefined;
}

/** Runs the task's run() in the session's scope (an own property over the prototype's, which stays patched). */
function runInScope(task: object, session: ConversationSession): void {
  const target = task as { run: (...args: unknown[]) => unknown };
  const run = target.run;
  Object.defineProperty(task, "run", {
    configurable: true,
    writable: true,
    value: function runInSession(this: unknown, ...args: unknown[]): unknown {
      return session.run(() => run.apply(this, args));
    },
  });
}

function onTaskFinished(task: object, handler: () => void): void {
  const on = (task as { on?: unknown }).on;
  if (typeof on !== "function") return;
  for (const event of ["onPipelineFinished", "on_pipeline_finished"]) {
    try {
      on.call(task, event, () => handler());
      return;
    } catch {
      // Not this spelling.
    }
  }
}
