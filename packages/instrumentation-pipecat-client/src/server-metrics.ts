/**
 * The server's RTVI `metrics` messages name the processor that measured a value (e.g.
 * "OpenAILLMService#0"), not its role; the role is read from the name so a span can say "the server's LLM
 * answered in 0.42 s" beside the latency the client felt.
 */
export type ServiceKind = "stt" | "llm" | "tts";

const KIND_PATTERNS: ReadonlyArray<[ServiceKind, RegExp]> = [
  ["stt", /stt|speech.?to.?text|transcri/i],
  ["tts", /tts|text.?to.?speech/i],
  ["llm", /llm|chat|completion/i],
];

export function serviceKindOf(processor: unknown): ServiceKind | undefined {
  if (typeof processor !== "string") return undefined;
  for (const [kind, pattern] of KIND_PATTERNS) if (pattern.test(processor)) return kind;
  return undefined;
}

export interface MetricEntry {
  processor: string;
  kind: ServiceKind | undefined;
  value: number;
}

/** The entries of one metrics message's list (`ttfb`, `processing`), skipping malformed ones. */
export function metricEntries(list: unknown): MetricEntry[] {
  if (!Array.isArray(list)) return [];
  const entries: MetricEntry[] = [];
  for (const item of list) {
    const processor = (item as { processor?: unknown })?.processor;
    const value = (item as { value?: unknown })?.value;
    if (typeof processor !== "string" || typeof value !== "number" || !Number.isFinite(value)) continue;
    entries.push({ processor, kind: serviceKindOf(processor), value });
  }
  return entries;
}
