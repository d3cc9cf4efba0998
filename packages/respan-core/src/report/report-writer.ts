/**
 * Writes call reports into a traces folder: `<traceId>.html` per call and `index.html` listing the calls.
 * Used by the trace-file exporter after each trace file write, and by the `respan-traces` command for a
 * whole folder (including files received from an OpenTelemetry Collector). Files are written through a
 * temporary file and a rename, so a browser never opens half a page.
 */
import { open, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically as writeAtomically } from "../exporters/atomic-write.js";
import { buildCallModel, type CallSummary } from "./call-model.js";
import { renderCallReport, renderIndex, SUMMARY_BLOCK_ID } from "./html.js";
import { pauseEventLoop } from "./pause.js";
import { iterateSpans, parseTraceFileText, spansOfRequest, type TraceSpan } from "./otlp-spans.js";

export const INDEX_FILE = "index.html";
/** The index lists at most this many calls (the newest), which also bounds the memory it takes. */
export const MAX_INDEX_CALLS = 1_000;
/** Longest call title kept in the index. */
const MAX_TITLE_LENGTH = 200;
/** The summary block sits at the top of each report: this much of a report is read to find it. */
const SUMMARY_READ_BYTES = 16 * 1024;
const TRACE_FILE = /\.(json|jsonl|ndjson)$/i;

/** Spans read between two pauses of the event loop. */
const SPANS_PER_SLICE = 500;

/** Spans grouped by trace id, in first-seen order. */
function byTrace(spans: TraceSpan[]): Map<string, TraceSpan[]> {
  const traces = new Map<string, TraceSpan[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId);
    if (list === undefined) traces.set(span.traceId, [span]);
    else list.push(span);
  }
  return traces;
}

/** The summary embedded in an existing report, or undefined when `file` is not one. */
async function readSummary(file: string): Promise<CallSummary | undefined> {
  let head: string;
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(SUMMARY_READ_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SUMMARY_READ_BYTES, 0);
    head = buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
  const match = new RegExp(`<script type="application/json" id="${SUMMARY_BLOCK_ID}">(.*?)</script>`, "s").exec(head);
  if (match === null) return undefined;
  try {
    const summary = JSON.parse(match[1]) as CallSummary;
    return typeof summary?.traceId === "string" && typeof summary.startUnixMs === "number" ? summary : undefined;
  } catch {
    return undefined;
  }
}

export class CallReportWriter {
  readonly directory: string;
  /** Summaries of the calls in the index, by trace id; loaded from the folder's reports on first use. */
  private summaries: Map<string, CallSummary> | undefined;
  private indexWrite: Promise<void> = Promise.resolve();

  constructor(directory: string) {
    this.directory = path.resolve(directory);
  }

  /** Writes the report of `traceId` from an OTLP JSON request holding its spans. */
  async writeTraceRequest(traceId: string, request: unknown): Promise<string | undefined> {
    // Read in slices: this runs in the traced process, beside live calls.
    const spans: TraceSpan[] = [];
    for (const span of iterateSpans(request)) {
      if (spans.push(span) % SPANS_PER_SLICE === 0) await pauseEventLoop();
    }
    return this.writeTraceSpans(traceId, spans);
  }

  /** Writes the report of `traceId` from its spans (others are ignored); returns the report's path. */
  async writeTraceSpans(traceId: string, allSpans: TraceSpan[]): Promise<string | undefined> {
    const spans = allSpans.filter((span) => span.traceId === traceId);
    if (spans.length === 0) return undefined;
    const model = buildCallModel(traceId, spans, { reportDirectory: this.directory });
    model.summary.title = model.summary.title.slice(0, MAX_TITLE_LENGTH);
    await pauseEventLoop();
    const file = path.join(this.directory, `${traceId}.html`);
    await writeAtomically(file, await renderCallReport(model));
    await this.updateIndex(model.summary);
    return file;
  }

  /** Adds (or replaces) a call in the index and rewrites index.html; writes run one after the other. */
  private updateIndex(summary: CallSummary): Promise<void> {
    const write = this.indexWrite.then(async () => {
      const summaries = await this.loadSummaries();
      summaries.set(summary.traceId, summary);
      if (summaries.size > MAX_INDEX_CALLS) {
        const oldest = [...summaries.values()].sort((a, b) => a.startUnixMs - b.startUnixMs);
        for (const call of oldest.slice(0, summaries.size - MAX_INDEX_CALLS)) summaries.delete(call.traceId);
      }
      await writeAtomically(path.join(this.directory, INDEX_FILE), renderIndex([...summaries.values()]));
    });
    this.indexWrite = write.catch(() => undefined);
    return write;
  }

  private async loadSummaries(): Promise<Map<string, CallSummary>> {
    if (this.summaries !== undefined) return this.summaries;
    const summaries = new Map<string, CallSummary>();
    const names = (await readdir(this.directory).catch(() => [] as string[])).filter(
      (name) => name.endsWith(".html") && name !== INDEX_FILE,
    );
    for (const name of names) {
      const summary = await readSummary(path.join(this.directory, name)).catch(() => undefined);
      if (summary !== undefined) summaries.set(summary.traceId, summary);
    }
    this.summaries = summaries;
    return summaries;
  }
}

export interface CallReportsResult {
  reports: string[];
  index: string | undefined;
  /** Files that could not be read as OTLP JSON, with the reason. */
  skipped: Array<{ file: string; reason: string }>;
}

/**
 * (Re)writes the report of every trace found in the OTLP JSON files of `directory` (one request per file,
 * or one per line as the Collector's file exporter writes them; a trace split across files is joined).
 */
export async function writeCallReports(directory: string): Promise<CallReportsResult> {
  const writer = new CallReportWriter(directory);
  const names = (await readdir(writer.directory)).filter((name) => TRACE_FILE.test(name)).sort();
  const spans: TraceSpan[] = [];
  const skipped: CallReportsResult["skipped"] = [];
  for (const name of names) {
    const file = path.join(writer.directory, name);
    try {
      for (const request of parseTraceFileText(await readFile(file, "utf8"))) {
        for (const span of spansOfRequest(request)) spans.push(span);
      }
    } catch (error) {
      skipped.push({ file, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const reports: string[] = [];
  for (const [traceId, traceSpans] of byTrace(spans)) {
    const report = await writer.writeTraceSpans(traceId, traceSpans);
    if (report !== undefined) reports.push(report);
  }
  return { reports, index: reports.length > 0 ? path.join(writer.directory, INDEX_FILE) : undefined, skipped };
}
