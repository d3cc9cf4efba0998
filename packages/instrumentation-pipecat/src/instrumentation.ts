import { context, type Tracer } from "@opentelemetry/api";
import { InstrumentationBase, type InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import { realClock } from "./clock.js";
import { DEFAULT_MODULE_NAMES, resolveLimits, resolveSettings, validateConfig, type ConversationSettings } from "./config.js";
import type { ConversationTracer } from "./conversation-tracer.js";
import { DebugLog } from "./debug-log.js";
import { BOOLEAN_WORDS } from "./env-boolean.js";
import { ErrorReporter } from "./error-reporter.js";
import { HopRouter } from "./hop-router.js";
import { createInstruments, type PipecatInstruments } from "./metrics/instruments.js";
import { moduleDefinitions } from "./module-definitions.js";
import { registerRuntimeMapping } from "./runtime-mapping.js";
import { findPatchTargets, type Patch } from "./patch-targets.js";
import { callAndSettle, type BeginServiceCall, type ServiceCall } from "./service-calls.js";
import type { PipecatInstrumentationConfig } from "./types.js";
import { registeredListeners } from "./listener-registry.js";
import { describeNothingPatched } from "./setup-check.js";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version.js";

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * OpenTelemetry instrumentation for Pipecat voice pipelines (`pipecat-ts`, or any port using Pipecat's
 * class names): one trace per conversation, with `turn`, `stt`, `llm`, `tts` and `execute_tool` spans.
 */
export class PipecatInstrumentation extends InstrumentationBase<PipecatInstrumentationConfig> {
  // `declare`d, not initialised: init(), setConfig() and enable() run inside the base constructor,
  // before field initialisers would, so this state is created on first use instead.
  declare private _router?: HopRouter;
  declare private _errors?: ErrorReporter;
  declare private _debugLog?: DebugLog;
  declare private _ownWrappers?: WeakSet<AnyFunction>;
  declare private _manualModules?: Set<unknown>;
  declare private _instruments?: PipecatInstruments;
  declare private _patchedAny?: boolean;
  declare private _checkBeforeExit?: () => void;

  constructor(config: PipecatInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** Validates (a TypeError names any bad option); later conversations use the new configuration. */
  override setConfig(config: PipecatInstrumentationConfig = {}): void {
    validateConfig(config);
    if (config.runtimeMapping !== undefined) registerRuntimeMapping(config.runtimeMapping);
    super.setConfig(config);
    if (this._router !== undefined) this.applyConfigToRouter(this._router);
  }

  /** (Re)creates the metric instruments from the current meter (InstrumentationBase calls this when it changes). */
  protected override _updateMetricInstruments(): void {
    this._instruments = createInstruments(this.meter);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return moduleDefinitions(
      this.getConfig().moduleNames ?? DEFAULT_MODULE_NAMES,
      (moduleExports) => this.patchModule(moduleExports),
      (moduleExports) => this.unpatchModule(moduleExports),
      (name) => this.errors.warnOnce(`module path ${name}`,
        `moduleNames entry "${name}" is a path that resolves to no file from ${process.cwd()}: nothing is hooked ` +
          "for it. Give an absolute path or one relative to the working directory, or load the module yourself " +
          "and pass it to manuallyInstrument()."),
    );
  }

  /**
   * Instruments an already loaded runtime module (bundlers, ESM without the loader hook, a runtime
   * under another name). Safe to call more than once; undone by disable().
   */
  manuallyInstrument(moduleExports: unknown): void {
    (this._manualModules ??= new Set()).add(moduleExports);
    if (this.isEnabled()) this.patchModule(moduleExports);
  }

  /**
   * Warns once (a process warning naming the fix) when this instrumentation is enabled but has patched no
   * runtime: the setups that would otherwise trace nothing in silence. Runs before the process exits and
   * at the first flush of a Respan client; call it yourself after your app has loaded its runtime.
   */
  checkSetup(): void {
    if (!this.isEnabled() || this._patchedAny === true) return;
    this.errors.warnOnce("nothing-patched", describeNothingPatched(this.getConfig().moduleNames ?? DEFAULT_MODULE_NAMES));
  }

  override enable(): void {
    const wasEnabled = this.isEnabled();
    super.enable();
    if (!wasEnabled && this._checkBeforeExit === undefined) {
      this._checkBeforeExit = () => this.checkSetup();
      process.once("beforeExit", this._checkBeforeExit);
    }
    if (!wasEnabled && this._manualModules !== undefined) {
      for (const moduleExports of this._manualModules) this.patchModule(moduleExports);
    }
  }

  /** Restores every patched method and ends the conversations in progress. */
  override disable(): void {
    const wasEnabled = this.isEnabled();
    super.disable();
    if (this._checkBeforeExit !== undefined) process.removeListener("beforeExit", this._checkBeforeExit);
    this._checkBeforeExit = undefined;
    if (!wasEnabled) return;
    if (this._manualModules !== undefined) {
      for (const moduleExports of this._manualModules) this.unpatchModule(moduleExports);
    }
    this.guard("disable", () => this._router?.endAll("instrumentation_disabled"));
    void this._debugLog?.close();
    this._debugLog = undefined;
    if (this._router !== undefined) this._router.debugLog = undefined;
  }

  // ---- patching ----

  private patchModule<T>(moduleExports: T): T {
    try {
      const targets = findPatchTargets(moduleExports);
      if (targets.length === 0) {
        this.errors.warnOnce("no-targets", "no Pipecat classes (FrameProcessor, PipelineTask, ...) found in the module");
      } else {
        this._patchedAny = true;
      }
      for (const { prototype, method, patch } of targets) {
        if (this.ownWrappers.has(prototype[method] as AnyFunction)) continue;
        this._wrap(prototype, method, (original: unknown) => {
          const wrapper = this.wrapperFor(method, patch, original as AnyFunction);
          this.ownWrappers.add(wrapper);
          return wrapper;
        });
      }
    } catch (error) {
      this.errors.report("patch", error);
    }
    return moduleExports;
  }

  private unpatchModule(moduleExports: unknown): void {
    try {
      for (const { prototype, method } of findPatchTargets(moduleExports)) {
        // Only our own wrapper: another instrumentation's patch is not ours to remove.
        if (this.ownWrappers.has(prototype[method] as AnyFunction)) this._unwrap(prototype, method);
      }
    } catch (error) {
      this.errors.report("unpatch", error);
    }
  }

  private wrapperFor(method: string, patch: Patch, original: AnyFunction): AnyFunction {
    switch (patch.kind) {
      case "hop":
        return this.wrapPushFrame(original);
      case "run":
        return this.wrapRun(original);
      default:
        return this.wrapServiceCall(method, original, patch.begin);
    }
  }

  /** Every hop: observed in O(1), before the frame moves on. */
  private wrapPushFrame(original: AnyFunction): AnyFunction {
    const enabled = (): boolean => this.isEnabled();
    const router = this.router;
    const errors = this.errors;
    return function pushFrame(this: object, frame: unknown, direction: unknown) {
      if (enabled()) {
        try {
          router.onPushFrame(this, frame, direction);
        } catch (error) {
          errors.report("pushFrame", error);
        }
      }
      // The hottest call of the pipeline. `call` with the two declared parameters lets V8 inline the
      // original here (a default `direction` still applies to an explicit undefined); a port passing more
      // arguments gets them all. A rest array would be one allocation per hop.
      // eslint-disable-next-line prefer-rest-params
      if (arguments.length > 2) return original.apply(this, arguments as unknown as unknown[]);
      return original.call(this, frame, direction);
    } as AnyFunction;
  }

  /** A task starts: its conversation begins in the caller's context and ends when run() settles. */
  private wrapRun(original: AnyFunction): AnyFunction {
    const begin = (task: object): ConversationTracer | undefined =>
      this.isEnabled() ? this.router.beginTask(task, context.active()) : undefined;
    const errors = this.errors;
    return function run(this: object, ...args: unknown[]) {
      let tracer: ConversationTracer | undefined;
      try {
        tracer = begin(this);
      } catch (error) {
        errors.report("run", error);
      }
      if (tracer === undefined) return original.apply(this, args);
      const conversation = tracer;
      return callAndSettle(
        () => original.apply(this, args),
        (error, failed) => (failed ? conversation.end("task_failed", error) : conversation.end("task_finished")),
        (telemetryError) => errors.report("run settled", telemetryError),
      );
    } as AnyFunction;
  }

  /**
   * A service method that calls a model or a tool: `begin` (telemetry) returns the context to run the
   * call in (its span's) and what to record when it settles. If there is no conversation, nothing to
   * activate, or anything in `begin` fails, the original is called directly (no context switch).
   */
  private wrapServiceCall(method: string, original: AnyFunction, begin: BeginServiceCall): AnyFunction {
    const tracerOf = (service: object): ConversationTracer | undefined => this.activeTracerOf(service);
    const errors = this.errors;
    const reportSettleError = (telemetryError: unknown): void => errors.report(`${method} settled`, telemetryError);
    return function serviceCall(this: object, ...args: unknown[]) {
      let call: ServiceCall | undefined;
      try {
        const tracer = tracerOf(this);
        if (tracer !== undefined) call = begin(tracer, this, args);
      } catch (error) {
        errors.report(method, error);
      }
      if (call === undefined) return original.apply(this, args);
      const { context: callContext, settled } = call;
      const callOriginal = (): unknown => original.apply(this, args);
      if (settled === undefined) return context.with(callContext, callOriginal);
      return callAndSettle(() => context.with(callContext, callOriginal), settled, reportSettleError);
    } as AnyFunction;
  }

  // ---- state ----

  private activeTracerOf(service: object): ConversationTracer | undefined {
    if (!this.isEnabled()) return undefined;
    try {
      return this.router.liveOwner(service);
    } catch (error) {
      this.errors.report("owner lookup", error);
      return undefined;
    }
  }

  private get router(): HopRouter {
    if (this._router === undefined) {
      const tracer = (): Tracer => this.tracer;
      const instruments = (): PipecatInstruments | undefined => this._instruments;
      this._router = new HopRouter(
        {
          // The tracer of the current provider (setTracerProvider may replace it).
          get tracer() {
            return tracer();
          },
          // The instruments of the current meter (setMeterProvider may replace them).
          get instruments() {
            return instruments();
          },
          settings: () => this.conversationSettings(),
        },
        realClock,
        this.errors,
        resolveLimits(this.getConfig()),
      );
      this.applyConfigToRouter(this._router);
    }
    return this._router;
  }

  private get errors(): ErrorReporter {
    return (this._errors ??= new ErrorReporter(this._diag));
  }

  private get ownWrappers(): WeakSet<AnyFunction> {
    return (this._ownWrappers ??= new WeakSet());
  }

  private applyConfigToRouter(router: HopRouter): void {
    const config = this.getConfig();
    const filename = config.debugLogFilename;
    if (this._debugLog?.filename !== filename) {
      void this._debugLog?.close();
      this._debugLog = filename !== undefined ? new DebugLog(filename, this.errors) : undefined;
    }
    router.debugLog = this.isEnabled() ? this._debugLog : undefined;
    router.setLimits(resolveLimits(config));
  }

  /** The settings a conversation starting now runs with (option > environment variable > default). */
  private conversationSettings(): ConversationSettings {
    const settings = resolveSettings(this.getConfig(), process.env, (name, raw) =>
      this.errors.warnOnce(`env ${name}`, `${name}=${JSON.stringify(raw)} is not ${BOOLEAN_WORDS}: content capture is off`));
    // Without the option, the listeners other packages registered (session capture, once loaded).
    settings.sessionCapture ??= registeredListeners();
    return settings;
  }

  private guard(where: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.errors.report(where, error);
    }
  }
}
