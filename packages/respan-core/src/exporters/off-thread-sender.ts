/**
 * The application's side of the export worker (export-worker.ts): hands each batch to the worker as plain
 * records and settles the batch when the worker answers. For a batch of 512 spans of a voice call that is
 * 1.2-1.4 ms of the application thread's CPU, against 11-12 ms to translate, serialise and send it there
 * for Respan, 3.5-5 ms for an OTLP collector (Node 20 and 24, bench/workloads/exporter-throughput.cjs).
 *
 * Nothing is lost to the worker: a batch the worker cannot take (its data cannot be copied) is sent from
 * this thread instead; if the worker stops, the batches it had not answered are sent from this thread
 * too (one it had sent but not yet heard back about can arrive twice: at least once, never lost), as is
 * everything after (reported once). Every batch has a deadline: the worker's own request
 * deadline, plus a grace period after which the batch fails here. The worker keeps the process alive only
 * while it has batches to answer, as the HTTP requests it makes would on this thread.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { diag } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { describeError } from "../logger.js";
import type { ExportThread } from "../options.js";
import { EXPORT_WORKER_MARK, isExportWorker, type ExportOutcome, type ExportWorkerData, type ToExportWorker } from "./export-worker.js";
import { createSender, requestDeadlineMillis, type SenderSpec } from "./sender-spec.js";
import { toSpanRecords } from "./span-records.js";
import type { SpanSender } from "./span-sender.js";

/** How long after its request deadline a batch the worker has not answered fails on this side. */
const WORKER_GRACE_MILLIS = 5_000;

interface PendingBatch {
  spans: ReadableSpan[];
  resultCallback: (result: ExportResult) => void;
  watchdog: ReturnType<typeof setTimeout>;
  settled: Promise<void>;
  markSettled: () => void;
}

/**
 * The file this module was loaded from: a path (CommonJS build) or a file: URL (ESM build), read from a V8
 * call site, which works the same in both builds. Undefined when the call site names no file (code
 * evaluated from a string); throws where the stack-trace settings are frozen (the caller then sends from
 * this thread).
 */
function thisModuleFile(): string | undefined {
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 1;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder);
    const file = holder.stack?.[0]?.getFileName() ?? undefined;
    return file?.startsWith("file:") ? fileURLToPath(file) : file;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * The worker's entry file, beside this module in either build. A bundler that inlines this module leaves
 * no such file beside the bundle: then there is no worker, and spans are sent from the application's thread.
 */
function exportWorkerEntry(): string | undefined {
  const file = thisModuleFile();
  if (file === undefined || !path.isAbsolute(file)) return undefined;
  const entry = path.join(path.dirname(file), "export-worker.js");
  return existsSync(entry) ? entry : undefined;
}

/**
 * The process's environment without NODE_OPTIONS: its `--require` / `--import` preloads (an application's
 * tracing setup, an instrumentation's register hook) would otherwise run again in the worker.
 */
function workerEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

export class OffThreadSender implements SpanSender {
  private worker: Worker | undefined;
  private onThisThread: SpanSender | undefined;
  private readonly pending = new Map<number, PendingBatch>();
  private lastBatchId = 0;
  private workerStatusCode: number | undefined;
  private abortedReason: string | undefined;
  private isShutdown = false;

  /** A sender with its worker started, or undefined when no worker can run here (the caller sends in-thread). */
  static start(spec: SenderSpec): OffThreadSender | undefined {
    // An export worker sends from its own thread: it never starts another.
    if (isExportWorker()) return undefined;
    try {
      const entry = exportWorkerEntry();
      if (entry === undefined) return undefined;
      const workerData: ExportWorkerData = { [EXPORT_WORKER_MARK]: true, sender: spec };
      return new OffThreadSender(spec, new Worker(entry, { workerData, execArgv: [], env: workerEnvironment() }));
    } catch {
      // Worker threads not permitted (the permission model without --allow-worker) or not available, or
      // stack traces locked down (frozen intrinsics): the caller sends from this thread.
      return undefined;
    }
  }

  private constructor(
    private readonly spec: SenderSpec,
    worker: Worker,
  ) {
    this.worker = worker;
    worker.on("message", (outcome: ExportOutcome) => this.onOutcome(outcome));
    worker.on("error", (error) => this.onWorkerStopped(worker, describeError(error)));
    worker.on("exit", (code) => this.onWorkerStopped(worker, `it exited with code ${code}`));
    // After the listeners: adding a "message" listener refs the worker again.
    worker.unref();
  }

