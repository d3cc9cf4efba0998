/**
 * The one-step helper: creates the pipeline task with tracing and turn tracking on and a session attached
 * (see attachSession), and returns both.
 */
import { randomUUID } from "node:crypto";
import { attachSession } from "./factory.js";
import { isTracingEnabled, type SessionOptions } from "./options.js";
import type { ConversationSession } from "./session.js";
import { invalidOption, isPlainObject } from "./validate.js";

const OWNER = "createTracedSession";

export interface TracedSessionOptions<Task extends object> extends SessionOptions {
  /** The runtime's task class (pipecat-ts's `PipelineTask`, or `PipelineWorker`). */
  PipelineTask: new (pipeline: any, options?: any) => Task;
  /** The pipeline the task runs. */
  pipeline: unknown;
  /** Options for the task; `conversationId` defaults to the session id. */
  taskOptions?: Record<string, unknown>;
}

export function createTracedSession<Task extends object>(
  options: TracedSessionOptions<Task>,
): { task: Task; session: ConversationSession } {
  if (!isPlainObject(options)) invalidOption(OWNER, "options", "an object", options);
  const { PipelineTask, pipeline, taskOptions, ...sessionOptions } = options;
  if (typeof PipelineTask !== "function") {
    invalidOption(OWNER, "PipelineTask", "the task class (PipelineTask from pipecat-ts)", PipelineTask);
  }
  if (taskOptions !== undefined && !isPlainObject(taskOptions)) invalidOption(OWNER, "taskOptions", "a plain object", taskOptions);
  // The session id is needed before the task exists (it names the conversation): resolve it first.
  const sessionId = sessionOptions.sessionId ?? (taskOptions?.conversationId as string | undefined) ?? randomUUID();
  const task = new PipelineTask(pipeline, {
    ...taskOptions,
    conversationId: taskOptions?.conversationId ?? sessionId,
    enableTracing: isTracingEnabled(),
    enableTurnTracking: true,
  });
  const session = attachSession(task, { ...sessionOptions, sessionId });
  return { task, session };
}
