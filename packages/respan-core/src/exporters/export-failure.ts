import { ExportResultCode, type ExportResult } from "@opentelemetry/core";

/** The result of an export that threw `error` (a thrown value that is not an Error becomes one's message). */
export function failedExport(error: unknown): ExportResult {
  return { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
}
