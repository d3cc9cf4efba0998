/**
 * What sends spans to one HTTP destination, described as plain data, so that the same sender can be made
 * in an export worker (export-worker.ts) or, where no worker can run, on the application's thread
 * (off-thread-sender.ts falls back to it).
 */
import type { OtlpProtocol } from "../options.js";
import { OtlpCollectorSender } from "./otlp-collector.js";
import { RespanSender, type RespanSendSettings, type SpanSender } from "./respan-sender.js";

export type SenderSpec =
  | { kind: "respan"; settings: RespanSendSettings }
  | { kind: "otlp"; protocol: OtlpProtocol; timeoutMillis: number };

export function createSender(spec: SenderSpec): SpanSender {
  return spec.kind === "respan" ? new RespanSender(spec.settings) : new OtlpCollectorSender(spec.protocol, spec.timeoutMillis);
}

/** The sender's deadline for one request, retries included. */
export function requestDeadlineMillis(spec: SenderSpec): number {
  return spec.kind === "respan" ? spec.settings.timeoutMillis : spec.timeoutMillis;
}
