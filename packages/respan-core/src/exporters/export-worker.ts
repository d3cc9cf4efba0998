/**
 * The export worker: a worker thread that serialises and sends the spans of one HTTP destination of the
 * client (Respan, with its translation; an OTLP collector), so that none of that (about 12 ms of CPU per
 * batch of 512 spans for Respan, 4-5 ms for a collector) runs on the application's thread, where it would
 * hold up the pipeline's audio. Each batch arrives as plain records (span-records.ts); this side answers
 * every batch with its result and the last HTTP status seen. Started by off-thread-sender.ts, which is the
 * only code that talks to it.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { failedExport } from "./export-failure.js";
import { createSender, type SenderSpec } from "./sender-spec.js";
import { fromSpanRecords, type SpanRecordBatch } from "./span-records.js";

/** Marks the worker's data, so that code running in an export worker knows it is one (and starts no other). */
export const EXPORT_WORKER_MARK = "respanExportWorker";

export interface ExportWorkerData {
  [EXPORT_WORKER_MARK]: true;
  sender: SenderSpec;
}

export type ToExportWorker = { kind: "export"; id: number; batch: SpanRecordBatch } | { kind: "abort"; reason: string };

export interface ExportOutcome {
  kind: "result";
  id: number;
  succeeded: boolean;
  /** An Error does not keep its own fields (such as an HTTP `code`) through postMessage: the parts are sent. */
  error: { name: string; message: string; code: unknown } | undefined;
  lastStatusCode: number | undefined;
}

/** True in a thread started as an export worker. */
export function isExportWorker(): boolean {
  return !isMainThread && (workerData as Partial<ExportWorkerData> | null)?.[EXPORT_WORKER_MARK] === true;
}

function serve(port: MessagePort, spec: SenderSpec): void {
  const sender = createSender(spec);
  const answer = (id: number, result: ExportResult) => {
    const error = result.error;
    const outcome: ExportOutcome = {
      kind: "result",
      id,
      succeeded: result.code === ExportResultCode.SUCCESS,
      error: error === undefined ? undefined : { name: error.name, message: error.message, code: (error as { code?: unknown }).code },
      lastStatusCode: sender.lastStatusCode,
    };
    port.postMessage(outcome);
  };
  port.on("message", (message: ToExportWorker) => {
    if (message.kind === "abort") {
      sender.abortAll(message.reason);
      return;
    }
    try {
      sender.export(fromSpanRecords(message.batch), (result) => answer(message.id, result));
    } catch (error) {
      answer(message.id, failedExport(error));
    }
  });
}

if (isExportWorker() && parentPort !== null) serve(parentPort, (workerData as ExportWorkerData).sender);
