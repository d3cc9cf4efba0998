// Option validation (bad input throws at construction, naming the option and what it accepts) and the
// precedence option > environment variable > default.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { trace } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { Respan } from "@respan/core";
import { resolveOptions } from "../dist/esm/options.js";
import { withEnv } from "./helpers/client-helpers.mjs";

const inMemory = () => new InMemorySpanExporter();

/**
 * Options the constructor rejects, with the message naming what was wrong. Rows the type already rejects are
 * marked so: if such an option became valid, this file would stop compiling.
 * @type {[import("@respan/core").RespanOptions, RegExp][]}
 */
const invalidOptions = [
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ apiKey: 42 }, /option "apiKey" must be a non-empty string; got number 42/],
  [{ apiKey: "   " }, /option "apiKey" must be a non-empty string/],
  [{ apiKey: "key\r\nX-Injected: 1" }, /API key .* must not contain line breaks/],
  [{ baseUrl: "not a url" }, /option "baseUrl" must be an http\(s\) URL such as "https:\/\/api\.respan\.ai\/api"; got "not a url"/],
  [{ baseUrl: "ftp://example.com/api" }, /option "baseUrl" must be an http\(s\) URL/],
  [{ baseUrl: "https://example.com/api?x=1" }, /option "baseUrl" must be an http\(s\) URL without query or fragment/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ baseUrl: 8080 }, /option "baseUrl" must be a URL string; got number 8080/],
  [{ appName: "" }, /option "appName" must be a non-empty string/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ customerIdentifier: 7 }, /option "customerIdentifier" must be a non-empty string/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ metadata: "plan=pro" }, /option "metadata" must be a plain object/],
  [{ customerIdentifier: "c".repeat(5000) }, /customerIdentifier is longer than 4096 characters/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ environment: ["prod"] }, /option "environment" must be a non-empty string; got an array/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ traceContent: "no" }, /option "traceContent" must be true or false; got "no"/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ enabled: 0 }, /option "enabled" must be true or false; got number 0/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ batching: "yes" }, /option "batching" must be true, false or an object of queue limits/],
  [{ batching: { maxQueueSize: -5 } }, /option "batching.maxQueueSize" must be a positive integer; got number -5/],
  [{ batching: { maxQueueSize: 0 } }, /option "batching.maxQueueSize" must be a positive integer; got number 0/],
  [{ batching: { maxExportBatchSize: 1.5 } }, /option "batching.maxExportBatchSize" must be a positive integer/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ batching: { scheduledDelayMillis: "100" } }, /option "batching.scheduledDelayMillis" must be a positive integer; got "100"/],
  [{ batching: { exportTimeoutMillis: -1 } }, /option "batching.exportTimeoutMillis" must be a positive integer/],
  // @ts-expect-error "maxQueue" is not an option: the run-time check must reject it
  [{ batching: { maxQueue: 10 } }, /option "batching.maxQueue" must be one of maxQueueSize, maxExportBatchSize/],
  [{ batching: { maxQueueSize: 10, maxExportBatchSize: 20 } }, /"batching.maxExportBatchSize" \(20\) must not exceed "batching.maxQueueSize" \(10\)/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ headers: "x-a: 1" }, /option "headers" must be an object of header names to string values/],
  [{ headers: { "bad header": "1" } }, /header name in option "headers" must be a valid HTTP header name; got "bad header"/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ headers: { "x-team": 5 } }, /option "headers.x-team" must be a string without line breaks; got number 5/],
  [{ headers: { "x-team": "a\nb" } }, /option "headers.x-team" must be a string without line breaks/],
  // @ts-expect-error "nested" is not an option: the run-time check must reject it
  [{ resourceAttributes: { "deployment.region": { nested: true } } }, /option "resourceAttributes.deployment.region" must be a string, finite number, boolean/],
  [{ resourceAttributes: { "service.name": 5 } }, /option "resourceAttributes.service.name" must be a string/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ instrumentations: {} }, /option "instrumentations" must be an array of Instrumentations; got an object/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ instrumentations: [{ enable() {} }] }, /option "instrumentations\[0\]" must be an OpenTelemetry Instrumentation \(with setTracerProvider\(\), enable\(\), disable\(\)\)/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ exporters: [inMemory(), { export() {} }] }, /option "exporters\[1\]" must be an OpenTelemetry SpanExporter \(with export\(\), shutdown\(\)\)/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ spanProcessors: [inMemory()] }, /option "spanProcessors\[0\]" must be an OpenTelemetry SpanProcessor/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ tracesDir: 3 }, /option "tracesDir" must be a directory path or false; got number 3/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ tracesDir: true }, /option "tracesDir" must be a directory path or false; got boolean true/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ printTree: "yes" }, /option "printTree" must be true, false or \{ write\?, bars\? \}/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ printTree: { write: "stderr" } }, /option "printTree.write" must be a function/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ logLevel: "loud" }, /option "logLevel" must be one of "debug", "info", "warn", "error", "silent"; got "loud"/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ flushOnExit: "yes" }, /option "flushOnExit" must be true or false/],
  [{ exitFlushTimeoutMillis: 0 }, /option "exitFlushTimeoutMillis" must be a positive integer; got number 0/],
  // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
  [{ flushTimeoutMillis: "10s" }, /option "flushTimeoutMillis" must be a positive integer; got "10s"/],
  [{ shutdownTimeoutMillis: -1 }, /option "shutdownTimeoutMillis" must be a positive integer; got number -1/],
];

