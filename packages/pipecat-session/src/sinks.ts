/**
 * Where a recording goes. A `RecordingSink` receives the WAV bytes in order, in small chunks, while the
 * call runs; `close` gets the final header (real sizes) for sinks that can seek back, `abort` cancels
 * whatever was started and leaves nothing behind. Writes are awaited one at a time, which is how a sink
 * applies backpressure; the recorder never lets a sink's error reach the pipeline.
 */
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SpoolFile, SpoolForwarder } from "./spool.js";
import { booleanOption, invalidOption, nonNegativeNumberOption, positiveIntegerOption } from "./validate.js";

const OWNER = "HttpPutRecordingSink";

export interface RecordingSink {
  /** Where the finished recording can be found, without credentials (written as `recording.uri`). */
  readonly uri?: string;
  write(chunk: Uint8Array): Promise<void> | void;
  /** Ends the recording; `finalHeader` replaces the first bytes written when the sink can seek. */
  close(finalHeader?: Uint8Array): Promise<void> | void;
  /** Cancels the recording and removes anything already stored. */
  abort(): Promise<void> | void;
}

/** Writes the recording to a local file, created (with its directory) on the first chunk. */
export class FileRecordingSink implements RecordingSink {
  readonly uri: string;
  private handle: Promise<FileHandle> | undefined;
  private position = 0;

  constructor(readonly filePath: string) {
    if (typeof filePath !== "string" || filePath === "") invalidOption("FileRecordingSink", "filePath", "a file path", filePath);
    this.uri = pathToFileURL(path.resolve(filePath)).href;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const handle = await this.open();
    let written = 0;
    while (written < chunk.byteLength) {
      const result = await handle.write(chunk, written, chunk.byteLength - written, this.position + written);
      written += result.bytesWritten;
    }
    this.position += chunk.byteLength;
  }

  async close(finalHeader?: Uint8Array): Promise<void> {
    if (!this.handle) return;
    const handle = await this.handle;
    this.handle = undefined;
    try {
      if (finalHeader && finalHeader.byteLength <= this.position) {
        await handle.write(finalHeader, 0, finalHeader.byteLength, 0);
      }
    } finally {
      await handle.close();
    }
  }

  async abort(): Promise<void> {
    const opened = this.handle;
    this.handle = undefined;
    if (!opened) return;
    await opened.then((handle) => handle.close()).catch(() => undefined);
    await rm(this.filePath, { force: true });
  }

  private open(): Promise<FileHandle> {
    this.handle ??= mkdir(path.dirname(this.filePath), { recursive: true }).then(() => open(this.filePath, "w"));
    return this.handle;
  }
}

export interface HttpPutRecordingSinkOptions {
  /**
   * Stream the audio while the call runs, with chunked transfer encoding (default true). With false the
   * audio is spooled to a temporary file and uploaded once, with a Content-Length, when the call ends
   * (what S3 presigned URLs need; also means nothing is sent before the session ends).
   */
  streaming?: boolean;
  /** Extra request headers (e.g. those a presigned URL was signed with). Never recorded on spans. */
  headers?: Record<string, string>;
  /** Uploads from the spool after the live stream failed: at most this many attempts (default 3). */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each next one (default 500 ms). */
  retryDelayMs?: number;
  /** A request idle for this long is abandoned (default 30 s). */
  timeoutMs?: number;
}

/** Thrown by `close` when every upload attempt failed; the recorder reports it, the pipeline never sees it. */
export class RecordingUploadError extends Error {
  override name = "RecordingUploadError";
}

/**
 * Uploads the recording with an HTTP PUT to a (presigned) URL.
 *
 * Every chunk goes first to a private temporary spool file: memory stays flat, a slow network never costs
 * audio (the live stream follows the spool at its own pace), and a failed live stream is retried whole, with
 * the exact header, when the call ends. `uri` is the URL without its query string (presigned URLs carry
 * their signature there).
 */
export class HttpPutRecordingSink implements RecordingSink {
  readonly uri: string;
  private readonly url: URL;
  private readonly streaming: boolean;
  private readonly headers: Record<string, string>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly timeoutMs: number;
  private readonly spool = new SpoolFile();
  private live: LiveUpload | undefined;
  private aborted = false;
  private readonly openRequests = new Set<http.ClientRequest>();
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;

