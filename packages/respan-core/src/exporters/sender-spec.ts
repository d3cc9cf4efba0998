/**
 * What sends spans to one HTTP destination, described as plain data, so that the same sender can be made
 * in an export worker (export-worker.ts) or, where no worker can run, on the application's thread
 * (off-thread-sender.ts falls back to it).
 */
import type { OtlpProtocol } from "../options.js";
import { createOtlpCollectorSender } from "./otlp-collector.js";
import { createRespanSender, type RespanSendSettings } from "./respan-sender.js";
import type { SpanSender } from "./span-sender.js";

export type SenderSpec =
  | { kind: "respan"; settings: RespanSendSettings }
  | { kind: "otlp"; protocol: OtlpProtocol; timeoutMillis: number };

export function createSender(spec: SenderSpec): SpanSender {
  return spec.kind === "respan" ? createRespanSender(spec.settings) : createOtlpCollectorSender(spec.protocol, spec.timeoutMillis);
}

/** The sender's deadline for one request, retries included. */
export function requestDeadlineMillis(spec: SenderSpec): number {
  return spec.kind === "respan" ? spec.settings.timeoutMillis : spec.timeoutMillis;
}