test("invalid options throw at construction, naming the option and what it accepts", async () => {
  await withEnv({}, () => {
    for (const [options, message] of invalidOptions) {
      assert.throws(() => new Respan(options), message, `options ${JSON.stringify(options)}`);
    }
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => new Respan("api-key"), /the options of new Respan\(\) must be an object; got "api-key"/);
    // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
    assert.throws(() => new Respan([]), /the options of new Respan\(\) must be an object; got an array/);
  });
});

test("invalid options throw even when tracing is disabled, and a failed construction registers nothing", async () => {
  await withEnv({}, async () => {
    assert.throws(() => new Respan({ enabled: false, batching: { maxQueueSize: -1 } }), /batching.maxQueueSize/);
    // Nothing was registered: a valid client starts normally (no "already initialised" reuse).
    const exporter = inMemory();
    const respan = new Respan({ exporters: [exporter], batching: false, flushOnExit: false });
    try {
      assert.equal(respan.enabled, true);
      trace.getTracer("t").startSpan("after-failed-construction").end();
      await respan.flush();
      assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), ["after-failed-construction"]);
    } finally {
      await respan.shutdown();
    }
  });
});

const invalidEnvironment = [
  [{ RESPAN_BATCHING_ENABLED: "maybe" }, /environment variable RESPAN_BATCHING_ENABLED must be true\/1\/yes\/on or false\/0\/no\/off; got "maybe"/],
  [{ RESPAN_TRACING_ENABLED: "disabled" }, /environment variable RESPAN_TRACING_ENABLED must be/],
  [{ OTEL_TRACES_EXPORTER: "otlp,zipkin" }, /environment variable OTEL_TRACES_EXPORTER must be a comma list of otlp, console, none/],
  [{ RESPAN_PRINT_TREE: "2" }, /environment variable RESPAN_PRINT_TREE must be/],
  [{ RESPAN_FLUSH_ON_EXIT: "nah" }, /environment variable RESPAN_FLUSH_ON_EXIT must be/],
  [{ RESPAN_BASE_URL: "respan.example" }, /environment variable RESPAN_BASE_URL must be an http\(s\) URL/],
  [{ RESPAN_LOG_LEVEL: "chatty" }, /environment variable RESPAN_LOG_LEVEL must be one of "debug", "info", "warn", "error", "silent"; got "chatty"/],
  [{ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, /environment variable OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/],
  [
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "nope" },
    /environment variable OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http\(s\) URL/,
  ],
  [
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
    /environment variable OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/json, http\/protobuf \(grpc is not supported\); got "grpc"/,
  ],
  [
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "json" },
    /environment variable OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be one of http\/json, http\/protobuf/,
  ],
  // OpenTelemetry would drop every span (0, -1) or misread these silently.
  [{ OTEL_BSP_MAX_QUEUE_SIZE: "0" }, /environment variable OTEL_BSP_MAX_QUEUE_SIZE must be a whole number of at least 1; got "0"/],
  [{ OTEL_BSP_MAX_QUEUE_SIZE: "-1" }, /environment variable OTEL_BSP_MAX_QUEUE_SIZE must be a whole number of at least 1; got "-1"/],
  [{ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1e3" }, /environment variable OTEL_BSP_MAX_EXPORT_BATCH_SIZE must be a whole number/],
  [{ OTEL_BSP_SCHEDULE_DELAY: "soon" }, /environment variable OTEL_BSP_SCHEDULE_DELAY must be a whole number \(0 or more\)/],
  [{ OTEL_BSP_EXPORT_TIMEOUT: "0" }, /environment variable OTEL_BSP_EXPORT_TIMEOUT must be a whole number of at least 1/],
  [
    { OTEL_BSP_MAX_QUEUE_SIZE: "100", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "200" },
    /OTEL_BSP_MAX_EXPORT_BATCH_SIZE \(200\) must not exceed OTEL_BSP_MAX_QUEUE_SIZE \(100\)/,
  ],
  [{ OTEL_EXPORTER_OTLP_TIMEOUT: "10s" }, /environment variable OTEL_EXPORTER_OTLP_TIMEOUT must be a whole number of at least 1; got "10s"/],
  [{ OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "-5" }, /environment variable OTEL_EXPORTER_OTLP_TRACES_TIMEOUT must be a whole number/],
  [{ OTEL_EXPORTER_OTLP_HEADERS: "api-key" }, /environment variable OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of name=value pairs.*; got "an entry without a name=value form"/],
  [{ OTEL_EXPORTER_OTLP_TRACES_HEADERS: "bad key=secret" }, /environment variable OTEL_EXPORTER_OTLP_TRACES_HEADERS must be .*; got "an invalid entry for bad key"/],
  [{ OTEL_EXPORTER_OTLP_HEADERS: "x-token=%E0%A4%A" }, /environment variable OTEL_EXPORTER_OTLP_HEADERS must be/],
  [{ OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" }, /environment variable OTEL_EXPORTER_OTLP_COMPRESSION must be one of gzip, none; got "zstd"/],
  [{ OTEL_EXPORTER_OTLP_CERTIFICATE: "/no/such/ca.pem" }, /environment variable OTEL_EXPORTER_OTLP_CERTIFICATE must be the path of an existing file/],
  [{ RESPAN_FLUSH_TIMEOUT_MILLIS: "0" }, /environment variable RESPAN_FLUSH_TIMEOUT_MILLIS must be a whole number of at least 1/],
  [{ RESPAN_SHUTDOWN_TIMEOUT_MILLIS: "30s" }, /environment variable RESPAN_SHUTDOWN_TIMEOUT_MILLIS must be a whole number/],
  [{ RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS: "x" }, /environment variable RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS must be a whole number/],
];

test("a header value never appears in the error about a malformed OTEL_EXPORTER_OTLP_HEADERS", async () => {
  await withEnv({ OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20s3cr3t,=oops" }, () => {
    assert.throws(() => new Respan({ exporters: [inMemory()] }), (/** @type {Error} */ error) => !error.message.includes("s3cr3t"));
  });
});

test("deadlines: option > RESPAN_*_TIMEOUT_MILLIS > defaults (10 s flush, 30 s shutdown, 5 s exit)", () => {
  const pick = ({ flushTimeoutMillis, shutdownTimeoutMillis, exitFlushTimeoutMillis }) => [flushTimeoutMillis, shutdownTimeoutMillis, exitFlushTimeoutMillis];
  assert.deepEqual(pick(resolveOptions({ apiKey: "k" }, {})), [10_000, 30_000, 5_000]);
  const env = { RESPAN_FLUSH_TIMEOUT_MILLIS: "1000", RESPAN_SHUTDOWN_TIMEOUT_MILLIS: "2000", RESPAN_EXIT_FLUSH_TIMEOUT_MILLIS: "3000" };
  assert.deepEqual(pick(resolveOptions({ apiKey: "k" }, env)), [1000, 2000, 3000]);
  assert.deepEqual(pick(resolveOptions({ apiKey: "k", flushTimeoutMillis: 7, shutdownTimeoutMillis: 8, exitFlushTimeoutMillis: 9 }, env)), [7, 8, 9]);
});

test("RESPAN_TRACES_DIR=false or none switches the trace files off", () => {
  for (const word of ["false", "none", "NONE", "off"]) {
    assert.equal(resolveOptions({}, { RESPAN_TRACES_DIR: word }).tracesDir, undefined, word);
  }
  assert.equal(resolveOptions({}, { RESPAN_TRACES_DIR: "./spans" }).tracesDir, path.resolve("./spans"));
});

test("invalid environment variables throw at construction, naming the variable", async () => {
  for (const [vars, message] of invalidEnvironment) {
    await withEnv(vars, () => {
      assert.throws(() => new Respan({ exporters: [inMemory()] }), message, JSON.stringify(vars));
    });
  }
});

test("every boolean environment variable accepts true/1/yes/on and false/0/no/off in any case; empty is unset", () => {
  const read = {
    RESPAN_TRACE_CONTENT: (resolved) => resolved.traceContent,
    RESPAN_TRACING_ENABLED: (resolved) => resolved.enabled,
    RESPAN_FLUSH_ON_EXIT: (resolved) => resolved.flushOnExit,
    RESPAN_BATCHING_ENABLED: (resolved) => resolved.batching !== false,
    // With an API key the tree is off by default, so the variable alone decides.
    RESPAN_PRINT_TREE: (resolved) => resolved.printTree !== undefined,
  };
  const defaults = { RESPAN_TRACE_CONTENT: true, RESPAN_TRACING_ENABLED: true, RESPAN_FLUSH_ON_EXIT: true, RESPAN_BATCHING_ENABLED: true, RESPAN_PRINT_TREE: false };
  const words = [
    ...["true", "TRUE", "True", "1", "yes", "YES", "on", "On", " on "].map((word) => [word, true]),
    ...["false", "FALSE", "False", "0", "no", "NO", "off", "Off", " off "].map((word) => [word, false]),
  ];
  for (const [name, valueOf] of Object.entries(read)) {
    for (const [word, expected] of words) {
      assert.equal(valueOf(resolveOptions({ apiKey: "k" }, { [name]: String(word) })), expected, `${name}=${JSON.stringify(word)}`);
    }
    for (const empty of ["", "   "]) {
      assert.equal(valueOf(resolveOptions({ apiKey: "k" }, { [name]: empty })), defaults[name], `${name}=${JSON.stringify(empty)} is unset`);
    }
    const problem = new RegExp(`environment variable ${name} must be true/1/yes/on or false/0/no/off; got "maybe"`);
    if (name === "RESPAN_TRACE_CONTENT") {
      // A privacy switch fails closed: no content, and a warning instead of an error.
      const resolved = resolveOptions({ apiKey: "k" }, { [name]: "maybe" });
      assert.equal(resolved.traceContent, false);
      assert.match(resolved.warnings.join("\n"), problem);
    } else {
      assert.throws(() => resolveOptions({ apiKey: "k" }, { [name]: "maybe" }), problem);
    }
  }
  // RESPAN_TRACES_DIR is a directory, or one of the false words for none.
  for (const word of ["false", "OFF", "No", "0"]) assert.equal(resolveOptions({}, { RESPAN_TRACES_DIR: word }).tracesDir, undefined, word);
});

test("precedence: option > environment variable > default", () => {
  const env = {
    RESPAN_API_KEY: "env-key",
    RESPAN_BASE_URL: "http://env.example:9000",
    RESPAN_APP_NAME: "env-app",
    RESPAN_ENVIRONMENT: "staging",
    RESPAN_TRACE_CONTENT: "false",
    RESPAN_BATCHING_ENABLED: "off",
    RESPAN_TRACING_ENABLED: "no",
    RESPAN_LOG_LEVEL: "debug",
    RESPAN_FLUSH_ON_EXIT: "0",
  };
  const fromEnv = resolveOptions({}, env);
  assert.equal(fromEnv.apiKey, "env-key");
  assert.equal(fromEnv.baseUrl, "http://env.example:9000/api");
  assert.equal(fromEnv.serviceName, "env-app");
  assert.equal(fromEnv.environment, "staging");
  assert.deepEqual(fromEnv.baseAttributes, { environment: "staging" });
  assert.equal(fromEnv.traceContent, false);
  assert.equal(fromEnv.batching, false);
  assert.equal(fromEnv.enabled, false);
  assert.equal(fromEnv.logLevel, "debug");
  assert.equal(fromEnv.flushOnExit, false);

  const fromOptions = resolveOptions(
    {
      apiKey: "option-key",
      baseUrl: "https://option.example/api/",
      appName: "option-app",
      environment: "production",
      traceContent: true,
      batching: { maxQueueSize: 100 },
      enabled: true,
      logLevel: "error",
      flushOnExit: true,
    },
    env,
  );
  assert.equal(fromOptions.apiKey, "option-key");
  assert.equal(fromOptions.baseUrl, "https://option.example/api");
  assert.equal(fromOptions.serviceName, "option-app");
  assert.equal(fromOptions.environment, "production");
  assert.equal(fromOptions.traceContent, true);
  assert.deepEqual(fromOptions.batching, { maxQueueSize: 100 });
  assert.equal(fromOptions.enabled, true);
  assert.equal(fromOptions.logLevel, "error");
  assert.equal(fromOptions.flushOnExit, true);

  const defaults = resolveOptions({}, {});
  assert.equal(defaults.apiKey, undefined);
  assert.equal(defaults.baseUrl, "https://api.respan.ai/api");
  assert.equal(defaults.serviceName, undefined);
  assert.equal(defaults.traceContent, true);
  assert.deepEqual(defaults.batching, {});
  assert.equal(defaults.enabled, true);
  assert.equal(defaults.logLevel, "warn");
  assert.equal(defaults.flushOnExit, true);
  assert.equal(defaults.exitFlushTimeoutMillis, 5000);
  assert.equal(defaults.otlpProtocol, undefined);
});

test("the base URL is accepted with or without /api and trailing slashes", () => {
  const cases = [
    ["https://api.respan.ai", "https://api.respan.ai/api"],
    ["https://api.respan.ai/", "https://api.respan.ai/api"],
    ["https://api.respan.ai/api", "https://api.respan.ai/api"],
    ["https://api.respan.ai/api/", "https://api.respan.ai/api"],
    ["https://api.respan.ai/api//", "https://api.respan.ai/api"],
    ["http://127.0.0.1:8080/gateway", "http://127.0.0.1:8080/gateway/api"],
  ];
  for (const [given, expected] of cases) assert.equal(resolveOptions({ baseUrl: given }, {}).baseUrl, expected, given);
});

test("service.name: appName > resourceAttributes['service.name'] > RESPAN_APP_NAME", () => {
  const env = { RESPAN_APP_NAME: "env-app" };
  assert.equal(resolveOptions({ appName: "a", resourceAttributes: { "service.name": "r" } }, env).serviceName, "a");
  assert.equal(resolveOptions({ resourceAttributes: { "service.name": "r" } }, env).serviceName, "r");
  assert.equal(resolveOptions({}, env).serviceName, "env-app");
});

test("the embedded default (trace files + tree) applies only when no other destination is configured", () => {
  const none = resolveOptions({}, {});
  assert.equal(none.tracesDir, path.resolve("traces"));
  assert.deepEqual(none.printTree, {});

  for (const configured of [
    resolveOptions({ apiKey: "k" }, {}),
    resolveOptions({}, { RESPAN_API_KEY: "k" }),
    resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }),
    resolveOptions({ exporters: [inMemory()] }, {}),
  ]) {
    assert.equal(configured.tracesDir, undefined);
    assert.equal(configured.printTree, undefined);
  }

  // Explicit choices win over the default, in either direction.
  const explicit = resolveOptions({ apiKey: "k", tracesDir: "out/traces", printTree: true }, {});
  assert.equal(explicit.tracesDir, path.resolve("out/traces"));
  assert.deepEqual(explicit.printTree, {});
  const fromEnv = resolveOptions({ apiKey: "k" }, { RESPAN_TRACES_DIR: "/tmp/respan-env-traces", RESPAN_PRINT_TREE: "true" });
  assert.equal(fromEnv.tracesDir, "/tmp/respan-env-traces");
  assert.deepEqual(fromEnv.printTree, {});
  const off = resolveOptions({}, { RESPAN_TRACES_DIR: "off", RESPAN_PRINT_TREE: "false" });
  assert.equal(off.tracesDir, undefined);
  assert.equal(off.printTree, undefined);
  const optionBeatsEnv = resolveOptions({ tracesDir: false, printTree: false }, { RESPAN_TRACES_DIR: "/tmp/x", RESPAN_PRINT_TREE: "1" });
  assert.equal(optionBeatsEnv.tracesDir, undefined);
  assert.equal(optionBeatsEnv.printTree, undefined);
});

test("OTLP protocol: traces-specific variables win; http/protobuf is the default", () => {
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }).otlpProtocol, "http/protobuf");
  assert.equal(
    resolveOptions({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })
      .otlpProtocol,
    "http/json",
  );
  assert.equal(
    resolveOptions(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" },
    ).otlpProtocol,
    "http/json",
  );
  // A protocol without an endpoint configures nothing.
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).otlpProtocol, undefined);
});

