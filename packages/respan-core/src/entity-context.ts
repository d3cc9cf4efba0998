/**
 * The workflow / task position carried in the OpenTelemetry context: set by the workflow and task
 * wrappers for the code they run, read back by them (to nest) and by PropagationSpanProcessor (to stamp
 * `traceloop.workflow.name` and `traceloop.entity.path` onto spans of other instrumentations).
 */
import { createContextKey, type Context } from "@opentelemetry/api";

export interface EntityPosition {
  /** Name of the innermost enclosing workflow. */
  readonly workflowName?: string;
  /** Dotted names of the enclosing tasks (tasks, agents, tools) inside that workflow, outermost first. */
  readonly entityPath?: string;
}

// createContextKey uses Symbol.for, so the ESM and CommonJS builds share this key.
const ENTITY_POSITION_KEY = createContextKey("@respan/core.entity_position");

export function getEntityPosition(ctx: Context): EntityPosition | undefined {
  return ctx.getValue(ENTITY_POSITION_KEY) as EntityPosition | undefined;
}

export function setEntityPosition(ctx: Context, position: EntityPosition): Context {
  return ctx.setValue(ENTITY_POSITION_KEY, position);
}
