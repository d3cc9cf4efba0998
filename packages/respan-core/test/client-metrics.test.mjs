// The client's metrics: where they go from the standard OTEL_* variables, the metricReaders option, the
// offline file and summary (after the trace tree), joining an application's MeterProvider, and flush /
// shutdown reaching every reader.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { metrics, trace } from "@opentelemetry/api";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { Respan } from "@respan/core";
import { resolveMetricsSettings } from "../dist/esm/metrics/metrics-options.js";
import { histogramQuantile, renderMetricsSummary } from "../dist/esm/metrics/metrics-summary.js";
import { startOtlpReceiver } from "../../../test/support/otlp-receiver.mjs";
import { fakeInstrumentation, withEnv } from "./helpers/client-helpers.mjs";

function inMemoryReader() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // A long interval: only flush() and shutdown() export.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  return { exporter, reader };
}

/** The data points of `name` in the exporter's latest collection. */
function latestPoints(exporter, name) {
  const collections = exporter.getMetrics();
  const latest = collections[collections.length - 1];
  const metric = latest?.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints ?? [];
}

function tempDir() {
  return mkdtempSync(path.join(tmpdir(), "respan-metrics-"));
}

describe("metric settings from the environment", () => {
  test("no endpoint: no OTLP metrics; an endpoint: OTLP over http/protobuf; the metrics variables win", () => {
    assert.equal(resolveMetricsSettings(undefined, {}).otlpProtocol, undefined);
    assert.equal(resolveMetricsSettings(undefined, {}).enabled, true);
    assert.equal(resolveMetricsSettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }).otlpProtocol, "http/protobuf");
    const json = resolveMetricsSettings(undefined, {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://127.0.0.1:4318/v1/metrics",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
    });
    assert.equal(json.otlpProtocol, "http/json");
  });

  test("OTEL_METRICS_EXPORTER: otlp without an endpoint uses the SDK default, none switches all off, console", () => {
    assert.equal(resolveMetricsSettings(undefined, { OTEL_METRICS_EXPORTER: "otlp" }).otlpProtocol, "http/protobuf");
    const none = resolveMetricsSettings(undefined, { OTEL_METRICS_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1" });
    assert.deepEqual([none.enabled, none.otlpProtocol, none.console], [false, undefined, false]);
    const consoleOnly = resolveMetricsSettings(undefined, { OTEL_METRICS_EXPORTER: "console, none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1" });
    assert.deepEqual([consoleOnly.enabled, consoleOnly.otlpProtocol, consoleOnly.console], [true, undefined, true]);
  });

  test("export interval and timeout: defaults, the variables, the timeout never above the interval", () => {
    const defaults = resolveMetricsSettings(undefined, {});
    assert.deepEqual([defaults.exportIntervalMillis, defaults.exportTimeoutMillis], [60_000, 30_000]);
    const short = resolveMetricsSettings(undefined, { OTEL_METRIC_EXPORT_INTERVAL: "1000" });
    assert.deepEqual([short.exportIntervalMillis, short.exportTimeoutMillis], [1000, 1000]);
  });

  test("invalid values throw at construction, naming the variable or option", async () => {
    /** @type {[Record<string, string>, import("@respan/core").RespanOptions, RegExp][]} */
    const cases = [
      [{ OTEL_METRICS_EXPORTER: "prometheus" }, {}, /OTEL_METRICS_EXPORTER must be a comma list of otlp, console, none .*metricReaders.*; got "prometheus"/],
      [{ OTEL_METRIC_EXPORT_INTERVAL: "soon" }, {}, /OTEL_METRIC_EXPORT_INTERVAL must be a positive integer \(milliseconds\); got "soon"/],
      [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "localhost" }, {}, /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT must be an http\(s\) URL/],
      [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "grpc", OTEL_METRICS_EXPORTER: "otlp" }, {}, /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL must be one of http\/json, http\/protobuf/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{}, { metricReaders: ["reader"] }, /option "metricReaders\[0\]" must be an OpenTelemetry MetricReader/],
      // @ts-expect-error a value of the wrong type on purpose: the run-time check must reject it
      [{}, { metricReaders: {} }, /option "metricReaders" must be an array of OpenTelemetry MetricReaders/],
    ];
    for (const [env, options, message] of cases) {
      await withEnv(env, () => assert.throws(() => new Respan({ tracesDir: false, printTree: false, ...options }), message));
    }
  });
});

