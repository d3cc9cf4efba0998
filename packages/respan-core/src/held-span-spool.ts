/**
 * Where a held trace's ended spans wait once it outgrows its memory allowance: a private append-only file
 * per trace (one JSON line per span) in a directory only the process's user can read (mkdtemp creates it
 * 0700), deleted when the trace is released or discarded. Spans are written as span records
 * (exporters/span-records.ts) with their scope; the reader puts the trace's resource back.
 */
import type { InstrumentationScope } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { createReadStream } from "node:fs";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fromSpanRecord, toSpanRecord, type SpanRecord } from "./exporters/span-records.js";

/** A span as one line of the file: its record (span-records.ts) with its scope; the resource is kept aside. */
function toLine(span: ReadableSpan): string {
  return `${JSON.stringify(toSpanRecord(span, { scope: span.instrumentationScope }))}\n`;
}

function fromLine(line: string, resource: Resource): ReadableSpan {
  const record = JSON.parse(line) as SpanRecord & { scope: InstrumentationScope };
  return fromSpanRecord(record, resource, record.scope);
}

/** The spool directory of one processor, created on first use. */
export class HeldSpanSpool {
  private directory: Promise<string> | undefined;

  constructor(private readonly parent: string = tmpdir()) {}

  /** A trace's file: spans are appended in order; `read` yields them back in slices. */
  file(traceId: string): HeldSpanFile {
    return new HeldSpanFile(() => this.ensureDirectory().then((directory) => path.join(directory, `${traceId}.jsonl`)));
  }

  /** Deletes the directory and every file left in it. */
  async remove(): Promise<void> {
    const directory = this.directory;
    this.directory = undefined;
    if (directory) await rm(await directory.catch(() => ""), { recursive: true, force: true }).catch(() => undefined);
  }

  private ensureDirectory(): Promise<string> {
    this.directory ??= mkdtemp(path.join(this.parent, "respan-held-spans-"));
    return this.directory;
  }
}

export class HeldSpanFile {
  /** Spans whose write succeeded. */
  written = 0;
  private writing: Promise<void> = Promise.resolve();
  private removed = false;
  private readonly resources: Resource[] = [];

  constructor(private readonly location: () => Promise<string>) {}

  /** Appends `spans`; `onFailure` gets the count and error when they could not be written (they are lost). */
  append(spans: readonly ReadableSpan[], onFailure: (count: number, error: unknown) => void): void {
    const text = spans.map(toLine).join("");
    // Spans of one trace share their provider's resource; it is kept by reference, not written.
    if (spans.length > 0 && !this.resources.includes(spans[0].resource)) this.resources.push(spans[0].resource);
    this.writing = this.writing.then(async () => {
      if (this.removed) return;
      try {
        await appendFile(await this.location(), text, { mode: 0o600 });
        this.written += spans.length;
      } catch (error) {
        onFailure(spans.length, error);
      }
    });
  }

  /** Yields the written spans in order, `sliceSize` at a time. */
  async *read(sliceSize: number): AsyncGenerator<ReadableSpan[]> {
    await this.writing;
    if (this.written === 0 || this.removed) return;
    const resource = this.resources[0];
    const lines = createInterface({ input: createReadStream(await this.location()), crlfDelay: Infinity });
    let slice: ReadableSpan[] = [];
    for await (const line of lines) {
      if (line === "") continue;
      slice.push(fromLine(line, resource));
      if (slice.length >= sliceSize) {
        yield slice;
        slice = [];
      }
    }
    if (slice.length > 0) yield slice;
  }

  /** Deletes the file once pending writes are done. */
  async remove(): Promise<void> {
    this.removed = true;
    await this.writing;
    if (this.written > 0) await rm(await this.location(), { force: true }).catch(() => undefined);
  }
}