  /** False once the worker stopped (or the sender was shut down): batches then go from this thread. */
  get hasWorker(): boolean {
    return this.worker !== undefined;
  }

  get lastStatusCode(): number | undefined {
    return this.onThisThread?.lastStatusCode ?? this.workerStatusCode;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error("the exporter has been shut down") });
      return;
    }
    const worker = this.worker;
    if (worker === undefined || !this.postBatch(worker, spans, resultCallback)) this.thisThread().export(spans, resultCallback);
  }

  abortAll(reason: string): void {
    this.abortedReason = reason;
    this.worker?.postMessage({ kind: "abort", reason } satisfies ToExportWorker);
    this.onThisThread?.abortAll(reason);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...[...this.pending.values()].map((batch) => batch.settled), this.onThisThread?.forceFlush()]);
  }

  /** Waits for the batches in flight (each under its deadline), then stops the worker. */
  async shutdown(): Promise<void> {
    this.isShutdown = true;
    await this.forceFlush();
    const worker = this.worker;
    this.worker = undefined;
    await Promise.all([worker?.terminate(), this.onThisThread?.shutdown()]);
  }

  /** False when the batch cannot be copied to the worker (a value postMessage cannot clone). */
  private postBatch(worker: Worker, spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): boolean {
    const id = ++this.lastBatchId;
    try {
      worker.postMessage({ kind: "export", id, batch: toSpanRecords(spans) } satisfies ToExportWorker);
    } catch {
      return false;
    }
    let markSettled!: () => void;
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    const deadline = requestDeadlineMillis(this.spec) + WORKER_GRACE_MILLIS;
    const watchdog = setTimeout(
      () => this.settle(id, { code: ExportResultCode.FAILED, error: new Error(`the export worker did not answer within ${deadline} ms`) }),
      deadline,
    );
    watchdog.unref();
    if (this.pending.size === 0) worker.ref();
    this.pending.set(id, { spans, resultCallback, watchdog, settled, markSettled });
    return true;
  }

  private onOutcome(outcome: ExportOutcome): void {
    if (outcome.lastStatusCode !== undefined) this.workerStatusCode = outcome.lastStatusCode;
    if (outcome.succeeded) {
      this.settle(outcome.id, { code: ExportResultCode.SUCCESS });
      return;
    }
    const { name, message, code } = outcome.error ?? { name: "Error", message: "the export failed", code: undefined };
    this.settle(outcome.id, { code: ExportResultCode.FAILED, error: Object.assign(new Error(message), { name, code }) });
  }

  private settle(id: number, result: ExportResult): void {
    const batch = this.takePending(id);
    if (batch === undefined) return;
    batch.markSettled();
    batch.resultCallback(result);
  }

  private takePending(id: number): PendingBatch | undefined {
    const batch = this.pending.get(id);
    if (batch === undefined) return undefined;
    this.pending.delete(id);
    clearTimeout(batch.watchdog);
    if (this.pending.size === 0) this.worker?.unref();
    return batch;
  }

  /** The worker failed or exited on its own: what it had not answered, and all later batches, go from this thread. */
  private onWorkerStopped(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void worker.terminate();
    diag.warn(`the ${this.spec.kind === "respan" ? "Respan" : "OTLP collector"} export worker stopped (${reason}); spans are sent from the application's thread from now on`);
    for (const id of [...this.pending.keys()]) {
      const batch = this.takePending(id) as PendingBatch;
      this.thisThread().export(batch.spans, (result) => {
        batch.markSettled();
        batch.resultCallback(result);
      });
    }
  }

  private thisThread(): SpanSender {
    if (this.onThisThread === undefined) {
      this.onThisThread = createSender(this.spec);
      if (this.abortedReason !== undefined) this.onThisThread.abortAll(this.abortedReason);
    }
    return this.onThisThread;
  }
}

/** A sender made for `spec` where `thread` asks: in an export worker when one can run, else on this thread. */
export function startSender(spec: SenderSpec, thread: ExportThread): SpanSender {
  return (thread === "worker" ? OffThreadSender.start(spec) : undefined) ?? createSender(spec);
}

/** Where a sender sends from now: "worker", or "main" (asked for, no worker could run, or it stopped). */
export function exportThreadOf(sender: SpanSender): ExportThread {
  return sender instanceof OffThreadSender && sender.hasWorker ? "worker" : "main";
}
