/**
 * The trace-file exporter's link to the call reports: it writes a trace's report after each write of the
 * trace's file. A report that cannot be written is reported once and never fails the export (the trace
 * file, the real output, is already on disk).
 */
import { describeError, warnOnce } from "../logger.js";
import { CallReportWriter } from "./report-writer.js";

export function createReportWriter(enabled: boolean | undefined, directory: string): CallReportWriter | undefined {
  if (enabled !== undefined && typeof enabled !== "boolean") {
    throw new Error(`TraceFileExporter: option "htmlReports" must be true or false; got ${String(enabled)}`);
  }
  return enabled === true ? new CallReportWriter(directory) : undefined;
}

export async function writeCallReport(writer: CallReportWriter | undefined, traceId: string, request: unknown): Promise<void> {
  if (writer === undefined) return;
  try {
    await writer.writeTraceRequest(traceId, request);
  } catch (error) {
    warnOnce(`the HTML call reports in ${writer.directory} could not be written (${describeError(error)}); trace files are unaffected`);
  }
}