test("the resource: appName over RESPAN_APP_NAME over OTEL_SERVICE_NAME; environment and attributes merged", async () => {
  const serviceNameOf = async (options, vars) =>
    withEnv(vars, async () => {
      const exporter = inMemory();
      const respan = new Respan({ exporters: [exporter], batching: false, flushOnExit: false, ...options });
      try {
        trace.getTracer("t").startSpan("s").end();
        await respan.flush();
        return exporter.getFinishedSpans()[0].resource.attributes;
      } finally {
        await respan.shutdown();
      }
    });

  const otel = { OTEL_SERVICE_NAME: "otel-name", OTEL_RESOURCE_ATTRIBUTES: "team=voice,deployment.environment.name=dev" };
  assert.equal((await serviceNameOf({}, {}))["service.name"], "respan-app");
  assert.equal((await serviceNameOf({}, otel))["service.name"], "otel-name");
  assert.equal((await serviceNameOf({}, { ...otel, RESPAN_APP_NAME: "respan-name" }))["service.name"], "respan-name");
  const full = await serviceNameOf(
    { appName: "option-name", environment: "production", resourceAttributes: { "host.role": "bot" } },
    { ...otel, RESPAN_APP_NAME: "respan-name" },
  );
  assert.equal(full["service.name"], "option-name");
  assert.equal(full["deployment.environment.name"], "production");
  assert.equal(full.team, "voice");
  assert.equal(full["host.role"], "bot");
});