  constructor(url: string | URL, options: HttpPutRecordingSinkOptions = {}) {
    this.url = parseUploadUrl(url);
    this.uri = `${this.url.origin}${this.url.pathname}`;
    this.headers = { ...options.headers };
    this.streaming = booleanOption(OWNER, "streaming", options.streaming) ?? true;
    this.maxAttempts = positiveIntegerOption(OWNER, "maxAttempts", options.maxAttempts) ?? 3;
    this.retryDelayMs = nonNegativeNumberOption(OWNER, "retryDelayMs", options.retryDelayMs) ?? 500;
    this.timeoutMs = positiveIntegerOption(OWNER, "timeoutMs", options.timeoutMs) ?? 30_000;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.aborted) return;
    await this.spool.append(chunk);
    if (!this.streaming || this.aborted) return;
    this.live ??= new LiveUpload(this.request({ "transfer-encoding": "chunked" }), this.spool);
    this.live.forwarder.notify();
  }

  async close(finalHeader?: Uint8Array): Promise<void> {
    try {
      if (this.aborted || this.spool.size === 0) return;
      if (finalHeader && finalHeader.byteLength <= this.spool.size) await this.spool.overwrite(0, finalHeader);
      if (this.live && (await this.live.finish())) return;
      await this.uploadSpoolWithRetries();
    } finally {
      await this.spool.remove();
    }
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.live?.cancel();
    for (const request of this.openRequests) request.destroy();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    await this.spool.remove();
  }

  private async uploadSpoolWithRetries(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.maxAttempts && !this.aborted; attempt++) {
      if (attempt > 0) await this.sleep(this.retryDelayMs * 2 ** (attempt - 1));
      if (this.aborted) return;
      try {
        const status = await this.uploadSpoolOnce();
        if (status < 300) return;
        lastError = new RecordingUploadError(`recording upload answered HTTP ${status}`);
        if (!isRetryableStatus(status)) break;
      } catch (error) {
        lastError = error;
      }
    }
    if (this.aborted) return;
    throw lastError instanceof RecordingUploadError
      ? lastError
      : new RecordingUploadError(`recording upload failed: ${describeError(lastError)}`);
  }

  private async uploadSpoolOnce(): Promise<number> {
    const request = this.request({ "content-length": String(this.spool.size) });
    const status = responseStatus(request);
    // Awaited below unless the body fails first; then its rejection is of no interest.
    status.catch(() => undefined);
    try {
      const forwarder = new SpoolForwarder(this.spool, (bytes) => writeRequest(request, bytes));
      await forwarder.caughtUp();
      if (forwarder.failed) throw forwarder.error;
      request.end();
      return await status;
    } finally {
      request.destroy();
    }
  }

  private request(extraHeaders: Record<string, string>): http.ClientRequest {
    const transport = this.url.protocol === "https:" ? https : http;
    const request = transport.request(this.url, {
      method: "PUT",
      headers: { "content-type": "audio/wav", ...this.headers, ...extraHeaders },
    });
    request.setTimeout(this.timeoutMs, () => request.destroy(new Error(`no progress for ${this.timeoutMs} ms`)));
    // Failures are read through responseStatus / writeRequest; this keeps an unobserved one from crashing.
    request.on("error", () => undefined);
    this.openRequests.add(request);
    request.once("close", () => this.openRequests.delete(request));
    return request;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
      this.retryTimer.unref();
    });
  }
}

/** The streamed PUT of one recording, following the spool; once it fails the spool is uploaded instead. */
class LiveUpload {
  readonly forwarder: SpoolForwarder;
  private readonly status: Promise<number>;
  private refused = false;

  constructor(
    private readonly request: http.ClientRequest,
    spool: SpoolFile,
  ) {
    this.forwarder = new SpoolForwarder(spool, (bytes) => writeRequest(request, bytes));
    this.status = responseStatus(request);
    this.status.then(
      () => {
        // An answer before the body ended is a refusal.
        if (!request.writableEnded) this.stopAfterRefusal();
      },
      () => this.stopAfterRefusal(),
    );
  }

  /** Ends the stream once it has caught up with the spool; true when the server accepted the whole upload. */
  async finish(): Promise<boolean> {
    await this.forwarder.caughtUp();
    if (this.refused || this.forwarder.failed) {
      this.request.destroy();
      return false;
    }
    this.request.end();
    try {
      return (await this.status) < 300;
    } catch {
      return false;
    } finally {
      this.request.destroy();
    }
  }

  cancel(): void {
    this.forwarder.stop();
    this.request.destroy();
  }

  private stopAfterRefusal(): void {
    this.refused = true;
    this.forwarder.stop();
    this.request.destroy();
  }
}

/** Resolves with the response status as soon as the head arrives (the body is drained and ignored). */
function responseStatus(request: http.ClientRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    request.once("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once("error", reject);
    request.once("close", () => reject(new Error("connection closed before a response")));
  });
}

/** Writes to a request, waiting for 'drain' when its buffer is full (backpressure); rejects if it dies. */
function writeRequest(request: http.ClientRequest, bytes: Uint8Array): Promise<void> {
  if (request.destroyed) return Promise.reject(new Error("request closed"));
  if (request.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      request.off("drain", onDrain);
      request.off("close", onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("request closed"));
    };
    request.on("drain", onDrain);
    request.on("close", onClose);
  });
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function parseUploadUrl(url: string | URL): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== "http:" && parsed?.protocol !== "https:") {
    // The URL itself is not echoed: a presigned URL carries its signature.
    invalidOption(OWNER, "url", "an absolute http: or https: URL", parsed ? `a ${parsed.protocol} URL` : "something else");
  }
  return parsed;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
