/**
 * Deferred upload: a sink wrapper that keeps the recording on local disk until consent is granted.
 *
 * Before `grant()`, every chunk goes to a private temporary spool file and the wrapped sink is not touched
 * (not even opened). On `grant()`, the spool is copied to the wrapped sink in order while new chunks keep
 * going to the spool, and the copy follows it until the end, so the recording then streams normally and
 * memory stays flat. Closing without consent discards the spool and aborts the wrapped sink: no byte of
 * the audio ever reaches it.
 */
import type { RecordingSink } from "./sinks.js";
import { SpoolFile, SpoolForwarder } from "./spool.js";

export class ConsentGateSink implements RecordingSink {
  private readonly spool = new SpoolFile();
  private forwarder: SpoolForwarder | undefined;
  private granted = false;
  private finished = false;

  constructor(private readonly target: RecordingSink) {}

  get uri(): string | undefined {
    return this.target.uri;
  }

  get consentGranted(): boolean {
    return this.granted;
  }

  /** Grants consent: what was held starts flowing to the wrapped sink. False once the recording has ended. */
  grant(): boolean {
    if (this.finished) return false;
    if (this.granted) return true;
    this.granted = true;
    this.forwarder = new SpoolForwarder(this.spool, (bytes) => this.target.write(bytes));
    this.forwarder.notify();
    return true;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.finished) return;
    await this.spool.append(chunk);
    this.forwarder?.notify();
  }

  async close(finalHeader?: Uint8Array): Promise<void> {
    this.finished = true;
    const forwarder = this.forwarder;
    if (!forwarder) {
      await this.discard();
      return;
    }
    try {
      await forwarder.caughtUp();
      if (forwarder.failed) throw forwarder.error;
      await this.target.close(finalHeader);
    } finally {
      await this.spool.remove();
    }
  }

  async abort(): Promise<void> {
    this.finished = true;
    this.forwarder?.stop();
    await this.discard();
  }

  private async discard(): Promise<void> {
    await this.spool.remove();
    await this.target.abort();
  }
}