test("the resource carries OpenTelemetry's SDK identification (telemetry.sdk.*) under the client's attributes", async () => {
  await withEnv({}, async () => {
    const exporter = inMemory();
    const respan = new Respan({ exporters: [exporter], batching: false, flushOnExit: false, appName: "sdk-info" });
    let attributes;
    try {
      trace.getTracer("t").startSpan("s").end();
      await respan.flush();
      attributes = exporter.getFinishedSpans()[0].resource.attributes;
    } finally {
      await respan.shutdown();
    }
    assert.equal(attributes["telemetry.sdk.name"], "opentelemetry");
    assert.equal(attributes["telemetry.sdk.language"], "nodejs");
    assert.match(String(attributes["telemetry.sdk.version"]), /^\d+\.\d+\.\d+/);
    assert.equal(attributes["service.name"], "sdk-info", "the client's service name wins over OpenTelemetry's default");
  });
});

test("an unknown option is a TypeError naming it and the nearest known option; Respan JS SDK spellings are accepted", () => {
  // @ts-expect-error "apikey" is not an option: the run-time check must reject it
  assert.throws(() => new Respan({ exporters: [inMemory()], apikey: "typo" }), {
    name: "TypeError",
    message: 'Respan: unknown option "apikey" (did you mean "apiKey"?)',
  });
  // @ts-expect-error "traceContnet" is not an option: the run-time check must reject it
  assert.throws(() => new Respan({ traceContnet: false }), /unknown option "traceContnet" \(did you mean "traceContent"\?\)/);
  // @ts-expect-error "zzzzzzzzzzzzzz" is not an option: the run-time check must reject it
  assert.throws(() => new Respan({ zzzzzzzzzzzzzz: 1 }), /unknown option "zzzzzzzzzzzzzz" \(known options: apiKey, baseUrl/);
  /** @type {Record<string, string>} */
  const env = {};
  const aliased = resolveOptions({ baseURL: "https://respan.example/", disableBatch: true, tracingEnabled: false }, env);
  assert.equal(aliased.baseUrl, "https://respan.example/api");
  assert.equal(aliased.batching, false);
  assert.equal(aliased.enabled, false, "tracingEnabled: false switches tracing off");
  assert.notEqual(resolveOptions({ disableBatch: false }, env).batching, false);
  assert.throws(() => resolveOptions({ baseURL: "https://a.example", baseUrl: "https://b.example" }, env), /"baseURL" and "baseUrl" both given/);
});

test("OTEL_SDK_DISABLED=true disables the client whatever else says; OTEL_TRACES_EXPORTER chooses the standard exporters", () => {
  assert.equal(resolveOptions({ enabled: true }, { OTEL_SDK_DISABLED: "true" }).enabled, false);
  assert.equal(resolveOptions({}, { OTEL_SDK_DISABLED: "false" }).enabled, true);
  const none = resolveOptions({}, { OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" });
  assert.equal(none.otlpProtocol, undefined, "none: not even the configured endpoint");
  assert.equal(none.consoleExporter, false);
  assert.equal(none.tracesDir, undefined, "an explicit choice turns the local default off");
  assert.equal(none.printTree, undefined);
  const both = resolveOptions({}, { OTEL_TRACES_EXPORTER: " OTLP , console" });
  assert.equal(both.otlpProtocol, "http/protobuf", "otlp without an endpoint: the exporter's default endpoint");
  assert.equal(both.consoleExporter, true);
  const jsonOnly = resolveOptions({}, { OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
  assert.equal(jsonOnly.otlpProtocol, "http/json");
  assert.equal(resolveOptions({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }).otlpProtocol, "http/protobuf", "unset: the endpoint decides, as before");
});
