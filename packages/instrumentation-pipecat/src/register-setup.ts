/*
 * What both register entries (`--import` and `--require`) do once the loader hook is in place: create the
 * instrumentation, and hand it to a Respan client configured from the environment (RESPAN_*, OTEL_*) when
 * @respan/core is installed; otherwise spans go to whatever global tracer provider the app registers.
 */
import { PipecatInstrumentation } from "./instrumentation.js";

export const RESPAN_CORE = "@respan/core";

export interface RespanModule {
  Respan: new (options: { instrumentations: unknown[] }) => unknown;
}

/** True for the error of importing or requiring @respan/core when it is not installed (any other error is real). */
export function isRespanCoreMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String(message).includes(`'${RESPAN_CORE}'`);
}

export function startTracing(respanCore: RespanModule | undefined): void {
  const instrumentation = new PipecatInstrumentation();
  if (respanCore !== undefined) {
    // The Respan client reads RESPAN_* / OTEL_* itself, sets its tracer provider on the instrumentation
    // (or joins the one already registered) and enables it.
    new respanCore.Respan({ instrumentations: [instrumentation] });
    return;
  }
  process.emitWarning(
    `${RESPAN_CORE} is not installed: Pipecat spans go to the global OpenTelemetry tracer provider, ` +
      "so register one in your app (or install @respan/core to have it configured from the environment)",
    { code: "PIPECAT_INSTRUMENTATION_NO_RESPAN" },
  );
}
