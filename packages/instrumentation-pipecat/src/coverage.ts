/*
 * What one conversation's trace could not read from the runtime: the span kinds that lacked their core
 * attributes, the services that pushed frames of classes nobody recognised, and the option that maps them.
 * Fed as spans finish and as unrecognised frames leave services; read once, when the conversation ends.
 */
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_METRICS_TTFB,
  ATTR_OUTPUT,
  ATTR_TEXT,
  ATTR_TRANSCRIPT,
  type PipecatSpanKind,
} from "@respan/semconv-pipecat";
import { Role, concreteClassName, roleOf } from "./class-names.js";
import type { ErrorReporter } from "./error-reporter.js";

type ServiceSpanKind = "llm" | "stt" | "tts";

interface CoreAttribute {
  /** What the report calls it. */
  label: string;
  key: string;
  /** User or assistant content: never expected while content capture is off. */
  content: boolean;
}

const model: CoreAttribute = { label: "model", key: ATTR_GEN_AI_REQUEST_MODEL, content: false };
const ttfb: CoreAttribute = { label: "ttfb", key: ATTR_METRICS_TTFB, content: false };
const CORE_ATTRIBUTES: Record<ServiceSpanKind, readonly CoreAttribute[]> = {
  llm: [model, { label: "output", key: ATTR_OUTPUT, content: true },
    { label: "usage", key: ATTR_GEN_AI_USAGE_INPUT_TOKENS, content: false }, ttfb],
  stt: [model, { label: "transcript", key: ATTR_TRANSCRIPT, content: true }, ttfb],
  tts: [model, { label: "text", key: ATTR_TEXT, content: true }, ttfb],
};
/** Gaps that leave a trace without what it is for (a warning); missing metrics alone are a debug note. */
const SERIOUS = new Set(["model", "output", "transcript", "text"]);
const SERVICE_KINDS: ReadonlyArray<readonly [ServiceSpanKind, number]> = [["stt", Role.STT], ["llm", Role.LLM], ["tts", Role.TTS]];
/** Unrecognised frame classes remembered per conversation (a bound, not a expectation). */
const MAX_UNRECOGNISED = 32;

export const MAPPING_ADVICE =
  'Map a port\'s frame classes, service classes and field names onto Pipecat\'s with the "runtimeMapping" option ' +
  "(docs/runtime-contract.md of @respan/instrumentation-pipecat).";

export interface CoverageSummary {
  /** One line per finding; empty when every span carried its core attributes. */
  findings: string[];
  /** Whether the findings leave the trace without content or models (worth a warning, not only a debug line). */
  serious: boolean;
}

export class CoverageReport {
  private readonly spans = new Map<ServiceSpanKind, { count: number; missing: Map<string, number> }>();
  private readonly rolesSeen = new Map<number, string>();
  /** Unrecognised frame class -> the services (class names) it left. */
  private readonly unrecognised = new Map<string, Set<string>>();

  constructor(private readonly captureContent: boolean) {}

  spanFinished(kind: PipecatSpanKind, startAttributes: Attributes, attributes: Attributes, waived: readonly string[]): void {
    if (kind !== "llm" && kind !== "stt" && kind !== "tts") return;
    let tally = this.spans.get(kind);
    if (tally === undefined) this.spans.set(kind, (tally = { count: 0, missing: new Map() }));
    tally.count += 1;
    for (const core of CORE_ATTRIBUTES[kind]) {
      if (core.content && !this.captureContent) continue;
      if (waived.includes(core.label)) continue;
      if (attributes[core.key] !== undefined || startAttributes[core.key] !== undefined) continue;
      tally.missing.set(core.label, (tally.missing.get(core.label) ?? 0) + 1);
    }
  }

  serviceSeen(service: object): void {
    const role = roleOf(service);
    for (const [, serviceRole] of SERVICE_KINDS) {
      if ((role & serviceRole) !== 0 && !this.rolesSeen.has(serviceRole)) {
        this.rolesSeen.set(serviceRole, concreteClassName(service) ?? "a service");
      }
    }
  }

  /** A frame of a class nobody recognised left `service` (an STT, LLM or TTS service). */
  unrecognisedFrame(frame: object, service: object): void {
    const frameClass = concreteClassName(frame) ?? "an anonymous frame class";
    let services = this.unrecognised.get(frameClass);
    if (services === undefined) {
      if (this.unrecognised.size >= MAX_UNRECOGNISED) return;
      this.unrecognised.set(frameClass, (services = new Set()));
    }
    services.add(concreteClassName(service) ?? "a service");
  }

  summary(): CoverageSummary {
    const findings: string[] = [];
    let serious = false;
    for (const [kind, role] of SERVICE_KINDS) {
      const tally = this.spans.get(kind);
      if (tally === undefined) {
        const service = this.rolesSeen.get(role);
        if (service === undefined || !this.pushedUnrecognised(service)) continue;
        findings.push(`${kind}: no span, though ${service} pushed frames of classes not recognised`);
        serious = true;
        continue;
      }
      const gaps = [...tally.missing].map(([label, count]) => `${label} missing in ${count} of ${tally.count}`);
      if (gaps.length > 0) findings.push(`${kind}: ${gaps.join(", ")}`);
      if ([...tally.missing.keys()].some((label) => SERIOUS.has(label))) serious = true;
    }
    if (this.unrecognised.size > 0) {
      const classes = [...this.unrecognised].map(([frameClass, services]) => `${frameClass} (from ${[...services].join(", ")})`);
      findings.push(`frame classes not recognised that left service processors: ${classes.join(", ")}`);
    }
    return { findings, serious };
  }

  private pushedUnrecognised(service: string): boolean {
    for (const services of this.unrecognised.values()) if (services.has(service)) return true;
    return false;
  }
}

/**
 * At a conversation's end: the report at debug level, and — once per instrumentation, when the gaps leave
 * spans without content or models — as a warning naming the option that maps them.
 */
export function reportCoverage(conversationId: string, summary: CoverageSummary, errors: ErrorReporter): void {
  if (summary.findings.length === 0) {
    errors.debug(`coverage of conversation ${conversationId}: every span carried its core attributes`);
    return;
  }
  const findings = summary.findings.join("; ");
  errors.debug(`coverage of conversation ${conversationId}: ${findings}. ${MAPPING_ADVICE}`);
  if (summary.serious) {
    errors.warnOnce("coverage",
      `the trace could not read everything from this runtime (conversation ${conversationId}): ${findings}. ` +
        `${MAPPING_ADVICE} Further conversations are reported at debug level only.`);
  }
}