describe("the client's MeterProvider", () => {
  test("metricReaders receive what the global meter records; flush exports; shutdown unregisters the provider", async () => {
    await withEnv({}, async () => {
      const { exporter, reader } = inMemoryReader();
      const respan = new Respan({ tracesDir: false, printTree: false, metricReaders: [reader] });
      try {
        metrics.getMeter("test").createCounter("calls").add(3, { route: "a" });
        await respan.flush();
        const [point] = latestPoints(exporter, "calls");
        assert.equal(point?.value, 3);
        assert.deepEqual(point?.attributes, { route: "a" });
        assert.equal(exporter.getMetrics()[0].resource.attributes["service.name"], "respan-app", "the client's resource");
      } finally {
        await respan.shutdown();
      }
      metrics.getMeter("after").createCounter("calls").add(1);
      assert.equal(latestPoints(exporter, "calls")[0]?.value, 3, "nothing reaches the reader after shutdown");
    });
  });

  test("the instrumentations are given the client's MeterProvider", async () => {
    await withEnv({}, async () => {
      const instrumentation = fakeInstrumentation("fake-metrics");
      /** @type {import("@opentelemetry/api").MeterProvider} */
      let given;
      instrumentation.setMeterProvider = (provider) => (given = provider);
      const { exporter, reader } = inMemoryReader();
      const respan = new Respan({ tracesDir: false, printTree: false, metricReaders: [reader], instrumentations: [instrumentation] });
      try {
        assert.ok(given, "setMeterProvider was called");
        given.getMeter("fake").createHistogram("latency", { unit: "s" }).record(0.25);
        await respan.flush();
        assert.equal(latestPoints(exporter, "latency")[0]?.value.count, 1);
      } finally {
        await respan.shutdown();
      }
    });
  });

  test("no metric destination: no provider, the instrumentations keep their own meter", async () => {
    await withEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_METRICS_EXPORTER: "none", OTEL_TRACES_EXPORTER: "none" }, async () => {
      const instrumentation = fakeInstrumentation("fake-none");
      let calls = 0;
      instrumentation.setMeterProvider = () => (calls += 1);
      const respan = new Respan({ instrumentations: [instrumentation] });
      try {
        assert.equal(calls, 0);
        assert.equal(respan.metricsFile, undefined);
      } finally {
        await respan.shutdown();
      }
    });
  });

  test("joins a MeterProvider the application registered: records there, flushes it, never shuts it down", async () => {
    await withEnv({}, async () => {
      const { exporter, reader } = inMemoryReader();
      const appProvider = new MeterProvider({ readers: [reader] });
      assert.equal(metrics.setGlobalMeterProvider(appProvider), true);
      const instrumentation = fakeInstrumentation("fake-join");
      /** @type {import("@opentelemetry/api").MeterProvider} */
      let given;
      instrumentation.setMeterProvider = (provider) => (given = provider);
      const dir = tempDir();
      const respan = new Respan({ tracesDir: dir, printTree: false, instrumentations: [instrumentation] });
      try {
        assert.equal(given, appProvider, "the instrumentation records into the application's provider");
        assert.equal(respan.metricsFile, undefined, "the application's readers decide where metrics go");
        given.getMeter("fake").createCounter("joined").add(2);
        await respan.flush();
        assert.equal(latestPoints(exporter, "joined")[0]?.value, 2, "flush() flushed the application's provider");
        await respan.shutdown();
        given.getMeter("fake").createCounter("joined").add(1);
        await appProvider.forceFlush();
        assert.equal(latestPoints(exporter, "joined")[0]?.value, 3, "the application's provider still works after our shutdown");
        assert.equal(metrics.getMeterProvider(), appProvider, "still registered globally");
      } finally {
        await respan.shutdown();
        await appProvider.shutdown();
        metrics.disable();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("OTLP metrics to a collector", () => {
  test("every OTEL_METRIC_EXPORT_INTERVAL, OTLP http/json to /v1/metrics, with the client's resource; no offline outputs", async () => {
    const collector = await startOtlpReceiver();
    try {
      await withEnv(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
          OTEL_METRIC_EXPORT_INTERVAL: "200",
          OTEL_SERVICE_NAME: "metrics-to-collector",
        },
        async () => {
          const respan = new Respan({ flushOnExit: false });
          try {
            metrics.getMeter("test").createCounter("calls").add(5, { route: "b" });
            // No flush: the periodic reader exports on its own.
            const request = await collector.waitFor((_, requests) => requests.some((r) => r.path === "/v1/metrics" && r.metrics.length > 0), 10_000)
              .then(() => collector.requests.find((r) => r.path === "/v1/metrics" && r.metrics.length > 0));
            assert.match(request.headers["content-type"], /^application\/json/);
            const calls = request.metrics.find((metric) => metric.name === "calls");
            assert.deepEqual(calls.points.map((point) => [point.value, point.attributes]), [[5, { route: "b" }]]);
            assert.equal(calls.resource["service.name"], "metrics-to-collector");
            assert.equal(respan.metricsFile, undefined, "a collector is configured: no metrics file");
          } finally {
            await respan.shutdown();
          }
        },
      );
    } finally {
      await collector.close();
    }
  });
});

describe("offline metrics: an OTLP JSON file beside the traces and a summary after the tree", () => {
  test("flush writes the file and prints the summary after the trace tree; a flush with nothing new prints nothing", async () => {
    await withEnv({}, async () => {
      const dir = tempDir();
      const written = [];
      const respan = new Respan({ tracesDir: dir, printTree: { write: (text) => written.push(text), bars: false } });
      try {
        const span = trace.getTracer("test").startSpan("voice_call");
        const latency = metrics.getMeter("test").createHistogram("voice.latency", { unit: "s", advice: { explicitBucketBoundaries: [0.1, 0.2, 0.5] } });
        for (const value of [0.15, 0.18, 0.4]) latency.record(value, { model: "m" });
        metrics.getMeter("test").createCounter("interruptions", { unit: "{interruption}" }).add(1);
        span.end();
        await respan.flush();

        assert.equal(written.length, 2, `the tree, then the summary: ${JSON.stringify(written)}`);
        assert.match(written[0], /voice_call/);
        const summary = written[1];
        assert.match(summary, /^── metrics/);
        assert.match(summary, /voice\.latency\s+count 3\s+p50 \d+ms\s+p95 \d+ms\s+max 400ms/);
        assert.match(summary, /interruptions\s+total 1 interruption$/m);

        assert.ok(respan.metricsFile?.startsWith(dir), `metrics file in the traces directory: ${respan.metricsFile}`);
        const request = JSON.parse(readFileSync(respan.metricsFile, "utf8"));
        const metricsByName = new Map(
          request.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)).map((m) => [m.name, m]),
        );
        const [point] = metricsByName.get("voice.latency").histogram.dataPoints;
        assert.equal(point.count, 3);
        assert.deepEqual(point.bucketCounts, [0, 2, 1, 0]);
        assert.equal(point.max, 0.4);
        assert.equal(metricsByName.get("interruptions").sum.dataPoints[0].asDouble, 1);

        await respan.flush();
        assert.equal(written.length, 2, "nothing new: no second summary");
      } finally {
        await respan.shutdown();
        rmSync(dir, { recursive: true, force: true });
      }
      assert.equal(written.length, 2, "shutdown with nothing new prints nothing either");
    });
  });

  test("OTEL_METRICS_EXPORTER=none: no metrics file and no summary", async () => {
    await withEnv({ OTEL_METRICS_EXPORTER: "none" }, async () => {
      const dir = tempDir();
      const written = [];
      const respan = new Respan({ tracesDir: dir, printTree: { write: (text) => written.push(text) } });
      try {
        metrics.getMeter("test").createCounter("ignored").add(1);
        trace.getTracer("test").startSpan("root").end();
        await respan.flush();
        assert.equal(respan.metricsFile, undefined);
        assert.equal(written.filter((text) => text.startsWith("── metrics")).length, 0);
        assert.ok(!existsSync(dir) || readdirSync(dir).every((name) => !name.startsWith("metrics-")));
      } finally {
        await respan.shutdown();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("the summary's percentiles", () => {
  const histogram = (values, boundaries) => {
    const counts = new Array(boundaries.length + 1).fill(0);
    for (const value of values) counts[boundaries.findIndex((b) => value <= b) === -1 ? boundaries.length : boundaries.findIndex((b) => value <= b)] += 1;
    return { buckets: { boundaries, counts }, count: values.length, sum: values.reduce((a, b) => a + b, 0), min: Math.min(...values), max: Math.max(...values) };
  };

  test("estimated inside the bucket holding the true percentile, never outside min and max", () => {
    const boundaries = [0.1, 0.2, 0.3, 0.5, 1];
    const values = [0.12, 0.14, 0.16, 0.22, 0.25, 0.28, 0.29, 0.45, 0.7, 0.9];
    const h = histogram(values, boundaries);
    const p50 = histogramQuantile(h, 0.5);
    assert.ok(p50 > 0.2 && p50 <= 0.3, `p50 ${p50} in (0.2, 0.3]`);
    const p95 = histogramQuantile(h, 0.95);
    assert.ok(p95 > 0.5 && p95 <= 0.9, `p95 ${p95} in (0.5, max]`);
    assert.equal(histogramQuantile(histogram([0.42], boundaries), 0.5), 0.42, "one value: exactly it");
    const overflow = histogramQuantile(histogram([5, 7], boundaries), 0.95);
    assert.ok(overflow > 5 && overflow <= 7, `the overflow bucket runs from min to max: ${overflow}`);
    assert.equal(histogramQuantile({ buckets: { boundaries, counts: [0, 0, 0, 0, 0, 0] }, count: 0 }, 0.5), undefined);
  });

  test("renders seconds as durations and annotated units as counts", () => {
    const text = renderMetricsSummary([
      { label: "lat", kind: "histogram", unit: "s", count: 2, p50: 0.1684, p95: 0.2, max: 1.5 },
      { label: "tokens", kind: "histogram", unit: "{token}", count: 5, p50: 73.8, p95: 118.2, max: 123 },
      { label: "chars", kind: "counter", unit: "{character}", total: 1 },
    ]);
    assert.match(text, /lat\s+count 2\s+p50 168ms\s+p95 200ms\s+max 1\.50s/);
    assert.match(text, /tokens\s+count 5\s+p50 74 tokens\s+p95 118 tokens\s+max 123 tokens/);
    assert.match(text, /chars\s+total 1 character$/m);
  });
});
