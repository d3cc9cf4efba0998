// Helpers shared by the client / exporter tests: a clean environment per test, console capture, fake
// instrumentations and exporters. Not a test file itself.

/** Environment variables a test must not inherit from the machine (they would change the client's choices). */
const CONFIG_VARIABLE = /^(RESPAN_|OTEL_)/;

/**
 * Runs `fn` with every RESPAN_* / OTEL_* variable removed and `vars` set, then restores the environment
 * exactly (also when `fn` throws or rejects).
 */
export async function withEnv(vars, fn) {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (CONFIG_VARIABLE.test(key)) delete process.env[key];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** Records every console.debug/info/warn/error line while `fn` runs; returns `{ result, lines }`. */
export async function captureConsole(fn) {
  const lines = [];
  const methods = ["debug", "info", "warn", "error", "log"];
  const originals = Object.fromEntries(methods.map((method) => [method, console[method]]));
  for (const method of methods) {
    console[method] = (...args) => lines.push({ method, text: args.map(String).join(" ") });
  }
  try {
    const result = await fn(lines);
    return { result, lines };
  } finally {
    for (const method of methods) console[method] = originals[method];
  }
}

/** A fake OpenTelemetry instrumentation recording the calls the client makes on it. */
export function fakeInstrumentation(name, { config = {}, failOnEnable = false } = {}) {
  const calls = { setTracerProvider: 0, enable: 0, disable: 0, setConfig: [] };
  let currentConfig = { ...config };
  let enabled = false;
  return {
    calls,
    instrumentationName: name,
    instrumentationVersion: "0.0.1",
    setTracerProvider(provider) {
      calls.setTracerProvider += 1;
      this.tracerProvider = provider;
    },
    setMeterProvider() {},
    getConfig: () => currentConfig,
    setConfig(next) {
      calls.setConfig.push(next);
      currentConfig = next;
    },
    isEnabled: () => enabled,
    enable() {
      calls.enable += 1;
      if (failOnEnable) throw new Error(`${name} cannot hook its module`);
      enabled = true;
    },
    disable() {
      calls.disable += 1;
      enabled = false;
    },
  };
}

/** A span exporter that keeps every exported span (also after shutdown, unlike InMemorySpanExporter). */
export function recordingExporter() {
  const spans = [];
  return {
    spans,
    shutdownCalls: 0,
    export(batch, callback) {
      spans.push(...batch);
      callback({ code: 0 });
    },
    async shutdown() {
      this.shutdownCalls += 1;
    },
  };
}
