export { Respan, type RespanStats, type DeadlineOptions } from "./client.js";
export type { RespanOptions, RespanSdkOptionSpellings, BatchingOptions, TreePrinterOptions, ExportThread } from "./options.js";
export { createRespanSpanProcessors, type RespanSpanProcessorsOptions } from "./span-processors.js";
export type { Instrumentation } from "./instrumentations.js";
export type { LogLevel } from "./logger.js";
export type { ExporterStats } from "./exporters/export-pipeline.js";
export { RespanSpanExporter, type RespanSpanExporterOptions } from "./exporters/respan-exporter.js";
export { TraceFileExporter, type TraceFileExporterOptions } from "./exporters/trace-file-exporter.js";
export { TraceTreePrinter, type TraceTreePrinterOptions } from "./exporters/tree-printer.js";
export { writeCallReports, type CallReportsResult } from "./report/report-writer.js";
export {
  TraceHoldSpanProcessor,
  getTraceHoldRegistry,
  TRACE_HOLD_REGISTRY_KEY,
  type TraceHoldRegistry,
  type TraceHoldOptions,
  type TraceHoldStats,
  type TraceReleaseOptions,
} from "./trace-hold.js";
export { TRACING_ENABLED_KEY } from "./tracing-enabled.js";
export type { RespanAttributes } from "./attributes.js";
export { propagateAttributes, getPropagatedAttributes, PropagationSpanProcessor } from "./propagation.js";
export {
  withWorkflow,
  withTask,
  withAgent,
  withTool,
  workflow,
  task,
  agent,
  tool,
  type EntityOptions,
  type EntityDecoratorOptions,
  type EntityDecorator,
} from "./decorators.js";
