"use strict";
// A span exporter that does everything an OTLP/HTTP JSON exporter does before the network — turns the
// spans into an ExportTraceServiceRequest body with OpenTelemetry's own serializer — and then drops
// the body. The instrumented timing runs use it so that serialisation is paid for, but no receiver's
// speed or the loopback's is.
const { ExportResultCode } = require("@opentelemetry/core");
const { JsonTraceSerializer } = require("@opentelemetry/otlp-transformer");

class DiscardingOtlpJsonExporter {
  exportedSpans = 0;
  exportedBytes = 0;

  export(spans, resultCallback) {
    const body = JsonTraceSerializer.serializeRequest(spans);
    this.exportedSpans += spans.length;
    this.exportedBytes += body.byteLength;
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}

module.exports = { DiscardingOtlpJsonExporter };
